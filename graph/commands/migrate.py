"""``chain-atlas migrate --to neo4j|embedded``: move a whole atlas between stores.

The source is the other store (``--to neo4j`` reads ``ATLAS_DATA_DIR/atlas.sqlite``,
``--to embedded`` reads ``ATLAS_NEO4J_*``). The target gets the atlas in one
atomic ``replace_all``; then it is opened afresh and its stored counts are checked
against the source's, kind by kind. A target that holds entities is only replaced
with ``--force``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from graph.errors import InvalidInput
from graph.settings import Settings, get_settings
from graph.store.base import AtlasStore
from graph.store.embedded import EmbeddedStore
from graph.store.migrate import CountRow, MigrationMismatch, migrate
from graph.store.neo4j import Neo4jStore

__all__ = ["Backend", "CountRow", "MigrationMismatch", "migrate", "register"]


class Backend(StrEnum):
    """A store backend."""

    neo4j = "neo4j"
    embedded = "embedded"


def _openers(to: Backend, settings: Settings, batch_size: int
             ) -> tuple[Callable[[], AtlasStore], Callable[[], AtlasStore]]:
    """(open source, open target) for a migration into ``to``."""
    def embedded() -> AtlasStore:
        return EmbeddedStore(settings.db_path)

    def neo4j() -> AtlasStore:
        return Neo4jStore.from_settings(settings, batch_size=batch_size)

    if to is Backend.neo4j:
        if not settings.db_path.is_file():
            raise InvalidInput(f"no embedded atlas at {settings.db_path} (ATLAS_DATA_DIR)",
                               details=[{"field": "data_dir"}])
        return embedded, neo4j
    return neo4j, embedded


def _print(rows: list[CountRow], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([{**asdict(r), "ok": r.ok} for r in rows], indent=2))
        return
    t = Table(title="迁移核对 Migration counts")
    for col in ("kind", "source", "target", "ok"):
        t.add_column(col)
    for r in rows:
        t.add_row(r.kind, str(r.source), str(r.target), "✓" if r.ok else "✗")
    Console().print(t)


def register(app: typer.Typer) -> None:
    @app.command("migrate")
    def migrate_cmd(
        to: Annotated[Backend, typer.Option(
            "--to", help="Target store; the source is the other one.")],
        force: Annotated[bool, typer.Option(
            "--force", help="Replace the target's atlas even if it holds entities.")] = False,
        batch_size: Annotated[int, typer.Option(
            "--batch-size", min=1, help="Rows per UNWIND batch when writing to Neo4j.")] = 2000,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Move the whole atlas into the --to store (atomic) and check stored counts on
        both sides; exit 1 on a mismatch or refusal, 2 on bad settings."""
        open_source, open_target = _openers(to, get_settings(), batch_size)
        source = open_source()
        try:
            with Progress(transient=True) as bar:
                task = bar.add_task(f"→ {to.value}", total=sum(source.counts().values()))
                rows = migrate(source, open_target, force=force,
                               on_batch=lambda _kind, n: bar.advance(task, n))
        finally:
            source.close()
        _print(rows, as_json)
