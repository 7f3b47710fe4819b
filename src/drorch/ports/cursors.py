"""The cursor port: opaque, signed page cursors that services issue over their own keys."""

from __future__ import annotations

from typing import Any, Protocol


class CursorCodec(Protocol):
    """Encodes a keyset position into a signed cursor and checks one a client sends back."""

    def encode(self, sort: str, value: Any, item_id: str) -> str: ...

    def decode(
        self, cursor: str, sort: str, kind: type[str] | type[int] = str
    ) -> tuple[Any, str]: ...
