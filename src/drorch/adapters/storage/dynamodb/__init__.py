"""The DynamoDB store adapter (placeholder package; the dynamo branch replaces it)."""
