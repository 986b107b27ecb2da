"""From graph rows to strawberry types, one way: by the type's own field names.

`of_row(Contact, row)` fills each field of the type's constructor that has no default from
the row's attribute of the same name. A field the row holds under another name or in another
shape is declared once, on the type, with `@reads(field=function of the row)`. A field with a
default (what came with a page, say) is the default unless the caller gives it by name.
`strawberry.ID` needs no conversion: at run time it is the `str` it wraps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")
Conversion = Callable[[Any], Any]

_CONVERSIONS: dict[type, dict[str, Conversion]] = {}
_BUILDERS: dict[type, Callable[[Any, dict[str, Any]], Any]] = {}


def reads(**conversions: Conversion) -> Callable[[type[T]], type[T]]:
    """Declare how the fields of a type that its rows do not hold by name are read from a
    row: `@reads(partner_keys=attrgetter("partner_ids"))`. Put it above `@strawberry.type`."""

    def declare(cls: type[T]) -> type[T]:
        _CONVERSIONS[cls] = conversions
        return cls

    return declare


def of_row(cls: type[T], row: Any, **given: Any) -> T:
    """An instance of the strawberry type `cls` read from the graph row `row`, with the
    fields in `given` as given."""
    build = _BUILDERS.get(cls)
    if build is None:
        build = _BUILDERS[cls] = _builder(cls)
    instance: T = build(row, given)
    return instance


def _builder(cls: type[Any]) -> Callable[[Any, dict[str, Any]], Any]:
    conversions = tuple(_CONVERSIONS.get(cls, {}).items())
    converted = {name for name, _ in conversions}
    names = tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.init
        and f.name not in converted
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    )
    get = attrgetter(*names)
    single = len(names) == 1

    def build(row: Any, given: dict[str, Any]) -> Any:
        values = get(row)
        fields = dict(zip(names, (values,) if single else values, strict=True))
        for name, convert in conversions:
            fields[name] = convert(row)
        if given:
            fields.update(given)
        return cls(**fields)

    return build
