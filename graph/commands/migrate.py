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
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from graph.errors import AtlasError, Conflict, InvalidInput
from graph.model import ENTITY_TYPES
from graph.settings import Settings, get_settings
from graph.store.base import AtlasStore
from graph.store.embedded import EmbeddedStore
from graph.store.neo4j import Neo4jStore
from graph.store.neo4j import Progress as OnBatch


class MigrationMismatch(AtlasError):
    """The target's stored counts differ from the source's after a migration."""

    code = "migration_mismatch"
    status = 500


@dataclass(frozen=True)
class CountRow:
    """Stored count of one kind on both sides of a migration."""

    kind: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


def migrate(source: AtlasStore, open_target: Callable[[], AtlasStore], *, force: bool = False,
            on_batch: OnBatch | None = None) -> list[CountRow]:
    """Copy the atlas in ``source`` into the store ``open_target()`` opens.

    Reads the source's snapshot and stored counts, refuses a non-empty target unless
    ``force`` (:class:`Conflict`), replaces the target's atlas atomically, then opens
    the target again and compares its stored counts with the source's. Returns one
    row per kind; raises :class:`MigrationMismatch` (with the rows) if any differs.

    >>> # migrate(EmbeddedStore(a), lambda: EmbeddedStore(b))  ->  [CountRow(...), ...]
    """
    atlas = source.snapshot()
    expected = source.counts()
    if expected != atlas.counts():
        raise Conflict("the source changed while it was read; run the migration again")
    target = open_target()
    try:
        held = sum(n for k, n in target.counts().items() if k in ENTITY_TYPES)
        if held and not force:
            raise Conflict(f"the target store holds {held} entities; pass --force to replace "
                           "them", details=[{"field": "force"}])
        if isinstance(target, Neo4jStore):
            target.replace_all(atlas, progress=on_batch)
        else:
            target.replace_all(atlas)
    finally:
        target.close()
    fresh = open_target()
    try:
        stored = fresh.counts()
    finally:
        fresh.close()
    rows = [CountRow(k, n, stored.get(k, 0)) for k, n in expected.items()]
    rows += [CountRow(k, 0, n) for k, n in stored.items() if k not in expected]
    if not all(r.ok for r in rows):
        raise MigrationMismatch("stored counts differ after the migration",
                                details=[asdict(r) for r in rows if not r.ok])
    return rows


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
        try:
            open_source, open_target = _openers(to, get_settings(), batch_size)
            source = open_source()
        except InvalidInput as exc:
            typer.echo(exc.message, err=True)
            raise typer.Exit(2) from exc
        try:
            with Progress(transient=True) as bar:
                task = bar.add_task(f"→ {to.value}", total=sum(source.counts().values()))
                rows = migrate(source, open_target, force=force,
                               on_batch=lambda _kind, n: bar.advance(task, n))
        except MigrationMismatch as exc:
            typer.echo(json.dumps(exc.details, ensure_ascii=False), err=True)
            typer.echo(exc.message, err=True)
            raise typer.Exit(1) from exc
        except InvalidInput as exc:
            typer.echo(exc.message, err=True)
            raise typer.Exit(2) from exc
        except AtlasError as exc:
            typer.echo(exc.message, err=True)
            raise typer.Exit(1) from exc
        finally:
            source.close()
        _print(rows, as_json)
