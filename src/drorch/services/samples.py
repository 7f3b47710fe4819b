"""Sample protection groups and recovery plans, derived from the inventory's tags (demo).

Production servers (tagged `Environment: prod`) with `Application` and `Tier` tags give
one tag-selected group per application, Region and tier (`storefront-us-east-1-db`) and
one plan per application and Region (`storefront-us-east-1`) whose waves recover the
tiers in order: db, then app, then web. Other servers stay unassigned, so a new user can
make a group of their own at once. Running it again reuses what exists by name, so the
demo can start any number of times.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from drorch.domain.groups import GroupDraft, ProtectionGroup, Selection
from drorch.domain.inventory import SourceServer
from drorch.domain.plans import PlanDraft, RecoveryPlan, Wave
from drorch.errors import ConflictError, ValidationError
from drorch.ports.store import MAX_PAGE_SIZE, ServerQuery, Store
from drorch.services import groups, plans

APP_TAG = "Application"
TIER_TAG = "Tier"
ENV_TAG, SAMPLE_ENV = "Environment", "prod"
TIER_ORDER = ("db", "app", "web")
SAMPLE_RTO_MINUTES = 60
# Rough relative launch times, to pick the quickest healthy plan for the demo's drill.
OS_WEIGHT = {"LINUX": 1}
OTHER_OS_WEIGHT = 4
log = logging.getLogger(__name__)

# (account_id, region, application) -> tier -> servers
Layout = dict[tuple[str, str, str], dict[str, list[SourceServer]]]


@dataclass
class Samples:
    """The sample groups and plans, and the names created by this call."""

    groups: list[ProtectionGroup] = field(default_factory=list)
    plans: list[RecoveryPlan] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    layout: Layout = field(default_factory=dict)
    hub_accounts: tuple[str, ...] = ()


def ensure_samples(*, store: Store, hub_accounts: Collection[str] = ()) -> Samples:
    """Create the missing sample groups and plans for the current inventory.

    `hub_accounts` are reached without a registered role (the sandbox's fleet in the demo).
    """
    samples = Samples(layout=sample_layout(_inventory(store)), hub_accounts=tuple(hub_accounts))
    for (account_id, region, app), tiers in sorted(samples.layout.items()):
        waves = []
        for tier in _ordered(tiers):
            group = _ensure_group(store, samples, account_id, region, app, tier)
            if group is not None:
                waves.append(Wave(name=tier, protection_group_ids=[group.id]))
        if waves:
            _ensure_plan(store, samples, f"{app}-{region}", waves)
    return samples


def sample_layout(servers: list[SourceServer]) -> Layout:
    """Production servers with both tags, by account, Region and application, then tier."""
    layout: Layout = defaultdict(lambda: defaultdict(list))
    for server in servers:
        app, tier = server.tags.get(APP_TAG), server.tags.get(TIER_TAG)
        if app and tier and server.tags.get(ENV_TAG) == SAMPLE_ENV:
            layout[(server.account_id, server.region, app)][tier].append(server)
    return {key: dict(tiers) for key, tiers in layout.items()}


def unassigned_servers(*, store: Store) -> list[SourceServer]:
    """Servers no group holds (the first page): what a new user can group right away."""
    with store.read() as uow:
        return uow.servers.page(ServerQuery(assigned=False, limit=MAX_PAGE_SIZE)).items


def demo_plan(samples: Samples) -> RecoveryPlan | None:
    """The sample plan a demo drills: all servers healthy, quickest, then the largest."""
    ranked = []
    for plan in samples.plans:
        servers = _plan_servers(samples, plan)
        if servers and all(s.replication_healthy for s in servers.values()):
            ranked.append((_estimate(samples, plan), -len(servers), plan.name, plan))
    return min(ranked, key=lambda r: r[:3])[3] if ranked else None


def _ensure_group(
    store: Store, samples: Samples, account_id: str, region: str, app: str, tier: str
) -> ProtectionGroup | None:
    name = f"{app}-{region}-{tier}"
    with store.read() as uow:
        group = uow.groups.find_by_name(name)
    if group is None:
        draft = GroupDraft(
            name=name,
            description=f"Sample: the {tier} tier of {app} in {region}.",
            account_id=account_id,
            region=region,
            # The environment tag keeps other environments' servers free for the user.
            selection=Selection(tags={APP_TAG: app, TIER_TAG: tier, ENV_TAG: SAMPLE_ENV}),
        )
        try:
            group = groups.create_group(
                store=store, draft=draft, hub_accounts=samples.hub_accounts
            ).group
        except (ConflictError, ValidationError) as exc:
            # The operator's own groups take precedence over samples.
            log.info("sample group %s skipped: %s", name, exc.detail)
            samples.skipped.append(name)
            return None
        samples.created.append(name)
    samples.groups.append(group)
    return group


def _ensure_plan(store: Store, samples: Samples, name: str, waves: list[Wave]) -> None:
    with store.read() as uow:
        plan = uow.plans.find_by_name(name)
    if plan is None:
        draft = PlanDraft(
            name=name,
            description="Sample: recover the database tier first, then app, then web.",
            rto_minutes=SAMPLE_RTO_MINUTES,
            waves=waves,
        )
        try:
            plan = plans.create_plan(store=store, draft=draft)
        except (ConflictError, ValidationError) as exc:
            log.info("sample plan %s skipped: %s", name, exc.detail)
            samples.skipped.append(name)
            return
        samples.created.append(name)
    samples.plans.append(plan)


def _plan_servers(samples: Samples, plan: RecoveryPlan) -> dict[str, SourceServer]:
    by_group = {g.id: g for g in samples.groups}
    found: dict[str, SourceServer] = {}
    for wave in plan.waves:
        for group_id in wave.protection_group_ids:
            group = by_group.get(group_id)
            if group is not None:
                found.update({s.id: s for s in _group_servers(samples, group)})
    return found


def _group_servers(samples: Samples, group: ProtectionGroup) -> list[SourceServer]:
    tags = group.selection.tags or {}
    tiers = samples.layout.get((group.account_id, group.region, tags.get(APP_TAG, "")), {})
    return tiers.get(tags.get(TIER_TAG, ""), [])


def _estimate(samples: Samples, plan: RecoveryPlan) -> int:
    """Waves run one after another; each takes as long as its slowest OS."""
    by_group = {g.id: g for g in samples.groups}
    total = 0
    for wave in plan.waves:
        members = [
            s
            for g in wave.protection_group_ids
            if g in by_group
            for s in _group_servers(samples, by_group[g])
        ]
        total += max((OS_WEIGHT.get(s.os, OTHER_OS_WEIGHT) for s in members), default=0)
    return total


def _ordered(tiers: dict[str, list[SourceServer]]) -> list[str]:
    known = [t for t in TIER_ORDER if t in tiers]
    return known + sorted(t for t in tiers if t not in TIER_ORDER)


def _inventory(store: Store) -> list[SourceServer]:
    return list(_pages(store))


def _pages(store: Store) -> Iterator[SourceServer]:
    cursor: str | None = None
    while True:
        with store.read() as uow:
            page = uow.servers.page(ServerQuery(sort="id", limit=MAX_PAGE_SIZE, cursor=cursor))
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
