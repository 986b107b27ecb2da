"""The follow-up of account plans as root fields, gathered from their modules: reviews
(resolvers/reviews.py), actions (resolvers/actions.py), logged interactions
(resolvers/interactions.py) and the account handover (resolvers/handover.py)."""

from __future__ import annotations

from strawberry.tools import merge_types

from resolvers.actions import ActionMutations, ActionQueries
from resolvers.handover import HandoverMutations
from resolvers.interactions import InteractionMutations
from resolvers.reviews import ReviewMutations, ReviewQueries

FollowupQueries = merge_types("FollowupQueries", (ReviewQueries, ActionQueries))
FollowupMutations = merge_types(
    "FollowupMutations",
    (ReviewMutations, ActionMutations, InteractionMutations, HandoverMutations),
)
