"""Numbered, idempotent schema migrations, applied at start-up, each recorded once in the graph."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final, LiteralString

from graph.contact_keys import KEEP_ALL_ACCOUNT_IDS
from graph.dialect import sort_key_types
from graph.driver import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    statements: tuple[LiteralString, ...]
    # Property types of sort keys, declared first where the engine needs them to walk an index
    # in order (graph/dialect.py, `sort_key_types`).
    sort_key_types: tuple[LiteralString, ...] = ()


def _unique_ids() -> tuple[LiteralString, ...]:
    # One statement per label, written out: labels are never formatted into Cypher.
    return (
        "CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT client_unit_id IF NOT EXISTS FOR (n:ClientUnit) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT contact_id IF NOT EXISTS FOR (n:Contact) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT team_member_id IF NOT EXISTS FOR (n:TeamMember) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT functional_area_id IF NOT EXISTS "
        "FOR (n:FunctionalArea) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT geo_division_id IF NOT EXISTS "
        "FOR (n:GeoDivision) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT competitor_id IF NOT EXISTS FOR (n:Competitor) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT partner_id IF NOT EXISTS FOR (n:Partner) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT capability_id IF NOT EXISTS FOR (n:Capability) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT need_id IF NOT EXISTS FOR (n:Need) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT project_id IF NOT EXISTS FOR (n:Project) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT plan_id IF NOT EXISTS FOR (n:Plan) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT review_id IF NOT EXISTS FOR (n:Review) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT action_id IF NOT EXISTS FOR (n:Action) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT interaction_id IF NOT EXISTS FOR (n:Interaction) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT audit_entry_id IF NOT EXISTS FOR (n:AuditEntry) REQUIRE n.id IS UNIQUE",
    )


MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(1, "unique id for every label", _unique_ids()),
    Migration(
        2,
        "lookup indexes",
        (
            "CREATE CONSTRAINT user_username IF NOT EXISTS "
            "FOR (n:User) REQUIRE n.username IS UNIQUE",
            "CREATE CONSTRAINT session_id IF NOT EXISTS FOR (n:Session) REQUIRE n.id IS UNIQUE",
            "CREATE INDEX session_user IF NOT EXISTS FOR (n:Session) ON (n.userId)",
            "CREATE INDEX account_name IF NOT EXISTS FOR (n:Account) ON (n.name)",
            "CREATE INDEX account_segment IF NOT EXISTS FOR (n:Account) ON (n.segment)",
            "CREATE INDEX account_status IF NOT EXISTS FOR (n:Account) ON (n.status)",
            "CREATE INDEX contact_email IF NOT EXISTS FOR (n:Contact) ON (n.email)",
            "CREATE INDEX contact_name IF NOT EXISTS FOR (n:Contact) ON (n.name)",
            "CREATE INDEX contact_linkedin IF NOT EXISTS FOR (n:Contact) ON (n.linkedinUrl)",
            "CREATE INDEX audit_at IF NOT EXISTS FOR (n:AuditEntry) ON (n.at)",
            "CREATE INDEX interaction_at IF NOT EXISTS FOR (n:Interaction) ON (n.at)",
        ),
    ),
    Migration(
        3,
        "plans, revisions, receipts, milestones",
        (
            "CREATE CONSTRAINT mutation_receipt_id IF NOT EXISTS "
            "FOR (n:MutationReceipt) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT plan_revision_id IF NOT EXISTS "
            "FOR (n:PlanRevision) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT milestone_id IF NOT EXISTS FOR (n:Milestone) REQUIRE n.id IS UNIQUE",
            "CREATE INDEX plan_revision_plan IF NOT EXISTS FOR (n:PlanRevision) ON (n.planId)",
            "CREATE INDEX plan_period IF NOT EXISTS FOR (n:Plan) ON (n.period)",
            "CREATE INDEX action_status IF NOT EXISTS FOR (n:Action) ON (n.status)",
        ),
    ),
    Migration(
        4,
        "CRM sync state, issues and conflicts; external keys",
        (
            "CREATE CONSTRAINT sync_state_id IF NOT EXISTS "
            "FOR (n:SyncState) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT sync_issue_id IF NOT EXISTS "
            "FOR (n:SyncIssue) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT sync_conflict_id IF NOT EXISTS "
            "FOR (n:SyncConflict) REQUIRE n.id IS UNIQUE",
            "CREATE INDEX contact_sf_reports_to IF NOT EXISTS FOR (n:Contact) ON (n.sfReportsTo)",
            "CREATE INDEX account_source IF NOT EXISTS FOR (n:Account) ON (n.source)",
            "CREATE INDEX sync_issue_at IF NOT EXISTS FOR (n:SyncIssue) ON (n.at)",
            "CREATE INDEX sync_conflict_at IF NOT EXISTS FOR (n:SyncConflict) ON (n.at)",
        ),
    ),
    Migration(
        5,
        "activity capture: interactions by their source's own id",
        (
            "CREATE INDEX interaction_source_id IF NOT EXISTS FOR (n:Interaction) ON (n.sourceId)",
            "CREATE INDEX team_member_email IF NOT EXISTS FOR (n:TeamMember) ON (n.email)",
        ),
    ),
    Migration(
        6,
        "accounts in name order from an index of name and id",
        (
            # The account list's order and cursor key: `ORDER BY a.name, a.id LIMIT n` reads
            # the first n entries of this index instead of sorting every account.
            "CREATE INDEX account_name_id IF NOT EXISTS FOR (n:Account) ON (n.name, n.id)",
            # The composite index serves every lookup by name; with both, ArcadeDB picks the
            # single-property one for a range on the name, which holds no order by id.
            "DROP INDEX account_name IF EXISTS",
        ),
        sort_key_types=(
            "CREATE CONSTRAINT account_name_string IF NOT EXISTS "
            "FOR (n:Account) REQUIRE n.name IS :: STRING",
            "CREATE CONSTRAINT account_id_string IF NOT EXISTS "
            "FOR (n:Account) REQUIRE n.id IS :: STRING",
        ),
    ),
    Migration(
        7,
        "an account's contacts in name order from an index of account, name and id",
        (
            # Each contact's account id, kept by every write from now on
            # (graph/contact_keys.py): set before the index is built over it.
            KEEP_ALL_ACCOUNT_IDS,
            # The account page's contacts: `ORDER BY c.accountId, c.name, c.id LIMIT n` over
            # one account's range reads the first n entries instead of sorting its contacts.
            "CREATE INDEX contact_account_name IF NOT EXISTS "
            "FOR (n:Contact) ON (n.accountId, n.name, n.id)",
        ),
        sort_key_types=(
            "CREATE CONSTRAINT contact_account_id_string IF NOT EXISTS "
            "FOR (n:Contact) REQUIRE n.accountId IS :: STRING",
            "CREATE CONSTRAINT contact_name_string IF NOT EXISTS "
            "FOR (n:Contact) REQUIRE n.name IS :: STRING",
            "CREATE CONSTRAINT contact_id_string IF NOT EXISTS "
            "FOR (n:Contact) REQUIRE n.id IS :: STRING",
        ),
    ),
)

APPLIED = "MATCH (m:Migration) RETURN m.number AS number ORDER BY number"
RECORD = """
MERGE (m:Migration {id: $id})
ON CREATE SET m.number = $number, m.name = $name, m.appliedAt = datetime()
"""
MIGRATION_ID = (
    "CREATE CONSTRAINT migration_id IF NOT EXISTS FOR (n:Migration) REQUIRE n.id IS UNIQUE"
)


async def applied(db: Database) -> list[int]:
    """Numbers of the migrations already recorded in the graph."""
    return [int(row["number"]) for row in await db.read(APPLIED)]


async def migrate(db: Database) -> list[int]:
    """Apply every migration not yet recorded; returns the numbers applied now."""
    await db.write(MIGRATION_ID)
    done = set(await applied(db))
    ran: list[int] = []
    for migration in MIGRATIONS:
        if migration.number in done:
            continue
        for statement in (
            *sort_key_types(db.dialect, migration.sort_key_types),
            *migration.statements,
        ):
            await db.write(statement)
        await db.write(
            RECORD,
            {
                "id": f"migration-{migration.number}",
                "number": migration.number,
                "name": migration.name,
            },
        )
        log.info("applied migration %s: %s", migration.number, migration.name)
        ran.append(migration.number)
    return ran
