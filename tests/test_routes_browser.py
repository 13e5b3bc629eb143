"""The technology-route and application-field maps in real chromium (Playwright): served by a
real uvicorn process and exported as self-contained files; no console error, no dialog, no
request off the page's origin; the panel lists a route's firms and links the chain's maps."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.model import Atlas
from tests.conftest import FIXTURES
from tests.server import UvicornServer
from tests.test_maps_browser import CHROMIUM, browser, export, open_map
from visual.routes import application_map, route_map

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")]
__all__ = ["browser", "open_map"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UvicornServer]:
    root = tmp_path_factory.mktemp("routes-seeds") / "seeds"
    shutil.copytree(FIXTURES / "mini", root)
    (root / "routes").mkdir()
    shutil.copy(FIXTURES / "routes" / "carbon.yaml", root / "routes" / "carbon.yaml")
    with UvicornServer(tmp_path_factory.mktemp("routes-data"), root) as s:
        yield s


@pytest.mark.parametrize("path", ["/maps/chains/ch.t.carbon/routes",
                                  "/maps/chains/ch.t.nylon/applications"])
def test_served_route_and_application_maps_are_clean(open_map: Any, server: UvicornServer,
                                                     path: str) -> None:
    o = open_map(server.url + path)
    o.shot("served-" + path.rsplit("/", 1)[-1])
    assert o.js("chainMap.nodes.getIds().length") == o.js("chainMap.data.vis.nodes.length") > 0
    assert any(r.endswith("/maps/static/vis-network.min.js") for r in o.requests)
    o.assert_clean()


def test_route_panel_lists_firms_and_links_the_chain_maps(open_map: Any,
                                                          server: UvicornServer) -> None:
    o = open_map(server.url + "/maps/chains/ch.t.carbon/routes")
    o.click_node("route.t.pitch")
    assert o.section("firms") == ["测试沥青碳纤维"]
    hrefs = o.js("[...document.querySelectorAll(\"#panel section[data-key='views'] a\")]"
                 ".map(a => a.getAttribute('href'))")
    assert hrefs == ["/maps/chains/ch.t.carbon", "/maps/chains/ch.t.carbon/applications"]
    o.assert_clean()


@pytest.mark.parametrize(("kind", "chain"), [("routes", "ch.materials.carbon"),
                                             ("applications", "ch.coking.nylon")])
def test_exported_seed_maps_load_nothing_else(open_map: Any, tmp_path: Path, seed_atlas: Atlas,
                                              kind: str, chain: str) -> None:
    data = (route_map if kind == "routes" else application_map)(seed_atlas, chain)
    o = open_map(export(tmp_path, f"{kind}-{chain}", data))
    o.shot(f"export-{kind}")
    assert set(o.js("chainMap.nodes.getIds()")) == data.node_ids()
    o.assert_clean()
