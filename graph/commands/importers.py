"""``chain-atlas import ckg PATH`` and ``chain-atlas map-products PATH``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.cliatlas import seed_atlas, store_atlas
from graph.importers.ckg import read_ckg
from graph.importers.mapping import (
    DEFAULT_THRESHOLD,
    candidates,
    merge_reviewed,
    read_mapping,
    write_mapping,
)
from graph.importers.product_graph import MAX_HOPS, product_view, segment_supply, supply_links
from graph.importers.run import ImportSummary, Reporter, default_mapping, import_ckg
from graph.memory import paused_gc
from graph.model import Atlas
from graph.settings import get_settings
from graph.store import open_store

PathArg = Annotated[Path, typer.Argument(
    help="ChainKnowledgeGraph directory (company.json …; company_product.json and "
         "product_product.json there or in reconstructed/).")]
ThresholdOpt = Annotated[float, typer.Option(
    "--threshold", min=0, max=100, help="Lowest rapidfuzz WRatio score of a fuzzy candidate.")]


class _Bar(Reporter):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def stage(self, label: str, total: int | None = None) -> None:
        if self.task is not None:
            t = self.progress.tasks[-1]
            self.progress.update(self.task, completed=t.total or 1, total=t.total or 1)
        self.task = self.progress.add_task(label, total=total)

    def advance(self, n: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)


def _print_summary(s: ImportSummary) -> None:
    console = Console(width=160)
    console.print(f"[bold]{s.dataset}[/] ← {s.path}  ({s.seconds:.1f} s; 映射: {s.mapping_source})")
    t = Table(title="导入 Imported")
    t.add_column("kind")
    t.add_column("imported", justify="right")
    t.add_column("in store", justify="right")
    for k, v in s.imported.items():
        t.add_row(k, str(v), str(s.store_counts.get(k, "")))
    console.print(t)
    a = Table(title="异常 Anomalies (counted, not fatal)")
    a.add_column("kind")
    a.add_column("count", justify="right")
    a.add_column("examples")
    for k, v in sorted(s.anomalies.items()):
        a.add_row(k, str(v), "; ".join(s.examples.get(k, [])[:3]))
    console.print(a)
    c = Table(title="覆盖度 Coverage before → after")
    for col in ("链条", "环节", "目标", "目标<3的环节"):
        c.add_column(col)
    after = {r.chain_id: r for r in s.coverage_after}
    for b in s.coverage_before:
        x = after.get(b.chain_id, b)
        c.add_row(b.name, str(b.segments), f"{b.targets} → {x.targets}",
                  f"{len(b.thin_segments)} → {len(x.thin_segments)}")
    console.print(c)
    console.print(f"候选目标企业 candidate targets: [bold]{s.candidate_targets}[/]; "
                  f"有生产企业的环节 {len(s.segments_with_producers)}，"
                  f"获得目标的环节 {len(s.segments_with_targets)}")
    for k, v in sorted(s.stats.items()):
        console.print(f"  {k}: {v}")
    links = "，".join(f"{k} {v}" for k, v in sorted(s.supply_links.items()))
    console.print(f"产品供应路径 supply links: {links}；缺少上市生产企业的上游材料 "
                  f"{s.missing_inputs}（详见 chain-atlas supply-breaks）")


def _segments_atlas(seeds: Path | None) -> Atlas:
    if seeds is None:
        atlas = store_atlas()
        if atlas.segments:
            return atlas
    return seed_atlas(seeds)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Import external data into the atlas store.", no_args_is_help=True)
    app.add_typer(group, name="import")

    @group.command("ckg")
    def import_ckg_cmd(
        path: PathArg,
        mapping: Annotated[Path | None, typer.Option(
            "--mapping", help="Reviewed mapping TSV (default: <seeds>/mappings/ckg_products.tsv "
                              "when present; segments it lacks get generated candidates).")
        ] = None,
        threshold: ThresholdOpt = DEFAULT_THRESHOLD,
        as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")
                           ] = False,
    ) -> None:
        """Import ChainKnowledgeGraph (listed firms, products, product relations) into the
        store in one atomic merge; mapped firms become candidate targets with evidence."""
        settings = get_settings()
        if mapping is not None and not mapping.is_file():
            typer.echo(f"error: {mapping}: mapping file not found", err=True)
            raise typer.Exit(2)
        mapping = mapping or default_mapping(settings.seeds_dir)
        progress = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                            disable=as_json, transient=True)
        with paused_gc():
            store = open_store(settings)
        try:
            with progress:
                summary = import_ckg(store, path, mapping=mapping, threshold=threshold,
                                     reporter=_Bar(progress))
        finally:
            store.close()
        if as_json:
            typer.echo(summary.model_dump_json(indent=2))
        else:
            _print_summary(summary)

    @app.command("supply-breaks")
    def supply_breaks(
        chain: Annotated[str | None, typer.Option(
            "--chain", help="Only this chain id (default: every chain).")] = None,
        max_hops: Annotated[int, typer.Option(
            "--max-hops", min=1, max=8, help="Longest product path searched.")] = MAX_HOPS,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Broken supply paths in the imported national product graph: segment links no
        product path joins (or only through products nobody makes), and segment
        materials no listed firm makes."""
        with paused_gc():
            store = open_store(get_settings())
            try:
                atlas = store.snapshot()
            finally:
                store.close()
            if chain is not None and chain not in atlas.chains:
                typer.echo(f"error: unknown chain {chain!r}", err=True)
                raise typer.Exit(2)
            view = product_view(atlas)
            links = [x for x in supply_links(atlas, chain, max_hops=max_hops, view=view)
                     if x.status != "connected"]
            segs = ([s.id for s in atlas.chain_segments(chain)] if chain
                    else sorted(atlas.segments))
            missing = [m for s in segs for m in [segment_supply(atlas, s, view=view)]
                       if m.missing_inputs]
        if as_json:
            typer.echo(json.dumps({"links": [x.model_dump() for x in links],
                                   "segments": [m.model_dump() for m in missing]},
                                  ensure_ascii=False, indent=2))
            return
        name = {s.id: s.name for s in atlas.segments.values()}
        for x in links:
            via = " → ".join(p.name for p in x.path)
            typer.echo(f"{x.chain}  {name.get(x.source, x.source)} → "
                       f"{name.get(x.target, x.target)}: {x.status}"
                       + (f"（{via}；断点 {', '.join(b.name for b in x.breaks)}）"
                          if x.breaks else ""))
        for m in missing:
            pairs = "；".join(f"{i.product.name} ← {i.material.name}" for i in m.missing_inputs)
            typer.echo(f"{name.get(m.segment, m.segment)}: 上游材料无上市生产企业：{pairs}")

    @app.command("map-products")
    def map_products(
        path: PathArg,
        out: Annotated[Path | None, typer.Option(
            "--out", help="Review file to write (default: <seeds>/mappings/ckg_products.tsv); "
                          "its accept/reject decisions and manual rows are kept.")] = None,
        seeds: Annotated[Path | None, typer.Option(
            "--seeds", help="Take segments from this seed directory (default: the store's "
                            "atlas, or the seeds when the store has no segments).")] = None,
        threshold: ThresholdOpt = DEFAULT_THRESHOLD,
    ) -> None:
        """(Re)generate the candidate mapping of atlas segments to ChainKnowledgeGraph
        product names (exact, alias, fuzzy) into the reviewable TSV."""
        target = out or default_mapping(get_settings().seeds_dir)
        atlas = _segments_atlas(seeds)
        with paused_gc():
            data = read_ckg(path)
            rows = candidates(atlas, data.products, data.producers(), threshold)
        old = read_mapping(target) if target.is_file() else []
        merged = merge_reviewed(rows, old)
        write_mapping(target, merged, threshold)
        makers: dict[str, set[str]] = {}
        for code, product in data.makes:
            makers.setdefault(product, set()).add(code)
        firms = {c for r in merged if r.used for c in makers.get(r.product, ())}
        by_kind: dict[str, int] = {}
        for r in merged:
            by_kind[r.kind] = by_kind.get(r.kind, 0) + 1
        typer.echo(f"{target}: {len(merged)} rows "
                   f"({', '.join(f'{k} {v}' for k, v in sorted(by_kind.items()))}); "
                   f"{len({r.segment for r in merged})}/{len(atlas.segments)} segments; "
                   f"{len(firms)} listed firms make a mapped product")
