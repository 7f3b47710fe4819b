"""A faster restJson response parser for boto3 clients: the same results, less CPU.

botocore walks a response shape by shape, looking up a handler by name and re-reading each
member's serialization for every value; a DescribeJobs page of jobs with 100 servers each
costs milliseconds that way. This parser gives exactly the same output but turns each
shape into a small function once (kept per shape object) and reuses it. Anything it does
not know how to convert (tagged unions, document types, JSON-value headers, header lists)
goes to botocore's own handler, so the result never differs.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from itertools import chain
from typing import Any

from botocore import parsers
from botocore.model import Shape
from botocore.utils import ensure_boolean, is_json_value_header

Convert = Callable[[parsers.ResponseParser, Any], Any]

_COMPILED: weakref.WeakKeyDictionary[Shape, Convert] = weakref.WeakKeyDictionary()


# Answers whose body, byte for byte the last one of the same operation, is given the last
# parse (its top level copied): a running job is read every few seconds and, about four
# times in ten, every job of the answer is as it was. Only answers the DRS adapter turns
# into its own immutable values at once, so nobody changes what two answers share.
REUSED_ANSWERS = frozenset({"DescribeJobsResponse"})


class FastRestJSONParser(parsers.RestJSONParser):  # type: ignore[misc]
    """botocore's restJson parser with every shape's conversion compiled once."""

    def __init__(self, last: dict[str, tuple[bytes, dict[str, Any]]], **defaults: Any) -> None:
        super().__init__(**defaults)
        self._last = last  # the factory's: output shape name -> (body, its parse)

    def _parse_shape(self, shape: Shape, node: Any) -> Any:
        return converter(shape)(self, node)

    def _parse_payload(
        self, response: dict[str, Any], shape: Shape, member_shapes: Any, final_parsed: Any
    ) -> None:
        body = response.get("body")
        if (
            shape.name not in REUSED_ANSWERS
            or "payload" in shape.serialization
            or not isinstance(body, bytes)
        ):
            super()._parse_payload(response, shape, member_shapes, final_parsed)
            return
        last = self._last.get(shape.name)
        if last is None or last[0] != body:
            parsed = self._parse_shape(shape, self._initial_body_parse(body))
            last = self._last[shape.name] = (body, parsed)
        final_parsed.update(last[1])


class FastParserFactory(parsers.ResponseParserFactory):  # type: ignore[misc]
    """Hands out the fast parser for restJson and botocore's own for other protocols."""

    def __init__(self) -> None:
        super().__init__()
        self._last: dict[str, tuple[bytes, dict[str, Any]]] = {}

    def create_parser(self, protocol_name: str) -> Any:
        """A parser for one response."""
        if protocol_name == "rest-json":
            return FastRestJSONParser(self._last, **self._defaults)
        return super().create_parser(protocol_name)


def use_fast_parser(client: Any) -> Any:
    """The client, answering through the fast parser when botocore lets us swap it in."""
    # The parser factory is the endpoint's, chosen when the client was made; no public
    # setting reaches it, so a botocore without the attribute keeps its own parser.
    endpoint = getattr(client, "_endpoint", None)
    if endpoint is not None and hasattr(endpoint, "_response_parser_factory"):
        endpoint._response_parser_factory = FastParserFactory()
    return client


def converter(shape: Shape) -> Convert:
    """The conversion of one shape (built on first use)."""
    found = _COMPILED.get(shape)
    if found is None:
        found = _COMPILED[shape] = _compile(shape)
    return found


def _compile(shape: Shape) -> Convert:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape)
    if kind == "list" and shape.serialization.get("location") != "header":
        return _list(shape)
    if kind == "map":
        return _map(shape)
    if kind == "string" and not is_json_value_header(shape):
        return _same
    simple = _SIMPLE.get(kind)
    if simple is not None:
        return simple
    return _botocore(shape)


def _structure(shape: Shape) -> Convert:
    if shape.is_document_type or shape.is_tagged_union:
        return _botocore(shape)
    # A converter never holds its own shape strongly: the cache entry would outlive it.
    own = weakref.ref(shape)
    members: list[tuple[str, str, Convert | None]] | None = None
    plain: frozenset[str] = frozenset()

    def convert(parser: parsers.ResponseParser, value: Any) -> Any:
        nonlocal members, plain
        if value is None:
            return None
        if members is None:
            # Lazily, so that recursive shapes compile only as deep as the data goes.
            members = _members(_alive(own))
            plain = frozenset(wire for name, wire, each in members if each is None and name == wire)
        if value.keys() <= plain and None not in value.values():
            # Only strings under their own names, none null (e.g. a job's participating
            # server): botocore would build an equal dict member by member.
            return value
        parsed = {}
        get = value.get
        for name, wire, each in members:
            raw = get(wire)
            if raw is not None:
                parsed[name] = raw if each is None else each(parser, raw)
        return parsed

    return convert


def _members(shape: Shape) -> list[tuple[str, str, Convert | None]]:
    """(member name, name on the wire, its conversion or None when a value stays as it is)."""
    found = []
    for name, member in shape.members.items():
        each = converter(member)
        found.append(
            (name, member.serialization.get("name", name), None if each is _same else each)
        )
    return found


def _list(shape: Shape) -> Convert:
    member = shape.member  # a shape of its own, not this one: safe to hold
    each: Convert | None = None
    plain: frozenset[str] | None = None

    def convert(parser: parsers.ResponseParser, node: Any) -> Any:
        nonlocal each, plain
        if each is None:
            each = converter(member)
            plain = _plain_names(member)
        if each is _same:
            return list(node)
        if plain and _all_plain(node, plain):
            return list(node)  # what the per-item conversion gives, checked in C loops
        return [None if item is None else each(parser, item) for item in node]

    return convert


def _plain_names(shape: Shape) -> frozenset[str] | None:
    """A plain structure's wire names that stay as they are (strings under their own names)."""
    if shape.type_name != "structure" or shape.is_document_type or shape.is_tagged_union:
        return None
    return frozenset(
        name
        for name, member in shape.members.items()
        if converter(member) is _same and member.serialization.get("name", name) == name
    )


def _all_plain(node: Any, plain: frozenset[str]) -> bool:
    """True when every item is an object of only plain members, none null (e.g. job servers)."""
    try:
        keys = chain.from_iterable(node)  # a dict iterates its keys
        return plain.issuperset(keys) and None not in chain.from_iterable(map(dict.values, node))
    except TypeError:
        return False  # an item that is not an object (null): the item by item path


def _map(shape: Shape) -> Convert:
    key_shape, value_shape = shape.key, shape.value

    def convert(parser: parsers.ResponseParser, node: Any) -> Any:
        key, value = converter(key_shape), converter(value_shape)
        return {key(parser, k): value(parser, v) for k, v in node.items()}

    return convert


def _botocore(shape: Shape) -> Convert:
    """botocore's own handler for the shape (for what this module does not convert itself)."""
    own, name = weakref.ref(shape), f"_handle_{shape.type_name}"

    def convert(parser: parsers.ResponseParser, value: Any) -> Any:
        return getattr(parser, name, parser._default_handle)(_alive(own), value)

    return convert


def _alive(ref: weakref.ref[Shape]) -> Shape:
    shape = ref()
    if shape is None:  # pragma: no cover - a converter is only reached through its shape
        raise RuntimeError("response shape no longer exists")
    return shape


def _same(parser: parsers.ResponseParser, value: Any) -> Any:
    return value


_SIMPLE: dict[str, Convert] = {
    "boolean": lambda parser, value: ensure_boolean(value),
    "integer": lambda parser, value: int(value),
    "long": lambda parser, value: int(value),
    "float": lambda parser, value: float(value),
    "double": lambda parser, value: float(value),
}
