"""A realistic synthetic atlas at 10k … 5M firms, for the scale benchmarks.

    python bench/atlasgen.py --firms 100000          # prints the counts and build time
    from bench.atlasgen import generate; atlas = generate(100_000)

Every relation kind is generated, in proportions measured on the seed atlas with the
ChainKnowledgeGraph import (``chain-atlas load && chain-atlas import ckg …`` on
2026-12-02: 5,005 firms, 90 of them local, 39 anchors; 3,923 operates, 51,270 makes,
95,570 products, 56,735 product_feeds, 52,936 subtype_of, 2,148 maps_to, 208 supports,
219 covers, 270 projects, 85 institutes, 95 associations, 55 chains of 220 segments with
235 feeds; about one tag per firm). Per firm, as measured:

* 1.8 % local firms (county, a park for 58 % of them), 43 % of those anchors; the rest are
  outside targets, 15 % with a home province (and city) from a list of real provinces;
* 0.78 operates per firm (44 % of firms operate; 1–6 segments each; weights and evidence
  grades as measured, 72 % list products), about one tag per firm (上市 most often);
* the chain structure is fixed (55 chains, 41 of them sub-chains; 220 segments, 19 % in
  two chains — each sub-chain's last segment is shared with its parent; 220 feeds): a
  province holds more firms, not more segments; 60 % of the segments have local
  operators, so every chain has gaps at every size.

Where the measured data is national, not per firm, or (almost) empty, it is scaled as
stated, so every code path is exercised: the product graph is national (products grow
with the firms up to 200,000, then stay; product_feeds 0.59 and subtype_of 0.55 per
product; 2.2 % of products map to a segment); makes 2 per firm (20 % of firms, the ones
with main-product data, 10 each; the import has 10 per firm because it is only listed
firms); supplies 0.3, memberships 0.1, institute cooperations 0.01 per firm; ties and
figures on 1 % of firms (measured: 1, 0, 5, 3 and 8 in the whole atlas); institutes and
associations 1 per 500 firms (at least the measured counts); projects 1 per 200 firms
(at least 270), stages as measured.

Every generated firm is ``co.bench-…`` named 合成测试企业… with a public source saying it is
synthetic: benchmark data, never part of a real atlas. Deterministic for a given ``seed``.
Objects are built without re-validation (``model_construct``) and share one source per
kind, as a loader that interns identical sources would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.model import (
    Association,
    Atlas,
    Chain,
    Company,
    Cooperates,
    County,
    Covers,
    Feeds,
    Figure,
    Grade,
    Institute,
    Makes,
    MapsTo,
    MemberOf,
    Operates,
    Park,
    Product,
    ProductFeeds,
    Project,
    ProjectStage,
    Role,
    Segment,
    Source,
    Stage,
    SubtypeOf,
    Supplies,
    Supports,
    Tie,
)

SIZES = (10_000, 100_000, 1_000_000, 5_000_000)
AS_OF = dt.date(2026, 11, 1)
PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "北京市"), ("上海市", "上海市"), ("广东省", "深圳市"), ("广东省", "广州市"),
    ("广东省", "汕头市"), ("浙江省", "杭州市"), ("江苏省", "苏州市"), ("山东省", "济南市"),
    ("福建省", "厦门市"), ("河北省", "石家庄市"), ("天津市", "天津市"), ("安徽省", "合肥市"),
    ("河南省", "郑州市"), ("陕西省", "西安市"), ("四川省", "成都市"), ("湖北省", "武汉市"),
    ("山西省", "太原市"), ("山西省", "临汾市"), ("陕西省", "渭南市"), ("河南省", "三门峡市"),
)
# (tag, share of firms) as measured; one tag per firm at most, 上市 the rest of the 100 %.
TAGS: tuple[tuple[str, float], ...] = (
    ("央企", 0.019), ("国企", 0.015), ("龙头", 0.005), ("世界500强", 0.005),
    ("民营500强", 0.003), ("外资", 0.0014), ("链主", 0.0008), ("独角兽", 0.0004),
    ("规上", 0.01), ("专精特新", 0.01), ("上市", 0.93),
)
# operates weights and grades as measured
WEIGHTS: tuple[tuple[float, float], ...] = ((1.0, 0.35), (0.03, 0.30), (0.1, 0.11),
                                            (0.2, 0.06), (0.3, 0.06), (0.5, 0.04),
                                            (0.7, 0.04), (0.9, 0.04))
GRADES: tuple[tuple[Grade, float], ...] = ((Grade.medium, 0.60), (Grade.weak, 0.25),
                                           (Grade.strong, 0.15))
OPS_PER_FIRM: tuple[tuple[int, float], ...] = ((1, 0.53), (2, 0.28), (3, 0.10), (4, 0.05),
                                               (5, 0.03), (6, 0.01))
STAGES: tuple[tuple[ProjectStage, float], ...] = (
    (ProjectStage.lead, 0.42), (ProjectStage.contact, 0.29), (ProjectStage.signed, 0.23),
    (ProjectStage.started, 0.03), (ProjectStage.producing, 0.02),
    (ProjectStage.effective, 0.005), (ProjectStage.terminated, 0.005))
TIE_KINDS = ("乡情", "投资", "校友", "合作")


def _src(what: str, grade: Grade = Grade.medium) -> Source:
    return Source.model_construct(public=f"基准测试合成数据（{what}）", as_of=AS_OF, grade=grade,
                                  doc=None, quote=None, dataset=None, key=None)


def _pick(rng: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in table], [w for _, w in table])[0]


class _Structure:
    """Chains, segments, feeds, counties and parks (the same at every size)."""

    def __init__(self, rng: random.Random) -> None:
        s = _src("结构")
        self.counties = {f"county.bench-{i:02d}": County.model_construct(
            id=f"county.bench-{i:02d}", name=f"合成县{i:02d}", aliases=[], src=s,
            lat=35.0 + i / 10, lon=111.0 + i / 10, lead_industries=[]) for i in range(13)}
        cids = list(self.counties)
        self.parks = {f"park.bench-{i:02d}": Park.model_construct(
            id=f"park.bench-{i:02d}", name=f"合成园区{i:02d}", aliases=[], src=s,
            county=cids[i % 13], kind="开发区", level="省级", lat=35.0, lon=111.0,
            lead_industries=[]) for i in range(26)}
        self.chains: dict[str, Chain] = {}
        self.segments: dict[str, Segment] = {}
        self.feeds: list[Feeds] = []
        own: dict[str, list[str]] = {}
        tops = [f"ch.bench-{t:02d}" for t in range(14)]
        for t, top in enumerate(tops):
            subs = [f"{top}-{k}" for k in range(3 if t < 13 else 2)]
            for cid, parent in ((top, None), *((c, top) for c in subs)):
                self.chains[cid] = Chain.model_construct(
                    id=cid, name=f"合成链{cid[9:]}", aliases=[], src=s, cluster=f"合成集群{t:02d}",
                    parent=parent, description="", tags=[])
                own[cid] = [f"seg.bench-{cid[9:]}-{i}" for i in range(4)]
        stage = (Stage.upstream, Stage.midstream, Stage.midstream, Stage.downstream)
        for cid, segs in own.items():
            for i, sid in enumerate(segs):
                self.segments[sid] = Segment.model_construct(
                    id=sid, name=f"合成环节{sid[10:]}", aliases=[], src=s, stage=stage[i],
                    chains=[cid], key_products=[f"合成产品{sid[10:]}{k}" for k in "甲乙丙丁"],
                    weight=1.0, description="")
            self.feeds += [Feeds.model_construct(source=a, target=b, chain=cid, src=s)
                           for a, b in pairwise(segs)]
        for top in tops:  # each sub-chain's last segment feeds the top chain's first ones
            subs = [c for c in self.chains if self.chains[c].parent == top]
            for n, sub in enumerate(subs):
                self.segments[own[sub][-1]].chains.append(top)  # shared by sub and top chain
                for target in own[top][: 2 if n == 0 else 1]:
                    self.feeds.append(Feeds.model_construct(source=own[sub][-1], target=target,
                                                            chain=top, src=s))
        seg_ids = sorted(self.segments)
        self.seg_ids = seg_ids
        self.present = sorted(rng.sample(seg_ids, round(0.6 * len(seg_ids))))


def generate(firms: int, seed: int = 16) -> Atlas:
    """A synthetic atlas of ``firms`` firms (see the module docstring for the proportions)."""
    rng = random.Random(seed)
    st = _Structure(rng)
    s_co, s_rel, s_imp = _src("企业"), _src("关系"), _src("产品图谱")
    segs, present = st.seg_ids, st.present
    seg_zipf = [1 / (i + 1) ** 0.8 for i in range(len(segs))]
    loc_zipf = [1 / (i + 1) ** 0.8 for i in range(len(present))]
    county_ids, park_ids = list(st.counties), list(st.parks)
    n_prod = min(19 * firms, 200_000)
    key_products = [(p, sid) for sid in segs for p in st.segments[sid].key_products]
    prod_names = [p for p, _ in key_products]
    prod_names += [f"合成产品{i:06d}" for i in range(max(0, n_prod - len(prod_names)))]
    products = {f"prod.bench-{i:06d}": Product.model_construct(
        id=f"prod.bench-{i:06d}", name=name, aliases=[], src=s_imp)
        for i, name in enumerate(prod_names)}
    prod_ids = list(products)
    maps_to = [MapsTo.model_construct(product=prod_ids[i], segment=sid, term=p, match="exact",
                                      score=100.0, src=s_imp)
               for i, (p, sid) in enumerate(key_products)]
    for i in rng.sample(range(len(key_products), len(prod_ids)),
                        max(0, min(len(prod_ids) - len(key_products),
                                   round(0.022 * n_prod) - len(maps_to)))):
        maps_to.append(MapsTo.model_construct(product=prod_ids[i], segment=rng.choice(segs),
                                              term=prod_names[i], match="fuzzy", score=85.0,
                                              src=s_imp))
    product_feeds = {(rng.choice(prod_ids), rng.choice(prod_ids))
                     for _ in range(round(0.59 * n_prod))}
    subtype = {(prod_ids[i], rng.choice(prod_ids)) for i in rng.sample(range(n_prod),
                                                                      round(0.55 * n_prod))}
    companies: dict[str, Company] = {}
    operates: list[Operates] = []
    makes: list[Makes] = []
    locals_: list[str] = []
    for n in range(firms):
        cid = f"co.bench-{n:07d}"
        local = rng.random() < 0.018
        role = (Role.anchor if rng.random() < 0.43 else Role.local) if local else Role.target
        prov, city = rng.choice(PROVINCES) if not local and rng.random() < 0.15 else (None, None)
        tag = _pick(rng, TAGS)
        ties = [Tie.model_construct(kind=rng.choice(TIE_KINDS), note="合成联系人",
                                    county=rng.choice(county_ids), src=None)
                ] if rng.random() < 0.01 else []
        figs = [Figure.model_construct(name="营业收入", value=round(rng.uniform(1, 500), 1),
                                       unit="亿元", year=2025, src=None)
                ] if rng.random() < 0.01 else []
        companies[cid] = Company.model_construct(
            id=cid, name=f"合成测试企业{n:07d}", aliases=[], src=s_co, role=role,
            county=rng.choice(county_ids) if local else None,
            park=rng.choice(park_ids) if local and rng.random() < 0.58 else None,
            province=prov, city=city, tags=[tag], stock_code=None, credit_code=None,
            figures=figs, ties=ties, description="")
        if local:
            locals_.append(cid)
        if local or rng.random() < 0.43:
            pool, weights = (present, loc_zipf) if local else (segs, seg_zipf)
            chosen = set(rng.choices(pool, weights, k=_pick(rng, OPS_PER_FIRM)))
            for sid in sorted(chosen):
                prods: list[str] = []
                if rng.random() < 0.72:
                    kp = st.segments[sid].key_products
                    prods = [rng.choice(kp)]
                    if rng.random() < 0.1:
                        prods.append(rng.choice(st.segments[rng.choice(segs)].key_products))
                operates.append(Operates.model_construct(
                    company=cid, segment=sid, weight=_pick(rng, WEIGHTS), products=prods,
                    evidence="", src=_GRADED[_pick(rng, GRADES)]))
        if rng.random() < 0.2:
            for p in sorted(set(rng.choices(prod_ids, k=10))):
                makes.append(Makes.model_construct(company=cid, product=p,
                                                   weight=round(rng.uniform(0.05, 1), 2),
                                                   evidence="", src=s_imp))
    co_ids = list(companies)
    n_inst, n_assoc = max(85, firms // 500), max(95, firms // 500)
    institutes = {f"inst.bench-{i:05d}": Institute.model_construct(
        id=f"inst.bench-{i:05d}", name=f"合成研究院{i:05d}", aliases=[], src=s_rel,
        kind="科研院所", province=None, city=None, description="") for i in range(n_inst)}
    assocs = {f"assoc.bench-{i:05d}": Association.model_construct(
        id=f"assoc.bench-{i:05d}", name=f"合成协会{i:05d}", aliases=[], src=s_rel, kind="协会",
        scope="", description="") for i in range(n_assoc)}
    inst_ids, assoc_ids = list(institutes), list(assocs)

    def pairs(count: int, a: list[str], b: list[str], local_share: float) -> set[tuple[str, str]]:
        """``count`` distinct pairs; ``local_share`` of them with a local firm at one end."""
        out: set[tuple[str, str]] = set()
        for _ in range(count):
            x = rng.choice(locals_) if locals_ and rng.random() < local_share else rng.choice(a)
            out.add((x, rng.choice(b)))
        return out

    supplies = [Supplies.model_construct(supplier=x, customer=y, product="", src=s_rel)
                for x, y in pairs(round(0.3 * firms), co_ids, co_ids, 0.3) if x != y]
    member_of = [MemberOf.model_construct(company=x, association=y, src=s_rel)
                 for x, y in pairs(round(0.1 * firms), co_ids, assoc_ids, 0.2)]
    cooperates = [Cooperates.model_construct(company=x, institute=y, note="", src=s_rel)
                  for x, y in pairs(max(5, round(0.01 * firms)), co_ids, inst_ids, 0.3)]
    supports = [Supports.model_construct(institute=i, segment=sid, note="", src=s_rel)
                for i, sid in {(rng.choice(inst_ids), rng.choice(segs)) for _ in range(208)}]
    covers = [Covers.model_construct(association=a, segment=sid, src=s_rel)
              for a, sid in {(rng.choice(assoc_ids), rng.choice(segs)) for _ in range(219)}]
    projects: dict[str, Project] = {}
    for i in range(max(270, firms // 200)):
        inv = rng.choice(co_ids)
        stage = _pick(rng, STAGES)
        pid = f"proj.bench-{i:06d}"
        projects[pid] = Project.model_construct(
            id=pid, name=f"合成项目{i:06d}", aliases=[], src=s_rel,
            investor=companies[inv].name, investor_id=inv if rng.random() < 0.3 else None,
            segments=[rng.choice(segs)], county=rng.choice(county_ids), park=None,
            amount=round(rng.uniform(0.5, 50), 1), stage=stage, stage_date=AS_OF, team=None,
            history=[], description="")
    return Atlas.from_tables({
        "chains": st.chains, "segments": st.segments, "companies": companies,
        "institutes": institutes, "associations": assocs, "counties": st.counties,
        "parks": st.parks, "projects": projects, "products": products, "campaigns": {},
        "feeds": st.feeds, "operates": operates, "supplies": supplies, "supports": supports,
        "covers": covers, "member_of": member_of, "cooperates": cooperates, "makes": makes,
        "product_feeds": [ProductFeeds.model_construct(source=a, target=b, src=s_imp)
                          for a, b in sorted(product_feeds) if a != b],
        "subtype_of": [SubtypeOf.model_construct(product=a, parent=b, src=s_imp)
                       for a, b in sorted(subtype) if a != b],
        "maps_to": maps_to})


_GRADED = {g: _src("经营", g) for g in Grade}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--firms", type=int, default=10_000, help=f"firms (e.g. {SIZES})")
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    t0 = time.perf_counter()
    atlas = generate(args.firms, args.seed)
    took = time.perf_counter() - t0
    counts = {k: v for k, v in atlas.counts().items() if v}
    print(f"{args.firms:,} firms in {took:.1f} s: "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
