"""PLACEHOLDER of the DynamoDB store's table definitions, for the deploy branch only.

The dynamo branch owns this module and replaces it whole: its `table_definitions` is the one
source of the store's tables, and `drorch.deploy.template` turns whatever it returns into
the stack's table resources. This stand-in keeps the deploy path honest until then: one
table with string PK/SK keys and one global secondary index.
"""

from __future__ import annotations

from typing import Any


def table_definitions(prefix: str) -> list[dict[str, Any]]:
    """CreateTable keyword arguments of every store table, names starting with `prefix`."""
    return [
        {
            "TableName": f"{prefix}store",
            "KeySchema": [
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
                {"AttributeName": "GSI1PK", "AttributeType": "S"},
                {"AttributeName": "GSI1SK", "AttributeType": "S"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "GSI1",
                    "KeySchema": [
                        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            "BillingMode": "PAY_PER_REQUEST",
        }
    ]
