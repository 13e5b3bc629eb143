"""Smoke test against a real uvicorn process: seeds loaded on first start, reads, a write,
a restart that keeps it; and /docs rendered by Chromium with every outside request blocked."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from tests.conftest import API_KEY, MINI
from tests.server import UvicornServer

CHROMIUM = Path("/usr/bin/chromium")


def test_real_server_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "data"
    firm = {"id": "co.t.smoke", "name": "冒烟测试有限公司", "role": "local",
            "county": "county.jishan", "src": {"public": "冒烟测试"}}
    with UvicornServer(data, MINI, api_key=API_KEY) as server:
        api = httpx.Client(base_url=f"{server.url}/api/v1")
        health = api.get("/health").json()
        assert health["status"] == "ok" and health["counts"]["segment"] == 6
        assert [c["id"] for c in api.get("/chains").json()["data"]] == ["ch.t.nylon"]
        assert api.get("/search", params={"q": "hlhs"}).json()["data"][0]["id"] == "600426.SH"
        gaps = api.get("/chains/ch.t.nylon/gaps").json()
        assert len(gaps["segments"]) == 6
        assert api.post("/companies", json=firm).status_code == 401
        r = api.post("/companies", json=firm, headers={"X-API-Key": API_KEY})
        assert r.status_code == 201
        assert api.get("/companies/co.t.smoke").json()["company"]["name"] == "冒烟测试有限公司"
        assert httpx.get(f"{server.url}/docs").status_code == 200
        assert httpx.get(f"{server.url}/openapi.json").json()["openapi"].startswith("3.")
    with UvicornServer(data, MINI, api_key=API_KEY) as again:
        got = httpx.get(f"{again.url}/api/v1/companies/co.t.smoke")
        assert got.status_code == 200


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists() or shutil.which("chromium") is None,
                    reason="needs Debian chromium (scripts/setup.sh installs it)")
def test_docs_render_offline_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with UvicornServer(tmp_path / "data", MINI, api_key=API_KEY) as server, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page()

        def only_local(route, request) -> None:  # type: ignore[no-untyped-def]
            if request.url.startswith(server.url):
                route.continue_()
            else:
                blocked.append(request.url)
                route.abort()

        page.route("**/*", only_local)
        page.goto(f"{server.url}/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert "Chain Atlas" in page.inner_text(".swagger-ui .info .title")
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/api/v1/chains/{chain_id}/gaps" in p.replace("\u200b", "") for p in paths)
        browser.close()
    assert blocked == []
