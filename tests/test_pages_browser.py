"""The officer-facing pages and maps in Debian's chromium (Playwright, no browser download),
over a real uvicorn process serving the real seed atlas.

Every page is checked for script errors and requests off its own origin; clicks, filters,
search (Chinese and pinyin), the 390 px layout, the legend, the overview's expansion and
the briefing's print CSS are exercised. Screenshots go to tests/screenshots/ for review.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import SEEDS
from tests.server import UvicornServer

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at "
                                 "/usr/bin/chromium (scripts/setup.sh installs it)")]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

SHOTS = Path(__file__).parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


class Tab:
    """An open page, with what it requested and every script error."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def go(self, path: str) -> Tab:
        self.page.goto(self.base + path, timeout=300000)
        self.page.wait_for_selector("body[data-ready='1']", state="attached", timeout=300000)
        return self

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)

    def assert_clean(self) -> None:
        assert self.errors == []
        own = urlsplit(self.base)
        for r in self.requests:
            u = urlsplit(r)
            assert u.scheme in ("data", "blob", "about") or (u.scheme, u.netloc) == (
                own.scheme, own.netloc), f"outside request: {r}"

    def shot(self, name: str, full: bool = False) -> None:
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)

    def no_horizontal_scroll(self) -> None:
        width = self.js("document.documentElement.clientWidth")
        assert self.js("document.documentElement.scrollWidth") <= width


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UvicornServer]:
    s = UvicornServer(tmp_path_factory.mktemp("pages"), SEEDS)
    s.start(timeout=600)  # the real atlas: loading it can take minutes on a busy machine
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def tab(browser: Any, server: UvicornServer) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_(width: int = 1440, height: int = 900) -> Tab:
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  accept_downloads=True)
        contexts.append(ctx)
        return Tab(ctx.new_page(), server.url)

    yield open_
    for ctx in contexts:
        ctx.close()


def test_home_sorts_chains_and_search_reaches_a_profile_by_pinyin(tab: Any) -> None:
    t = tab().go("/")
    rows = "[...document.querySelectorAll('#chain-table tbody tr')]"
    n = t.js(f"{rows}.length")
    assert n > 20
    t.page.click("#chain-table th:nth-child(3)")  # 完整度, ascending
    first = t.js(f"{rows}.map(r => Number(r.cells[2].dataset.sort))")
    assert first == sorted(first)
    t.page.click("#chain-table th:nth-child(3)")
    assert t.js(f"{rows}.map(r => Number(r.cells[2].dataset.sort))") == sorted(first,
                                                                                reverse=True)
    t.shot("home-1440")
    t.page.fill("#q", "mhj")  # pinyin initials of 镁合金
    t.page.wait_for_selector("#suggest li a", timeout=10000)
    texts = t.js("[...document.querySelectorAll('#suggest li a')].map(a => a.textContent)")
    assert any("镁合金" in x for x in texts), texts
    t.shot("home-search-suggest")
    t.page.locator("#suggest li a", has_text="［环节］").first.click()
    t.page.wait_for_selector("body.kind-segment", timeout=30000)
    assert "/segment/" in t.page.url and "镁合金" in t.page.inner_text("h1")
    t.assert_clean()


def test_home_gap_links_to_segment_and_target_profiles(tab: Any) -> None:
    t = tab().go("/")
    t.page.click("#gaps ol.gaps > li:first-child .targets a >> nth=0")
    t.page.wait_for_selector("body.kind-company", timeout=15000)
    assert "企业画像" in t.page.inner_text(".hero")
    assert "作为招商目标" in t.page.inner_text("main")
    t.shot("company-profile-1440")
    t.assert_clean()


@pytest.mark.parametrize("path", ["/", "/chain/ch.materials", "/company/600426.SH",
                                  "/segment/seg.nylon.caprolactam", "/county/county.wenxi"])
def test_pages_fit_390px(tab: Any, path: str) -> None:
    t = tab(390, 844).go(path)
    t.no_horizontal_scroll()
    t.shot("m390" + path.replace("/", "-").replace(".", "_"))
    t.assert_clean()


def test_chain_page_county_filter_changes_the_headline(tab: Any) -> None:
    t = tab().go("/chain/ch.materials")
    assert t.page.inner_text("#headline").startswith("全市完整度")
    t.page.select_option("#county-select", "county.wenxi")
    t.page.click("form.filter button", no_wait_after=True)
    t.page.wait_for_url("**county=county.wenxi", timeout=300000)  # a cache miss on a busy CI
    t.page.wait_for_selector("body[data-ready='1']", state="attached", timeout=300000)
    assert t.page.inner_text("#headline").startswith("闻喜县完整度")
    t.shot("chain-materials-wenxi")
    t.assert_clean()


def test_chain_map_legend_headline_pinyin_and_panel(tab: Any) -> None:
    t = tab().go("/maps/chains/ch.materials")
    legend = t.js("document.getElementById('legend').getBoundingClientRect().toJSON()")
    net = t.js("document.getElementById('network').getBoundingClientRect().toJSON()")
    assert legend["top"] >= net["bottom"] - 0.5  # the legend never covers the drawing
    t.page.click("#legend summary")
    assert t.js("document.getElementById('legend').open") is False
    t.page.click("#legend summary")
    subtitle = t.page.inner_text("#subtitle")
    assert subtitle.startswith("全市完整度")
    t.page.select_option("#filter", "county.wenxi")
    assert t.page.inner_text("#subtitle").startswith("闻喜县完整度")
    tips = t.js("chainMap.nodes.get().filter(n => n.id.startsWith('seg.'))"
                ".map(n => n.title)")
    assert tips and all("全市" not in x for x in tips)
    t.page.select_option("#filter", "")
    assert t.page.inner_text("#subtitle") == subtitle
    t.page.fill("#search", "mhj")
    t.page.wait_for_function("document.getElementById('search-result').textContent !== ''")
    assert t.page.inner_text("#search-result").startswith("找到")
    t.page.press("#search", "Enter")
    t.page.wait_for_selector("#panel:not([hidden])")
    body = t.page.inner_text("#panel")
    for code in ("no_local_firm", "single_firm", "anchored", "cuts_chain", "dense"):
        assert code not in body
    t.js("chainMap.openPanel('seg.alloy.smelting')")
    links = t.js("[...document.querySelectorAll('#panel a')].map(a => a.getAttribute('href'))")
    assert any(h.startswith("/segment/") for h in links)
    t.shot("chain-materials-map")
    svg = t.js("fetch(document.getElementById('export-svg').href).then(r => r.text())")
    assert svg.startswith("<svg") and "铜冶炼" in svg
    with t.page.expect_download() as dl:
        t.page.click("#export-png")
    assert dl.value.suggested_filename.endswith(".png")
    t.assert_clean()


def test_overview_is_legible_and_expands_on_click(tab: Any) -> None:
    t = tab().go("/maps/atlas")
    shown = t.js("chainMap.nodes.get().filter(n => !n.hidden).map(n => n.id)")
    assert shown and all(i.startswith("agg:") for i in shown)
    px = t.js("Math.min(...chainMap.nodes.get().filter(n => !n.hidden)"
              ".map(n => n.font.size)) * chainMap.network.getScale()")
    assert px >= 11, f"labels {px:.1f} px at the default zoom"
    t.shot("atlas-overview")
    agg = "agg:ch.materials"
    pos = t.js("""id => { const n = chainMap.network; const c = n.canvasToDOM(n.getPosition(id));
        const r = document.getElementById('network').getBoundingClientRect();
        return {x: r.left + c.x, y: r.top + c.y}; }""", agg)
    t.page.mouse.click(pos["x"], pos["y"])
    t.page.wait_for_selector("#back:not([hidden])", timeout=5000)
    visible = set(t.js("chainMap.nodes.get().filter(n => !n.hidden).map(n => n.id)"))
    assert "ch.materials" in visible and not any(i.startswith("agg:") for i in visible)
    t.shot("atlas-expanded-materials")
    t.page.click("#back")
    assert all(i.startswith("agg:") for i in
               t.js("chainMap.nodes.get().filter(n => !n.hidden).map(n => n.id)"))
    t.assert_clean()


def test_regions_map_draws_county_outlines_and_a_chain_choropleth(tab: Any) -> None:
    t = tab().go("/maps/regions")
    assert t.js("chainMap.data.shapes.length") == t.js(
        "chainMap.nodes.get().filter(n => n.id.startsWith('county.')).length")
    t.shot("regions-outlines")
    t.page.select_option("#filter", "ch.materials")
    assert t.page.inner_text("#subtitle").startswith("新材料")
    fills = t.js("Object.keys(chainMap.data.filters.find(f => f.id === 'ch.materials').fills)")
    assert len(fills) == t.js("chainMap.data.shapes.length")
    t.shot("regions-choropleth-materials")
    t.page.fill("#search", "yhq")  # 盐湖区 by initials
    t.page.wait_for_function("document.getElementById('search-result').textContent !== ''")
    assert t.page.inner_text("#search-result").startswith("找到")
    t.assert_clean()


def test_briefing_prints_without_the_site_chrome(tab: Any, tmp_path: Path) -> None:
    t = tab().go("/brief/segment/ch.coking.nylon/seg.nylon.caprolactam")
    assert t.page.is_visible(".top")
    t.page.emulate_media(media="print")
    assert not t.page.is_visible(".top") and not t.page.is_visible("#print-btn")
    t.page.emulate_media(media="screen")
    t.shot("brief-caprolactam", full=True)
    t.assert_clean()
    if shutil.which("chromium") or CHROMIUM.exists():
        r = t.page.request.get(t.base + "/brief/chain/ch.coking.nylon.pdf", timeout=120000)
        assert r.status == 200 and r.body()[:5] == b"%PDF-"
