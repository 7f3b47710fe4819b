"""AWS action executors: one module per action type, built over one session provider.

    executors = AwsStepExecutors(session_for, endpoints={"dynamodb": moto_url, ...})
    executors.for_type("dynamodb_restore").start(call)

`session_for(scope, purpose)` is how every AWS adapter gets its boto3 session (the session
provider's assumed role, the hub's own, or a sandbox key); `endpoints` overrides a
service's endpoint (offline: moto, and the sandbox for SSM Automation).
"""

from __future__ import annotations

from collections.abc import Mapping

from drorch.adapters.aws.actions.api_gateway_access import ApiGatewayAccess
from drorch.adapters.aws.actions.base import AwsExecutor, Clients, OnClient, SessionFor
from drorch.adapters.aws.actions.cloudfront_invalidate import CloudfrontInvalidate
from drorch.adapters.aws.actions.dynamodb_restore import DynamodbRestore
from drorch.adapters.aws.actions.invoke_lambda import InvokeLambda
from drorch.adapters.aws.actions.lambda_alias import LambdaAlias
from drorch.adapters.aws.actions.route53_change import Route53Change
from drorch.adapters.aws.actions.ssm_automation import SsmAutomation
from drorch.adapters.aws.actions.ssm_command import SsmCommand
from drorch.errors import ValidationError
from drorch.ports.steps import StepExecutor

EXECUTORS: dict[str, type[AwsExecutor]] = {
    "dynamodb_restore": DynamodbRestore,
    "route53_change": Route53Change,
    "lambda_alias": LambdaAlias,
    "cloudfront_invalidate": CloudfrontInvalidate,
    "api_gateway_access": ApiGatewayAccess,
    "ssm_automation": SsmAutomation,
    "ssm_command": SsmCommand,
    "invoke_lambda": InvokeLambda,
}


class AwsStepExecutors:
    """Implements `drorch.ports.steps.StepExecutors` for the AWS action types."""

    def __init__(
        self,
        session_for: SessionFor,
        endpoints: Mapping[str, str] | None = None,
        on_client: OnClient | None = None,
    ):
        clients = Clients(session_for, endpoints, on_client)
        self._executors = {name: made(clients) for name, made in EXECUTORS.items()}

    def types(self) -> list[str]:
        """The action types these executors carry out."""
        return sorted(self._executors)

    def for_type(self, type_name: str) -> StepExecutor:
        """The executor of an AWS action type."""
        found = self._executors.get(type_name)
        if found is None:
            raise ValidationError(f"no AWS executor for action type {type_name!r}")
        return found
