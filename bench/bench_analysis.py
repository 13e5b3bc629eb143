"""Benchmark the gap analysis on the seed atlas; prints tables (no assertions).

    python bench/bench_analysis.py [--seeds DIR] [--repeat N]

Times: building the per-atlas index (once per atlas), diagnosing every chain (warm index),
the city-wide gap list, target ranking for every gap segment, and extension per chain.
When the whole seed directory does not load (files being edited), the chain files that load
on their own are used and listed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from graph.analysis.extension import extension_candidates
from graph.analysis.gaps import city_gaps, diagnose_chain
from graph.analysis.index import analysis_index
from graph.analysis.targets import rank_targets
from graph.errors import SeedErrors
from graph.loader import load_files, load_seeds, seed_files
from graph.model import Atlas
from graph.settings import REPO_ROOT


def load(seeds: Path) -> tuple[Atlas, str]:
    try:
        return load_seeds(seeds), "all seed files"
    except SeedErrors:
        ref = [f for f in seed_files(seeds) if "reference" in f.parts]
        ok: list[Path] = []
        for f in seed_files(seeds):
            if "reference" in f.parts:
                continue
            try:
                load_files([*ref, *ok, f], base=seeds)
                ok.append(f)
            except SeedErrors:
                continue
        return load_files([*ref, *ok], base=seeds), ", ".join(f.name for f in ok)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time in ms over ``repeat`` runs, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=Path, default=REPO_ROOT / "seeds")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    console = Console(width=140)
    atlas, used = load(args.seeds)
    counts = atlas.counts()
    console.print(f"atlas: {used} — {counts['chain']} chains, {counts['segment']} segments, "
                  f"{counts['company']} companies, {counts['operates']} operates")

    t0 = time.perf_counter()
    analysis_index(atlas)
    index_ms = (time.perf_counter() - t0) * 1000

    chains = Table(title="diagnose_chain (warm index, median ms)")
    for col in ("chain", "segments", "strong", "weak", "missing", "broken", "completeness", "ms"):
        chains.add_column(col, justify="left" if col == "chain" else "right")
    total = 0.0
    for cid in sorted(atlas.chains):
        ms, d = timed(lambda cid=cid: diagnose_chain(atlas, cid), args.repeat)  # type: ignore[misc]
        total += ms
        segs = d.segments  # type: ignore[attr-defined]
        n = {k: sum(1 for s in segs if s.status == k)
             for k in ("strong", "weak", "missing", "broken")}
        chains.add_row(cid, str(len(segs)), *(str(n[k]) for k in n),
                       f"{d.completeness:.0%}", f"{ms:.2f}")  # type: ignore[attr-defined]
    console.print(chains)

    gaps_ms, gaps = timed(lambda: city_gaps(atlas), args.repeat)
    gap_list = gaps if isinstance(gaps, list) else []
    rank_times: list[float] = []
    for g in gap_list:
        ms, _ = timed(lambda g=g: rank_targets(atlas, g.chain_id, g.segment_id), 1)
        rank_times.append(ms)
    ext_times = [timed(lambda c=c: extension_candidates(atlas, c), 1)[0]  # type: ignore[misc]
                 for c in sorted(atlas.chains)]

    summary = Table(title="summary (ms)")
    for col in ("operation", "calls", "median", "max", "total"):
        summary.add_column(col, justify="left" if col == "operation" else "right")
    summary.add_row("build index (once per atlas)", "1", f"{index_ms:.1f}", f"{index_ms:.1f}",
                    f"{index_ms:.1f}")
    summary.add_row("diagnose every chain", str(len(atlas.chains)), "", "", f"{total:.1f}")
    summary.add_row("city_gaps (all chains)", "1", f"{gaps_ms:.1f}", f"{gaps_ms:.1f}",
                    f"{gaps_ms:.1f}")
    for name, ts in (("rank_targets per gap", rank_times), ("extension per chain", ext_times)):
        if ts:
            summary.add_row(name, str(len(ts)), f"{statistics.median(ts):.2f}",
                            f"{max(ts):.2f}", f"{sum(ts):.1f}")
    console.print(summary)


if __name__ == "__main__":
    main()
