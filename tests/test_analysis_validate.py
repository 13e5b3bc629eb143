"""``validate``: agreement of the diagnosis with labelled segments, domain function and CLI,
on the mini atlas and a small labels fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.analysis.validate import Label, read_labels, validate_segments
from graph.cli import app
from graph.errors import SeedErrors
from graph.model import Atlas
from tests.conftest import FIXTURES, MINI

LABELS = FIXTURES / "validation" / "segments.yaml"
runner = CliRunner()


def test_agreement_overall_per_chain_and_disagreements(mini_atlas: Atlas) -> None:
    r = validate_segments(mini_atlas, read_labels(LABELS, mini_atlas))
    assert (r.labels, r.agree, r.agreement) == (4, 3, 0.75)
    assert [(c.chain_id, c.labels, c.agree) for c in r.by_chain] == [("ch.t.nylon", 4, 3)]
    assert r.confusion["weak"] == {"missing": 1} and r.confusion["missing"] == {"missing": 2}
    (d,) = r.disagreements
    assert (d.segment_id, d.expected, d.computed) == ("seg.t.pa6", "weak", "missing")
    assert d.label_basis.public and d.label_note == "故意不一致"
    assert [x.code for x in d.reasons] == ["no_local_firm"] and d.confidence == "low"
    assert sum(n for _, n in r.by_confidence.values()) == 4


def test_broken_counts_as_missing(mini_atlas: Atlas) -> None:
    labels = [Label.model_validate({"segment": "seg.t.cpl", "expected": "missing",
                                    "basis": {"public": "测试", "as_of": "2026-01-01"}})]
    assert validate_segments(mini_atlas, labels).agreement == 1.0
    wrong = [labels[0].model_copy(update={"expected": "strong"})]
    r = validate_segments(mini_atlas, wrong)
    assert r.agreement == 0 and r.disagreements[0].assessments[0].verdict == "空白"


@pytest.mark.parametrize(("text", "line", "field", "part"), [
    ("- {segment: seg.t.coke, expected: great, basis: {public: x}}\n", 1, "[0].expected",
     "strong"),
    ("- {segment: seg.t.coke, expected: weak}\n", 1, "[0].basis", "required"),
    ("- {segment: seg.t.coke, expected: weak, basis: {public: x}}\n"
     "- {segment: seg.nope, expected: weak, basis: {public: x}}\n", 2, "[1].segment",
     "unknown segment"),
    ("- {segment: seg.t.coke, expected: weak, basis: {public: x}}\n"
     "- {segment: seg.t.coke, expected: strong, basis: {public: x}}\n", 2, "[1].segment",
     "duplicate"),
    ("segment: seg.t.coke\n", 1, "<file>", "list"),
])
def test_bad_labels_name_file_line_field(tmp_path: Path, mini_atlas: Atlas, text: str,
                                         line: int, field: str, part: str) -> None:
    f = tmp_path / "labels.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(SeedErrors) as info:
        read_labels(f, mini_atlas)
    p = next(p for p in info.value.problems if p.field == field)
    assert p.line == line and part in p.message and p.file == str(f)


def test_cli_table_and_json() -> None:
    r = runner.invoke(app, ["validate", "--seeds", str(MINI), "--labels", str(LABELS)])
    assert r.exit_code == 0, r.output
    assert "一致率 75.0%（3/4）" in r.stdout and "不一致清单（1 项）" in r.stdout
    assert "故意不一致" in r.stdout and "尼龙6" in r.stdout
    r = runner.invoke(app, ["validate", "--json", "--seeds", str(MINI), "--labels", str(LABELS)])
    body = json.loads(r.stdout)
    assert body["agreement"] == 0.75 and body["rules_version"].startswith("gap-rules/")
    assert body["disagreements"][0]["label_basis"]["public"].startswith("测试")


def test_cli_bad_labels_exit_2(tmp_path: Path) -> None:
    f = tmp_path / "labels.yaml"
    f.write_text("- {segment: seg.nope, expected: weak, basis: {public: x}}\n", encoding="utf-8")
    r = runner.invoke(app, ["validate", "--seeds", str(MINI), "--labels", str(f)])
    assert r.exit_code == 2 and "unknown segment" in r.stderr and ":1:" in r.stderr
    r = runner.invoke(app, ["validate", "--seeds", str(MINI), "--labels", str(tmp_path / "no")])
    assert r.exit_code == 2 and "not found" in r.stderr
    assert "validate" in runner.invoke(app, ["validate", "--help"]).stdout
