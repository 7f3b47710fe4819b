"""Fleet files: the accounts, Regions and source servers a sandbox starts with."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from drorch.domain.inventory import ReplicationState
from drorch.sandbox.wire import alnum_id, hex_id

# States in which DRS keeps replicating (counted against the replicating-servers quota).
REPLICATING = frozenset(
    {
        "INITIATING",
        "INITIAL_SYNC",
        "BACKLOG",
        "CREATING_SNAPSHOT",
        "CONTINUOUS",
        "RESCAN",
        "STALLED",
    }
)
SECRET = "sandbox-secret"
# libyaml's parser when PyYAML was built with it: the same documents, several times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FleetError(ValueError):
    """The fleet file is malformed or breaks a DRS quota."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Quotas(_Strict):
    """DRS quotas the sandbox enforces; fleet files may raise them (e.g. for benchmarks)."""

    servers_per_job: int = Field(default=100, ge=1)
    concurrent_jobs: int = Field(default=20, ge=1)
    servers_in_active_jobs: int = Field(default=500, ge=1)
    replicating_servers_per_account: int = Field(default=300, ge=1)


class AccountSpec(_Strict):
    """An AWS account and the access keys that stand for it."""

    id: str = Field(pattern=r"^[0-9]{12}$")
    name: str = ""
    access_keys: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    # The spoke role STS AssumeRole must name, and the external id it must carry (none set:
    # every AssumeRole is refused until the admin API records the id drorch generated).
    role_arn: str | None = None
    external_id: str | None = None

    @property
    def keys(self) -> list[str]:
        """Access keys naming this account (a default one when the file lists none)."""
        return self.access_keys or [f"SBX{self.id}"]


class ServerSpec(_Strict):
    """One replicating source server."""

    id: str = Field(pattern=r"^s-[0-9a-zA-Z]{17}$")
    account: str = Field(pattern=r"^[0-9]{12}$")
    region: str = Field(min_length=1)
    hostname: str = Field(min_length=1, max_length=256)
    os: Literal["LINUX", "WINDOWS"] = "LINUX"
    os_name: str = ""
    instance_type: str = "t3.medium"
    cpus: int = Field(default=2, ge=1)
    ram_gib: int = Field(default=4, ge=1)
    disks_gib: list[int] = Field(default_factory=lambda: [50])
    tags: dict[str, str] = Field(default_factory=dict)
    replication_state: ReplicationState = "CONTINUOUS"
    lag_seconds: float = Field(default=5.0, ge=0)
    launch_failure_probability: float = Field(default=0.0, ge=0, le=1)

    @property
    def full_os_name(self) -> str:
        """What DRS reports as `sourceProperties.os.fullString`."""
        if self.os_name:
            return self.os_name
        return "Microsoft Windows Server 2019 Datacenter" if self.os == "WINDOWS" else "Linux"


class SubnetSpec(_Strict):
    """A subnet the sandbox's EC2 creates in every account and Region (found by its Name tag)."""

    name: str = Field(min_length=1)
    cidr: str


class Ec2Spec(_Strict):
    """The network the sandbox's EC2 (moto) holds in every account and Region of the fleet."""

    vpc_cidr: str = "10.0.0.0/16"
    subnets: list[SubnetSpec] = Field(
        default_factory=lambda: [
            SubnetSpec(name="drorch-app", cidr="10.0.1.0/24"),
            SubnetSpec(name="drorch-dr", cidr="10.0.2.0/24"),
        ]
    )
    security_groups: list[str] = Field(default_factory=lambda: ["app", "web"])


class Fleet(_Strict):
    """A whole fleet file."""

    seed: int = 1
    quotas: Quotas = Field(default_factory=Quotas)
    # Absent: no EC2 (launch templates are ids only, instances exist only in DRS's answers).
    ec2: Ec2Spec | None = None
    accounts: list[AccountSpec] = Field(min_length=1)
    servers: list[ServerSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Fleet:
        _check_fleet(self)
        return self

    def account_regions(self) -> dict[str, list[str]]:
        """Regions per account: those listed plus those its servers live in."""
        found = {a.id: list(a.regions) for a in self.accounts}
        for server in self.servers:
            if server.region not in found[server.account]:
                found[server.account].append(server.region)
        return found

    def key_map(self) -> dict[str, str]:
        """Access key -> account id."""
        return {key: account.id for account in self.accounts for key in account.keys}


def _check_fleet(fleet: Fleet) -> None:
    accounts = {a.id for a in fleet.accounts}
    if len(accounts) != len(fleet.accounts):
        raise ValueError("account ids must be unique")
    keys = [key for a in fleet.accounts for key in a.keys]
    if len(set(keys)) != len(keys):
        raise ValueError("an access key may name only one account")
    ids = [s.id for s in fleet.servers]
    if len(set(ids)) != len(ids):
        raise ValueError("source server ids must be unique")
    for server in fleet.servers:
        if server.account not in accounts:
            raise ValueError(f"server {server.id} names unknown account {server.account}")
    _check_replicating_quota(fleet)


def _check_replicating_quota(fleet: Fleet) -> None:
    limit = fleet.quotas.replicating_servers_per_account
    counts: dict[str, int] = {}
    for server in fleet.servers:
        if server.replication_state in REPLICATING:
            counts[server.account] = counts.get(server.account, 0) + 1
    for account, count in counts.items():
        if count > limit:
            raise ValueError(
                f"account {account} replicates {count} source servers; DRS allows {limit}"
            )


def parse_fleet(data: Any) -> Fleet:
    """A validated fleet from already-parsed YAML/JSON data."""
    try:
        return Fleet.model_validate(data)
    except ValidationError as exc:
        raise FleetError(f"invalid fleet: {exc}") from exc


def load_fleet(source: Path | str | dict[str, Any] | None = None) -> Fleet:
    """A fleet from a YAML file, a dict, or (None) the demo fleet shipped in the package."""
    if isinstance(source, dict):
        return parse_fleet(source)
    if source is None:
        text = resources.files("drorch.sandbox").joinpath("fleets/demo.yaml").read_text()
    else:
        try:
            text = Path(source).read_text()
        except OSError as exc:
            raise FleetError(f"cannot read fleet file {source}: {exc}") from exc
    try:
        return parse_fleet(fleet_data(text))
    except yaml.YAMLError as exc:
        raise FleetError(f"fleet file is not valid YAML: {exc}") from exc


def fleet_data(text: str) -> Any:
    """A fleet file's data: JSON read as JSON, anything else as YAML (libyaml when present).

    Generated fleets are JSON (a subset of YAML). PyYAML's pure-Python parser takes about
    20 s and leaves some 40 MB of freed-but-kept memory for a 5,000-server fleet; the json
    module reads the same file in 40 ms.
    """
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            pass  # not JSON after all (a YAML flow mapping): the YAML parser decides
    return yaml.load(text, Loader=_SAFE_LOADER)


def synthetic_fleet(count: int, *, accounts: int = 1, seed: int = 1) -> dict[str, Any]:
    """A fleet dict with `count` Linux servers spread over accounts (tests and benchmarks)."""
    account_ids = [f"{100000000000 + i * 1111:012d}" for i in range(accounts)]
    per_account = -(-count // accounts)
    servers = [
        {
            "id": "s-" + hex_id(17, seed, "synthetic", i),
            "account": account_ids[i % accounts],
            "region": "us-east-1",
            "hostname": f"host-{i:05d}",
            "tags": {"Index": str(i), "Batch": alnum_id(4, seed, i % 7)},
        }
        for i in range(count)
    ]
    return {
        "seed": seed,
        "quotas": {"replicating_servers_per_account": max(300, per_account)},
        "accounts": [{"id": a, "access_keys": [f"SBX{a}"]} for a in account_ids],
        "servers": servers,
    }
