"""Segment → product-name mapping: terms, candidates, the review file."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import InvalidInput
from graph.importers.mapping import (
    COLUMNS,
    MappingRow,
    candidates,
    merge_reviewed,
    read_mapping,
    runs_agree,
    segment_terms,
    split_terms,
    write_mapping,
)
from graph.model import Atlas, Segment

PRODUCERS = {"己内酰胺": 2, "己内酰胺及副产品": 1, "尼龙66切片": 1, "尼龙6切片": 3,
             "工程塑料": 5, "塑料": 9, "聚苯乙烯": 1, "聚乙烯": 4, "CPL": 1,
             "其他尼龙6切片系列": 1}


def _atlas() -> Atlas:
    seg = Segment.model_validate({
        "id": "seg.t.pa6", "name": "尼龙6（PA6）", "stage": "downstream", "chains": ["ch.t"],
        "key_products": ["尼龙6切片", "尼龙6工程塑料", "己内酰胺"], "aliases": ["CPL"],
        "src": {"public": "x", "as_of": "2026-11-01"}})
    return Atlas(segments={seg.id: seg})


def test_terms_split_and_dedupe() -> None:
    assert split_terms("粗苯/苯（加氢精制）") == ["粗苯", "苯"]
    assert split_terms("煤炭·焦化") == ["煤炭", "焦化"]
    terms = [(t.text, t.kind) for t in segment_terms(_atlas())]
    assert terms == [("尼龙6", "exact"), ("尼龙6切片", "exact"), ("尼龙6工程塑料", "exact"),
                     ("己内酰胺", "exact"), ("CPL", "alias")]


def test_runs_must_agree() -> None:
    assert not runs_agree("尼龙6", "尼龙66切片")
    assert runs_agree("尼龙6", "尼龙6切片")
    assert not runs_agree("PA6", "PA66")


def test_candidates_exact_alias_fuzzy_and_guards() -> None:
    rows = {r.product: r for r in candidates(_atlas(), PRODUCERS, PRODUCERS, threshold=88)}
    assert rows["尼龙6切片"].kind == "exact"
    assert rows["己内酰胺"].kind == "exact" and rows["己内酰胺"].producers == 2
    assert rows["CPL"].kind == "alias"
    affixed = rows["其他尼龙6切片系列"]  # equal once 其他…系列 is removed
    assert (affixed.kind, affixed.score, affixed.term) == ("exact", 99.0, "尼龙6切片")
    fuzzy = rows["己内酰胺及副产品"]
    assert fuzzy.kind == "fuzzy" and 88 <= fuzzy.score < 100 and fuzzy.term == "己内酰胺"
    assert "尼龙66切片" not in rows  # digit runs differ
    assert "塑料" not in rows  # too short a part of 尼龙6工程塑料
    assert "工程塑料" not in rows  # covers under 60% of 尼龙6工程塑料
    assert all(r.segment_name == "尼龙6（PA6）" for r in rows.values())


def test_generic_terms_lose_fuzzy_matches_only() -> None:
    rows = candidates(_atlas(), PRODUCERS, PRODUCERS, max_fuzzy=0)
    assert {r.kind for r in rows} == {"exact", "alias"}
    assert {r.product for r in rows} == {"尼龙6切片", "己内酰胺", "CPL", "其他尼龙6切片系列"}


def test_threshold_filters_fuzzy_only() -> None:
    strict = {r.product for r in candidates(_atlas(), PRODUCERS, PRODUCERS, threshold=99)}
    assert strict == {"尼龙6切片", "己内酰胺", "CPL", "其他尼龙6切片系列"}


def test_review_file_round_trip_and_decisions(tmp_path: Path) -> None:
    path = tmp_path / "m.tsv"
    rows = candidates(_atlas(), PRODUCERS, PRODUCERS)
    write_mapping(path, rows)
    assert read_mapping(path) == rows
    path.write_bytes("\ufeff".encode() + path.read_bytes().replace(b"\n", b"\r\n"))
    assert read_mapping(path) == rows  # as a spreadsheet saves it: BOM, CRLF
    reviewed = [r if r.kind != "fuzzy" else MappingRow(**{**r.__dict__, "decision": "reject"})
                for r in rows]
    manual = MappingRow("seg.t.pa6", "尼龙6", "锦纶切片", "manual", 100, 0, "accept")
    merged = merge_reviewed(rows, [*reviewed, manual])
    assert manual in merged
    assert [r.decision for r in merged if r.kind == "fuzzy"] == ["reject"]
    assert not next(r for r in merged if r.kind == "fuzzy").used
    assert manual.used and rows[0].used


@pytest.mark.parametrize(("body", "where"), [
    ("segment\tproduct\n", ":1: header"),
    ("\t".join(COLUMNS) + "\nseg.x\t\t\tP\tfuzzy\t90\t1\tmaybe\n", ":2: decision"),
    ("\t".join(COLUMNS) + "\nseg.x\t\t\tP\tguess\t90\t1\tauto\n", ":2: kind"),
    ("\t".join(COLUMNS) + "\nseg.x\t\t\tP\tfuzzy\tabc\t1\tauto\n", ":2: score"),
    ("# c\n" + "\t".join(COLUMNS) + "\nseg.x\tP\n", ":3: row"),
])
def test_bad_review_file_names_file_line_field(tmp_path: Path, body: str, where: str) -> None:
    path = tmp_path / "m.tsv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        read_mapping(path)
    assert str(path) + where in exc.value.message
