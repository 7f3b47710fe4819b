"""Notification channel adapters: webhook (HTTP), email (SMTP); SNS lives in adapters/aws."""
