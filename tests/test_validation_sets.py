"""Integrity of the labelled validation sets in seeds/validation/ (not loaded into the atlas).

These tests check the labels themselves, never the system's answers: every label names an existing
segment, a known class and a verifiable basis (a quote found in the named document, public knowledge
with a date, or a CKG record that exists), and producer ids name companies the seeds hold.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
import yaml

from tests.conftest import EXTERNAL, SEEDS, SOURCES

VALIDATION = SEEDS / "validation"
CLASSES = {"strong", "weak", "missing"}
_WS = re.compile(r"\s+")
CKG_PRODUCTS = EXTERNAL / "ChainKnowledgeGraph" / "reconstructed" / "company_product.json"


def _load(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((VALIDATION / name).read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{name}: top level must be a list"
    return data


def _seed_ids(section: str) -> set[str]:
    ids: set[str] = set()
    for path in sorted(SEEDS.glob("*/*.yaml")):
        if path.parent.name in {"validation", "mappings"}:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            ids |= {item["id"] for item in data.get(section) or [] if "id" in item}
    return ids


def _seed_company_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for path in sorted(SEEDS.glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            for c in data.get("companies") or []:
                names[c["id"]] = [c["name"], *(c.get("aliases") or [])]
    return names


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _squash(text: str) -> str:
    return _WS.sub("", text)


def _check_basis(basis: dict[str, Any], where: str, docs: dict[str, str]) -> str:
    kinds = [k for k in ("doc", "public", "dataset") if basis.get(k)]
    assert len(kinds) == 1, f"{where}: give exactly one of doc, public, dataset"
    kind = kinds[0]
    if kind == "doc":
        quote = basis.get("quote") or ""
        assert _squash(quote), f"{where}: a doc basis needs a quote"
        if docs:
            assert basis["doc"] in docs, f"{where}: unknown document {basis['doc']}"
            assert _squash(quote) in docs[basis["doc"]], f"{where}: quote not in {basis['doc']}"
    elif kind == "public":
        assert basis.get("as_of"), f"{where}: public knowledge needs as_of"
    else:
        assert basis["dataset"] == "CKG" and basis.get("key"), f"{where}: dataset CKG + key"
    return kind


@pytest.fixture(scope="module")
def docs() -> dict[str, str]:
    if not SOURCES.is_dir():
        return {}
    return {p.name: _squash(p.read_text(encoding="utf-8")) for p in SOURCES.glob("*.txt")}


def test_segment_labels_are_well_formed(docs: dict[str, str]) -> None:
    labels = _load("segments.yaml")
    segments = _seed_ids("segments")
    seen = Counter(lab["segment"] for lab in labels)
    assert [s for s, n in seen.items() if n > 1] == []
    kinds: Counter[str] = Counter()
    for i, lab in enumerate(labels):
        where = f"segments.yaml[{i}] {lab.get('segment')}"
        assert lab["segment"] in segments, f"{where}: unknown segment"
        assert lab["expected"] in CLASSES, f"{where}: expected must be one of {sorted(CLASSES)}"
        kinds[_check_basis(lab["basis"], where, docs)] += 1
    # each class is represented, and most labels rest on the documents themselves
    assert set(Counter(lab["expected"] for lab in labels)) == CLASSES
    assert kinds["doc"] > kinds["public"]
    assert len(labels) >= 140


def test_target_labels_are_well_formed(docs: dict[str, str]) -> None:
    labels = _load("targets.yaml")
    segments = _seed_ids("segments")
    companies = _seed_company_names()
    for i, lab in enumerate(labels):
        where = f"targets.yaml[{i}] {lab.get('segment')}/{lab.get('product')}"
        assert lab["segment"] in segments, f"{where}: unknown segment"
        assert lab.get("product"), f"{where}: product missing"
        producers = lab["producers"]
        assert producers, f"{where}: no producers"
        assert any(p.get("leader") for p in producers), f"{where}: no national leader marked"
        names = [p["name"] for p in producers]
        assert len(names) == len(set(names)), f"{where}: duplicate producer"
        for p in [*producers, *(lab.get("not_producers") or [])]:
            if "id" in p:
                # the id must be a seeded company, and its name must plausibly be the firm meant
                assert p["id"] in companies, f"{where}: id {p['id']} not in the seeds"
                known = companies[p["id"]]
                assert any(_bigrams(p["name"]) & _bigrams(n) for n in known), (
                    f"{where}: id {p['id']} is {known[0]}, not {p['name']}")
        for p in producers:
            if "basis" in p:
                _check_basis(p["basis"], f"{where} {p['name']}", docs)
        users = {u["name"] for u in lab.get("not_producers") or []}
        assert not users & set(names), f"{where}: a firm is both producer and not_producer"
        for u in lab.get("not_producers") or []:
            assert u.get("note"), f"{where}: not_producer {u['name']} needs a note"
        _check_basis(lab["basis"], where, docs)
    assert len({lab["segment"] for lab in labels}) >= 45


@pytest.mark.skipif(not CKG_PRODUCTS.is_file(), reason="CKG data not present")
def test_ckg_keys_name_real_records() -> None:
    """A `dataset: CKG` key `<code>|<product>` must be a main-product record of the dataset."""
    records = set()
    with CKG_PRODUCTS.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            records.add(f"{row['company_code']}|{row['product_name']}")
    keys: list[str] = []
    for lab in _load("targets.yaml"):
        for basis in [lab["basis"], *(p.get("basis") or {} for p in lab["producers"])]:
            if basis.get("dataset") == "CKG":
                keys.append(basis["key"])
    assert keys, "no CKG-based label"
    missing = [k for k in keys if k not in records]
    assert missing == []


def test_readme_counts_match() -> None:
    """The README's total row states the real counts of both sets."""
    readme = (VALIDATION / "README.md").read_text(encoding="utf-8")
    segs = _load("segments.yaml")
    tgts = _load("targets.yaml")
    n_gap = len({lab["segment"] for lab in tgts})
    assert f"| 合计 total | {len(segs)} |" in readme
    assert f"| {n_gap} | {len(tgts)} |" in readme
