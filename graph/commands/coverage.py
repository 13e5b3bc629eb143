"""``chain-atlas coverage``: per-chain data coverage of the seed atlas or the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from graph.cliatlas import seed_atlas, store_atlas
from graph.coverage import coverage, unsourced_total


def register(app: typer.Typer) -> None:
    @app.command("coverage")
    def coverage_cmd(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        from_store: Annotated[bool, typer.Option(
            "--store", help="Measure the atlas in the store (after imports) instead of seeds.")
        ] = False,
        seeds: Annotated[Path | None, typer.Option(
            "--seeds", help="Seed directory (default: ATLAS_SEEDS_DIR).")] = None,
        min_targets: Annotated[int, typer.Option(
            help="A segment with fewer outside targets than this is listed as thin.")] = 3,
    ) -> None:
        """Per chain: segments, local firms, anchors, targets, institutes, associations,
        projects, unsourced facts and segments with fewer than three targets."""
        atlas = store_atlas() if from_store else seed_atlas(seeds)
        rows = coverage(atlas, min_targets=min_targets)
        if as_json:
            typer.echo(json.dumps({"chains": [r.model_dump() for r in rows],
                                   "unsourced_total": unsourced_total(atlas)},
                                  ensure_ascii=False, indent=2))
            return
        t = Table(title="覆盖度 Coverage")
        for col in ("链条", "id", "环节", "本地企业", "链主", "目标", "院所", "商协会", "项目",
                    "无来源", "目标<3的环节"):
            t.add_column(col)
        for r in rows:
            t.add_row(r.name, r.chain_id, str(r.segments), str(r.local_firms), str(r.anchors),
                      str(r.targets), str(r.institutes), str(r.associations), str(r.projects),
                      str(r.unsourced), str(len(r.thin_segments)))
        Console(width=200).print(t)
        typer.echo(f"unsourced facts in the whole atlas: {unsourced_total(atlas)}")
