"""The rules config: shipped defaults, partial user files, errors, README documentation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.analysis.gaps import diagnose_chain
from graph.analysis.rules import (
    DEFAULT_RULES_FILE,
    Weights,
    active_rules,
    default_rules,
    load_rules,
)
from graph.errors import InvalidInput
from graph.settings import REPO_ROOT, get_settings
from tests.fixtures.analysis.build import F, build, seg, statuses


@pytest.fixture
def rules_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "rules.toml"
    monkeypatch.setenv("ATLAS_RULES_FILE", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_partial_user_file_overrides_only_its_keys(tmp_path: Path) -> None:
    f = tmp_path / "r.toml"
    f.write_text('version = "mine/2"\n[status]\ndense_min_firms = 2\n[weights]\nproximity = 0\n',
                 encoding="utf-8")
    r = load_rules(f)
    assert (r.version, r.status.dense_min_firms, r.weights.proximity) == ("mine/2", 2, 0)
    assert r.status.dense_min_scale_firms == default_rules().status.dense_min_scale_firms
    assert r.weights.evidence == default_rules().weights.evidence


@pytest.mark.parametrize(("text", "field"), [
    ("[status]\ndense_min_firm = 2\n", "status.dense_min_firm"),
    ("[status]\nanchor_supply = \"some\"\n", "status.anchor_supply"),
    ("[weights]\nproximity = -1\n", "weights.proximity"),
    ("[presence]\ngrades = [\"great\"]\n", "presence.grades.0"),
    ("[presence\n", ""),
])
def test_bad_rules_file_names_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        load_rules(f)
    assert str(f) in exc.value.message
    if field:
        assert field in [d["field"] for d in exc.value.details]


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not found"):
        load_rules(tmp_path / "nope.toml")


def test_atlas_rules_file_setting_is_honoured(rules_env: Path) -> None:
    rules_env.write_text('version = "env/1"\n[status]\ndense_min_firms = 2\n', encoding="utf-8")
    atlas = build(["a", "b"], [["a", "b"]], firms=[F("x", "a"), F("y", "a")])
    d = diagnose_chain(atlas, "ch.t")
    assert d.rules_version == "env/1" and statuses(d)["a"] == "strong"
    assert Weights().evidence == active_rules().weights.evidence
    rules_env.write_text('version = "env/2"\n[weights]\nevidence = 7\n', encoding="utf-8")
    assert Weights().evidence == 7 and active_rules().version == "env/2"
    assert d.by_id()[seg("a")].local_firms == ["co.x", "co.y"]


def _readme_rows() -> dict[str, str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Gap rules", 1)[1]
    return dict(re.findall(r"^\| `([^`]+)`(?: signals)? \| `([^`]*)` \|$", section, re.M))


def _fmt(v: Any) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k} {_fmt(x)}" for k, x in v.items())
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return str(v)


def test_readme_documents_the_defaults_and_version() -> None:
    rows = _readme_rows()
    r = default_rules().model_dump(mode="json")
    assert len(rows) >= 15
    for key, shown in rows.items():
        if key == "extension":
            value = {k: v for k, v in r["extension"].items() if k != "min_relatedness"}
        else:
            value = r
            for part in key.split("."):
                value = value[part]
        assert shown == _fmt(value), key
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Rule version **`{default_rules().version}`**" in text
    assert DEFAULT_RULES_FILE.is_file()
