"""The shape of a GraphQL document (depth, aliases, fields), with every fragment spread
expanded but each fragment measured once.

A document of n fragments, each spreading the one before twice, expands to 2^n fields:
walking it spread by spread took seconds of the event loop for under a kilobyte of text.
Measured per fragment and composed, it takes time in proportion to the text, and a document
past a limit is refused right after parsing, before validation or anything else runs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

CAP = 1 << 40  # counts saturate here: beyond every limit, and cheap to add


@dataclass(frozen=True, slots=True)
class Shape:
    """What a selection set expands to: `depth` in levels of fields below it (introspection
    fields, bounded by graphql-core's own rule, do not count), `aliases` and `fields`."""

    depth: int
    aliases: int
    fields: int


EMPTY = Shape(0, 0, 0)


class _Measure:
    """Shapes of selection sets; each named fragment's is worked out once and reused."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.done: dict[str, Shape] = {}
        self.open: set[str] = set()

    def fragment(self, name: str) -> Shape:
        known = self.done.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.open:
            return EMPTY  # unknown or cyclic: validation reports it, if it gets that far
        self.open.add(name)
        shape = self.selections(definition.selection_set)
        self.open.discard(name)
        self.done[name] = shape
        return shape

    def selections(self, selection_set: SelectionSetNode | None) -> Shape:
        if selection_set is None:
            return EMPTY
        depth = aliases = fields = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                inner = self.selections(selection.selection_set)
                if selection.selection_set is not None and not selection.name.value.startswith(
                    "__"
                ):
                    depth = max(depth, 1 + inner.depth)
                aliases += inner.aliases + (selection.alias is not None)
                fields += 1 + inner.fields
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self.selections(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
            else:  # pragma: no cover - the three kinds of selection
                continue
            depth = max(depth, inner.depth)
            aliases += inner.aliases
            fields += inner.fields
        return Shape(depth, min(aliases, CAP), min(fields, CAP))


def operation_shapes(document: DocumentNode) -> list[tuple[str, Shape]]:
    """The shape of each operation of `document` (its name, or "anonymous")."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measure = _Measure(fragments)
    return [
        (d.name.value if d.name else "anonymous", measure.selections(d.selection_set))
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]


class ShapeLimits:
    """The limits on a document's shape, and the problems of the documents checked lately
    (at most `remember`, keyed by the parsed document, which the parser cache reuses)."""

    def __init__(
        self, max_depth: int, max_aliases: int, max_fields: int, remember: int = 256
    ) -> None:
        self.max_depth = max_depth
        self.max_aliases = max_aliases
        self.max_fields = max_fields
        self.remember = remember
        self._seen: OrderedDict[int, tuple[DocumentNode, list[GraphQLError]]] = OrderedDict()

    def problems(self, document: DocumentNode) -> list[GraphQLError]:
        """One error per limit an operation of `document` passes; none when within them."""
        seen = self._seen.get(id(document))
        if seen is not None and seen[0] is document:
            return seen[1]
        errors = self._problems(document)
        self._seen[id(document)] = (document, errors)  # held, so its id stays its own
        if len(self._seen) > self.remember:
            self._seen.popitem(last=False)
        return errors

    def _problems(self, document: DocumentNode) -> list[GraphQLError]:
        try:
            shapes = operation_shapes(document)
        except RecursionError:  # only with a token limit far above the default
            return [_refused("the query is nested too deeply", "depth")]
        errors: list[GraphQLError] = []
        for _name, shape in shapes:
            if shape.fields > self.max_fields:
                errors.append(
                    _refused(
                        f"the query asks for {_count(shape.fields)} fields once its fragments "
                        f"are spread; the limit is {self.max_fields:,}",
                        "fields",
                    )
                )
            if shape.depth > self.max_depth:
                errors.append(
                    _refused(
                        f"the query is nested {_count(shape.depth)} levels deep (its depth); "
                        f"the limit is {self.max_depth:,}",
                        "depth",
                    )
                )
            if shape.aliases > self.max_aliases:
                errors.append(
                    _refused(
                        f"the query has {_count(shape.aliases)} aliases, counted where their "
                        f"fragments are spread; the limit is {self.max_aliases:,}",
                        "aliases",
                    )
                )
        return errors


def _count(n: int) -> str:
    return f"over {CAP:,}" if n >= CAP else f"{n:,}"


def _refused(message: str, limit: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "VALIDATION", "limit": limit})


class ShapeLimit(SchemaExtension):
    """Refuse a document past a shape limit right after parsing: validation, which walks
    fragments where they are spread, then does not run at all."""

    def __init__(self, limits: ShapeLimits) -> None:
        super().__init__()
        self.limits = limits

    def on_parse(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and ctx.pre_execution_errors is None:
            errors = self.limits.problems(document)
            if errors:
                ctx.pre_execution_errors = errors  # strawberry then skips validation
