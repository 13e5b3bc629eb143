"""Map pages as HTML: escaping, no outside references, the served routes and the CLI export."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import csp_for
from graph.loader import load_seeds
from graph.model import Atlas
from graph.service import AtlasService
from graph.settings import Settings
from graph.store.embedded import EmbeddedStore
from tests.conftest import API_KEY, FIXTURES
from visual.build import chain_map
from visual.network import vis_payload
from visual.overview import atlas_map, regions_map
from visual.render import asset_text, page_data, render_html, script_json, search_text

MAPS = FIXTURES / "maps"
PROBES = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>",
          "<svg onload=alert(4)>"]
DATA_BLOCK = re.compile(r'<script id="map-data" type="application/json">(.*?)</script>', re.S)
OUTSIDE = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def probe_atlas() -> Atlas:
    return load_seeds(MAPS)


@pytest.fixture
def probe_client(tmp_path: Path, probe_atlas: Atlas) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=MAPS, api_keys=[API_KEY])
    store = EmbeddedStore(settings.db_path)
    store.replace_all(probe_atlas)
    with TestClient(create_app(settings, AtlasService(store))) as c:
        yield c


def test_script_json_escapes_everything_that_could_end_the_block() -> None:
    text = script_json({"a": "</script><!-- & \u2028\u2029 >"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029 >"}


@pytest.mark.parametrize("kind", ["chain", "atlas", "regions"])
def test_probe_names_never_appear_raw_and_round_trip(probe_atlas: Atlas, kind: str) -> None:
    data = {"chain": lambda: chain_map(probe_atlas, "ch.t.probe"),
            "atlas": lambda: atlas_map(probe_atlas),
            "regions": lambda: regions_map(probe_atlas)}[kind]()
    page = render_html(data)
    for probe in PROBES:
        assert probe not in page
    blocks = DATA_BLOCK.findall(page)
    assert len(blocks) == 1
    page_json = json.loads(blocks[0])
    assert page_json == page_data(data)
    assert page_json["vis"] == vis_payload(data)
    assert [{"id": n.id, "label": n.label, "search": search_text(n.label, n.search)}
            for n in data.nodes] == \
        page_json["nodes"]  # looks only once: as vis-network options under "vis"
    rest = data.model_dump(mode="json", exclude={"nodes", "filters", "details"})
    assert {k: page_json[k] for k in rest} == rest
    full = data.model_dump(mode="json")
    assert page_json["details"] == full["details"]
    assert page_json["filters"] == [{k: v for k, v in f.items() if k != "restyle"}
                                    for f in full["filters"]]
    assert page.count("<script") == 3  # data, vis-network, map.js: nothing injected
    assert f"<title>{html.escape(data.title)}</title>" in page


def test_inline_page_references_no_outside_origin_and_pins_its_scripts(probe_atlas: Atlas
                                                                       ) -> None:
    page = render_html(chain_map(probe_atlas, "ch.t.probe"))
    assert not OUTSIDE.search(page)
    assert "sourceMappingURL" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    policy = html.unescape(csp.group(1))
    assert "connect-src 'none'" in policy and "default-src 'none'" in policy
    inline = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(inline) == 2
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert asset_text("vis-network.min.js") in page


def test_vendored_vis_network_has_its_licences() -> None:
    vendor = Path(__file__).parent.parent / "visual" / "static" / "vendor" / "vis-network"
    assert "Apache License" in (vendor / "LICENSE-APACHE-2.0").read_text(encoding="utf-8")
    assert "MIT" in (vendor / "LICENSE-MIT").read_text(encoding="utf-8")
    assert "@version 9.1.9" in asset_text("vis-network.min.js")[:400]


def test_served_chain_page(mini_client: TestClient) -> None:
    r = mini_client.get("/maps/chains/ch.t.nylon", params={"county": "county.hejin"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == csp_for(r.content)  # api/security.py
    assert '<script src="/maps/static/vis-network.min.js"></script>' in r.text
    assert not OUTSIDE.search(r.text)
    data = json.loads(DATA_BLOCK.findall(r.text)[0])
    assert data["initial_filter"] == "county.hejin" and data["links"] is True


@pytest.mark.parametrize(("path", "status"), [
    ("/maps/chains/ch.nope", 404), ("/maps/chains/ch.t.nylon?county=county.nope", 422),
    ("/maps/static/..%2Fbuild.py", 404), ("/maps/static/nope.js", 404)])
def test_served_errors(mini_client: TestClient, path: str, status: int) -> None:
    assert mini_client.get(path).status_code == status


@pytest.mark.parametrize("name", ["vis-network.min.js", "map.js", "map.css"])
def test_served_assets(mini_client: TestClient, name: str) -> None:
    r = mini_client.get(f"/maps/static/{name}")
    assert r.status_code == 200 and r.text == asset_text(name)
    assert r.headers["x-content-type-options"] == "nosniff"


def test_served_overview_pages_escape_probes(probe_client: TestClient) -> None:
    for path in ("/maps/atlas", "/maps/regions", "/maps/chains/ch.t.probe"):
        r = probe_client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-security-policy"] == csp_for(r.content)
        for probe in PROBES:
            assert probe not in r.text, (path, probe)
    title = probe_client.get("/maps/chains/ch.t.probe").text.split("</title>")[0]
    assert title.endswith("探针链&lt;b&gt;粗体&lt;/b&gt; 产业链图谱")


def run_cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ATLAS_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-m", "graph.cli", "map", *args, "--seeds",
                           str(MAPS)], capture_output=True, text=True, env=env, timeout=120)


def test_cli_writes_one_self_contained_file(tmp_path: Path) -> None:
    out = tmp_path / "out" / "probe.html"
    r = run_cli(["ch.t.probe", "-o", str(out), "--county", "county.jishan"], tmp_path)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    data = json.loads(DATA_BLOCK.findall(page)[0])
    assert data["initial_filter"] == "county.jishan"
    assert not OUTSIDE.search(page)
    for flag in ("--atlas", "--regions"):
        f = tmp_path / f"{flag[2:]}.html"
        assert run_cli([flag, "-o", str(f)], tmp_path).returncode == 0
        assert json.loads(DATA_BLOCK.findall(f.read_text(encoding="utf-8"))[0])["kind"] == \
            flag[2:]


@pytest.mark.parametrize("args", [["ch.nope"], [], ["ch.t.probe", "--atlas"],
                                  ["--atlas", "--county", "county.hejin"]])
def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "x.html"
    r = run_cli([*args, "-o", str(out)], tmp_path)
    assert r.returncode == 2
    assert "error" in r.stderr
    assert list(tmp_path.glob("*.html")) == [] and list(tmp_path.glob(".x.html*")) == []


@pytest.mark.parametrize("mode", ["local", "in_line"])
def test_pyvis_own_pages_are_not_offline(mode: str) -> None:
    """Why the page is ours: pyvis's 'local' and 'in_line' pages still load from CDNs."""
    network = pytest.importorskip("pyvis.network", reason="pyvis not installed")
    net = network.Network(cdn_resources=mode)
    net.add_node(1, label="焦化")
    assert OUTSIDE.search(net.generate_html())
