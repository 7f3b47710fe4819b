"""STS AssumeRole on the query protocol: trust enforced per fleet account, keys mapped to it."""

from __future__ import annotations

import re
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from drorch.sandbox.fleet import Fleet
from drorch.sandbox.service_fault import ServiceFault

NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
FORM = "application/x-www-form-urlencoded"
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::([0-9]{12}):role/[\w+=,.@/-]+$")
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
DEFAULT_ROLE = "arn:aws:iam::{account}:role/drorch-target"
MIN_SECONDS, MAX_SECONDS = 900, 43200


class StsFault(ServiceFault):
    """An STS error: its code, HTTP status and whether the caller (Sender) is at fault."""


@dataclass(frozen=True)
class Trust:
    """The role and external id an account's spoke role was deployed with."""

    role_arn: str
    external_id: str | None


@dataclass(frozen=True)
class IssuedKey:
    """Temporary credentials the sandbox handed out: which account, valid until when."""

    account: str
    role_arn: str
    session_name: str
    expires: float


class StsIssuer:
    """Assumes roles of fleet accounts whose trust the request satisfies (thread-safe)."""

    def __init__(self, fleet: Fleet) -> None:
        self._lock = threading.Lock()
        self.trusts = {
            a.id: Trust(a.role_arn or DEFAULT_ROLE.format(account=a.id), a.external_id)
            for a in fleet.accounts
        }
        self.issued: dict[str, IssuedKey] = {}

    def set_trust(self, account: str, role_arn: str | None, external_id: str | None) -> Trust:
        """Record how an account's role was deployed (what `infra/target-account.yaml` did)."""
        if account not in self.trusts:
            raise KeyError(account)
        trust = Trust(role_arn or DEFAULT_ROLE.format(account=account), external_id)
        with self._lock:
            self.trusts[account] = trust
        return trust

    def assume_role(self, form: dict[str, str], now: float) -> tuple[str, str, IssuedKey]:
        """(access key, secret, issued) for a request that satisfies the role's trust."""
        role_arn, name = form.get("RoleArn", ""), form.get("RoleSessionName", "")
        found = ROLE_ARN.match(role_arn)
        if found is None:
            raise StsFault("ValidationError", f"{role_arn!r} is not a role ARN")
        if not SESSION_NAME.match(name):
            raise StsFault("ValidationError", f"RoleSessionName {name!r} is not valid")
        seconds = _duration(form.get("DurationSeconds"))
        trust = self.trusts.get(found.group(1))
        if (
            trust is None
            or trust.role_arn != role_arn
            or trust.external_id is None
            or not secrets.compare_digest(trust.external_id, form.get("ExternalId", ""))
        ):
            raise StsFault(
                "AccessDenied",
                f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                status=403,
            )
        key = "ASIA" + secrets.token_hex(8).upper()
        issued = IssuedKey(found.group(1), role_arn, name, now + seconds)
        with self._lock:
            self.issued[key] = issued
        return key, secrets.token_urlsafe(30), issued

    def account_for(self, access_key: str, now: float) -> str | None:
        """The account of an issued key; StsFault once it expired, None if never issued."""
        with self._lock:
            issued = self.issued.get(access_key)
        if issued is None:
            return None
        if now >= issued.expires:
            raise StsFault("ExpiredTokenException", "The security token included has expired")
        return issued.account


def _duration(value: str | None) -> int:
    try:
        seconds = int(value) if value else 3600
    except ValueError:
        raise StsFault("ValidationError", f"DurationSeconds {value!r} is not a number") from None
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise StsFault("ValidationError", f"DurationSeconds must be {MIN_SECONDS}-{MAX_SECONDS}")
    return seconds


def parse_form(body: bytes) -> dict[str, str]:
    """The query-protocol form: one value per parameter."""
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[-1] for name, values in parsed.items()}


def assume_role_xml(key: str, secret: str, issued: IssuedKey) -> str:
    """The AssumeRoleResponse document botocore's sts model parses."""
    expires = datetime.fromtimestamp(issued.expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    role_name = issued.role_arn.rsplit("/", 1)[-1]
    assumed = f"arn:aws:sts::{issued.account}:assumed-role/{role_name}/{issued.session_name}"
    token = secrets.token_urlsafe(48)
    return (
        f'<AssumeRoleResponse xmlns="{NAMESPACE}"><AssumeRoleResult>'
        f"<Credentials><AccessKeyId>{key}</AccessKeyId>"
        f"<SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken>"
        f"<Expiration>{expires}</Expiration></Credentials>"
        f"<AssumedRoleUser><AssumedRoleId>AROA{secrets.token_hex(8).upper()}:"
        f"{escape(issued.session_name)}</AssumedRoleId><Arn>{escape(assumed)}</Arn>"
        f"</AssumedRoleUser></AssumeRoleResult>"
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        f"</AssumeRoleResponse>"
    )


def error_xml(fault: StsFault) -> str:
    """The query protocol's ErrorResponse."""
    kind = "Sender" if fault.status < 500 else "Receiver"
    return (
        f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>{kind}</Type>'
        f"<Code>{fault.code}</Code><Message>{escape(fault.message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
