"""The ``chain-atlas`` command line (typer). Exit codes: 0 ok, 2 invalid input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from graph.accounts import Accounts, cli_principal
from graph.cliatlas import seed_atlas
from graph.clierrors import AtlasGroup
from graph.commands import register_all
from graph.loadplan import plan_load
from graph.settings import get_settings
from graph.store import AtlasStore, open_store
from graph.store.embedded import EmbeddedStore

app = typer.Typer(help="Chain Atlas (产业链招商图谱): load, check, analyse and serve the atlas.",
                  no_args_is_help=True, add_completion=False, cls=AtlasGroup)



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
def load(
    seeds: SeedsOpt = None,
    as_json: JsonOpt = False,
    prune: Annotated[bool, typer.Option(
        "--prune", help="Also remove what the seeds no longer hold (listed before it goes); "
        "imports, ledgers, campaigns and project history are still kept.")] = False,
    replace_all: Annotated[bool, typer.Option(
        "--replace-all", help="Replace the whole store with the seeds: imports, ledgers, "
        "campaigns and history are discarded.")] = False,
) -> None:
    """Validate the seeds and load them (atomic, idempotent).

    What came from the seeds is replaced; imports, ledgers, campaigns and project history
    are kept. When the store holds something else the seeds no longer have, nothing is
    written and the list is printed (use --prune or --replace-all)."""
    atlas = seed_atlas(seeds)
    store = _store()
    try:
        if replace_all:
            store.replace_all(atlas)
        else:
            plan = plan_load(store.snapshot(), atlas)
            if plan.dangling or (plan.lost and not prune):
                _refuse_load(plan.lost if not prune else [], plan.dangling)
            store.replace_all(plan.atlas)
            for what, n in sorted(plan.kept.items()):
                typer.echo(f"保留 kept {what}: {n}", err=True)
            if plan.lost:
                typer.echo(f"已移除 pruned: {len(plan.lost)}", err=True)
        counts = store.counts()
        Accounts(get_settings().accounts_path).record(
            cli_principal(), "cli", "replace_all" if replace_all else "load", "atlas", "seeds",
            after={"counts": counts, "prune": prune})
        _print_counts(counts, as_json)
    finally:
        store.close()


def _refuse_load(lost: list[str], dangling: list[str]) -> None:
    for title, rows in (("种子中已没有、将被删除 (would be lost)", lost),
                        ("保留项引用了不存在的编号 (dangling)", dangling)):
        if rows:
            typer.echo(f"{title}: {len(rows)}", err=True)
            for row in rows[:30]:
                typer.echo(f"  {row}", err=True)
            if len(rows) > 30:
                typer.echo(f"  … 另有 {len(rows) - 30} 项", err=True)
    typer.echo("未写入任何数据 (load_refused)。加 --prune 删除上列项目并保留导入、台账与专班；"
               "加 --replace-all 以种子整体替换。", err=True)
    raise typer.Exit(2)


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
