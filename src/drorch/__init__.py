"""drorch: a disaster-recovery orchestrator for AWS Elastic Disaster Recovery."""

__version__ = "0.1.0"
