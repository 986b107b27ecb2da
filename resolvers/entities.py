"""Writes for every node and relationship of the model: create, update, archive, restore,
link, unlink; project milestones; projects at risk.

Properties arrive as a JSON object and are validated by the pydantic model of their kind
before anything is written: an unknown or invalid property is a `ValidationProblem` naming it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Annotated, Any

import strawberry
from pydantic import (
    BaseModel,
    ValidationError,
)

from auth.registry import (
    CONDITION_PROPERTIES,
    PROPERTY_SECTIONS,
    property_sections,
    readable_inputs,
    write_denied,
)
from graph import entities
from graph.kinds import LINK_KINDS, NODE_KINDS, LinkKindName, NodeKindName
from graph.projects import projects_at_risk
from resolvers.actor import actor_of
from resolvers.context import Info
from resolvers.edge import as_utc
from resolvers.entity_models import LINK_MODELS, NODE_MODELS
from resolvers.errors import bounded
from resolvers.problems import (
    ConflictProblem,
    ForbiddenProblem,
    NotFoundProblem,
    ValidationProblem,
    attempt,
    from_validation,
    rejected,
)
from resolvers.project_types import Project
from resolvers.rows import of_row
from resolvers.sections import AUTHENTICATED, meta, sectioned, tag

NodeKindEnum = strawberry.enum(
    NodeKindName, name="NodeKind", description="Kinds of node writable here."
)
LinkKindEnum = strawberry.enum(
    LinkKindName, name="LinkKind", description="Kinds of relationship writable here."
)


@strawberry.input
class CreateNodeInput:
    kind: NodeKindName
    properties: strawberry.scalars.JSON
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Account (units, projects, needs) or unit (contacts)."
    )
    client_mutation_id: str | None = None


@strawberry.input
class UpdateNodeInput:
    kind: NodeKindName
    id: strawberry.ID
    expected_version: int
    patch: strawberry.scalars.JSON
    client_mutation_id: str | None = None


@strawberry.input
class LinkInput:
    kind: LinkKindName
    from_id: strawberry.ID
    to_id: strawberry.ID
    properties: strawberry.scalars.JSON | None = None


@sectioned(AUTHENTICATED)
@strawberry.type(description="The node written; read it through the typed queries.")
class NodePayload:
    id: strawberry.ID
    kind: str
    replayed: bool


@sectioned(AUTHENTICATED)
@strawberry.type(description="The relationship written or removed.")
class LinkPayload:
    kind: str
    from_id: strawberry.ID
    to_id: strawberry.ID
    present: bool


NodeResult = Annotated[
    NodePayload | ValidationProblem | NotFoundProblem | ConflictProblem | ForbiddenProblem,
    strawberry.union("NodeResult"),
]
LinkResult = Annotated[
    LinkPayload | ValidationProblem | NotFoundProblem | ConflictProblem | ForbiddenProblem,
    strawberry.union("LinkResult"),
]


def _validate(
    model: type[BaseModel], raw: Any, where: str, required: frozenset[str] = frozenset()
) -> dict[str, Any] | ValidationProblem:
    if not isinstance(raw, dict):
        return rejected(f"'{where}' must be a JSON object", where)
    missing = sorted(required - {k for k, v in raw.items() if v is not None})
    if missing:
        return rejected(f"{where}.{missing[0]}: required", f"{where}.{missing[0]}")
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        return from_validation(exc, prefix=where)
    return parsed.model_dump(by_alias=True, exclude_unset=True)


def _denied_write(
    info: Info, kind: str, section: str, props: Any, target: str, row: Any = None
) -> ForbiddenProblem | None:
    """The one write gate (auth/registry.py): the kind's section and the section of each
    property written, refused at the first the caller may not write."""
    visibility = info.context.visibility
    denied = write_denied(
        lambda s: visibility.can_write(s, row), property_sections(kind, section, props or {})
    )
    if denied is None:
        return None
    info.context.audit_reads.add((denied, target, "", "FORBIDDEN"))
    return ForbiddenProblem(message=f"your role may not change {denied}", section=denied)


def _readable_sections(info: Info, kind: str, section: str) -> list[str]:
    """The sections of a node kind's properties the caller reads (its version is theirs)."""
    sections = property_sections(kind, section, PROPERTY_SECTIONS.get(kind, {}))
    return [s for s in sections if info.context.visibility.can_read(s)]


def _denied_condition(
    info: Info, kind: str, patch: dict[str, Any], target: str
) -> ForbiddenProblem | None:
    """A change of a property a conditional grant reads (an account's segment), refused to a
    caller whose reach depends on it."""
    if not CONDITION_PROPERTIES.get(kind, frozenset()) & set(patch):
        return None
    section = info.context.visibility.conditioned_section()
    if section is None:
        return None
    info.context.audit_reads.add((section, target, "", "FORBIDDEN"))
    return ForbiddenProblem(
        message=f"your reach to {section} depends on the segment, so you may not change it",
        section=section,
    )


def _forbidden(info: Info, section: str, target: str) -> ForbiddenProblem | None:
    return _denied_write(info, "", section, {}, target)


@sectioned("projects")
@strawberry.type(
    description="An open project at risk, and why: OVERDUE_MILESTONE, NO_CHAMPION, BLOCKER, "
    "NO_ACTIVITY."
)
class ProjectRisk:
    project: Project
    reasons: list[str]
    overdue_milestones: list[str]
    blocker_ids: list[strawberry.ID] | None = tag("network.influence")
    last_activity: datetime | None


@strawberry.type
class EntityQueries:
    @strawberry.field(
        metadata=meta("projects"),
        description="Open projects with overdue milestones, no champion, a blocker, or no "
        "activity for `quietDays`.",
    )
    async def projects_at_risk(
        self, info: Info, as_of: datetime | None = None, quiet_days: int = 30
    ) -> list[ProjectRisk]:
        bounded("quietDays", quiet_days, 1, 3650)
        when = as_of or datetime.now(UTC)
        rows = await projects_at_risk(
            info.context.db,
            info.context.scope,
            as_utc(when),
            quiet_days,
            readable_inputs(info.context.visibility.can_read, "ProjectRisk.reasons"),
        )
        return [
            ProjectRisk(
                project=of_row(Project, r.project),
                reasons=r.reasons,
                overdue_milestones=[n for _, n in r.overdue_milestones],
                blocker_ids=[strawberry.ID(b) for b in r.blocker_ids],
                last_activity=r.last_activity,
            )
            for r in rows
        ]


@strawberry.type
class EntityMutations:
    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Create a node of any kind, attached to its parent.",
    )
    async def create_node(self, info: Info, input: CreateNodeInput) -> NodeResult:
        kind = input.kind.value
        spec = NODE_KINDS[kind]
        if denied := _forbidden(info, spec.section, spec.label.value):
            return denied
        model = NODE_MODELS[kind]
        props = _validate(
            model, input.properties, "properties", model.model_fields["REQUIRED"].default
        )
        if isinstance(props, ValidationProblem):
            return props
        new_row = SimpleNamespace(segment=props.get("segment"))
        if denied := _denied_write(info, kind, spec.section, props, spec.label.value, new_row):
            return denied
        result = await attempt(
            entities.create_node(
                info.context.db,
                actor_of(info),
                info.context.scope,
                kind,
                props,
                str(input.parent_id) if input.parent_id else None,
                input.client_mutation_id,
            )
        )
        if not isinstance(result, tuple):
            return result
        return NodePayload(id=strawberry.ID(result[0]), kind=kind, replayed=result[1])

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Change properties of a node; a stale expectedVersion is a Conflict.",
    )
    async def update_node(self, info: Info, input: UpdateNodeInput) -> NodeResult:
        kind = input.kind.value
        spec = NODE_KINDS[kind]
        if denied := _forbidden(info, spec.section, spec.label.value):
            return denied
        patch = _validate(NODE_MODELS[kind], input.patch, "patch")
        if isinstance(patch, ValidationProblem):
            return patch
        if not patch:
            return rejected("'patch' changes nothing", "patch")
        required = NODE_MODELS[kind].model_fields["REQUIRED"].default
        if cleared := sorted(k for k in required & patch.keys() if patch[k] is None):
            return rejected(
                f"patch.{cleared[0]}: required, so it may not be cleared", f"patch.{cleared[0]}"
            )
        if denied := _denied_write(info, kind, spec.section, patch, spec.label.value):
            return denied
        if denied := _denied_condition(info, kind, patch, spec.label.value):
            return denied
        result = await attempt(
            entities.update_node(
                info.context.db,
                actor_of(info),
                info.context.scope,
                kind,
                str(input.id),
                _readable_sections(info, kind, spec.section),
                input.expected_version,
                patch,
                input.client_mutation_id,
            )
        )
        if not isinstance(result, tuple):
            return result
        return NodePayload(id=strawberry.ID(result[0]), kind=kind, replayed=result[1])

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Archive a node: it leaves default views and stays in history.",
    )
    async def archive_node(self, info: Info, kind: NodeKindName, id: strawberry.ID) -> NodeResult:
        return await _archive(info, kind.value, str(id), True)

    @strawberry.field(metadata=meta(AUTHENTICATED), description="Bring an archived node back.")
    async def restore_node(self, info: Info, kind: NodeKindName, id: strawberry.ID) -> NodeResult:
        return await _archive(info, kind.value, str(id), False)

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Create the relationship of a kind between two nodes "
        "(or update its properties).",
    )
    async def link(self, info: Info, input: LinkInput) -> LinkResult:
        kind = input.kind.value
        spec = LINK_KINDS[kind]
        if denied := _forbidden(info, spec.section, spec.rel.value):
            return denied
        model = LINK_MODELS.get(kind)
        props: dict[str, Any] | ValidationProblem = {}
        if model is not None:
            props = _validate(model, input.properties or {}, "properties")
        elif input.properties:
            props = rejected(f"{kind} has no properties", "properties")
        if isinstance(props, ValidationProblem):
            return props
        if denied := _denied_write(info, kind, spec.section, props, spec.rel.value):
            return denied
        result = await attempt(
            entities.link(
                info.context.db,
                actor_of(info),
                info.context.scope,
                kind,
                str(input.from_id),
                str(input.to_id),
                props,
            )
        )
        if result is not None:
            return result
        return LinkPayload(kind=kind, from_id=input.from_id, to_id=input.to_id, present=True)

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Remove a relationship (the audit trail keeps that it was).",
    )
    async def unlink(
        self, info: Info, kind: LinkKindName, from_id: strawberry.ID, to_id: strawberry.ID
    ) -> LinkResult:
        spec = LINK_KINDS[kind.value]
        if denied := _forbidden(info, spec.section, spec.rel.value):
            return denied
        result = await attempt(
            entities.unlink(
                info.context.db,
                actor_of(info),
                info.context.scope,
                kind.value,
                str(from_id),
                str(to_id),
            )
        )
        if not isinstance(result, bool):
            return result
        return LinkPayload(kind=kind.value, from_id=from_id, to_id=to_id, present=False)

    @strawberry.field(
        metadata=meta("projects"), description="Add a milestone with its due date to a project."
    )
    async def add_milestone(
        self, info: Info, project_id: strawberry.ID, name: str, due: date
    ) -> NodeResult:
        if denied := _forbidden(info, "projects", "Milestone"):
            return denied
        if not 1 <= len(name.strip()) <= 200:
            return rejected("'name' must have 1 to 200 characters", "name")
        result = await attempt(
            entities.add_milestone(
                info.context.db,
                actor_of(info),
                info.context.scope,
                str(project_id),
                name.strip(),
                due,
            )
        )
        if not isinstance(result, str):
            return result
        return NodePayload(id=strawberry.ID(result), kind="MILESTONE", replayed=False)

    @strawberry.field(metadata=meta("projects"), description="Mark a milestone done.")
    async def complete_milestone(
        self, info: Info, id: strawberry.ID, done_at: datetime | None = None
    ) -> NodeResult:
        if denied := _forbidden(info, "projects", "Milestone"):
            return denied
        result = await attempt(
            entities.complete_milestone(
                info.context.db,
                actor_of(info),
                info.context.scope,
                str(id),
                done_at or datetime.now(UTC),
            )
        )
        if not isinstance(result, str):
            return result
        return NodePayload(id=id, kind="MILESTONE", replayed=False)


async def _archive(info: Info, kind: str, node_id: str, archived: bool) -> NodeResult:
    spec = NODE_KINDS[kind]
    if denied := _forbidden(info, spec.section, spec.label.value):
        return denied
    result = await attempt(
        entities.set_archived(
            info.context.db, actor_of(info), info.context.scope, kind, node_id, archived
        )
    )
    if not isinstance(result, str):
        return result
    if archived and kind == "TEAM_MEMBER" and info.context.principals is not None:
        info.context.principals.forget_member(result)  # their sessions just ended
    return NodePayload(id=strawberry.ID(result), kind=kind, replayed=False)
