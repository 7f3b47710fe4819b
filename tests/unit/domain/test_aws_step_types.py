"""The AWS action types: registered, drill-safe defaults, parameters validated with reasons."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from drorch.domain.steps.base import InDrill
from drorch.domain.steps.registry import step_type

AWS_TYPES = {
    "dynamodb_restore": InDrill.RUN,
    "route53_change": InDrill.SKIP,
    "lambda_alias": InDrill.SKIP,
    "cloudfront_invalidate": InDrill.RUN,
    "api_gateway_access": InDrill.SKIP,
    "ssm_automation": InDrill.SIMULATE,
    "ssm_command": InDrill.RUN,
    "invoke_lambda": InDrill.SIMULATE,
}


def test_every_aws_type_is_found_with_its_drill_default() -> None:
    for name, default in AWS_TYPES.items():
        found = step_type(name)
        assert found is not None, name
        assert found.drill_default == default, name


@pytest.mark.parametrize(
    ("type_name", "params", "field", "reason"),
    [
        ("dynamodb_restore", {"source_table": "abc", "target_table": "abd"}, "", "exactly one"),
        (
            "dynamodb_restore",
            {"source_table": "abc", "target_table": "abc", "latest": True},
            "",
            "must differ",
        ),
        ("dynamodb_restore", {"target_table": "a!", "latest": True}, "target_table", "pattern"),
        (
            "route53_change",
            {"zone_id": "Z1", "record_name": "api.x", "record_type": "A"},
            "",
            "values or alias",
        ),
        (
            "route53_change",
            {"zone_id": "Z1", "record_name": "x", "record_type": "MX", "values": ["a"]},
            "record_type",
            "'A'",
        ),
        ("lambda_alias", {"function_name": "f", "alias": "live", "version": "v2"}, "version", ""),
        ("cloudfront_invalidate", {"distribution_id": "E1", "paths": ["img/*"]}, "paths", "'/'"),
        ("api_gateway_access", {"rest_api_id": "a1", "stage": "prod", "mode": "pause"}, "mode", ""),
        ("ssm_command", {"document_name": "AWS-RunShellScript"}, "", "instance_ids"),
        (
            "ssm_command",
            {"document_name": "AWS-RunShellScript", "instance_ids": ["web-1"]},
            "",
            "not instance ids",
        ),
        ("invoke_lambda", {"function_name": "f", "extra": 1}, "extra", "Extra"),
    ],
)
def test_bad_parameters_name_the_field_and_why(
    type_name: str, params: dict[str, Any], field: str, reason: str
) -> None:
    found = step_type(type_name)
    assert found is not None

    with pytest.raises(ValidationError) as raised:
        found.params.model_validate(params)

    error = raised.value.errors()[0]
    assert ".".join(str(p) for p in error["loc"]) == field
    assert reason in error["msg"]


def test_good_parameters_validate() -> None:
    checks = {
        "dynamodb_restore": {
            "backup_arn": "arn:aws:dynamodb:us-east-1:1:table/t/backup/b",
            "target_table": "bookings-restored",
        },
        "route53_change": {
            "zone_id": "/hostedzone/Z1",
            "record_name": "api.example.com",
            "record_type": "CNAME",
            "values": ["api-standby.example.com"],
        },
        "ssm_command": {"document_name": "AWS-RunShellScript", "recovered_instances": True},
    }
    for name, params in checks.items():
        found = step_type(name)
        assert found is not None
        assert found.params.model_validate(params).model_dump()  # type: ignore[truthy-bool]
