"""AWS clients for the deploy tool, every one made from the session provider's hub session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drorch.adapters.aws.deploy_sessions import aws_errors
from drorch.ports.sessions import SessionProvider

__all__ = ["Aws", "aws_errors"]

# CloudFront is global: its API lives in us-east-1 whatever the stack's Region.
GLOBAL_SERVICES = {"cloudfront": "us-east-1"}


@dataclass
class Aws:
    """One Region's clients for the deploy tool, made lazily and kept."""

    sessions: SessionProvider
    region: str
    endpoint_url: str | None = None
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        """The `service` client (hub credentials, this Region, the endpoint override if any)."""
        if service not in self._clients:
            session = self.sessions.session(None, purpose="deploy")
            self._clients[service] = session.client(
                service,
                region_name=GLOBAL_SERVICES.get(service, self.region),
                endpoint_url=self.endpoint_url,
            )
        return self._clients[service]

    def account_id(self) -> str:
        """The account the credentials belong to."""
        with aws_errors("sts:GetCallerIdentity"):
            return str(self.client("sts").get_caller_identity()["Account"])
