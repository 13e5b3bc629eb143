"""Durability and concurrency of writes over HTTP against a real uvicorn process on the
embedded store: 20 concurrent writers x 200 writes lose nothing and duplicate nothing; a
restart keeps everything; a kill -9 in the middle of writes leaves a consistent store that
holds every acknowledged write."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from graph.integrity import entity_refs_missing, relation_refs_missing
from graph.loader import load_seeds
from graph.model import ENTITY_TYPES, RELATION_TYPES
from graph.store.embedded import EmbeddedStore
from tests.conftest import API_KEY, MINI
from tests.server import UvicornServer

WRITERS, WRITES = 20, 200
SRC = {"public": "并发测试", "as_of": "2026-11-01"}
HEADERS = {"X-API-Key": API_KEY}
MINI_COUNTS = load_seeds(MINI).counts()
MINI_COMPANIES, MINI_OPERATES = MINI_COUNTS["company"], MINI_COUNTS["operates"]


def firm(cid: str) -> dict[str, object]:
    return {"id": cid, "name": f"并发测试企业{cid}", "role": "target", "province": "山西省",
            "src": SRC}


def write_pair(client: httpx.Client, cid: str) -> None:
    """Two writes: a firm, then its operates relation; both must succeed."""
    r = client.post("/api/v1/companies", json=firm(cid))
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/relations/operates",
                    json={"company": cid, "segment": "seg.t.pa6", "src": SRC})
    assert r.status_code == 201, r.text


def writer(url: str, w: int) -> list[int]:
    """WRITES writes by writer ``w``, plus one contested create of a shared id."""
    with httpx.Client(base_url=url, headers=HEADERS, timeout=120) as client:
        contested = client.post("/api/v1/companies", json=firm("co.t.shared")).status_code
        for i in range(WRITES // 2):
            write_pair(client, f"co.t.w{w:02d}-{i:03d}")
    return [contested]


def check_store(db: Path) -> EmbeddedStore:
    """Integrity of the SQLite file and of every entity and relation in it."""
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    store = EmbeddedStore(db)  # parses every stored entity and relation
    atlas = store.snapshot()
    for kind in ENTITY_TYPES:
        for e in atlas.entities(kind).values():
            assert entity_refs_missing(atlas, kind, e.model_dump()) == [], e.id
    for kind in RELATION_TYPES:
        for r in atlas.relations(kind):
            assert relation_refs_missing(atlas, r) == [], r
    return store


@pytest.mark.slow
def test_concurrent_writers_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with UvicornServer(data, MINI, api_key=API_KEY) as server, \
            ThreadPoolExecutor(WRITERS) as pool:
        contested = [c for f in [pool.submit(writer, server.url, w) for w in range(WRITERS)]
                     for c in f.result()]
        assert sorted(contested) == [201] + [409] * (WRITERS - 1)
        stats = httpx.get(f"{server.url}/api/v1/stats").json()
    expected = {f"co.t.w{w:02d}-{i:03d}" for w in range(WRITERS) for i in range(WRITES // 2)}
    assert stats["company"] == MINI_COMPANIES + len(expected) + 1
    assert stats["operates"] == MINI_OPERATES + len(expected)
    store = check_store(data / "atlas.sqlite")
    atlas = store.snapshot()
    assert expected | {"co.t.shared"} <= set(atlas.companies)
    ops = [r.company for r in atlas.operates if r.company in expected]
    assert sorted(ops) == sorted(expected)  # each exactly once
    store.close()
    # A restart serves everything again (and does not reload the seeds over it).
    with UvicornServer(data, MINI, api_key=API_KEY) as again:
        assert httpx.get(f"{again.url}/api/v1/stats").json() == stats
        page = httpx.get(f"{again.url}/api/v1/companies",
                         params={"limit": 1000, "offset": 1000}).json()
        assert page["count"] == stats["company"]


def test_kill_9_mid_writes_keeps_a_consistent_store(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = UvicornServer(data, MINI, api_key=API_KEY).start()
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def hammer(w: int) -> None:
        with httpx.Client(base_url=server.url, headers=HEADERS, timeout=10) as client:
            for i in range(100_000):
                if stop.is_set():
                    return
                cid = f"co.t.k{w}-{i:05d}"
                try:
                    write_pair(client, cid)
                except (httpx.TransportError, AssertionError):
                    return
                with lock:
                    acked.append(cid)

    threads = [threading.Thread(target=hammer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acked) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()  # SIGKILL while the writers are still writing
    stop.set()
    for t in threads:
        t.join(30)
    assert len(acked) >= 60
    store = check_store(data / "atlas.sqlite")
    atlas = store.snapshot()
    lost = [c for c in acked if c not in atlas.companies]
    assert lost == []
    operated = {r.company for r in atlas.operates}
    assert all(c in operated for c in acked)
    store.close()
    with UvicornServer(data, MINI, api_key=API_KEY) as again:
        stats = httpx.get(f"{again.url}/api/v1/stats").json()
        assert stats["company"] >= MINI_COMPANIES + len(acked)
        write_pair(httpx.Client(base_url=again.url, headers=HEADERS), "co.t.after-kill")
