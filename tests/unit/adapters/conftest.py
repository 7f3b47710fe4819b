"""Fixtures for the DRS adapter: the shared small-fleet sandbox over HTTP."""

from __future__ import annotations

from tests.support import sandbox as support

# The shared small-fleet fixtures, registered for this folder.
served = support.served
sb = support.sb
