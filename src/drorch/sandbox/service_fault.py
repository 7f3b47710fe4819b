"""The error the sandbox's stand-ins for other AWS services (STS, SSM) answer with."""

from __future__ import annotations


class ServiceFault(Exception):
    """An AWS error: its code, message and HTTP status (each front renders its protocol's)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
