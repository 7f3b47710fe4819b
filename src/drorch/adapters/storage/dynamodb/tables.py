"""The DynamoDB table of the store: one table, three overloaded GSIs (one source for infra)."""

from __future__ import annotations

import contextlib
from typing import Any

TABLE_SUFFIX = "-store"
INDEXES = ("g1", "g2", "g3")


def index_name(index: str) -> str:
    """The IndexName of an index whose key attributes are `<index>pk` / `<index>sk`."""
    return f"by-{index}"


def table_name(prefix: str) -> str:
    """The store table's name for a prefix (e.g. `drorch-store`)."""
    return f"{prefix}{TABLE_SUFFIX}"


def table_definitions(prefix: str) -> list[dict[str, Any]]:
    """CreateTable keyword arguments of every table the store uses."""
    attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
    attributes.append({"AttributeName": "sk", "AttributeType": "S"})
    indexes = []
    for index in INDEXES:
        attributes += [
            {"AttributeName": f"{index}pk", "AttributeType": "S"},
            {"AttributeName": f"{index}sk", "AttributeType": "S"},
        ]
        indexes.append(
            {
                "IndexName": index_name(index),
                "KeySchema": [
                    {"AttributeName": f"{index}pk", "KeyType": "HASH"},
                    {"AttributeName": f"{index}sk", "KeyType": "RANGE"},
                ],
                # Listings render the stored bodies, so every index carries whole items.
                "Projection": {"ProjectionType": "ALL"},
            }
        )
    return [
        {
            "TableName": table_name(prefix),
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": attributes,
            "GlobalSecondaryIndexes": indexes,
            "BillingMode": "PAY_PER_REQUEST",
        }
    ]


def ensure_tables(client: Any, prefix: str) -> list[str]:
    """Create the tables that do not exist yet and wait until they are ACTIVE; their names."""
    created = []
    for definition in table_definitions(prefix):
        name = definition["TableName"]
        try:
            client.describe_table(TableName=name)
            continue
        except client.exceptions.ResourceNotFoundException:
            pass
        # Another process may have created it meanwhile.
        with contextlib.suppress(client.exceptions.ResourceInUseException):
            client.create_table(**definition)
        client.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
        )
        created.append(name)
    return created
