"""The ``chain-atlas`` command line (typer). Exit codes: 0 ok, 2 invalid input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from graph.cliatlas import seed_atlas
from graph.commands import register_all
from graph.settings import get_settings
from graph.store import AtlasStore, open_store
from graph.store.embedded import EmbeddedStore

app = typer.Typer(help="Chain Atlas (产业链招商图谱): load, check, analyse and serve the atlas.",
                  no_args_is_help=True, add_completion=False)



@app.callback()
def _root() -> None:
    """Chain Atlas (产业链招商图谱)."""


SeedsOpt = Annotated[Path | None, typer.Option(
    "--seeds", help="Seed directory (default: ATLAS_SEEDS_DIR or ./seeds).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _print_counts(counts: dict[str, int], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(counts, ensure_ascii=False, indent=2))
        return
    width = max(len(k) for k in counts)
    for k, v in counts.items():
        typer.echo(f"{k:<{width}}  {v:>7}")


@app.command()
def check(
    seeds: SeedsOpt = None,
    as_json: JsonOpt = False,
    only: Annotated[list[Path] | None, typer.Option(
        "--file", help="Check only these seed files (plus seeds/reference/). Repeatable.")] = None,
) -> None:
    """Validate the seed files and print counts; exit 2 listing every problem."""
    _print_counts(seed_atlas(seeds, only).counts(), as_json)


def _store() -> EmbeddedStore | AtlasStore:
    return open_store(get_settings())


@app.command()
def load(seeds: SeedsOpt = None, as_json: JsonOpt = False) -> None:
    """Validate the seeds and replace the store's atlas with them (atomic, idempotent)."""
    atlas = seed_atlas(seeds)
    store = _store()
    try:
        store.replace_all(atlas)
        _print_counts(store.counts(), as_json)
    finally:
        store.close()


@app.command()
def stats(as_json: JsonOpt = False) -> None:
    """Print the counts of the atlas in the store."""
    store = _store()
    try:
        _print_counts(store.counts(), as_json)
    finally:
        store.close()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the API on the configured store; the seed atlas is loaded on first start."""
    import uvicorn

    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info")


register_all(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
