"""DRS errors the sandbox answers with; codes and fields are the DRS model's error shapes."""

from __future__ import annotations

from typing import Any


class DrsFault(Exception):
    """An error DRS would return: its code names an error shape of the model."""

    code = "InternalServerException"

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = {k: v for k, v in fields.items() if v is not None}
        self.retry_after: int | None = None

    def body(self) -> dict[str, Any]:
        """The JSON error body (members of the error shape)."""
        return {"message": self.message, **self.fields}


class Validation(DrsFault):
    """ValidationException; `reason` is one of the model's ValidationExceptionReason values."""

    code = "ValidationException"

    def __init__(
        self,
        message: str,
        *,
        reason: str = "fieldValidationFailed",
        fields: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message, reason=reason, fieldList=fields or None)


class NotFound(DrsFault):
    """ResourceNotFoundException."""

    code = "ResourceNotFoundException"

    def __init__(self, message: str, *, resource_id: str, resource_type: str) -> None:
        super().__init__(message, resourceId=resource_id, resourceType=resource_type)


class Conflict(DrsFault):
    """ConflictException."""

    code = "ConflictException"

    def __init__(self, message: str, *, resource_id: str, resource_type: str) -> None:
        super().__init__(message, resourceId=resource_id, resourceType=resource_type)


class QuotaExceeded(DrsFault):
    """ServiceQuotaExceededException."""

    code = "ServiceQuotaExceededException"

    def __init__(self, message: str, *, resource_type: str) -> None:
        super().__init__(message, resourceType=resource_type, serviceCode="drs")


class Throttled(DrsFault):
    """ThrottlingException with a Retry-After header."""

    code = "ThrottlingException"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, serviceCode="drs")
        self.retry_after = retry_after


class AccessDenied(DrsFault):
    """AccessDeniedException."""

    code = "AccessDeniedException"


class Uninitialized(DrsFault):
    """UninitializedAccountException: DRS is not initialized in this account and Region."""

    code = "UninitializedAccountException"


class Internal(DrsFault):
    """InternalServerException."""

    code = "InternalServerException"
