"""Re-pointing the example plans at a fresh embedded moto: what moves and what stays."""

from __future__ import annotations

from dataclasses import dataclass

from drorch.domain.actions import Action
from drorch.domain.plans import PlanDraft, Wave
from drorch.services.demo_refs import repoint

ACCOUNT = "111122223333"
CHECK = "http://127.0.0.1:9000/sandbox/drs/_sandbox/standby-api/health"


@dataclass(frozen=True)
class Fresh:
    account_id: str = ACCOUNT
    zone_id: str = "ZNEW"
    distribution_id: str = "ENEW"
    rest_api_id: str = "newapi"


def _draft(*actions: Action) -> PlanDraft:
    return PlanDraft(name="p", waves=[Wave(name="w", actions=list(actions))])


def _params(draft: PlanDraft) -> list[dict[str, object]]:
    return [a.params for a in draft.waves[0].actions]


def test_the_moved_ids_follow_the_fresh_moto_and_the_rest_stays() -> None:
    draft = _draft(
        Action(
            name="dns",
            type="route53_change",
            account_id=ACCOUNT,
            params={"zone_id": "ZOLD", "ttl": 300},
            timeout_minutes=7,
        ),
        Action(name="cdn", type="cloudfront_invalidate", params={"distribution_id": "EOLD"}),
        Action(
            name="stop",
            type="api_gateway_access",
            account_id=ACCOUNT,
            params={"rest_api_id": "oldapi", "stage": "live"},
        ),
        Action(
            name="check",
            type="http_check",
            params={"url": "http://127.0.0.1:8080/sandbox/drs/_sandbox/standby-api/health?table=t"},
        ),
    )

    moved = repoint(draft, Fresh(), CHECK)

    assert _params(moved) == [
        {"zone_id": "ZNEW", "ttl": 300},
        {"distribution_id": "ENEW"},
        {"rest_api_id": "newapi", "stage": "live"},
        {"url": "http://127.0.0.1:9000/sandbox/drs/_sandbox/standby-api/health?table=t"},
    ]
    assert moved.waves[0].actions[0].timeout_minutes == 7
    assert repoint(moved, Fresh(), CHECK) == moved  # nothing moved: nothing to save


def test_another_accounts_resources_and_other_urls_are_the_operators() -> None:
    draft = _draft(
        Action(
            name="dns",
            type="route53_change",
            account_id="444455556666",
            params={"zone_id": "ZREAL"},
        ),
        Action(
            name="check",
            type="http_check",
            params={"url": "https://status.example.com/sandbox/drs/_sandbox/standby-api/health"},
        ),
        Action(name="mine", type="http_check", params={"url": "http://127.0.0.1:8080/other"}),
        Action(
            name="fn",
            type="lambda_alias",
            account_id=ACCOUNT,
            params={"function_name": "bookings-api", "alias": "live", "version": "1"},
        ),
    )

    assert repoint(draft, Fresh(), CHECK) == draft
