"""Every action type: the modules of this package that expose a `TYPE`."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import drorch.domain.steps as package
from drorch.domain.steps.base import StepType

_NOT_TYPES = {"base", "registry"}


@cache
def step_types() -> dict[str, StepType]:
    """Action types by name, found once by walking this package."""
    found: dict[str, StepType] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name in _NOT_TYPES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        step_type = getattr(module, "TYPE", None)
        if isinstance(step_type, StepType):
            found[step_type.name] = step_type
    return dict(sorted(found.items()))


def step_type(name: str) -> StepType | None:
    """The action type called `name`, or None when there is none."""
    return step_types().get(name)
