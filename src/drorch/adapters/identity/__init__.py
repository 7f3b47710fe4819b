"""Identity adapters: local passwords, JWTs and API tokens (Cognito joins on AWS)."""
