"""``chain-atlas migrate``: the count check and the command's refusals. Moving an
atlas into each store (and back) is in tests/test_store_contract.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.model import Atlas
from graph.store.base import AtlasStore
from graph.store.embedded import EmbeddedStore
from graph.store.migrate import MigrationMismatch, migrate


def _cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    return subprocess.run([sys.executable, "-m", "graph.cli", "migrate", *args],
                          capture_output=True, text=True, timeout=120,
                          env={**base, "ATLAS_DATA_DIR": str(tmp_path / "data"), **env})


def test_counts_are_read_back_from_a_fresh_target(tmp_path: Path, mini_atlas: Atlas) -> None:
    src = EmbeddedStore(tmp_path / "src.sqlite")
    src.replace_all(mini_atlas)
    opened = iter([tmp_path / "written.sqlite", tmp_path / "elsewhere.sqlite"])

    def target() -> AtlasStore:
        return EmbeddedStore(next(opened))

    with pytest.raises(MigrationMismatch) as exc:
        migrate(src, target)
    wrong = {d["kind"]: (d["source"], d["target"]) for d in exc.value.details}
    assert wrong["segment"] == (6, 0)
    assert EmbeddedStore(tmp_path / "written.sqlite").counts() == mini_atlas.counts()


def test_force_replaces_a_non_empty_target(tmp_path: Path, mini_atlas: Atlas) -> None:
    src = EmbeddedStore(tmp_path / "src.sqlite")
    dst = tmp_path / "dst.sqlite"
    EmbeddedStore(dst).replace_all(Atlas.from_tables({"counties": dict(mini_atlas.counties)}))
    src.replace_all(mini_atlas)
    rows = migrate(src, lambda: EmbeddedStore(dst), force=True)
    assert all(r.ok for r in rows) and len(rows) == len(mini_atlas.counts())
    assert EmbeddedStore(dst).counts() == mini_atlas.counts()


def test_cli_needs_a_neo4j_uri(tmp_path: Path) -> None:
    r = _cli(["--to", "embedded"], tmp_path)
    assert r.returncode == 2
    assert "ATLAS_NEO4J_URI" in r.stderr


def test_cli_needs_an_embedded_atlas_to_move(tmp_path: Path) -> None:
    r = _cli(["--to", "neo4j"], tmp_path, ATLAS_NEO4J_URI="bolt://127.0.0.1:9")
    assert r.returncode == 2
    assert "no embedded atlas at" in r.stderr and "atlas.sqlite" in r.stderr


def test_cli_reports_an_unreachable_server(tmp_path: Path, mini_atlas: Atlas) -> None:
    EmbeddedStore(tmp_path / "data" / "atlas.sqlite").replace_all(mini_atlas)
    r = _cli(["--to", "neo4j"], tmp_path, ATLAS_NEO4J_URI="bolt://127.0.0.1:9")
    assert r.returncode == 1
    assert "cannot use Neo4j at bolt://127.0.0.1:9" in r.stderr


def test_cli_rejects_an_unknown_target(tmp_path: Path) -> None:
    r = _cli(["--to", "mysql"], tmp_path)
    assert r.returncode == 2
    assert "mysql" in r.stderr


def test_count_table_marks_each_kind(capsys: pytest.CaptureFixture[str]) -> None:
    from graph.commands.migrate import CountRow, _print

    _print([CountRow("company", 3, 3), CountRow("feeds", 5, 4)], as_json=True)
    out = capsys.readouterr().out
    assert '"ok": true' in out and '"ok": false' in out
    _print([CountRow("company", 3, 3), CountRow("feeds", 5, 4)], as_json=False)
    table = capsys.readouterr().out
    assert "company" in table and "✓" in table and "✗" in table
