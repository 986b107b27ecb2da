"""Reading account plans: the plan of a period, its kept changes page by page, what changed
between two dates or reviews, and how complete the current plan is, each limited to the
sections the caller may read."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from graph import plan_history, plans
from resolvers.context import Info
from resolvers.edge import as_utc
from resolvers.errors import InvalidInput, NotFoundError
from resolvers.plans import Plan, plan_in_reach, readable_sections
from resolvers.relay import Connection, check_first, connection_of, decode_cursor
from resolvers.sections import AUTHENTICATED, meta, sectioned


@sectioned(AUTHENTICATED)
@strawberry.type(description="One kept change of a plan field: who, when, before and after.")
class PlanRevision:
    id: strawberry.ID
    at: datetime
    username: str | None
    field: str
    section: str
    before: strawberry.scalars.JSON | None
    after: strawberry.scalars.JSON | None
    note: str | None


@sectioned(AUTHENTICATED)
@strawberry.type(
    description="A field that differs between two points in time, and who changed it in between."
)
class PlanFieldChange:
    field: str
    section: str
    before: strawberry.scalars.JSON | None
    after: strawberry.scalars.JSON | None
    changed_by: list[str]


@sectioned(AUTHENTICATED)
@strawberry.type(description="Whether a template field is filled, and whether it has gone stale.")
class PlanSectionState:
    field: str
    section: str
    filled: bool
    stale: bool
    last_changed: datetime | None


@sectioned(AUTHENTICATED)
@strawberry.type(description="How complete the account's current plan is, so comparisons are fair.")
class PlanCompleteness:
    plan_id: strawberry.ID
    period: str
    score: float = strawberry.field(
        description="Share of the fields you can see that are filled and not stale."
    )
    fields: list[PlanSectionState]


@strawberry.type
class PlanQueries:
    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="The account's plan for a period (default: the latest).",
    )
    async def plan(
        self, info: Info, account_id: strawberry.ID, period: str | None = None
    ) -> Plan | None:
        row = await plans.plan_of_account(
            info.context.db, info.context.scope, str(account_id), period
        )
        if row is None:
            raise NotFoundError(
                f"no plan for account {account_id}" + (f" and period {period}" if period else ""),
                argument="accountId",
            )
        return Plan.from_row(row)

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Kept changes of a plan, newest first (only sections you may read).",
    )
    async def plan_history(
        self, info: Info, plan_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> Connection[PlanRevision]:
        check_first(first)
        plan = await plan_in_reach(info, str(plan_id))
        key = decode_cursor(after, 2, dated=True)
        before = (datetime.fromisoformat(key[0]), key[1]) if key else None
        rows, more = await plan_history.plan_history(
            info.context.db, str(plan_id), readable_sections(info, plan), first, before
        )
        revisions = [
            PlanRevision(
                id=strawberry.ID(r.id),
                at=r.at,
                username=r.username,
                field=r.field,
                section=r.section,
                before=r.before,
                after=r.after,
                note=r.note,
            )
            for r in rows
        ]
        return connection_of(revisions, [(r.at.isoformat(), r.id) for r in revisions], more)

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="What changed between two dates or two reviews (fields you may read).",
    )
    async def plan_diff(
        self,
        info: Info,
        plan_id: strawberry.ID,
        since: datetime | None = None,
        until: datetime | None = None,
        from_review_id: strawberry.ID | None = None,
        to_review_id: strawberry.ID | None = None,
    ) -> list[PlanFieldChange]:
        plan = await plan_in_reach(info, str(plan_id))
        start = await _moment(info, since, from_review_id, "since")
        end = (
            await _moment(info, until, to_review_id, "until")
            if (until or to_review_id)
            else datetime.now(UTC)
        )
        if start > end:
            raise InvalidInput("'since' must not be after 'until'", argument="since")
        changes = await plan_history.plan_diff(
            info.context.db, str(plan_id), readable_sections(info, plan), start, end
        )
        return [
            PlanFieldChange(
                field=c.field,
                section=c.section,
                before=c.before,
                after=c.after,
                changed_by=c.changed_by,
            )
            for c in changes
        ]

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Which fields of the account's current plan are empty or stale.",
    )
    async def plan_completeness(
        self, info: Info, account_id: strawberry.ID
    ) -> PlanCompleteness | None:
        found = await plans.plan_completeness(info.context.db, info.context.scope, str(account_id))
        if found is None:
            raise NotFoundError(f"no plan for account {account_id}", argument="accountId")
        plan, states = found
        visible = set(readable_sections(info, plan))
        shown = [s for s in states if s.section in visible]
        good = sum(1 for s in shown if s.filled and not s.stale)
        return PlanCompleteness(
            plan_id=strawberry.ID(plan.id),
            period=plan.period,
            score=round(good / len(shown), 4) if shown else 0.0,
            fields=[
                PlanSectionState(
                    field=s.field,
                    section=s.section,
                    filled=s.filled,
                    stale=s.stale,
                    last_changed=s.last_changed,
                )
                for s in shown
            ],
        )


async def _moment(
    info: Info, at: datetime | None, review_id: strawberry.ID | None, argument: str
) -> datetime:
    if at is not None and review_id is not None:
        raise InvalidInput(f"give either '{argument}' or a review id, not both", argument=argument)
    if review_id is not None:
        from graph.followup import reviews_by_ids

        found = await reviews_by_ids(info.context.db, info.context.scope, [str(review_id)])
        if str(review_id) not in found:
            raise NotFoundError(f"no review with id {review_id}", argument=argument)
        return found[str(review_id)].at
    if at is None:
        raise InvalidInput(f"'{argument}' (or a review id) is required", argument=argument)
    return as_utc(at)
