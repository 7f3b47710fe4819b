"""Secret keys kept in files of the data dir, readable by their owner only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_BYTES = 32


def load_or_create_key(path: Path) -> bytes:
    """The key in `path`; made (32 random bytes, mode 0600) when the file does not exist."""
    if not path.exists():
        _create(path)
    key = path.read_bytes()
    if len(key) < KEY_BYTES:
        raise ValueError(f"{path} holds fewer than {KEY_BYTES} bytes; delete it to make a new key")
    return key


def _create(path: Path) -> None:
    """Write a new key beside `path`, then link it into place unless another process won."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
        # A hard link appears whole or not at all, and never replaces another's key.
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)
