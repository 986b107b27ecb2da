"""Request-scoped DataLoaders, built per request in `get_context`, never at module level."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from graph.accounts import AccountRow
from graph.driver import Database
from graph.scope import Scope
from loaders.accounts import account_by_id_loader


@dataclass
class Loaders:
    account_by_id: DataLoader[str, AccountRow | None]


def build_loaders(db: Database, scope: Scope) -> Loaders:
    return Loaders(account_by_id=account_by_id_loader(db, scope))
