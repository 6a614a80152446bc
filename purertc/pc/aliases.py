"""The W3C camelCase spellings as aliases of the snake_case API: one table per class.

``add_aliases(cls, {"createOffer": "create_offer", ...})`` binds each camelCase name to the very
same function or property object as its snake_case name (for a dataclass field, a property that
reads and writes the field), so there is one implementation and the aliases cannot drift from
it. The table stays on the class as ``CAMEL_CASE_ALIASES`` for documentation and tests.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound=type)


def add_aliases(cls: T, table: Mapping[str, str]) -> T:
    """Add every ``camel -> snake`` alias of ``table`` to ``cls``; a missing target is a bug."""
    fields = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    for camel, snake in table.items():
        target = _field_alias(snake) if snake in fields else inspect.getattr_static(cls, snake)
        if camel in cls.__dict__:
            raise TypeError(f"{cls.__name__}.{camel} exists already: not an alias")
        setattr(cls, camel, target)
    setattr(cls, "CAMEL_CASE_ALIASES", dict(table))  # noqa: B010 (a dynamic class attribute)
    return cls


def _field_alias(name: str) -> property:
    """A property reading and writing the instance attribute ``name`` (a dataclass field)."""

    def get(self: Any) -> Any:
        return getattr(self, name)

    def set_(self: Any, value: Any) -> None:
        setattr(self, name, value)

    return property(get, set_, doc=f"Alias of ``{name}``.")
