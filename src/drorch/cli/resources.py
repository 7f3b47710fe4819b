"""Shared steps of the resource commands: ids or names, list pages, documents, deletes."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from drorch.cli.http import ApiClient, ApiError, Params, Reply
from drorch.cli.output import (
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
    console,
    note,
    print_json,
    safe_text,
)

# Fields the API computes; a document saved from `get --json` may carry them back.
READ_ONLY_FIELDS = ("id", "version", "created_at", "updated_at", "member_server_ids", "warnings")

AllOption = Annotated[bool, typer.Option("--all", help="Follow next_cursor and list every page.")]
LimitOption = Annotated[int, typer.Option("--limit", min=1, max=500, help="Page size (1-500).")]
CursorOption = Annotated[
    str | None, typer.Option("--cursor", help="Start at this next_cursor of a previous page.")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
IfMatchOption = Annotated[
    str | None,
    typer.Option(
        "--if-match",
        metavar="VERSION",
        help="Only if the resource is still at this version/ETag (default: the file's "
        "version, else the one just read).",
    ),
]


def sort_check(*fields: str) -> Callable[[str], str]:
    """A `--sort` callback taking one of `fields`, or one prefixed with - to reverse."""
    choices = {*fields, *(f"-{f}" for f in fields)}
    listed = ", ".join(fields)

    def check(value: str) -> str:
        # Refused here as a usage error (exit 2), not sent for the API to refuse (exit 1).
        if value not in choices:
            raise typer.BadParameter(f"{value!r} is not one of {listed} (prefix - to reverse)")
        return value

    return check


@dataclass(frozen=True)
class Kind:
    """A resource collection of the API that has ids and unique names."""

    noun: str
    path: str
    id_pattern: re.Pattern[str]

    def item(self, resource_id: str) -> str:
        """The URL path of one resource."""
        return f"{self.path}/{resource_id}"


GROUPS = Kind("protection group", "/api/v1/protection-groups", re.compile(r"^pg-[0-9a-f]{12}$"))
PLANS = Kind("recovery plan", "/api/v1/recovery-plans", re.compile(r"^rp-[0-9a-f]{12}$"))


def resolve_id(client: ApiClient, kind: Kind, ref: str) -> str:
    """The id of the resource `ref` names: an id as given, else a (case-insensitive) name."""
    if kind.id_pattern.match(ref):
        return ref
    return find_by_name(client, kind, ref)


def fetch(client: ApiClient, kind: Kind, ref: str) -> Reply:
    """GET the resource named by id or name (the reply carries its ETag)."""
    if kind.id_pattern.match(ref):
        try:
            return client.get(kind.item(ref))
        except ApiError as exc:
            if exc.status != 404:
                raise
    return client.get(kind.item(find_by_name(client, kind, ref)))


def find_by_name(client: ApiClient, kind: Kind, name: str) -> str:
    """The id of the resource with exactly this name, ignoring case."""
    wanted = name.strip().lower()
    if not wanted:
        raise CliError(f"give a {kind.noun} id or name", EXIT_USAGE)
    for item in client.list_all(kind.path, params={"search": wanted, "limit": 500}):
        if str(item.get("name", "")).lower() == wanted:
            return str(item["id"])
    raise CliError(f"no {kind.noun} has the id or name {name!r}", EXIT_REFUSED)


def list_page(client: ApiClient, path: str, params: Params, *, all_pages: bool) -> dict[str, Any]:
    """One page of a list, or every page merged into one (next_cursor null)."""
    if all_pages:
        query = {k: v for k, v in params.items() if k != "cursor"}
        query["limit"] = 500  # fewest round trips when following every cursor
        return {"items": client.list_all(path, params=query), "next_cursor": None}
    try:
        data: dict[str, Any] = client.get(path, params=params).data
    except ApiError as exc:
        # A list's query string comes only from options: the API refusing one is bad usage.
        if exc.status == 422:
            exc.exit_code = EXIT_USAGE
        raise
    return data


def show_page(
    page: dict[str, Any], *, as_json: bool, render: Callable[[Any], Any], nothing: str
) -> None:
    """A list page as JSON or a table; an empty one says so, then how to see more."""
    if as_json:
        print_json(page)
        return
    if page["items"]:
        console().print(render(page))
    else:
        typer.echo(nothing)
    hint_more(page)


def hint_more(page: dict[str, Any]) -> None:
    """Tell the operator (on stderr) how to see the next page."""
    cursor = page.get("next_cursor")
    if cursor:
        note(f"more results: pass --all, or --cursor {cursor}")


def document_body(doc: dict[str, Any]) -> dict[str, Any]:
    """The body of a create: the document without read-only fields of a saved copy."""
    return {k: v for k, v in doc.items() if k not in READ_ONLY_FIELDS}


def update_body(doc: dict[str, Any], *, target_id: str) -> dict[str, Any]:
    """The body of an update: the whole document, read-only fields left for the API to check."""
    # The API ignores read-only fields that match and names those that differ, so a file
    # saved from `get --json` is accepted here exactly as a PUT of it would be.
    doc_id = doc.get("id")
    if doc_id is not None and doc_id != target_id:
        raise CliError(
            f"the file describes {doc_id}, not {target_id}; remove its id or update {doc_id}",
            EXIT_USAGE,
        )
    return dict(doc)


def update_precondition(
    current: Reply, doc: dict[str, Any], if_match: str | None
) -> str | int | None:
    """If-Match of an update: the operator's, none if the file has a version, else the one read."""
    # A file's version travels in the body, so a stale file gets 412 instead of
    # silently overwriting a change made since it was saved.
    if if_match is None and doc.get("version") is not None:
        return None
    return guarded_version(current, if_match)


def confirm_delete(what: str, *, yes: bool) -> None:
    """Ask before deleting; without a terminal only --yes may delete."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise CliError(
            f"not deleting {what} without confirmation: pass --yes (stdin is not a terminal)",
            EXIT_USAGE,
        )
    if not typer.confirm(f"Delete {what}?", default=False, err=True):
        raise CliError(f"not confirmed; {what} was not deleted", EXIT_REFUSED)


def delete_resource(
    kind: Kind, ref: str, *, yes: bool, if_match: str | None, api_url: str | None, as_json: bool
) -> None:
    """Delete one resource after confirming, guarded by its current (or the given) version."""
    with ApiClient(api_url) as client:
        current = fetch(client, kind, ref)
        what = describe(current.data, kind)
        confirm_delete(what, yes=yes)
        client.delete(kind.item(current.data["id"]), if_match=guarded_version(current, if_match))
    if as_json:
        print_json({"deleted": current.data["id"], "name": current.data["name"]})
    else:
        typer.echo(safe_text(f"deleted {what}"))


def guarded_version(reply: Reply, if_match: str | None) -> str | int:
    """The If-Match to send: the operator's, else the ETag of the fresh read."""
    if if_match is not None:
        return if_match
    if reply.etag:
        return reply.etag
    return int(reply.data["version"])


def describe(data: dict[str, Any], kind: Kind) -> str:
    """`protection group 'web' (pg-…)` for messages."""
    return f"{kind.noun} {data.get('name')!r} ({data.get('id')})"


def parse_tags(pairs: list[str]) -> dict[str, str]:
    """`key=value` options as a mapping; a malformed one is a usage error."""
    tags: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CliError(f"--tag {pair!r} must look like key=value", EXIT_USAGE)
        tags[key] = value
    return tags
