"""/api/v1/notification-channels, /notification-subscriptions and /notifications."""
