"""The maps in a real browser: Debian's chromium driven by Playwright (no browser download).

Pages come from a real uvicorn process (the maps fixture, with injection probes) and from
CLI-style self-contained exports of the mini and the real seed atlas. Every test records the
page's requests (all must stay on its own origin), dialogs (none may fire) and script
errors, and writes a screenshot to tests/screenshots/ for review.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from graph.analysis.gaps import diagnose_chain
from graph.analysis.targets import rank_targets
from graph.loader import load_seeds
from graph.model import Atlas, Role
from tests.conftest import FIXTURES
from tests.server import UvicornServer
from visual.build import chain_map
from visual.model import STATUS_COLOR, MapData
from visual.network import vis_payload
from visual.overview import atlas_map, regions_map
from visual.render import render_html

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at "
                                 "/usr/bin/chromium (scripts/setup.sh installs it)")]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

MAPS = FIXTURES / "maps"
SHOTS = Path(__file__).parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
IMG_PROBE = "<img src=x onerror=alert(1)>"
SCRIPT_PROBE = "</script><script>alert(2)</script>"


@dataclass
class Opened:
    """An open map page and what it did."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)

    def assert_clean(self) -> None:
        """No dialog, no script error, every request on the page's own origin."""
        assert self.dialogs == []
        assert self.errors == []
        own = urlsplit(self.url)
        for r in self.requests:
            u = urlsplit(r)
            assert u.scheme in ("data", "blob", "about") or (u.scheme, u.netloc) == (
                own.scheme, own.netloc), f"outside request: {r}"
        if own.scheme == "file":
            assert set(self.requests) == {self.url}, "a file export must load nothing else"

    def shot(self, name: str) -> None:
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))

    def node_xy(self, node_id: str) -> dict[str, float]:
        """Where a node is on the screen (page coordinates)."""
        return dict(self.js("""id => {
            const n = chainMap.network;
            const c = n.canvasToDOM(n.getPosition(id));
            const r = document.getElementById('network').getBoundingClientRect();
            return {x: r.left + c.x, y: r.top + c.y};
        }""", node_id))

    def click_node(self, node_id: str) -> None:
        """Bring a node to the canvas centre and click it with the mouse."""
        self.js("id => { chainMap.network.focus(id, {scale: 1.2, animation: false});"
                " chainMap.network.redraw(); }", node_id)
        p = self.node_xy(node_id)
        self.page.mouse.click(p["x"], p["y"])
        self.page.wait_for_function("id => document.getElementById('panel')"
                                    ".getAttribute('data-node') === id", arg=node_id,
                                    timeout=5000)

    def section(self, key: str) -> list[str]:
        return list(self.js("k => [...document.querySelectorAll("
                            "`#panel section[data-key='${k}'] > ul > li`)]"
                            ".map(li => li.firstChild.textContent)", key))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UvicornServer]:
    with UvicornServer(tmp_path_factory.mktemp("maps"), MAPS) as s:
        yield s


@pytest.fixture(scope="module")
def probe_atlas() -> Atlas:
    return load_seeds(MAPS)


@pytest.fixture
def open_map(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def go(url: str) -> Opened:
        ctx = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
        contexts.append(ctx)
        page = ctx.new_page()
        o = Opened(page, url)
        page.on("request", lambda r: o.requests.append(r.url))
        page.on("dialog", lambda d: (o.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: o.errors.append(str(e)))
        page.on("console", lambda m: o.errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        page.wait_for_selector("body[data-ready='1']", state="attached", timeout=15000)
        return o

    yield go
    for ctx in contexts:
        ctx.close()


def export(tmp_path: Path, name: str, data: MapData) -> str:
    f = tmp_path / f"{name}.html"
    f.write_text(render_html(data), encoding="utf-8")
    return f.as_uri()


def expected_nodes(atlas: Atlas, kind: str, chain: str = "") -> set[str]:
    """Node ids a map must draw, computed from the atlas and the analysis, not the map."""
    if kind == "chain":
        diag = diagnose_chain(atlas, chain)
        return {s.segment_id for s in diag.segments} | {
            f for s in diag.segments for f in (*s.local_firms, *s.anchors)}
    if kind == "atlas":  # plus one aggregate per top-level chain (the collapsed overview)
        return set(atlas.chains) | {s.id for s in atlas.segments.values()
                                    if set(s.chains) & set(atlas.chains)} | {
            f"agg:{c.id}" for c in atlas.chains.values() if c.parent is None}
    return set(atlas.counties) | set(atlas.parks) | {
        c.id for c in atlas.companies.values() if c.role is not Role.target}


def drawn(o: Opened) -> set[str]:
    """The drawn node ids; checks the DataSets hold the pyvis-built nodes and edges as they
    are (before any filter)."""
    ids = o.js("chainMap.nodes.getIds()")
    shown = o.js("chainMap.nodes.get().filter(n => !n.hidden).length")
    assert o.js("chainMap.network.body.nodeIndices.length") == shown
    collapsed = o.js("chainMap.data.collapsed")
    assert collapsed or shown == len(ids)
    if not o.js("chainMap.data.initial_filter") and not collapsed:
        assert o.js("chainMap.nodes.get()") == o.js("chainMap.data.vis.nodes")
    assert o.js("chainMap.edges.get()") == o.js("chainMap.data.vis.edges")
    return set(ids)


@pytest.mark.parametrize(("kind", "path"), [("chain", "/maps/chains/ch.t.probe"),
                                            ("atlas", "/maps/atlas"),
                                            ("regions", "/maps/regions")])
def test_served_map_loads_draws_the_data_and_stays_on_its_origin(
        open_map: Any, server: UvicornServer, probe_atlas: Atlas, kind: str, path: str) -> None:
    o = open_map(server.url + path)
    o.shot(f"served-{kind}")
    assert drawn(o) == expected_nodes(probe_atlas, kind, "ch.t.probe")
    assert any(r.endswith("/maps/static/vis-network.min.js") for r in o.requests)
    o.assert_clean()


def test_clicking_a_broken_segment_shows_its_targets(open_map: Any, server: UvicornServer,
                                                     probe_atlas: Atlas) -> None:
    o = open_map(server.url + "/maps/chains/ch.t.probe")
    assert diagnose_chain(probe_atlas, "ch.t.probe").by_id()["seg.t.mid"].status == "broken"
    o.click_node("seg.t.mid")
    o.shot("served-chain-broken-panel")
    recs = rank_targets(probe_atlas, "ch.t.probe", "seg.t.mid", top=5)
    targets = o.section("targets")
    assert len(targets) == len(recs) >= 1
    assert "外地<i>目标</i>股份有限公司" in targets[0]
    assert o.js("document.getElementById('panel-title').textContent") == \
        "中间体</script><script>alert(3)</script>"
    o.assert_clean()


def test_injection_probe_shows_text_and_runs_nothing(open_map: Any, server: UvicornServer
                                                     ) -> None:
    for path in ("/maps/chains/ch.t.probe", "/maps/regions"):
        o = open_map(server.url + path)
        o.click_node("co.t.script")
        assert o.js("document.getElementById('panel-title').textContent") == SCRIPT_PROBE
        o.click_node("co.t.img")
        assert o.js("document.getElementById('panel-title').textContent") == IMG_PROBE
        o.page.get_by_text(IMG_PROBE, exact=True).first.wait_for(state="visible")
        pos = o.node_xy("co.t.img")
        o.page.mouse.move(pos["x"] + 2, pos["y"] + 2, steps=3)
        o.page.wait_for_function("t => { const e = document.querySelector('div.vis-tooltip');"
                                 " return e && e.style.visibility !== 'hidden' &&"
                                 " e.textContent.startsWith(t); }", arg=IMG_PROBE, timeout=5000)
        assert o.js("document.querySelectorAll('img, svg, .vis-tooltip *:not(br)').length") == 0
        o.shot(f"probe-{path.rsplit('/', 1)[1]}")
        o.assert_clean()


def test_region_filter_and_search(open_map: Any, server: UvicornServer, probe_atlas: Atlas
                                  ) -> None:
    o = open_map(server.url + "/maps/chains/ch.t.probe")
    o.page.select_option("#filter", "county.jishan")
    diag = diagnose_chain(probe_atlas, "ch.t.probe", county="county.jishan").by_id()
    assert o.js("chainMap.nodes.get('co.t.img').hidden") is True
    assert o.js("chainMap.nodes.get('co.t.script').hidden") is False
    assert o.js("chainMap.nodes.get('seg.t.raw').color.background") == \
        STATUS_COLOR[diag["seg.t.raw"].status]
    o.page.fill("#search", "部件")
    o.page.wait_for_function("document.getElementById('search-result').textContent !== ''")
    # 测试部件有限公司 is in 河津市, hidden under the 稷山县 filter: only the segment matches
    assert o.js("document.getElementById('search-result').textContent") == "找到 1 个"
    o.page.press("#search", "Enter")
    assert o.js("document.getElementById('panel').getAttribute('data-node')") == "seg.t.part"
    o.page.select_option("#filter", "")
    built = {n["id"]: n for n in vis_payload(chain_map(probe_atlas, "ch.t.probe"))["nodes"]}
    assert o.js("chainMap.nodes.get('seg.t.raw')") == built["seg.t.raw"]  # pyvis's look again
    o.page.fill("#search", "")
    o.page.fill("#search", "部件")
    assert o.js("document.getElementById('search-result').textContent") == "找到 2 个"
    o.shot("served-chain-filter-search")
    o.assert_clean()


def test_atlas_links_open_chain_maps_on_the_same_origin(open_map: Any, server: UvicornServer
                                                         ) -> None:
    o = open_map(server.url + "/maps/atlas")
    o.click_node("agg:ch.t.side")  # the overview starts aggregated: expand the family first
    assert o.js("chainMap.nodes.get('ch.t.side').hidden") is False
    o.click_node("ch.t.side")
    href = o.js("document.querySelector(\"#panel section[data-key='map'] a\").href")
    assert href == server.url + "/maps/chains/ch.t.side"
    o.page.click("#panel section[data-key='map'] a")
    o.page.wait_for_selector("body[data-ready='1']", state="attached", timeout=15000)
    assert o.js("chainMap.data.kind") == "chain"
    o.shot("served-atlas-link-to-chain")
    o.assert_clean()


def test_mini_export_works_offline(open_map: Any, tmp_path: Path, mini_atlas: Atlas) -> None:
    o = open_map(export(tmp_path, "mini", chain_map(mini_atlas, "ch.t.nylon")))
    assert drawn(o) == expected_nodes(mini_atlas, "chain", "ch.t.nylon")
    o.click_node("seg.t.cpl")
    assert any("山东华鲁恒升化工股份有限公司" in t for t in o.section("targets"))
    o.shot("export-mini-chain")
    o.assert_clean()


def test_seed_exports_load_and_largest_chain_answers_clicks(open_map: Any, tmp_path: Path,
                                                            seed_atlas: Atlas) -> None:
    chains = {c: len(expected_nodes(seed_atlas, "chain", c)) for c in seed_atlas.chains}
    largest = max(chains, key=lambda c: (chains[c], c))
    o = open_map(export(tmp_path, "largest", chain_map(seed_atlas, largest)))
    assert drawn(o) == expected_nodes(seed_atlas, "chain", largest)
    gaps = [s.segment_id for s in diagnose_chain(seed_atlas, largest).segments
            if s.status in ("missing", "broken")]
    with_targets = [s for s in gaps if rank_targets(seed_atlas, largest, s, top=5)]
    if with_targets:
        o.click_node(with_targets[0])
        recs = rank_targets(seed_atlas, largest, with_targets[0], top=5)
        assert [t.split(" ", 1)[1].startswith(r.name) for t, r in
                zip(o.section("targets"), recs, strict=True)] == [True] * len(recs)
    o.shot("export-seed-largest-chain")
    o.assert_clean()
    for kind, data in (("atlas", atlas_map(seed_atlas)), ("regions", regions_map(seed_atlas))):
        o = open_map(export(tmp_path, kind, data))
        assert drawn(o) == expected_nodes(seed_atlas, kind)
        o.shot(f"export-seed-{kind}")
        o.assert_clean()
