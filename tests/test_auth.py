"""Accounts, roles, permissions, audit and hardening of the API (issue: accounts and audit).

A role matrix over every generic write route (allowed and refused), one audit record per
successful write and none for a refused one, login/logout/CSRF through the cookie, the
login rate limit, CSP on pages, docs behind the read setting, and redaction."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import csp_for, redact
from graph.accounts import Accounts, Scope
from graph.model import ENTITY_TABLE
from graph.service import AtlasService
from graph.settings import Settings
from graph.store.embedded import EmbeddedStore
from tests.apikit import api_atlas
from tests.conftest import API_KEY, MINI
from tests.test_api_writes import CREATE, example

V = "/api/v1"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[TestClient, Accounts, dict[str, str]]]:
    conf = Settings(data_dir=tmp_path / "data", seeds_dir=MINI, api_keys=[API_KEY])
    store = EmbeddedStore(conf.db_path)
    store.replace_all(api_atlas())
    acc = Accounts(conf.accounts_path)
    acc.add_user("admin", "管理员甲", "admin", password=PASSWORD)
    acc.add_user("member", "专班成员乙", "member", Scope(teams=["尼龙专班"]), PASSWORD)
    acc.add_user("viewer", "只读丙", "viewer", password=PASSWORD)
    keys = {n: acc.add_key(n) for n in ("admin", "member", "viewer")}
    with TestClient(create_app(conf, AtlasService(store, acc))) as c:
        yield c, acc, keys


def _h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def _in_scope_project(pid: str = "proj.t.member") -> dict[str, Any]:
    return example("project", id=pid, segments=["seg.t.pa6"], county="county.jishan",
                   park=None, team="尼龙专班", investor_id=None)


def test_role_matrix_over_every_entity_write_route(
        env: tuple[TestClient, Accounts, dict[str, str]]) -> None:
    c, acc, keys = env
    for kind, body in CREATE:
        plural = ENTITY_TABLE[kind]
        assert c.post(f"{V}/{plural}", json=body).status_code == 401, kind
        assert c.post(f"{V}/{plural}", json=body, headers=_h(keys["viewer"])
                      ).status_code == 403, kind
        if kind != "project":
            assert c.post(f"{V}/{plural}", json=body, headers=_h(keys["member"])
                          ).status_code == 403, kind
        r = c.post(f"{V}/{plural}", json=body, headers=_h(keys["admin"]))
        assert r.status_code == 201, (kind, r.text)
        changed = {**body, "name": body.get("name", kind) + "（改）"}
        for who, status in (("viewer", 403), ("admin", 200)):
            if kind == "project" and who == "member":
                continue
            assert c.put(f"{V}/{plural}/{body['id']}", json=changed, headers=_h(keys[who])
                         ).status_code == status, (kind, who)
    for kind, body in reversed(CREATE):
        plural = ENTITY_TABLE[kind]
        assert c.delete(f"{V}/{plural}/{body['id']}", headers=_h(keys["viewer"])
                        ).status_code == 403
        assert c.delete(f"{V}/{plural}/{body['id']}", headers=_h(keys["admin"])
                        ).status_code == 200, kind
    rows, total = acc.audit(limit=1000)
    assert total == 3 * len(CREATE)  # one create, one update, one delete per kind
    assert {r.action for r in rows} == {"create", "update", "delete"}
    assert all(r.actor == "admin" and r.entry == "api" for r in rows)


def test_members_change_only_their_scope(
        env: tuple[TestClient, Accounts, dict[str, str]]) -> None:
    c, acc, keys = env
    mine = _in_scope_project()
    theirs = {**_in_scope_project("proj.t.theirs"), "team": "钢铁专班", "county": None,
              "segments": []}
    assert c.post(f"{V}/projects", json=mine, headers=_h(keys["member"])).status_code == 201
    assert c.post(f"{V}/projects", json=theirs, headers=_h(keys["member"])).status_code == 403
    moved_out = {**mine, "team": "钢铁专班", "county": None, "segments": []}
    assert c.put(f"{V}/projects/{mine['id']}", json=moved_out, headers=_h(keys["member"])
                 ).status_code == 403
    rel = {"company": "co.t.local-nylon", "segment": "seg.t.cpl",
           "src": {"public": "测试", "as_of": "2026-11-01"}}
    assert c.post(f"{V}/relations/operates", json=rel, headers=_h(keys["member"])
                  ).status_code == 403
    rows, total = acc.audit()
    assert total == 1 and rows[0].actor == "member" and rows[0].after["id"] == mine["id"]


def test_each_relation_write_leaves_one_audit_record(
        env: tuple[TestClient, Accounts, dict[str, str]]) -> None:
    c, acc, keys = env
    rel = {"company": "co.t.local-nylon", "segment": "seg.t.cpl",
           "src": {"public": "测试", "as_of": "2026-11-01"}}
    assert c.post(f"{V}/relations/operates", json=rel, headers=_h(keys["admin"])
                  ).status_code == 201
    assert c.post(f"{V}/relations/operates", json=rel, headers=_h(keys["admin"])
                  ).status_code == 409  # refused: no record
    assert c.delete(f"{V}/relations/operates", params={
        "company": "co.t.local-nylon", "segment": "seg.t.cpl"}, headers=_h(keys["admin"])
    ).status_code == 200
    rows, total = acc.audit()
    assert total == 2
    assert [r.action for r in rows] == ["unrelate", "relate"]
    assert rows[1].target == "co.t.local-nylon→seg.t.cpl"


def test_audit_is_append_only_and_admin_only(
        env: tuple[TestClient, Accounts, dict[str, str]]) -> None:
    import sqlite3

    c, acc, keys = env
    c.post(f"{V}/projects", json=_in_scope_project(), headers=_h(keys["member"]))
    db = sqlite3.connect(acc.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET actor='x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")
    db.close()
    assert c.get(f"{V}/audit", headers=_h(keys["member"])).status_code == 403
    page = c.get(f"{V}/audit", headers=_h(keys["admin"])).json()
    assert page["count"] == 1 and page["data"][0]["actor_name"] == "专班成员乙"
    x = c.get(f"{V}/audit.xlsx", headers=_h(keys["admin"]))
    assert x.status_code == 200 and x.content[:2] == b"PK"
    html = c.get("/audit", headers=_h(keys["admin"]))
    assert html.status_code == 200 and "专班成员乙" in html.text


def test_login_session_csrf_and_logout(
        env: tuple[TestClient, Accounts, dict[str, str]]) -> None:
    c, acc, _ = env
    r = c.post("/login", content="name=member&password=wrong-password&next=/",
               headers={"Content-Type": "application/x-www-form-urlencoded"},
               follow_redirects=False)
    assert r.status_code == 303 and "error" in r.headers["location"]
    r = c.post("/login", content=f"name=member&password={PASSWORD}&next=//evil.example/",
               headers={"Content-Type": "application/x-www-form-urlencoded"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    csrf = c.cookies.get("atlas_csrf")
    assert csrf and c.cookies.get("atlas_session")
    assert c.get(f"{V}/me").json()["name"] == "member"
    body = _in_scope_project()
    assert c.post(f"{V}/projects", json=body).status_code == 403  # no CSRF header
    assert c.post(f"{V}/projects", json=body, headers={"X-CSRF-Token": "forged"}
                  ).status_code == 403
    assert c.post(f"{V}/projects", json=body, headers={"X-CSRF-Token": csrf}
                  ).status_code == 201
    assert acc.audit()[1] == 1
    c.post("/logout", follow_redirects=False)
    c.cookies.clear()
    assert c.get(f"{V}/me").json()["via"] == "anonymous"


def test_login_attempts_are_rate_limited(
        env: tuple[TestClient, Accounts, dict[str, str]]) -> None:
    c, _, _ = env
    codes = [c.post("/login", content="name=viewer&password=wrong-guess-xx",
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    follow_redirects=False).status_code for _ in range(7)]
    assert codes[:5] == [303] * 5 and codes[-1] == 429


def test_closed_reads_close_docs_and_pages_but_the_cookie_opens_them(tmp_path: Path) -> None:
    conf = Settings(data_dir=tmp_path / "data", seeds_dir=MINI, read_open=False)
    store = EmbeddedStore(conf.db_path)
    store.replace_all(api_atlas())
    acc = Accounts(conf.accounts_path)
    acc.add_user("viewer", "只读丙", "viewer", password=PASSWORD)
    with TestClient(create_app(conf, AtlasService(store, acc))) as c:
        for path in ("/openapi.json", "/docs", f"{V}/chains", "/maps/chains/ch.t.nylon"):
            assert c.get(path).status_code == 401, path
        c.post("/login", content=f"name=viewer&password={PASSWORD}",
               headers={"Content-Type": "application/x-www-form-urlencoded"})
        for path in ("/openapi.json", "/docs", f"{V}/chains", "/maps/chains/ch.t.nylon"):
            assert c.get(path).status_code == 200, path
        page = c.get("/maps/chains/ch.t.nylon")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"


def test_csp_hashes_inline_scripts_only() -> None:
    csp = csp_for(b'<script src="/a.js"></script><script type="application/json">{}</script>'
                  b"<script>boot()</script>")
    assert csp.count("sha256-") == 1 and "'unsafe-inline'" not in csp.split("style-src")[0]


def test_credentials_are_redacted() -> None:
    assert redact('127.0.0.1 - "GET /api/v1/x?x-api-key=abc&token=t HTTP/1.1"') == (
        '127.0.0.1 - "GET /api/v1/x?x-api-key=***&token=*** HTTP/1.1"')
    assert copy.copy(redact("/maps?q=mhj")) == "/maps?q=mhj"


def test_a_stalled_body_times_out_and_keys_never_reach_the_access_log(tmp_path: Path) -> None:
    import socket

    import httpx

    from tests.server import UvicornServer

    env = {"ATLAS_BODY_TIMEOUT_SECONDS": "1"}
    with UvicornServer(tmp_path / "data", MINI, api_key=API_KEY, env=env,
                       access_log=True) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
            s.sendall(b"POST /api/v1/chains HTTP/1.1\r\nHost: x\r\nContent-Type: "
                      b"application/json\r\nContent-Length: 100\r\n\r\n{\"id\":")
            reply = s.recv(4096)
        assert reply.startswith(b"HTTP/1.1 408"), reply[:80]
        httpx.get(f"{server.url}/api/v1/chains", params={"api_key": "s3cret-in-url"})
        httpx.get(f"{server.url}/api/v1/chains?x-api-key=another-secret")
    log = server.log.read_text()
    assert "/api/v1/chains?api_key=***" in log
    assert "s3cret-in-url" not in log and "another-secret" not in log


def test_pipeline_write_routes_by_role_with_one_audit_record_each(
        env: tuple[TestClient, Accounts, dict[str, str]]) -> None:
    from tests.test_api_pipeline import ledger

    c, acc, keys = env
    member, viewer, admin = (_h(keys[n]) for n in ("member", "viewer", "admin"))
    # stage move: the fixture project proj.t.pa6 has no team; the member's scope is a team
    move = {"stage": "签约", "by": "张三"}
    assert c.post(f"{V}/projects/proj.t.pa6/stage", json=move).status_code == 401
    assert c.post(f"{V}/projects/proj.t.pa6/stage", json=move, headers=viewer).status_code == 403
    assert c.post(f"{V}/projects/proj.t.pa6/stage", json=move, headers=member).status_code == 403
    assert c.post(f"{V}/projects/proj.t.pa6/stage", json=move, headers=admin).status_code == 200
    mine = _in_scope_project()
    assert c.post(f"{V}/projects", json=mine, headers=member).status_code == 201
    assert c.post(f"{V}/projects/{mine['id']}/stage", json={"stage": "签约", "by": "乙"},
                  headers=member).status_code == 200
    # ledger import: the member's rows have no team in its scope → refused, nothing written
    data = ledger([["XM-2026-901", "台账测试项目", "测试投资方", "", "稷山县", "尼龙6",
                    5, "洽谈", "2026/11/01"]])
    xlsx = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    assert c.post(f"{V}/pipeline/import", params={"by": "乙"}, content=data,
                  headers={**xlsx, **viewer}).status_code == 403
    r = c.post(f"{V}/pipeline/import", params={"by": "甲"}, content=data,
               headers={**xlsx, **admin})
    assert r.status_code == 200, r.text
    # campaigns: a member may start one for its team, not for another
    body = {"id": "camp.t.mine", "name": "尼龙补链", "team": "尼龙专班", "chain": "ch.t.nylon",
            "segments": ["seg.t.cpl"], "targets": [], "started_on": "2026-01-01",
            "src": {"public": "专班立项", "as_of": "2026-01-01"}}
    other = {**body, "id": "camp.t.other", "team": "钢铁专班", "chain": "ch.t.steel"}
    assert c.post(f"{V}/campaigns", json=other, headers=member).status_code in (403, 422)
    assert c.post(f"{V}/campaigns", json=body, headers=member).status_code == 201
    rows, total = acc.audit(limit=100)
    actions = sorted((r.actor, r.entry, r.action, r.target) for r in rows)
    assert total == 5
    assert actions == sorted([
        ("admin", "api", "stage", "proj.t.pa6"),
        ("member", "api", "create", "proj.t.member"),
        ("member", "api", "stage", "proj.t.member"),
        ("admin", "ledger", "import", rows[[r.action for r in rows].index("import")].target),
        ("member", "api", "create", "camp.t.mine"),
    ])


def test_cli_writes_are_audited(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "ATLAS_DATA_DIR": str(tmp_path / "data"), "ATLAS_SEEDS_DIR": str(MINI)}
    run = [sys.executable, "-m", "graph.cli"]
    assert subprocess.run([*run, "load"], env=env, capture_output=True, timeout=300
                          ).returncode == 0
    store = EmbeddedStore(tmp_path / "data" / "atlas.sqlite")
    project = example("project", id="proj.t.cli", segments=["seg.t.pa6"], county=None,
                      park=None, investor_id=None, stage="线索", stage_date=None)
    from graph.model import Project

    store.create(Project.model_validate(project))
    store.close()
    r = subprocess.run([*run, "pipeline", "move", "proj.t.cli", "对接", "--by", "张三"],
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    acc = Accounts(Settings(data_dir=tmp_path / "data").accounts_path)
    rows, _ = acc.audit()
    assert [(x.entry, x.action, x.actor_name) for x in rows] == [
        ("cli", "stage", "张三"), ("cli", "load", rows[1].actor_name)]
    assert rows[0].before["stage"] == "线索" and rows[0].after["stage"] == "对接"
