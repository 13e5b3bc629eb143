"""Benchmark: map pages in the real browser (Debian chromium via Playwright).

For the largest chain of the seed atlas (most nodes), the seed atlas overview and regional
view, and a synthetic atlas overview of >= 2,000 nodes, it measures, as the median of
``--runs`` loads of the self-contained export:

* build / render — Python time to make the map data and the HTML (render includes building
  the pyvis ``Network``; pyvis's one-off import, paid by the first map of a process, is
  printed separately);
* drawn — navigation start → vis-network's first ``afterDrawing`` (page's own clock);
* click — mouse click on a node → its side panel shown;
* redraw — one full canvas redraw (mean of 10) at the fitted view;
* drag — the same without edges: what a pan/zoom frame costs on maps over 1,000 nodes,
  where the page hides edges while dragging or zooming (``hideEdgesOnDrag/OnZoom``).

Usage: ``python bench/bench_maps.py [--runs 3] [--chains 100] [--segments 20]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.analysis.gaps import diagnose_chain  # noqa: E402
from graph.loader import load_seeds  # noqa: E402
from graph.model import (  # noqa: E402
    Atlas,
    Chain,
    Company,
    County,
    Feeds,
    Operates,
    Segment,
    Source,
    Stage,
)
from visual.build import chain_map  # noqa: E402
from visual.model import MapData  # noqa: E402
from visual.overview import atlas_map, regions_map  # noqa: E402
from visual.render import render_html  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
REDRAW = """() => { const n = chainMap.network; n.redraw(); const t = performance.now();
    for (let i = 0; i < 10; i++) { n.redraw(); } return (performance.now() - t) / 10; }"""
SRC = Source(public="基准测试合成数据（非真实企业）", as_of=dt.date(2026, 1, 1))


def synthetic_atlas(n_chains: int, n_segments: int) -> Atlas:
    """``n_chains`` chains of ``n_segments`` segments each, fed along a path with a branch
    every 4 segments; every 5th chain shares its first segment with the previous chain;
    one local firm per 3 segments. Invented test data, ids ``*.syn.*``."""
    a = Atlas(counties={"county.syn": County(id="county.syn", name="合成县", lat=35.0,
                                             lon=111.0, src=SRC)})
    stages = list(Stage)
    for c in range(n_chains):
        cid = f"ch.syn.{c:03d}"
        a.chains[cid] = Chain(id=cid, name=f"合成链{c:03d}", cluster=f"集群{c % 8}", src=SRC)
        segs = [f"seg.syn.{c:03d}.{s:02d}" for s in range(n_segments)]
        for s, sid in enumerate(segs):
            a.segments[sid] = Segment(id=sid, name=f"环节{c:03d}-{s:02d}", src=SRC,
                                      stage=stages[min(2, s * 3 // n_segments)], chains=[cid])
            if s:
                src = segs[s - 1] if s % 4 else segs[max(0, s - 3)]
                a.feeds.append(Feeds(source=src, target=sid, chain=cid, src=SRC))
            if s % 3 == 0:
                fid = f"co.syn.{c:03d}.{s:02d}"
                a.companies[fid] = Company(id=fid, name=f"合成企业{c:03d}-{s:02d}",
                                           role="anchor" if s == 0 else "local",
                                           county="county.syn", src=SRC)
                a.operates.append(Operates(company=fid, segment=sid, src=SRC))
        if c % 5 == 4:
            a.segments[f"seg.syn.{c - 1:03d}.00"].chains.append(cid)
            a.feeds.append(Feeds(source=f"seg.syn.{c - 1:03d}.00", target=segs[1], chain=cid,
                                 src=SRC))
    return a


def measure(browser: Any, html: str, node_id: str, runs: int) -> dict[str, float]:
    """Median drawn / click / redraw times (ms) of ``html`` over ``runs`` fresh loads."""
    out: dict[str, list[float]] = {"drawn": [], "click": [], "redraw": [], "drag": []}
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "map.html"
        f.write_text(html, encoding="utf-8")
        for _ in range(runs):
            ctx = browser.new_context(viewport={"width": 1600, "height": 900})
            page = ctx.new_page()
            requests: list[str] = []
            page.on("request", lambda r, log=requests: log.append(r.url))
            page.goto(f.as_uri())
            page.wait_for_selector("body[data-ready='1']", state="attached", timeout=60000)
            out["drawn"].append(page.evaluate("window.__mapReadyAt"))
            page.evaluate("id => { chainMap.network.focus(id, {scale: 1.2, animation: false});"
                          " chainMap.network.redraw(); }", node_id)
            p = page.evaluate("""id => { const n = chainMap.network;
                const c = n.canvasToDOM(n.getPosition(id));
                const r = document.getElementById('network').getBoundingClientRect();
                return {x: r.left + c.x, y: r.top + c.y}; }""", node_id)
            t = time.perf_counter()
            page.mouse.click(p["x"], p["y"])
            page.wait_for_function("id => document.getElementById('panel')"
                                   ".getAttribute('data-node') === id", arg=node_id)
            out["click"].append((time.perf_counter() - t) * 1000)
            page.evaluate("chainMap.network.fit({animation: false})")
            out["redraw"].append(page.evaluate(REDRAW))
            page.evaluate("chainMap.network.setOptions({edges: {hidden: true}})")
            out["drag"].append(page.evaluate(REDRAW))
            if set(requests) != {f.as_uri()}:
                raise SystemExit(f"unexpected requests: {sorted(set(requests))}")
            ctx.close()
    return {k: statistics.median(v) for k, v in out.items()}


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - t) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="Page loads per case (median).")
    ap.add_argument("--chains", type=int, default=100, help="Synthetic atlas: chains.")
    ap.add_argument("--segments", type=int, default=20, help="Synthetic atlas: segments each.")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    t = time.perf_counter()
    import pyvis.network  # noqa: F401  (imported lazily by visual.network)
    t_import = (time.perf_counter() - t) * 1000
    seed = load_seeds(ROOT / "seeds")

    def chain_nodes(c: str) -> int:
        d = diagnose_chain(seed, c)
        return len(d.segments) + len({f for s in d.segments for f in (*s.local_firms,
                                                                       *s.anchors)})

    largest = max(seed.chains, key=lambda c: (chain_nodes(c), c))
    syn = synthetic_atlas(args.chains, args.segments)
    cases: list[tuple[str, Callable[[], MapData], str]] = [
        (f"largest seed chain {largest}", lambda: chain_map(seed, largest),
         diagnose_chain(seed, largest).segments[0].segment_id),
        ("seed atlas overview", lambda: atlas_map(seed), sorted(seed.chains)[0]),
        ("seed regional view", lambda: regions_map(seed), sorted(seed.counties)[0]),
        (f"synthetic overview {args.chains}x{args.segments}", lambda: atlas_map(syn),
         "ch.syn.000"),
    ]
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, build, node in cases:
            data, t_build = timed(build)
            html, t_render = timed(lambda d=data: render_html(d))  # type: ignore[misc]
            m = measure(browser, html, node, args.runs)
            rows.append((name, len(data.nodes), len(data.edges), t_build, t_render,
                         len(html.encode()) / 1e6, m["drawn"], m["click"], m["redraw"],
                         m["drag"]))
        browser.close()
    print(f"pyvis import (once per process): {t_import:.0f} ms")
    head = ("case", "nodes", "edges", "build ms", "render ms", "MB", "drawn ms", "click ms",
            "redraw ms", "drag ms")
    print(f"{head[0]:<36}" + "".join(f"{h:>11}" for h in head[1:]))
    for r in rows:
        print(f"{r[0]:<36}{r[1]:>11}{r[2]:>11}{r[3]:>11.0f}{r[4]:>11.0f}{r[5]:>11.2f}"
              f"{r[6]:>11.0f}{r[7]:>11.0f}{r[8]:>11.1f}{r[9]:>11.1f}")


if __name__ == "__main__":
    main()
