"""One error tree. Each error knows its HTTP status and problem type."""

from __future__ import annotations

from typing import Any


class DrorchError(Exception):
    """Base of every error drorch raises on purpose."""

    status = 500
    type_slug = "internal"
    title = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def problem_type(self) -> str:
        """URI naming the problem type (RFC 9457)."""
        return f"urn:drorch:problem:{self.type_slug}"


class ValidationError(DrorchError):
    """Input breaks a rule; `errors` lists each offending field path."""

    status = 422
    type_slug = "validation"
    title = "Invalid input"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail, errors=errors or [])


class NotFoundError(DrorchError):
    """The named resource does not exist."""

    status = 404
    type_slug = "not-found"
    title = "Not found"


class ConflictError(DrorchError):
    """The request conflicts with existing state; `conflicts` says with what."""

    status = 409
    type_slug = "conflict"
    title = "Conflict"


class PreconditionFailedError(DrorchError):
    """If-Match named a version that is no longer current."""

    status = 412
    type_slug = "precondition-failed"
    title = "Precondition failed"


class PreconditionRequiredError(DrorchError):
    """A change that must name the version it replaces (If-Match or a body `version`) did not."""

    status = 428
    type_slug = "precondition-required"
    title = "Precondition required"


class PayloadTooLargeError(DrorchError):
    """The request body is over the limit."""

    status = 413
    type_slug = "payload-too-large"
    title = "Payload too large"


class DrsError(DrorchError):
    """DRS answered with an error; subclasses keep DRS's own error identity."""

    status = 502
    type_slug = "drs"
    title = "DRS error"

    def __init__(self, detail: str, *, code: str = "", retry_after: float | None = None) -> None:
        super().__init__(detail, code=code)
        self.code = code
        self.retry_after = retry_after


class DrsThrottlingError(DrsError):
    """DRS throttled the call (ThrottlingException); retry after a backoff."""

    status = 429
    type_slug = "drs-throttling"
    title = "DRS throttled the request"


class DrsConflictError(DrsError):
    """DRS refused because of a conflicting resource state (ConflictException)."""

    status = 409
    type_slug = "drs-conflict"
    title = "DRS conflict"


class DrsQuotaError(DrsError):
    """A DRS service quota was reached (ServiceQuotaExceededException)."""

    status = 409
    type_slug = "drs-quota"
    title = "DRS quota exceeded"


class DrsNotFoundError(DrsError):
    """DRS does not know the resource (ResourceNotFoundException)."""

    status = 404
    type_slug = "drs-not-found"
    title = "DRS resource not found"


class DrsValidationError(DrsError):
    """DRS rejected the request's shape (ValidationException)."""

    status = 400
    type_slug = "drs-validation"
    title = "DRS rejected the request"


class DrsUnavailableError(DrsError):
    """DRS could not be reached or failed internally; retryable."""

    status = 503
    type_slug = "drs-unavailable"
    title = "DRS unavailable"


class DrsAccessDeniedError(DrsError):
    """DRS refused the caller's credentials (AccessDeniedException)."""

    status = 403
    type_slug = "drs-access-denied"
    title = "DRS access denied"


class UnauthenticatedError(DrorchError):
    """No credentials, or credentials that are bad, expired or revoked."""

    status = 401
    type_slug = "unauthenticated"
    title = "Sign-in required"


class ForbiddenError(DrorchError):
    """The caller is signed in but the role lacks the permission."""

    status = 403
    type_slug = "forbidden"
    title = "Not allowed"


class TooManyRequestsError(DrorchError):
    """Too many attempts (sign-in lockout); `retry_after` says when to try again (s)."""

    status = 429
    type_slug = "too-many-requests"
    title = "Too many requests"


class IdentityUnavailableError(DrorchError):
    """An identity provider (Cognito's JWKS) could not be reached to check a token; retryable."""

    status = 503
    type_slug = "identity-unavailable"
    title = "Identity provider unavailable"


class SessionError(DrsError):
    """No session for an account (hub credentials, AssumeRole): a DRS refusal there only."""

    status = 424
    type_slug = "session"
    title = "Cannot reach the account"

    def __init__(self, detail: str, *, account_id: str, step: str, code: str = "") -> None:
        super().__init__(detail, code=code)
        self.extra.update(account_id=account_id, step=step)
        self.account_id = account_id
        self.step = step


class BackupError(DrorchError):
    """A backup cannot be made or restored: bad archive, wrong schema, busy or occupied target."""

    status = 422
    type_slug = "backup"
    title = "Backup refused"


class DeliveryError(DrorchError):
    """A notification channel did not take a message (refused, unreachable, timed out)."""

    status = 502
    type_slug = "delivery"
    title = "Notification not delivered"

    def __init__(self, detail: str, *, status_code: int | None = None) -> None:
        super().__init__(detail, status_code=status_code)
        self.status_code = status_code


class StepThrottledError(DrorchError):
    """An action's service throttled the call; the engine tries again after `retry_after` s."""

    status = 429
    type_slug = "step-throttled"
    title = "Action throttled"

    def __init__(self, detail: str, *, retry_after: float = 5.0) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


class StoreError(DrorchError):
    """The store could not answer (a DynamoDB error other than a failed condition)."""

    status = 503
    type_slug = "store-unavailable"
    title = "Store unavailable"


class StoreLimitError(StoreError):
    """A write group the store cannot commit atomically (over DynamoDB's 100-item limit)."""

    status = 500
    type_slug = "store-limit"
    title = "Store limit exceeded"


class DriverError(DrorchError):
    """The engine driver (Step Functions) refused or could not be reached; retryable."""

    status = 503
    type_slug = "driver-unavailable"
    title = "Engine driver unavailable"


class DeployError(DrorchError):
    """`drorch deploy` cannot go on: AWS refused a step, or the stack failed and rolled back."""

    status = 502
    type_slug = "deploy"
    title = "Deployment failed"


class KeysUnavailableError(DrorchError):
    """The shared keys' secret cannot be read or holds no usable keys; a startup error."""

    status = 503
    type_slug = "keys-unavailable"
    title = "Shared keys unavailable"
