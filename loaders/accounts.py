"""Request-scoped loaders for accounts."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from graph.accounts import AccountRow, accounts_by_ids
from graph.driver import Database
from graph.scope import Scope


def account_by_id_loader(db: Database, scope: Scope) -> DataLoader[str, AccountRow | None]:
    """AccountByIdLoader: one query for every account id asked for in one tick."""

    async def load(ids: Sequence[str]) -> list[AccountRow | None]:
        found = await accounts_by_ids(db, scope, ids)
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)
