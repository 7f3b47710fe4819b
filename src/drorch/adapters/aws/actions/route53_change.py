"""`route53_change` over Route 53: UPSERT a record set, remembering the one it replaced.

Route 53 has no idempotency token, and a repeated UPSERT would remember drorch's own value
as "the previous one". So before the change the previous record set is written (packed:
tag values allow few characters) to a tag on the hosted zone named after the step's key:
a start after a crash reads the previous value from there, `reconcile` finds the change
done when the tag exists and the record already holds the new value, and the undo removes
the tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drorch.adapters.aws.actions.base import (
    AwsExecutor,
    failed,
    memo_tag,
    pack,
    running,
    succeeded,
    unpack,
)
from drorch.domain.steps.route53_change import Route53ChangeParams
from drorch.ports.steps import StepCall, StepProgress

MAX_TAG_VALUE = 256


def _params(call: StepCall) -> Route53ChangeParams:
    return Route53ChangeParams.model_validate(call.params)


def _zone(p: Route53ChangeParams) -> str:
    return p.zone_id.removeprefix("/hostedzone/")


def desired(p: Route53ChangeParams) -> dict[str, Any]:
    """The record set the step puts in place."""
    record: dict[str, Any] = {"Name": p.fqdn, "Type": p.record_type}
    if p.alias is not None:
        record["AliasTarget"] = {
            "HostedZoneId": p.alias.hosted_zone_id,
            "DNSName": p.alias.dns_name,
            "EvaluateTargetHealth": p.alias.evaluate_target_health,
        }
    else:
        record["TTL"] = p.ttl
        record["ResourceRecords"] = [{"Value": v} for v in p.values]
    return record


def _same(current: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> bool:
    if current is None:
        return False
    if "AliasTarget" in wanted:
        alias = current.get("AliasTarget") or {}
        name = str(alias.get("DNSName", "")).rstrip(".")
        return bool(name == wanted["AliasTarget"]["DNSName"].rstrip("."))
    values = sorted(r["Value"] for r in current.get("ResourceRecords", []))
    return values == sorted(r["Value"] for r in wanted["ResourceRecords"])


class Route53Change(AwsExecutor):
    """UPSERTs the record set, waits INSYNC; undo UPSERTs the previous one or DELETEs it."""

    service = "route53"

    def current(self, call: StepCall, p: Route53ChangeParams) -> dict[str, Any] | None:
        """The record set of this name and type now, or None."""
        answer = self.client(call).list_resource_record_sets(
            HostedZoneId=_zone(p), StartRecordName=p.fqdn, StartRecordType=p.record_type
        )
        for record in answer.get("ResourceRecordSets", [])[:1]:
            if record["Name"] == p.fqdn and record["Type"] == p.record_type:
                return dict(record)
        return None

    def _memo(self, call: StepCall, p: Route53ChangeParams) -> str | None:
        answer = self.client(call).list_tags_for_resource(
            ResourceType="hostedzone", ResourceId=_zone(p)
        )
        for tag in answer.get("ResourceTagSet", {}).get("Tags", []):
            if tag["Key"] == memo_tag(call):
                return str(tag["Value"])
        return None

    def _remember(self, call: StepCall, p: Route53ChangeParams, value: str) -> None:
        self.client(call).change_tags_for_resource(
            ResourceType="hostedzone",
            ResourceId=_zone(p),
            AddTags=[{"Key": memo_tag(call), "Value": value}],
        )

    def _start(self, call: StepCall) -> StepProgress:
        found = self._reconcile(call)
        if found is not None:
            return found
        p = _params(call)
        memo = self._memo(call, p)
        if memo is None:
            previous = self.current(call, p)
            memo = pack(previous)
            if len(memo) > MAX_TAG_VALUE:
                return failed("PreviousTooLarge", f"{p.fqdn}: the previous record is too large")
            self._remember(call, p, memo)  # before the change: a crash keeps the old value
        change = self._change(call, p, "UPSERT", desired(p))
        return running({"change_id": change, "record": p.fqdn}, previous=_parse(memo))

    def _change(self, call: StepCall, p: Route53ChangeParams, action: str, record: Any) -> str:
        answer = self.client(call).change_resource_record_sets(
            HostedZoneId=_zone(p),
            ChangeBatch={
                "Comment": f"drorch {call.execution_id} {call.name}"[:256],
                "Changes": [{"Action": action, "ResourceRecordSet": record}],
            },
        )
        return str(answer["ChangeInfo"]["Id"])

    def _reconcile(self, call: StepCall) -> StepProgress | None:
        p = _params(call)
        memo = self._memo(call, p)
        if memo is None or not _same(self.current(call, p), desired(p)):
            return None
        return succeeded({"record": p.fqdn, "found": "change already made"}, previous=_parse(memo))

    def _poll(self, call: StepCall, last: StepProgress) -> StepProgress:
        status = self._status(call, str(last.output["change_id"]))
        output = {**last.output, "status": status}
        if status == "INSYNC":
            return succeeded(output, **last.changed)
        return running(output, **last.changed)

    def _status(self, call: StepCall, change_id: str) -> str:
        return str(self.client(call).get_change(Id=change_id)["ChangeInfo"]["Status"])

    def _undo(self, call: StepCall, changed: Mapping[str, Any]) -> StepProgress:
        p = _params(call)
        previous = changed.get("previous")
        if previous:
            change = self._change(call, p, "UPSERT", previous)
        else:
            now = self.current(call, p)
            if now is None:
                return succeeded({"undo": "record already gone"})
            change = self._change(call, p, "DELETE", now)
        self.client(call).change_tags_for_resource(
            ResourceType="hostedzone", ResourceId=_zone(p), RemoveTagKeys=[memo_tag(call)]
        )
        return running({"change_id": change, "record": p.fqdn})

    def _poll_undo(self, call: StepCall, last: StepProgress) -> StepProgress:
        if self._status(call, str(last.output["change_id"])) == "INSYNC":
            return succeeded(last.output)
        return running(last.output)

    def _simulate(self, call: StepCall) -> StepProgress:
        p = _params(call)
        self.client(call).get_hosted_zone(Id=_zone(p))
        now = self.current(call, p)
        return succeeded({"would": "UPSERT", "record": desired(p), "current": now})


def _parse(memo: str) -> dict[str, Any] | None:
    return unpack(memo)
