"""Create, update, archive and link every node and link (docs/ARCHITECTURE.md §4) from one table
of kinds (graph/kinds.py). Cypher is composed from those enum values only; every value travels
as a parameter. Nothing is hard-deleted:
nodes are archived (and can be restored); an unlinked relationship is recorded in the audit
trail with its properties.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

from auth.registry import PROPERTY_SECTIONS, node_version, version_property
from graph.contact_keys import keep_account_ids
from graph.driver import Database, Transaction
from graph.errors import NotFound
from graph.kinds import CREATED_ELSEWHERE, LINK_KINDS, NODE_KINDS, SINGLE_TARGET, NodeKind
from graph.model import Label, Rel
from graph.scope import ACCOUNT_IN_SCOPE, Scope
from graph.writes import Actor, Conflict, Rejected, audit_in, new_id, once


def _reach(kind: NodeKind) -> str:
    """A statement fragment binding `a` to the node `n`'s account and checking the scope."""
    assert kind.to_account is not None
    if kind.to_account == "":  # an account is its own anchor
        return "WITH n, n AS a WHERE " + ACCOUNT_IN_SCOPE + " "
    return "MATCH " + kind.to_account + " WHERE " + ACCOUNT_IN_SCOPE + " "


def _node_in_reach(kind: NodeKind) -> str:
    head = "MATCH (n:" + kind.label.value + " {id: $id}) "
    if kind.to_account is None:
        return head + "RETURN n.version AS version, n.archived AS archived, properties(n) AS props"
    return (
        head
        + _reach(kind)
        + "RETURN n.version AS version, n.archived AS archived, properties(n) AS props"
    )


async def _check_reach(
    tx: Transaction, kind: NodeKind, node_id: str, scope: Scope, field: str
) -> dict[str, Any]:
    rows = await tx.run(_node_in_reach(kind), {"id": node_id, **scope.params()})
    if not rows:
        raise (
            NotFound(f"{kind.label.value} {node_id}")
            if field == "id"
            else Rejected(f"no {kind.label.value} {node_id} in your reach", field=field)
        )
    return rows[0]


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    """Values as the driver stores them (dates stay dates)."""
    return {k: v for k, v in props.items() if v is not None}


async def create_node(
    db: Database,
    actor: Actor,
    scope: Scope,
    kind_name: str,
    props: dict[str, Any],
    parent_id: str | None,
    client_mutation_id: str | None,
) -> tuple[str, bool]:
    """Create a node of a kind, attached to its parent (an account or unit) when it has one."""
    kind = NODE_KINDS[kind_name]
    if kind_name in CREATED_ELSEWHERE:
        raise Rejected(
            f"a {kind.label.value} is created with {CREATED_ELSEWHERE[kind_name]}", field="kind"
        )

    async def work(tx: Transaction) -> str:
        node_id = new_id(kind.prefix)
        if kind.parent is not None:
            rel, parent_label, parent_to_node = kind.parent
            if parent_id is None:
                raise Rejected(
                    f"a {kind.label.value} needs parentId (its {parent_label.value})",
                    field="parentId",
                )
            await _check_reach(tx, NODE_KINDS[_kind_of(parent_label)], parent_id, scope, "parentId")
            arrow = (
                "(p)-[:" + rel.value + "]->(n)"
                if parent_to_node
                else "(n)-[:" + rel.value + "]->(p)"
            )
            statement = (
                "MATCH (p:" + parent_label.value + " {id: $parentId}) "
                "CREATE (n:" + kind.label.value + " {id: $id}) SET n += $props, n.version = 1, "
                "n.createdAt = $now, n.updatedAt = $now CREATE " + arrow + " RETURN n.id AS id"
            )
            await tx.run(
                statement,
                {
                    "parentId": parent_id,
                    "id": node_id,
                    "props": _plain(props),
                    "now": datetime.now(UTC),
                },
            )
        else:
            statement = (
                "CREATE (n:" + kind.label.value + " {id: $id}) SET n += $props, n.version = 1, "
                "n.createdAt = $now, n.updatedAt = $now RETURN n.id AS id"
            )
            await tx.run(
                statement, {"id": node_id, "props": _plain(props), "now": datetime.now(UTC)}
            )
        if kind_name == "CONTACT":
            await keep_account_ids(tx.run, [node_id])
        if kind_name == "ACCOUNT" and not scope.all_accounts and scope.member_id:
            # Whoever opens an account is on its team from today, or they could not see it.
            await tx.run(
                "MATCH (m:TeamMember {id: $m}), (n:Account {id: $id}) MERGE (m)-[t:ON_TEAM]->(n) "
                "SET t.role = $role, t.from = $today, t.until = null",
                {
                    "m": scope.member_id,
                    "id": node_id,
                    "role": actor_role(actor),
                    "today": scope.today,
                },
            )
        await audit_in(tx, actor, kind.section, kind.label.value, node_id)
        return node_id

    return await once(db, actor, client_mutation_id, "create" + kind_name, work)


def actor_role(actor: Actor) -> str:
    return actor.role or "ACCOUNT_MANAGER"


def _kind_of(label: Label) -> str:
    return next(name for name, k in NODE_KINDS.items() if k.label is label)


async def update_node(
    db: Database,
    actor: Actor,
    scope: Scope,
    kind_name: str,
    node_id: str,
    readable: Sequence[str],
    expected_version: int,
    patch: dict[str, Any],
    client_mutation_id: str | None,
) -> tuple[str, bool]:
    """Change properties; a stale version is a Conflict that overwrites nothing. For a kind
    whose properties span several sections, `expected_version` is the version as the caller
    sees it (the sections in `readable`; `node_version`)."""
    kind = NODE_KINDS[kind_name]
    extra = PROPERTY_SECTIONS.get(kind_name, {})

    async def work(tx: Transaction) -> str:
        current = await _check_reach(tx, kind, node_id, scope, "id")
        stored = int(current["version"] or 1)
        seen = node_version(current["props"], readable) if extra else stored
        if seen != expected_version:
            raise Conflict(f"{kind.label.value} {node_id}", seen)
        stamps = {}
        if extra:
            for section in {extra.get(name, kind.section) for name in patch}:
                name = version_property(section)
                stamps[name] = int(current["props"].get(name) or 0) + 1
        statement = (
            "MATCH (n:" + kind.label.value + " {id: $id}) WHERE coalesce(n.version, 1) = $v "
            "SET n += $patch, n.version = coalesce(n.version, 1) + 1, "
            "n.updatedAt = CASE WHEN $ownSection THEN $now ELSE n.updatedAt END RETURN n.id AS id"
        )
        # `updatedAt` is read with the kind's own section: a change of a property of another
        # section (market potential, reach) must not move it (DERIVED in auth/registry.py).
        changed = await tx.run(
            statement,
            {
                "id": node_id,
                "v": stored,
                "patch": {**patch, **stamps},
                "now": datetime.now(UTC),
                "ownSection": any(name not in extra for name in patch),
            },
        )
        if not changed:
            raise Conflict(f"{kind.label.value} {node_id}", None)
        if kind_name == "PROJECT":
            await _project_history(tx, node_id, current["props"], patch, actor)
        await audit_in(tx, actor, kind.section, kind.label.value, node_id)
        return node_id

    return await once(db, actor, client_mutation_id, "update" + kind_name, work)


async def _project_history(
    tx: Transaction, project: str, before: dict[str, Any], patch: dict[str, Any], actor: Actor
) -> None:
    """Keep every status or stage change of a project: its status history."""
    moves = {
        k: (before.get(k), v)
        for k, v in patch.items()
        if k in ("status", "stage") and before.get(k) != v
    }
    if moves:
        await tx.run(
            "MATCH (p:Project {id: $id}) SET p.history = coalesce(p.history, []) + $entries",
            {
                "id": project,
                "entries": [
                    json.dumps(
                        {
                            "at": datetime.now(UTC).isoformat(),
                            "by": actor.username,
                            "field": k,
                            "from": f,
                            "to": t,
                        }
                    )
                    for k, (f, t) in sorted(moves.items())
                ],
            },
        )


END_MEMBER_SESSIONS: Final = """
MATCH (:TeamMember {id: $id})<-[:IS]-(u:User)
MATCH (s:Session {userId: u.id})
WHERE s.revoked = false
SET s.revoked = true, s.revokedAt = $now
"""


async def set_archived(
    db: Database, actor: Actor, scope: Scope, kind_name: str, node_id: str, archived: bool
) -> str:
    """Archive (hide from default views, keep in history) or restore a node."""
    kind = NODE_KINDS[kind_name]

    async def work(tx: Transaction) -> str:
        await _check_reach(tx, kind, node_id, scope, "id")
        statement = (
            "MATCH (n:" + kind.label.value + " {id: $id}) "
            "SET n.archived = $archived, n.archivedAt = CASE WHEN $archived THEN $now "
            "ELSE null END, "
            "n.version = coalesce(n.version, 1) + 1, n.updatedAt = $now RETURN n.id AS id"
        )
        now = datetime.now(UTC)
        await tx.run(statement, {"id": node_id, "archived": archived, "now": now})
        if archived and kind.label is Label.TEAM_MEMBER:
            # One of ours who left: their logins' sessions end now (none starts while the
            # member stays archived: graph/users.py), whatever team windows are still open.
            await tx.run(END_MEMBER_SESSIONS, {"id": node_id, "now": now})
        await audit_in(
            tx,
            actor,
            kind.section,
            kind.label.value,
            node_id,
            "ARCHIVED" if archived else "RESTORED",
        )
        return node_id

    return await db.write_transaction(work)


async def link(
    db: Database,
    actor: Actor,
    scope: Scope,
    kind_name: str,
    source_id: str,
    target_id: str,
    props: dict[str, Any],
) -> None:
    """Create (or update the properties of) the one relationship of a kind between two nodes."""
    kind = LINK_KINDS[kind_name]
    source, target = NODE_KINDS[kind.source], NODE_KINDS[kind.target]

    async def work(tx: Transaction) -> None:
        await _check_reach(tx, source, source_id, scope, "fromId")
        await _check_reach(tx, target, target_id, scope, "toId")
        if source_id == target_id:
            raise Rejected("a node cannot be linked to itself", field="toId")
        if kind_name in SINGLE_TARGET:
            await tx.run(
                "MATCH (s:"
                + source.label.value
                + " {id: $from})-[old:"
                + kind.rel.value
                + "]->() DELETE old",
                {"from": source_id},
            )
        statement = (
            "MATCH (s:"
            + source.label.value
            + " {id: $from}) MATCH (t:"
            + target.label.value
            + " {id: $to}) "
            "MERGE (s)-[r:" + kind.rel.value + "]->(t) SET r += $props RETURN type(r) AS t"
        )
        await tx.run(statement, {"from": source_id, "to": target_id, "props": _plain(props)})
        if kind.rel is Rel.WORKS_IN:
            await keep_account_ids(tx.run, [source_id])
        await audit_in(tx, actor, kind.section, kind.rel.value, f"{source_id}->{target_id}")

    await db.write_transaction(work)


async def unlink(
    db: Database, actor: Actor, scope: Scope, kind_name: str, source_id: str, target_id: str
) -> bool:
    """Remove the relationship; the audit trail keeps what it was. False when there was none."""
    kind = LINK_KINDS[kind_name]
    source, target = NODE_KINDS[kind.source], NODE_KINDS[kind.target]

    async def work(tx: Transaction) -> bool:
        await _check_reach(tx, source, source_id, scope, "fromId")
        await _check_reach(tx, target, target_id, scope, "toId")
        statement = (
            "MATCH (s:"
            + source.label.value
            + " {id: $from})-[r:"
            + kind.rel.value
            + "]->(t:"
            + target.label.value
            + " {id: $to}) "
            "WITH r, properties(r) AS props DELETE r RETURN props"
        )
        rows = await tx.run(statement, {"from": source_id, "to": target_id})
        if rows and kind.rel is Rel.WORKS_IN:
            await keep_account_ids(tx.run, [source_id])
        if rows:
            await audit_in(
                tx, actor, kind.section, kind.rel.value, f"{source_id}->{target_id}", "UNLINKED"
            )
        return bool(rows)

    return await db.write_transaction(work)


MILESTONE_PROJECT: Final = (
    "MATCH (n:Project {id: $id}) " + _reach(NODE_KINDS["PROJECT"]) + "RETURN n.id AS id"
)
ADD_MILESTONE: Final = """
MATCH (p:Project {id: $projectId})
CREATE (m:Milestone {id: $id, name: $name, due: $due, createdAt: $now})
CREATE (p)-[:HAS_MILESTONE]->(m)
SET p.updatedAt = $now
RETURN m.id AS id
"""
COMPLETE_MILESTONE: Final = """
MATCH (p:Project)-[:HAS_MILESTONE]->(m:Milestone {id: $id})
SET m.doneAt = $doneAt, p.updatedAt = $now
RETURN p.id AS projectId
"""


async def add_milestone(
    db: Database, actor: Actor, scope: Scope, project_id: str, name: str, due: date
) -> str:
    async def work(tx: Transaction) -> str:
        if not await tx.run(MILESTONE_PROJECT, {"id": project_id, **scope.params()}):
            raise NotFound(f"project {project_id}")
        milestone = new_id("ms")
        await tx.run(
            ADD_MILESTONE,
            {
                "projectId": project_id,
                "id": milestone,
                "name": name,
                "due": due,
                "now": datetime.now(UTC),
            },
        )
        await audit_in(tx, actor, "projects", "Milestone", milestone)
        return milestone

    return await db.write_transaction(work)


async def complete_milestone(
    db: Database, actor: Actor, scope: Scope, milestone_id: str, done_at: datetime
) -> str:
    async def work(tx: Transaction) -> str:
        rows = await tx.run(
            "MATCH (n:Project)-[:HAS_MILESTONE]->(:Milestone {id: $id}) "
            + _reach(NODE_KINDS["PROJECT"])
            + "RETURN n.id AS id",
            {"id": milestone_id, **scope.params()},
        )
        if not rows:
            raise NotFound(f"milestone {milestone_id}")
        await tx.run(
            COMPLETE_MILESTONE, {"id": milestone_id, "doneAt": done_at, "now": datetime.now(UTC)}
        )
        await audit_in(tx, actor, "projects", "Milestone", milestone_id)
        return str(rows[0]["id"])

    return await db.write_transaction(work)
