"""Producers only: the product vocabulary, whole-term matching, reviewed CKG mappings,
excluded statuses, customer leads (uses) and in-contact firms resolved by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.analysis.index import products_match
from graph.analysis.targets import customer_leads, rank_targets
from graph.analysis.vocab import ProductVocab, VocabEntry, read_vocab
from graph.errors import InvalidInput
from graph.importers.build import listing_status
from graph.loader import load_seeds
from graph.model import Atlas, MapsTo, Operates, Product, ProjectStage, Source, Uses
from graph.settings import REPO_ROOT
from tests.fixtures.analysis.build import SRC, F, P, build, seg

VOCAB = ProductVocab.from_entries([
    VocabEntry(term="尼龙66切片", segment=seg("b"), synonyms=["PA66切片"],
               not_=["尼龙66纤维"]),
])
CKG_SRC = Source(dataset="ChainKnowledgeGraph", key="company_product:x", grade="medium")


def chain(*firms: F, products: list[str] | None = None) -> Atlas:
    return build(["a", "b", "c"], [["a", "b", "c"]],
                 firms=[F("up", "a", role="anchor"), *firms],
                 products={"b": products or ["尼龙66切片"]})


def ids(atlas: Atlas, vocab: ProductVocab = VOCAB) -> list[str]:
    vocab = ProductVocab.from_entries([], atlas) if vocab is None else vocab
    return sorted(r.company_id for r in rank_targets(atlas, "ch.t", seg("b"), top=100,
                                                     vocab=vocab, use_place=False))


@pytest.mark.parametrize(("a", "b", "same"), [
    ("电机", "伺服电机", False), ("石墨烯", "铝基石墨烯复合材料", False),
    ("尼龙66切片（高粘）", "尼龙66切片", True), ("ＰＡ 66", "pa66", True),
    ("电池", "动力电池", False), ("己内酰胺、硫酸铵", "硫酸铵", True)])
def test_products_match_whole_terms_never_substrings(a: str, b: str, same: bool) -> None:
    assert products_match(a, b) is same


def test_key_product_makers_match_whole_terms_and_synonyms() -> None:
    atlas = chain(F("syn", "a", role="target", products=["PA66切片"]),
                  F("sub", "a", role="target", products=["改性尼龙66切片专用料"]),
                  F("motor", "a", role="target", products=["尼龙"]))
    assert ids(atlas) == ["co.syn"]


def test_a_user_placed_on_the_segment_is_not_a_producer() -> None:
    """A link listing only reviewed non-matches (尼龙66纤维) is a user, not a maker; a link
    listing products outside the vocabulary counts with reduced evidence."""
    atlas = chain(F("fibre", "b", role="target", products=["尼龙66纤维"]),
                  F("maker", "b", role="target", products=["尼龙66切片"]),
                  F("vague", "b", role="target", products=["工程材料"]),
                  F("bare", "b", role="target"))
    recs = {r.company_id: r for r in rank_targets(atlas, "ch.t", seg("b"), vocab=VOCAB,
                                                  use_place=False)}
    assert set(recs) == {"co.maker", "co.vague", "co.bare"}
    assert recs["co.vague"].components["evidence"] == pytest.approx(0.7 * 0.6)
    assert recs["co.maker"].components["evidence"] == 0.7


def _imported(atlas: Atlas, firm: str, product: str, match: str, grade: str) -> None:
    pid = f"prod.{abs(hash(product)) % 10**8:08x}"
    atlas.products[pid] = Product(id=pid, name=product, src=CKG_SRC)
    atlas.maps_to.append(MapsTo(product=pid, segment=seg("b"), match=match,  # type: ignore[arg-type]
                                src=Source(dataset="seeds/mappings/ckg_products.tsv",
                                           key="k", grade=grade)))  # type: ignore[arg-type]
    atlas.operates.append(Operates(company=f"co.{firm}", segment=seg("b"), weight=0.3,
                                   products=[product], src=CKG_SRC))


def test_imported_firms_count_only_through_reviewed_mappings() -> None:
    atlas = chain(F("voc", [], role="target"), F("fuzzy", [], role="target"),
                  F("accepted", [], role="target"), F("exact_auto", [], role="target"))
    _imported(atlas, "voc", "PA66切片", "alias", "medium")
    _imported(atlas, "fuzzy", "尼龙66纤维切片", "fuzzy", "weak")
    _imported(atlas, "accepted", "高粘尼龙树脂", "fuzzy", "medium")
    _imported(atlas, "exact_auto", "尼龙类", "exact", "medium")
    assert ids(atlas) == ["co.accepted", "co.voc"]


def test_excluded_status_and_risk_warning() -> None:
    atlas = chain(F("bankrupt", "b", role="target"), F("st", "b", role="target"),
                  F("ok", "b", role="target"))
    atlas.companies["co.bankrupt"].status = "破产重整"
    atlas.companies["co.st"].status = "ST"
    recs = {r.company_id: r for r in rank_targets(atlas, "ch.t", seg("b"), vocab=VOCAB,
                                                  use_place=False)}
    assert set(recs) == {"co.st", "co.ok"}
    assert "risk_warning" in recs["co.st"].flags


def test_customers_are_returned_apart_from_producers() -> None:
    atlas = chain(F("maker", "b", role="target"), F("weaver", [], role="target"))
    atlas.uses.append(Uses(company="co.weaver", segment=seg("b"), product="尼龙66切片",
                           src=SRC))
    assert ids(atlas) == ["co.maker"]
    leads = customer_leads(atlas, "ch.t", seg("b"), use_place=False)
    assert [c.company_id for c in leads] == ["co.weaver"]
    assert leads[0].connectors == ["暂无已知联系渠道"]
    assert "企业weaver —使用→ 尼龙66切片（「环节b」产品的下游用户）" in leads[0].reasons


def test_ledger_investor_name_resolves_to_the_company() -> None:
    """A project whose investor id is empty is matched on the exact name or alias."""
    atlas = chain(F("xy", "b", role="target"), F("signed", "b", role="target"),
                  F("other", "b", role="target"))
    atlas.companies["co.xy"].aliases = ["旭阳集团"]
    atlas.projects["proj.l1"] = build(["a"], projects=[P("l1", "a")]).projects["proj.l1"]
    atlas.projects["proj.l1"].investor = "旭阳集团"
    atlas.projects["proj.l1"].segments = [seg("b")]
    atlas.projects["proj.s1"] = atlas.projects["proj.l1"].model_copy(
        update={"id": "proj.s1", "investor": "企业signed", "stage": ProjectStage.signed})
    recs = {r.company_id: r for r in rank_targets(atlas, "ch.t", seg("b"), vocab=VOCAB,
                                                  use_place=False)}
    assert recs["co.xy"].flags == ["in_contact"]
    assert "co.signed" not in recs
    assert recs["co.other"].flags == []


def test_vocabulary_file_errors_name_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "products.yaml"
    bad.write_text("- {term: 己内酰胺, segment: seg.x}\n- {term: 苯, bogus: 1}\n",
                   encoding="utf-8")
    with pytest.raises(InvalidInput, match="entry 1"):
        read_vocab(bad)
    assert read_vocab(tmp_path / "missing.yaml") == []


def test_shipped_vocabulary_names_existing_segments_and_fixes_known_misses() -> None:
    atlas = load_seeds(REPO_ROOT / "seeds")
    entries = read_vocab(REPO_ROOT / "seeds" / "mappings" / "products.yaml")
    assert entries and all(e.segment in atlas.segments for e in entries)
    v = ProductVocab.from_entries(entries, atlas)
    assert v.match("seg.robot.core-parts", "电机") is None
    assert v.match("seg.robot.core-parts", "伺服电机") == "伺服电机"
    assert v.match("seg.carbon.graphene", "铝基石墨烯复合材料") is None
    assert v.match("seg.nylon.pa66", "PA66切片") == "尼龙66切片"
    assert v.match("seg.nylon.pa66", "锦纶66纤维") is None
    assert v.match("seg.semiconductor.substrate", "硅片") is None
    assert v.match("seg.nev.battery", "电池") is None


def test_import_reads_delisting_and_st_from_listed_names() -> None:
    assert listing_status("*ST德豪") == listing_status("ST天龙") == "ST"
    assert listing_status("保力新", ["退市坚瑞"]) == "退市"
    assert listing_status("神马股份", ["神马实业"]) is None


def test_asking_for_one_product_of_the_segment() -> None:
    vocab = ProductVocab.from_entries([
        VocabEntry(term="激光雷达", segment=seg("b")),
        VocabEntry(term="毫米波雷达", segment=seg("b"))])
    atlas = chain(F("lidar", "b", role="target", products=["激光雷达"]),
                  F("radar", "b", role="target", products=["毫米波雷达"]),
                  F("bare", "b", role="target"))
    recs = rank_targets(atlas, "ch.t", seg("b"), vocab=vocab, use_place=False,
                        product="激光雷达")
    ev = {r.company_id: r.components["evidence"] for r in recs}
    # co.radar lists its products and 激光雷达 is not one: not a maker of it
    assert ev == {"co.lidar": 0.7, "co.bare": pytest.approx(0.42)}
    assert recs[0].company_id == "co.lidar"
    both = rank_targets(atlas, "ch.t", seg("b"), vocab=vocab, use_place=False,
                        product="激光雷达/毫米波雷达")
    assert {r.company_id for r in both} == {"co.lidar", "co.radar", "co.bare"}
    with pytest.raises(InvalidInput, match="not a product of the segment"):
        rank_targets(atlas, "ch.t", seg("b"), vocab=vocab, use_place=False, product="芯片")
