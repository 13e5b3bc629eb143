"""Benchmark: full ChainKnowledgeGraph import into a fresh embedded store holding the seed
atlas. Prints a table of stage times, total wall and CPU time, and peak memory (max RSS
of a fresh process). Target: at most 10 s and 1 GB.

    python bench/bench_import.py [PATH] [--runs N]

PATH defaults to ../shared/external/ChainKnowledgeGraph. Each run is a separate process.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "external" / "ChainKnowledgeGraph"


def one_run(path: Path) -> dict[str, object]:
    """Import once in this process and return the measurements."""
    sys.path.insert(0, str(ROOT))
    from graph.errors import SeedErrors
    from graph.importers.run import Reporter, import_ckg
    from graph.loader import load_seeds
    from graph.store.embedded import EmbeddedStore

    class Clock(Reporter):
        def __init__(self) -> None:
            self.marks: list[tuple[str, float]] = []

        def stage(self, label: str, total: int | None = None) -> None:
            self.marks.append((label, time.perf_counter()))

    try:
        base, seeds = load_seeds(ROOT / "seeds"), "seeds/"
    except SeedErrors:
        base, seeds = load_seeds(ROOT / "tests" / "fixtures" / "mini"), "mini (seeds invalid)"
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "atlas.sqlite")
        store.replace_all(base)
        clock = Clock()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        summary = import_ckg(store, path, reporter=clock)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        store.close()
    ends = [t for _, t in clock.marks[1:]] + [wall0 + wall]
    stages = {label: round(end - start, 2) for (label, start), end in zip(clock.marks, ends,
                                                                           strict=True)}
    return {"seeds": seeds, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "stages": stages, "targets": summary.candidate_targets,
            "entities": sum(v for k, v in summary.imported.items() if k in ("company", "product")),
            "relations": sum(v for k, v in summary.imported.items()
                             if k not in ("company", "product"))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=1, help="number of runs (fresh processes)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_run(args.path), ensure_ascii=False))
        return
    if not args.path.is_dir():
        sys.exit(f"{args.path}: not found")
    results = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, __file__, str(args.path), "--child"],
                             capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    first = results[0]
    print(f"ChainKnowledgeGraph import ({first['seeds']}; {first['entities']} entities, "
          f"{first['relations']} relations; candidate targets {first['targets']})")
    labels = list(first["stages"])  # type: ignore[arg-type]
    head = ["run", *labels, "wall s", "cpu s", "peak MB"]
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for i, r in enumerate(results, 1):
        st = r["stages"]
        print(" | ".join([str(i), *(f"{st[k]:.2f}" for k in labels),  # type: ignore[index]
                          f"{r['wall_s']:.2f}", f"{r['cpu_s']:.2f}", str(r["peak_mb"])]))
    print("target: wall ≤ 10 s, peak ≤ 1024 MB")


if __name__ == "__main__":
    main()
