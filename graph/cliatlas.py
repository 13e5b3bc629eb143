"""Where CLI commands get their atlas: the seed files or the store.

Seed problems are printed one per line (``file:line: field: message``) with a count,
and the command exits 2: nothing is loaded or written.
"""

from __future__ import annotations

from pathlib import Path

import typer

from graph.errors import SeedErrors
from graph.loader import load_files, load_seeds, seed_files
from graph.memory import paused_gc
from graph.model import Atlas
from graph.settings import get_settings
from graph.store import open_store


def seed_atlas(seeds: Path | None = None, only: list[Path] | None = None) -> Atlas:
    """The atlas of the seed directory (default ``ATLAS_SEEDS_DIR``); with ``only``, just
    those files plus ``reference/``. Exits 2 listing every problem."""
    s = get_settings()
    root = seeds or s.seeds_dir
    try:
        if only:
            ref = [f for f in seed_files(root) if "reference" in f.parts]
            return load_files([*ref, *only], base=root, sources_dir=s.sources())
        return load_seeds(root, sources_dir=s.sources())
    except SeedErrors as exc:
        for p in exc.problems:
            typer.echo(str(p), err=True)
        typer.echo(f"{len(exc.problems)} problem(s); nothing loaded.", err=True)
        raise typer.Exit(2) from exc


def store_atlas() -> Atlas:
    """A snapshot of the atlas in the configured store."""
    with paused_gc():
        store = open_store(get_settings())
        try:
            return store.snapshot()
        finally:
            store.close()
