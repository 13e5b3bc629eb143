"""Malformed seed inputs: each problem names the file, the line and the field, and
nothing is loaded."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from graph.errors import SeedErrors
from graph.loader import load_seeds
from tests.conftest import MINI, SOURCES

GOOD_SEGMENTS = """\
defaults: {as_of: 2026-11-01}
chains:
  - {id: ch.x, name: 测试链, cluster: 测试, src: {public: 测试}}
segments:
  - {id: seg.x.a, name: 甲, stage: upstream, chains: [ch.x], src: {public: 测试}}
  - {id: seg.x.b, name: 乙, stage: midstream, chains: [ch.x], src: {public: 测试}}
  - {id: seg.x.c, name: 丙, stage: downstream, chains: [ch.x], src: {public: 测试}}
"""

# (name, yaml appended to GOOD_SEGMENTS or a whole file, expected line, field, message part)
CASES: list[tuple[str, str, int, str, str]] = [
    ("bad_stage", """\
defaults: {as_of: 2026-11-01}
segments:
  - id: seg.y.a
    name: 甲
    stage: sideways
    chains: [ch.t.nylon]
    src: {public: 测试}
""", 5, "segments[0].stage", "upstream"),
    ("unknown_field", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    name: 某公司
    role: local
    county: county.hejin
    colour: red
    src: {public: 测试}
""", 13, "companies[0].colour", "unknown field"),
    ("missing_required", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    role: local
    county: county.hejin
    src: {public: 测试}
""", 9, "companies[0].name", "required"),
    ("duplicate_id", GOOD_SEGMENTS + """\
  - {id: seg.x.a, name: 甲二, stage: upstream, chains: [ch.x], src: {public: 测试}}
""", 8, "segments[3].id", "duplicate id"),
    ("unknown_chain_ref", GOOD_SEGMENTS + """\
  - {id: seg.x.d, name: 丁, stage: upstream, chains: [ch.nope], src: {public: 测试}}
""", 8, "segments[3].chains[0]", "unknown chain"),
    ("unknown_county", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    name: 某公司
    role: local
    county: county.atlantis
    src: {public: 测试}
""", 12, "companies[0].county", "unknown county"),
    ("unknown_segment_inline", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    name: 某公司
    role: target
    segments: [seg.x.a, seg.x.zzz]
    src: {public: 测试}
""", 12, "companies[0].segments[1]", "unknown segment"),
    ("cycle", GOOD_SEGMENTS + """\
paths:
  - {chain: ch.x, path: [seg.x.a, seg.x.b], src: {public: 测试}}
  - {chain: ch.x, path: [seg.x.b, seg.x.c], src: {public: 测试}}
  - {chain: ch.x, path: [seg.x.c, seg.x.a], src: {public: 测试}}
""", 9, "paths[0].path[1]", "cycle"),
    ("bad_weight", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    name: 某公司
    role: target
    segments:
      - {segment: seg.x.a, weight: 1.7}
    src: {public: 测试}
""", 13, "companies[0].segments[0].weight", "less than or equal to 1"),
    ("negative_amount", GOOD_SEGMENTS + """\
projects:
  - id: proj.x.one
    name: 测试项目
    investor: 某公司
    amount: -5
    stage: 签约
    src: {public: 测试}
""", 12, "projects[0].amount", "greater than or equal to 0"),
    ("amount_not_number", GOOD_SEGMENTS + """\
projects:
  - id: proj.x.one
    name: 测试项目
    investor: 某公司
    amount: 十亿
    stage: 签约
    src: {public: 测试}
""", 12, "projects[0].amount", "valid number"),
    ("bad_project_stage", GOOD_SEGMENTS + """\
projects:
  - id: proj.x.one
    name: 测试项目
    investor: 某公司
    stage: 完工
    src: {public: 测试}
""", 12, "projects[0].stage", "线索"),
    ("unsourced", GOOD_SEGMENTS + """\
  - {id: seg.x.d, name: 丁, stage: upstream, chains: [ch.x]}
""", 8, "segments[3].src", "required"),
    ("doc_without_quote", GOOD_SEGMENTS + """\
  - {id: seg.x.d, name: 丁, stage: upstream, chains: [ch.x], src: {doc: 000_9e01950a286166cc.txt}}
""", 8, "segments[3].src", "quote"),
    ("unknown_document", GOOD_SEGMENTS + """\
  - id: seg.x.d
    name: 丁
    stage: upstream
    chains: [ch.x]
    src: {doc: 999_nope.txt, quote: 某段话}
""", 12, "segments[3].src.doc", "unknown document"),
    ("public_without_date", """\
chains:
  - id: ch.y
    name: 无日期
    cluster: 测试
    src: {public: 测试}
""", 5, "chains[0].src.as_of", "as_of missing"),
    ("bad_id_shape", GOOD_SEGMENTS + """\
  - {id: Segment-D, name: 丁, stage: upstream, chains: [ch.x], src: {public: 测试}}
""", 8, "segments[3].id", "seg.<slug>"),
    ("bad_tag", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    name: 某公司
    role: target
    tags: [宇宙500强]
    src: {public: 测试}
""", 12, "companies[0].tags[0]", "世界500强"),
    ("local_without_county", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    name: 某公司
    role: local
    src: {public: 测试}
""", 9, "companies[0]", "county"),
    ("unknown_section", GOOD_SEGMENTS + """\
firms:
  - {id: co.x.one}
""", 8, "firms", "unknown section"),
    ("yaml_syntax", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    name: [unclosed
""", 11, "<yaml>", "YAML syntax"),
    ("duplicate_key", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    name: 某公司
    name: 另一个名字
    role: target
    src: {public: 测试}
""", 11, "companies[0].name", "duplicate key"),
    ("feeds_outside_chain", GOOD_SEGMENTS + """\
  - {id: seg.x.other, name: 他链环节, stage: upstream, chains: [ch.t.nylon], src: {public: 测试}}
feeds:
  - {source: seg.x.other, target: seg.x.a, chain: ch.x, src: {public: 测试}}
""", 10, "feeds[0]", "does not list it"),
    ("bad_latitude", """\
defaults: {as_of: 2026-11-01}
counties:
  - id: county.nowhere
    name: 无处县
    lat: 135.0
    lon: 111.0
    src: {public: 测试}
""", 5, "counties[0].lat", "less than or equal to 90"),
    ("fact_unknown_segment", GOOD_SEGMENTS + """\
facts:
  - id: fact.x.one
    segment: seg.x.zzz
    metric: 冷库
    value: 10
    unit: 座
    src: {public: 测试}
""", 10, "facts[0].segment", "unknown segment"),
    ("fact_bad_prefix", GOOD_SEGMENTS + """\
facts:
  - {id: fx.one, segment: seg.x.a, metric: 冷库, value: 10, unit: 座, src: {public: 测试}}
""", 9, "facts[0].id", "fact.<slug>"),
    ("fact_negative_value", GOOD_SEGMENTS + """\
facts:
  - id: fact.x.one
    segment: seg.x.a
    metric: 产能
    value: -3
    unit: 万吨/年
    src: {public: 测试}
""", 12, "facts[0].value", "greater than or equal to 0"),
    ("fact_bad_change", GOOD_SEGMENTS + """\
facts:
  - id: fact.x.one
    segment: seg.x.a
    metric: 产能
    value: 3
    unit: 万吨/年
    change: 关停
    src: {public: 测试}
""", 14, "facts[0].change", "淘汰"),
    ("fact_park_outside_county", GOOD_SEGMENTS + """\
facts:
  - id: fact.x.one
    segment: seg.x.a
    county: county.jishan
    park: park.hejin-kfq
    metric: 产能
    value: 3
    unit: 万吨/年
    src: {public: 测试}
""", 12, "facts[0].park", "not in 'county.jishan'"),
    ("assessment_bad_verdict", GOOD_SEGMENTS + """\
assessments:
  - id: assess.x.one
    segment: seg.x.a
    verdict: 一般
    src: {public: 测试}
""", 11, "assessments[0].verdict", "空白"),
    ("assessment_unknown_county", GOOD_SEGMENTS + """\
assessments:
  - id: assess.x.one
    segment: seg.x.a
    county: county.atlantis
    verdict: 短板
    src: {public: 测试}
""", 11, "assessments[0].county", "unknown county"),
    ("co_produces_unknown_target", GOOD_SEGMENTS + """\
co_produces:
  - {source: seg.x.a, target: seg.x.zzz, src: {public: 测试}}
""", 9, "co_produces[0].target", "unknown segment"),
    ("co_produces_itself", GOOD_SEGMENTS + """\
co_produces:
  - {source: seg.x.a, target: seg.x.a, src: {public: 测试}}
""", 9, "co_produces[0]", "does not co-produce itself"),
    ("inferred_unknown_attribute", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    name: 某公司
    role: local
    county: county.hejin
    inferred: [colour]
    src: {public: 测试}
""", 13, "companies[0].inferred[0]", "county"),
    ("inferred_park_not_set", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    name: 某公司
    role: local
    county: county.hejin
    inferred: [park]
    src: {public: 测试}
""", 9, "companies[0]", "park"),
    ("operates_inferred_not_bool", GOOD_SEGMENTS + """\
companies:
  - id: co.x.one
    name: 某公司
    role: local
    county: county.hejin
    segments: [{segment: seg.x.a, inferred: maybe}]
    src: {public: 测试}
""", 13, "companies[0].segments[0].inferred", "boolean"),
    ("quote_not_in_document", GOOD_SEGMENTS + """\
  - id: seg.x.d
    name: 丁
    stage: upstream
    chains: [ch.x]
    src: {doc: 000_9e01950a286166cc.txt, quote: 这句话不在规划里出现}
""", 12, "segments[3].src.quote", "quote not found"),
]


def _seed_dir(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "seeds"
    shutil.copytree(MINI, root)
    (root / "chains" / "bad.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.mark.parametrize(("text", "line", "field", "part"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_problem_names_file_line_field(tmp_path: Path, text: str, line: int, field: str,
                                       part: str) -> None:
    if "quote" in field and not SOURCES.is_dir():
        pytest.skip("source documents not present")
    root = _seed_dir(tmp_path, text)
    with pytest.raises(SeedErrors) as info:
        load_seeds(root, sources_dir=SOURCES if SOURCES.is_dir() else None)
    problems = info.value.problems
    hits = [p for p in problems if p.field == field]
    assert hits, f"no problem at {field}; got {[str(p) for p in problems]}"
    p = hits[0]
    assert p.file == "chains/bad.yaml"
    assert p.line == line, str(p)
    assert part in p.message, str(p)
    assert f"chains/bad.yaml:{line}: {field}:" in str(info.value)


def test_there_are_at_least_fifteen_cases() -> None:
    assert len({c[0] for c in CASES}) >= 15


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    root = _seed_dir(tmp_path, GOOD_SEGMENTS + """\
  - {id: seg.x.d, name: 丁, stage: nowhere, chains: [ch.x], src: {public: 测试}}
  - {id: seg.x.e, name: 戊, stage: upstream, chains: [ch.zzz], src: {public: 测试}}
companies:
  - {id: co.x.one, name: 某, role: local, county: county.zzz, src: {public: 测试}}
""")
    with pytest.raises(SeedErrors) as info:
        load_seeds(root)
    fields = {p.field for p in info.value.problems}
    assert {"segments[3].stage", "segments[4].chains[0]", "companies[0].county"} <= fields
