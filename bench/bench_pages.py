"""Time to interactive of the officer-facing pages in Debian's chromium (Playwright).

Pages: the home page and the largest chain (page and map) served by a real uvicorn over
the seed atlas (first load is a cache miss: the server computes the page; the next loads
are cache hits), and the overview map at about 2,000 and 20,000 nodes, built from the seed
atlas copied k times (every chain, segment, feeds and operates edge under new ids, so
statuses stay realistic), both aggregated (the default: top-level chains first, expand on
click) and fully drawn. "Interactive" is when the page marks itself ready (``data-ready``:
after vis-network's first drawing for maps, after the script ran for pages).

Usage: ``python bench/bench_pages.py [--repeat 3] [--sizes 2000,20000]``. Prints a table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.loader import load_seeds  # noqa: E402
from graph.model import Atlas, Feeds, Operates  # noqa: E402
from tests.server import UvicornServer  # noqa: E402
from visual.overview import atlas_map  # noqa: E402
from visual.render import render_html  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
READY = "body[data-ready='1']"
TTI_JS = "() => (window.__mapReadyAt || performance.now())"


def copies(atlas: Atlas, k: int) -> Atlas:
    """``atlas`` with its chains, segments, feeds and operates repeated ``k`` times."""
    chains, segments, feeds, operates = {}, {}, [], []
    for i in range(k):
        sfx = "" if i == 0 else f"-c{i}"
        for c in atlas.chains.values():
            chains[c.id + sfx] = c.model_copy(update={
                "id": c.id + sfx, "name": c.name + (f"（{i}）" if i else ""),
                "parent": c.parent + sfx if c.parent else None})
        for s in atlas.segments.values():
            segments[s.id + sfx] = s.model_copy(update={
                "id": s.id + sfx, "chains": [c + sfx for c in s.chains]})
        feeds += [Feeds.model_construct(source=f.source + sfx, target=f.target + sfx,
                                        chain=f.chain + sfx, src=f.src) for f in atlas.feeds]
        operates += [Operates.model_construct(company=o.company, segment=o.segment + sfx,
                                              weight=o.weight, products=o.products,
                                              evidence=o.evidence, src=o.src)
                     for o in atlas.operates]
    return Atlas.from_tables({**{k2: getattr(atlas, k2) for k2 in type(atlas).model_fields},
                              "chains": chains, "segments": segments, "feeds": feeds,
                              "operates": operates})


def tti(page: Any, url: str) -> float:
    page.goto(url, timeout=600000)
    page.wait_for_selector(READY, state="attached", timeout=600000)
    return float(page.evaluate(TTI_JS))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", default="2000,20000")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    seeds = ROOT / "seeds"
    atlas = load_seeds(seeds)
    per_copy = len(atlas_map(atlas).nodes)
    rows: list[tuple[str, int, str, float, float]] = []
    with tempfile.TemporaryDirectory() as d, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = b.new_page(viewport={"width": 1440, "height": 900})
        srv = UvicornServer(Path(d) / "data", seeds).start(timeout=600)
        try:
            for name, path, nodes in (
                    ("home /", "/", 0),
                    ("chain page /chain/ch.materials", "/chain/ch.materials", 0),
                    ("chain map ch.materials", "/maps/chains/ch.materials", -1)):
                t0 = time.perf_counter()
                first = tti(page, srv.url + path)
                wall = (time.perf_counter() - t0) * 1000
                warm = [tti(page, srv.url + path) for _ in range(args.repeat)]
                if nodes < 0:
                    nodes = int(page.evaluate("chainMap.data.nodes.length"))
                rows.append((name, nodes, "served", wall, statistics.median(warm)))
                del first
        finally:
            srv.stop()
        for target in (int(s) for s in args.sizes.split(",") if s):
            k = max(1, round(target / per_copy))
            big = copies(atlas, k)
            for collapsed in (True, False):
                t0 = time.perf_counter()
                data = atlas_map(big, collapsed=collapsed)
                html = render_html(data)
                build = (time.perf_counter() - t0) * 1000
                f = Path(d) / f"overview-{target}-{collapsed}.html"
                f.write_text(html, encoding="utf-8")
                times = [tti(page, f.as_uri()) for _ in range(args.repeat)]
                mode = "aggregated" if collapsed else "all nodes drawn"
                rows.append((f"overview ×{k} ({mode})", len(data.nodes), "file",
                             build, statistics.median(times)))
        b.close()
    print(f"{'page':<44} {'nodes':>7} {'from':>7} {'server/build ms':>16} {'TTI ms':>9}")
    for name, n, src, build, t in rows:
        print(f"{name:<44} {n:>7} {src:>7} {build:>16.0f} {t:>9.0f}")
    print("server/build: first load's wall time (served, cache miss) or Python build time "
          "(file); TTI: median of the cached/repeated loads in chromium.")


if __name__ == "__main__":
    main()
