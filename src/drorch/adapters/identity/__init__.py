"""Identity sources: local passwords, JWTs and API tokens; Cognito user-pool JWTs on AWS."""
