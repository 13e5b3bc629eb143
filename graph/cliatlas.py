"""Where CLI commands get their atlas: the seed files or the store.

Seed problems raise :class:`graph.errors.SeedErrors`; the CLI's one error wrapper
(:mod:`graph.clierrors`) prints them one per line (``file:line: field: message``) with a
count and exits 2: nothing is loaded or written.
"""

from __future__ import annotations

from pathlib import Path

import typer

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
    sources = s.sources()
    if sources is None:
        typer.echo(f"提示（quotes_unverified）：未找到原始文件目录 {s.sources_dir}，"
                   "未核对引文（设置 ATLAS_SOURCES_DIR，见 README「../shared」）。", err=True)
    if only:
        ref = [f for f in seed_files(root) if "reference" in f.parts]
        return load_files([*ref, *only], base=root, sources_dir=sources)
    return load_seeds(root, sources_dir=sources)


def store_atlas() -> Atlas:
    """A snapshot of the atlas in the configured store."""
    with paused_gc():
        store = open_store(get_settings())
        try:
            return store.snapshot()
        finally:
            store.close()
