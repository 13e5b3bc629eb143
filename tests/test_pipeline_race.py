"""No lost stage changes across processes: two real uvicorn servers on one data directory,
a server plus the CLI, and stale whole-record updates racing moves. Every change that was
confirmed (HTTP 200 / exit 0) must be in the project's history at the end."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import API_KEY, MINI
from tests.server import ROOT, UvicornServer

KEY = {"X-API-Key": API_KEY}
SRC = {"public": "竞态测试", "as_of": "2026-01-01"}
RACES = 24


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[UvicornServer, ...]]:
    data = tmp_path_factory.mktemp("race")
    a = UvicornServer(data, MINI, api_key=API_KEY, log=data / "a.log").start()
    b = UvicornServer(data, MINI, api_key=API_KEY, log=data / "b.log")
    try:
        b.start()
        yield a, b
    finally:
        b.stop()
        a.stop()


def new_project(url: str, pid: str) -> None:
    r = httpx.post(f"{url}/api/v1/projects", headers=KEY, timeout=60, json={
        "id": pid, "name": f"竞态项目{pid}", "investor": "某公司", "stage": "签约",
        "stage_date": "2026-01-01", "src": SRC})
    assert r.status_code == 201, r.text


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together."""
    gate = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def go(i: int) -> None:
        gate.wait()
        out[i] = calls[i]()
    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def move(url: str, pid: str, stage: str, by: str, reason: str = "") -> int:
    r = httpx.post(f"{url}/api/v1/projects/{pid}/stage", headers=KEY, timeout=60,
                   json={"stage": stage, "by": by, "reason": reason, "date": "2026-02-01"})
    assert r.status_code in (200, 409, 422), r.text
    return r.status_code


def history(url: str, pid: str) -> list[tuple[str | None, str, str]]:
    r = httpx.get(f"{url}/api/v1/projects/{pid}/history", timeout=60)
    return [(h["from_stage"], h["to_stage"], h["by"]) for h in r.json()]


def lost(h: list[tuple[str | None, str, str]], confirmed: list[tuple[str, str]]) -> int:
    """Confirmed changes (to stage, by) missing from the history."""
    return sum(1 for to, by in confirmed if not any(x[1] == to and x[2] == by for x in h))


def test_two_servers_lose_no_confirmed_transition(servers: tuple[UvicornServer, ...]) -> None:
    a, b = servers
    total_lost, both_ok = 0, 0
    for i in range(RACES):
        pid = f"proj.race.s{i}"
        new_project(a.url, pid)
        # half the races: the same move from both (one must be refused); half: 开工 vs 终止
        # (both valid in either order, so both may be confirmed and both must be kept)
        other = ("开工", "") if i % 2 == 0 else ("终止", "企业撤资")
        codes = at_once(partial(move, a.url, pid, "开工", "甲服务器"),
                        partial(move, b.url, pid, other[0], "乙服务器", other[1]))
        confirmed = [(to, by) for code, (to, by) in zip(
            codes, [("开工", "甲服务器"), (other[0], "乙服务器")], strict=True) if code == 200]
        both_ok += len(confirmed) == 2
        h = history(a.url, pid)
        assert history(b.url, pid) == h
        total_lost += lost(h, confirmed)
        if i % 2 == 0:
            assert sorted(codes) == [200, 422], codes  # the same move cannot happen twice
    print(f"\n{RACES} two-server races, {both_ok} with both moves confirmed, "
          f"{total_lost} confirmed changes lost")
    assert total_lost == 0


def test_server_and_cli_lose_no_confirmed_transition(servers: tuple[UvicornServer, ...]
                                                     ) -> None:
    a, _ = servers
    env = {**a.env}
    total_lost = 0
    for i in range(4):
        pid = f"proj.race.c{i}"
        new_project(a.url, pid)

        def cli(pid: str = pid) -> int:
            return subprocess.run(
                [sys.executable, "-m", "graph.cli", "pipeline", "move", pid, "终止", "--by",
                 "命令行", "--reason", "测试终止", "--at", "2026-02-01"],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120).returncode

        def server(pid: str = pid) -> int:
            return move(a.url, pid, "开工", "服务器")
        codes = at_once(cli, server)
        confirmed = ([("终止", "命令行")] if codes[0] == 0 else []) + (
            [("开工", "服务器")] if codes[1] == 200 else [])
        assert confirmed, codes
        total_lost += lost(history(a.url, pid), confirmed)
    assert total_lost == 0


def test_stale_put_never_overwrites_a_confirmed_move(servers: tuple[UvicornServer, ...]) -> None:
    a, b = servers
    total_lost = 0
    for i in range(12):
        pid = f"proj.race.p{i}"
        new_project(a.url, pid)
        stale = httpx.get(f"{a.url}/api/v1/projects/{pid}", timeout=60).json()
        stale["name"] = "改名"

        def put(pid: str = pid, stale: dict[str, Any] = stale) -> int:
            return httpx.put(f"{b.url}/api/v1/projects/{pid}", headers=KEY, json=stale,
                             timeout=60).status_code
        codes = at_once(partial(move, a.url, pid, "开工", "专班"), put)
        now = httpx.get(f"{a.url}/api/v1/projects/{pid}", timeout=60).json()
        if codes[0] == 200:
            total_lost += now["stage"] != "开工"
        if codes[1] == 200:
            assert now["name"] == "改名"
        assert codes[1] in (200, 409, 422), codes
        assert codes[0] == 200 or codes[1] == 200
    assert total_lost == 0


def test_stale_rev_is_refused_with_409(servers: tuple[UvicornServer, ...]) -> None:
    a, b = servers
    new_project(a.url, "proj.race.rev")
    old = httpx.get(f"{a.url}/api/v1/projects/proj.race.rev", timeout=60).json()
    assert move(b.url, "proj.race.rev", "开工", "专班") == 200
    r = httpx.put(f"{a.url}/api/v1/projects/proj.race.rev", headers=KEY, json=old, timeout=60)
    assert r.status_code == 409 and "stale_rev" in r.json()["error"]["message"]
    r = httpx.post(f"{a.url}/api/v1/projects/proj.race.rev/stage", headers=KEY, timeout=60,
                   json={"stage": "投产", "by": "专班", "rev": old["rev"]})
    assert r.status_code == 409


def test_campaign_updates_are_compare_and_set(servers: tuple[UvicornServer, ...]) -> None:
    a, b = servers
    body = {"id": "camp.race", "name": "竞态行动", "team": "专班", "chain": "ch.t.nylon",
            "started_on": "2026-01-01", "src": SRC}
    assert httpx.post(f"{a.url}/api/v1/campaigns", headers=KEY, json=body,
                      timeout=60).status_code == 201
    base = httpx.get(f"{a.url}/api/v1/campaigns/camp.race", timeout=60).json()

    def put(url: str, step: str) -> int:
        mine = {**base, "description": step}
        return httpx.put(f"{url}/api/v1/campaigns/camp.race", headers=KEY, json=mine,
                         timeout=60).status_code
    codes = at_once(lambda: put(a.url, "甲"), lambda: put(b.url, "乙"))
    assert sorted(codes) == [200, 409], codes  # both read rev 0; only one may write
    now = httpx.get(f"{a.url}/api/v1/campaigns/camp.race", timeout=60).json()
    assert now["rev"] == 1 and now["description"] in ("甲", "乙")


def test_env_is_shared(servers: tuple[UvicornServer, ...]) -> None:
    a, b = servers
    assert a.env["ATLAS_DATA_DIR"] == b.env["ATLAS_DATA_DIR"]
    assert os.path.exists(Path(a.env["ATLAS_DATA_DIR"]) / "atlas.sqlite")
