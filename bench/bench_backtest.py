"""Hold-out backtest of the target ranking on ChainKnowledgeGraph (firm → main product).

Method. Read the dataset and the seed atlas; take the reviewed product mapping
(``seeds/mappings/ckg_products.tsv``) and keep the firm→product links whose product maps to
an atlas segment. Hide a fraction of those links (default 20%, fixed seed), import the rest
exactly as ``chain-atlas import ckg`` does (:func:`graph.importers.build.build_import`), and
for every segment that lost a link rank its candidates with the system's ranking
(:func:`graph.analysis.targets.rank_targets`, shipped rules, in the segment's first chain).
A *hidden producer* is a (firm, segment) pair with at least one hidden product of that
segment. Measured: recall@20 (share of hidden producers in the segment's top 20) and MRR
(mean of 1/rank; 0 when the firm is not ranked at all, e.g. every product of that segment
was hidden and nothing else names it). Comparison rankers over the same segments:

* ``same candidates, id order`` — the system's candidates in company-id order (what the
  old ranking fell back on for ties);
* ``popularity (naive)`` — every imported firm, most products first, no matching at all.

    python bench/bench_backtest.py [PATH] [--hide 0.2] [--seed 13]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "external" / "ChainKnowledgeGraph"
K = 20

sys.path.insert(0, str(ROOT))

from graph.analysis.targets import rank_targets  # noqa: E402
from graph.importers.build import build_import  # noqa: E402
from graph.importers.ckg import read_ckg  # noqa: E402
from graph.importers.run import combined, default_mapping, mapping_rows  # noqa: E402
from graph.loader import load_seeds  # noqa: E402


def scores(order: list[str], hidden: set[str]) -> tuple[int, float]:
    """(hidden producers in the top K, sum of reciprocal ranks)."""
    pos = {f: i for i, f in enumerate(order, 1)}
    ranks = [pos[f] for f in hidden if f in pos]
    return sum(r <= K for r in ranks), sum(1 / r for r in ranks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--hide", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    t0 = time.perf_counter()
    base = load_seeds(ROOT / "seeds")
    data = read_ckg(args.path)
    rows, _ = mapping_rows(base, data, default_mapping(ROOT / "seeds"))
    seg_of: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.used and r.segment in base.segments:
            seg_of[r.product].add(r.segment)
    eligible = sorted(k for k in data.makes if k[1] in seg_of)
    rnd = random.Random(args.seed)
    hide = set(rnd.sample(eligible, round(args.hide * len(eligible))))
    kept = replace(data, makes={k: v for k, v in data.makes.items() if k not in hide})
    plan = build_import(kept, base, rows)
    atlas = combined(base, plan.atlas, [])
    code_to_id = {c.stock_code: c.id for c in atlas.companies.values() if c.stock_code}
    hidden: dict[str, set[str]] = defaultdict(set)
    for code, product in hide:
        for s in seg_of[product]:
            hidden[s].add(code_to_id.get(code, code))
    n_products = defaultdict(int)
    for code, _ in kept.makes:
        n_products[code_to_id.get(code, code)] += 1
    popular = sorted(n_products, key=lambda f: (-n_products[f], f))
    prep = time.perf_counter() - t0
    totals = {"system": [0, 0.0], "id order": [0, 0.0], "popularity": [0, 0.0]}
    n = ranked = 0
    t1 = time.perf_counter()
    for seg_id, firms in sorted(hidden.items()):
        chain = sorted(atlas.segments[seg_id].chains)[0]
        recs = rank_targets(atlas, chain, seg_id, top=100_000)
        order = [r.company_id for r in recs]
        n += len(firms)
        ranked += sum(f in set(order) for f in firms)
        for name, o in (("system", order), ("id order", sorted(order)),
                        ("popularity", popular)):
            hit, rr = scores(o, firms)
            totals[name][0] += hit
            totals[name][1] += rr
    run = time.perf_counter() - t1
    print(f"ChainKnowledgeGraph: {len(data.makes)} firm→product links; {len(eligible)} of "
          f"them on products mapped to {len({s for v in seg_of.values() for s in v})} "
          f"segments; hidden {len(hide)} ({args.hide:.0%}, seed {args.seed}) → {n} hidden "
          f"producers over {len(hidden)} segments; {ranked} still ranked "
          f"({ranked / n:.1%}). Prep {prep:.0f} s, ranking {run:.0f} s.")
    print(f"| ranker | recall@{K} | MRR |")
    print("|---|---:|---:|")
    labels = {"system": "system ranking", "id order": "same candidates, id order",
              "popularity": "popularity (naive)"}
    for key, (hit, rr) in totals.items():
        print(f"| {labels[key]} | {hit / n:.3f} | {rr / n:.3f} |")


if __name__ == "__main__":
    main()
