"""Login, a cookie-authenticated write with and without the CSRF token, and logout, in
Debian's chromium against a real uvicorn process with reads closed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.accounts import Accounts, Scope
from graph.settings import Settings
from tests.conftest import MINI
from tests.server import UvicornServer

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium")]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "correct-horse-battery"

WRITE = """async ([csrf, body]) => {
  const headers = {"Content-Type": "application/json"};
  if (csrf !== null) headers["X-CSRF-Token"] = csrf;
  const r = await fetch("/api/v1/projects", {method: "POST", headers, body});
  return r.status;
}"""


def test_login_write_with_csrf_and_logout_in_a_browser(tmp_path: Path) -> None:
    data = tmp_path / "data"
    acc = Accounts(Settings(data_dir=data).accounts_path)
    acc.add_user("member", "专班成员乙", "member", Scope(chains=["ch.t.nylon"]), PASSWORD)
    project = {"id": "proj.t.browser", "name": "浏览器测试项目", "investor": "某公司",
               "segments": ["seg.t.pa6"], "stage": "线索",
               "src": {"public": "测试", "as_of": "2026-11-01"}}
    with UvicornServer(data, MINI, env={"ATLAS_READ_OPEN": "false"}) as server, \
            sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server.url}/maps/chains/ch.t.nylon")
        assert "/login" in page.url  # a closed page sends the officer to log in
        page.fill("input[name=name]", "member")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/maps/chains/ch.t.nylon")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "auth-after-login.png"))
        csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "atlas_csrf")
        body = json.dumps(project, ensure_ascii=False)
        assert page.evaluate(WRITE, [None, body]) == 403
        assert page.evaluate(WRITE, ["forged", body]) == 403
        assert page.evaluate(WRITE, [csrf, body]) == 201
        assert page.evaluate("fetch('/api/v1/me').then(r => r.json())")["name"] == "member"
        page.evaluate("fetch('/logout', {method: 'POST'})")
        status = page.evaluate("fetch('/api/v1/chains').then(r => r.status)")
        assert status == 401
        browser.close()
        assert errors == []
    rows, total = acc.audit()
    assert total == 1 and rows[0].actor == "member" and rows[0].target == "proj.t.browser"
