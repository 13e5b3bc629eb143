"""Embedded store durability: restart, idempotent reload, kill -9 mid-write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from graph.integrity import entity_refs_missing, relation_refs_missing
from graph.model import Atlas, Company, Operates
from graph.store.embedded import EmbeddedStore

SRC = {"public": "测试", "as_of": "2026-11-01"}


def test_writes_survive_restart(tmp_path: Path, mini_atlas: Atlas) -> None:
    db = tmp_path / "a.sqlite"
    s = EmbeddedStore(db)
    s.replace_all(mini_atlas)
    s.create(Company(id="co.t.new", name="新企业", role="local", county="county.jishan", src=SRC))
    s.add_relation(Operates(company="co.t.new", segment="seg.t.pa6", src=SRC))
    before = s.counts()
    s.close()
    again = EmbeddedStore(db)
    assert again.counts() == before
    assert again.get("co.t.new") is not None
    assert again.snapshot().companies["co.t.new"].name == "新企业"
    again.close()


def test_reload_is_idempotent(tmp_path: Path, mini_atlas: Atlas) -> None:
    s = EmbeddedStore(tmp_path / "a.sqlite")
    s.replace_all(mini_atlas)
    first = s.counts()
    s.replace_all(mini_atlas)
    assert s.counts() == first == mini_atlas.counts()
    assert s.snapshot().model_dump() == mini_atlas.model_dump()
    s.close()


def test_second_process_sees_writes(tmp_path: Path, mini_atlas: Atlas) -> None:
    db = tmp_path / "a.sqlite"
    a, b = EmbeddedStore(db), EmbeddedStore(db)
    a.replace_all(mini_atlas)
    assert b.counts()["company"] == 2
    b.create(Company(id="co.t.b", name="乙", role="target", src=SRC))
    assert a.get("co.t.b") is not None
    a.close()
    b.close()


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from graph.model import Company, Operates
    from graph.store.embedded import EmbeddedStore
    s = EmbeddedStore(Path(sys.argv[1]))
    src = {"public": "测试", "as_of": "2026-11-01"}
    i = 0
    while True:
        cid = f"co.k.{i}"
        s.create(Company(id=cid, name=f"企业{i}", role="local", county="county.hejin", src=src))
        s.add_relation(Operates(company=cid, segment="seg.t.cpl", src=src))
        if i == 20:
            print("ready", flush=True)
        i += 1
""")


def test_kill_9_mid_write_leaves_consistent_store(tmp_path: Path, mini_atlas: Atlas) -> None:
    db = tmp_path / "a.sqlite"
    s = EmbeddedStore(db)
    s.replace_all(mini_atlas)
    s.close()
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen([sys.executable, str(script), str(db)], stdout=subprocess.PIPE,
                            env=env)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    store = EmbeddedStore(db)
    atlas = store.snapshot()
    written = [c for c in atlas.companies if c.startswith("co.k.")]
    assert len(written) > 20
    for kind in ("company",):
        for e in atlas.entities(kind).values():
            assert entity_refs_missing(atlas, kind, e.model_dump()) == []
    for r in atlas.operates:
        assert relation_refs_missing(atlas, r) == []
    # every fully written firm is whole: each create is its own transaction, so at most the
    # last firm may lack its operates relation (killed between the two writes)
    with_ops = {r.company for r in atlas.operates if r.company.startswith("co.k.")}
    assert len(set(written) - with_ops) <= 1
    # and the store still takes writes
    store.create(Company(id="co.k.after", name="之后", role="target", src=SRC))
    assert store.get("co.k.after") is not None
    store.close()
