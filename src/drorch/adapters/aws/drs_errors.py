"""botocore errors -> drorch's Drs* errors, keeping DRS's error identity and Retry-After."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    ParamValidationError,
)

from drorch.errors import (
    DrsAccessDeniedError,
    DrsConflictError,
    DrsError,
    DrsNotFoundError,
    DrsQuotaError,
    DrsThrottlingError,
    DrsUnavailableError,
    DrsValidationError,
)

BY_CODE: dict[str, type[DrsError]] = {
    "ThrottlingException": DrsThrottlingError,
    "Throttling": DrsThrottlingError,
    "TooManyRequestsException": DrsThrottlingError,
    "RequestLimitExceeded": DrsThrottlingError,
    "ConflictException": DrsConflictError,
    "ServiceQuotaExceededException": DrsQuotaError,
    "ResourceNotFoundException": DrsNotFoundError,
    "ValidationException": DrsValidationError,
    "UninitializedAccountException": DrsValidationError,
    "AccessDeniedException": DrsAccessDeniedError,
    "UnrecognizedClientException": DrsAccessDeniedError,
    "InvalidSignatureException": DrsAccessDeniedError,
    "ExpiredTokenException": DrsAccessDeniedError,
    "InternalServerException": DrsUnavailableError,
    "ServiceUnavailableException": DrsUnavailableError,
}


def translate(error: ClientError) -> DrsError:
    """The drorch error for a DRS ClientError."""
    info = error.response.get("Error", {})
    code = str(info.get("Code", ""))
    message = str(info.get("Message", "")) or str(error)
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    kind = BY_CODE.get(code)
    if kind is None:
        kind = DrsUnavailableError if status >= 500 else DrsError
    operation = getattr(error, "operation_name", "") or "DRS"
    detail = f"{operation}: {code or status}: {message}"
    return kind(detail, code=code, retry_after=retry_after(error.response))


def retry_after(response: dict[str, Any]) -> float | None:
    """Seconds the service asked us to wait (Retry-After as seconds or an HTTP date)."""
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    raw = headers.get("retry-after") or response.get("retryAfterSeconds")
    if raw is None:
        return None
    text = str(raw).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


@contextmanager
def drs_errors() -> Iterator[None]:
    """Raise drorch's Drs* errors for anything botocore raises inside the block."""
    try:
        yield
    except ClientError as exc:
        raise translate(exc) from exc
    except ParamValidationError as exc:
        # botocore checked the request against the model before sending it.
        raise DrsValidationError(f"invalid DRS request: {exc}", code="ParamValidation") from exc
    except NoCredentialsError as exc:
        raise DrsAccessDeniedError(
            f"no AWS credentials for DRS: {exc}", code="NoCredentials"
        ) from exc
    except BotoCoreError as exc:
        raise DrsUnavailableError(f"DRS unreachable: {exc}", code=type(exc).__name__) from exc
