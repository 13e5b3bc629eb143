"""Checks of the target ranking: hit rate against labelled producers, and which component
decides the top target.

**Hit rate** (``chain-atlas validate targets``). The labelled set
(``seeds/validation/targets.yaml``, not loaded into the atlas) lists real producers of gap
segments' products. A labelled producer resolves to an atlas company by ``id`` when the
atlas has it, else by exact name or alias (names naming one company only). For every
labelled segment that has candidates, the segment is ranked in its first chain (all
candidates), for the labelled product when the vocabulary names it for the segment;
precision@k = share of the top k (or of all candidates when fewer) that are
labelled producers; the reported precision is the mean over those segments. The leader's
rank is its position in the full ranking (None: not a candidate). Labelled
``not_producers`` (users, wrong text matches) found in a top 10 are listed and counted.

**Decisive component** (``--decisive``). Over every (chain, missing or broken segment)
pair with at least two candidates, the component that decides the top target is the one
with the largest weighted lead of #1 over #2 (``w_k x (c1_k - c2_k)``); when their scores
are equal it is the tie-break criterion that separated them (``tie:market`` … or
``tie:id``). A well-balanced ranking has no component deciding more than a third.

>>> precision_at([True, False, True], 5)
0.6667
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from graph.analysis.index import company_names
from graph.analysis.listfile import read_list
from graph.analysis.place import CityProfile
from graph.analysis.rules import Rules, active_rules
from graph.analysis.targets import COMPONENTS, gap_pairs, rank_targets
from graph.analysis.vocab import ProductVocab, atlas_vocab
from graph.model import Atlas, Source


class LabelledProducer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    name: str
    leader: bool = False
    basis: Source | None = None


class LabelledNonProducer(BaseModel):
    """A firm that only uses the product, or that a text match wrongly takes for a maker."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    name: str
    note: str = ""


class TargetLabel(BaseModel):
    """Real producers of a gap segment's product (``seeds/validation/targets.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    segment: str
    product: str = ""
    producers: list[LabelledProducer] = Field(min_length=1)
    basis: Source | None = None
    not_producers: list[LabelledNonProducer] = Field(default_factory=list)
    note: str = ""


class SegmentHit(BaseModel):
    """Hit rate of one labelled segment."""

    segment_id: str
    chain_id: str | None
    product: str
    labelled: int
    resolved: int
    candidates: int
    precision_at_5: float | None
    precision_at_10: float | None
    leaders: dict[str, int | None]
    not_producers_in_top10: list[str]
    top5: list[str]


class TargetValidation(BaseModel):
    """Hit rate over the labelled set."""

    segments: list[SegmentHit]
    scored: int
    precision_at_5: float | None
    precision_at_10: float | None
    leaders_in_top3: int
    leaders: int
    not_producers_in_top10: int


class DecisiveReport(BaseModel):
    """How often each component decides the top target."""

    pairs: int
    contested: int
    no_candidate: int
    sole_candidate: int
    counts: dict[str, int]
    shares: dict[str, float]
    max_share: float


def read_target_labels(path: Path) -> list[TargetLabel]:
    """The labelled set; :class:`InvalidInput` naming the file, entry and field."""
    return read_list(path, TargetLabel, "标注集", "labels")


def precision_at(hits: list[bool], k: int) -> float:
    """Share of the first ``k`` (or all, when fewer) that are hits, 4 places."""
    top = hits[:k]
    return round(sum(top) / len(top), 4) if top else 0.0


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def validate_targets(atlas: Atlas, labels: list[TargetLabel], *, rules: Rules | None = None,
                     vocab: ProductVocab | None = None, place: CityProfile | None = None,
                     use_place: bool = True) -> TargetValidation:
    """Precision@5/@10 and leader ranks of the ranking against ``labels`` (module rules)."""
    rules = rules or active_rules()
    names = company_names(atlas)
    rows: list[SegmentHit] = []
    for lab in labels:
        seg = atlas.segments.get(lab.segment)
        ids: dict[str, LabelledProducer] = {}
        for p in lab.producers:
            cid = p.id if p.id and p.id in atlas.companies else names.get(p.name.strip())
            if cid is not None:
                ids[cid] = p
        chain = sorted(seg.chains)[0] if seg is not None else None
        term = (vocab or atlas_vocab(atlas)).match(lab.segment, lab.product) if lab.product \
            else None
        recs = (rank_targets(atlas, chain, lab.segment, top=10_000, rules=rules, vocab=vocab,
                             place=place, use_place=use_place, product=term)
                if chain is not None else [])
        wrong = {cid for p in lab.not_producers
                 if (cid := p.id if p.id and p.id in atlas.companies
                     else names.get(p.name.strip())) is not None}
        hits = [r.company_id in ids for r in recs]
        order = {r.company_id: i for i, r in enumerate(recs, 1)}
        leaders = {p.name: next((order[c] for c, q in ids.items() if q is p and c in order), None)
                   for p in lab.producers if p.leader}
        rows.append(SegmentHit(
            segment_id=lab.segment, chain_id=chain, product=lab.product,
            labelled=len(lab.producers), resolved=len(ids), candidates=len(recs),
            precision_at_5=precision_at(hits, 5) if recs else None,
            precision_at_10=precision_at(hits, 10) if recs else None,
            leaders=leaders, top5=[r.name for r in recs[:5]],
            not_producers_in_top10=[r.name for r in recs[:10] if r.company_id in wrong]))
    scored = [r for r in rows if r.precision_at_5 is not None]
    ranks = [v for r in rows for v in r.leaders.values()]
    return TargetValidation(
        segments=rows, scored=len(scored),
        precision_at_5=_mean([r.precision_at_5 for r in scored if r.precision_at_5 is not None]),
        precision_at_10=_mean([r.precision_at_10 for r in scored
                               if r.precision_at_10 is not None]),
        leaders_in_top3=sum(1 for v in ranks if v is not None and v <= 3), leaders=len(ranks),
        not_producers_in_top10=sum(len(r.not_producers_in_top10) for r in rows))


def decisive_components(atlas: Atlas, *, rules: Rules | None = None,
                        vocab: ProductVocab | None = None, place: CityProfile | None = None,
                        use_place: bool = True) -> DecisiveReport:
    """Which component decides the top target, over every (chain, gap) pair (module rules)."""
    rules = rules or active_rules()
    w = rules.weights.model_dump()
    total = sum(w.values())
    counts: Counter[str] = Counter()
    pairs = gap_pairs(atlas, rules=rules)
    none = sole = 0
    for chain, seg in pairs:
        recs = rank_targets(atlas, chain, seg, top=2, rules=rules, vocab=vocab, place=place,
                            use_place=use_place)
        if not recs:
            none += 1
            continue
        if len(recs) == 1:
            sole += 1
            continue
        a, b = recs
        if a.score == b.score:
            counts[f"tie:{a.tie_break or 'id'}"] += 1
            continue
        lead = {k: w[k] * (a.components[k] - b.components[k]) / total for k in COMPONENTS}
        counts[max(COMPONENTS, key=lambda k: (lead[k], -COMPONENTS.index(k)))] += 1
    contested = sum(counts.values())
    shares = {k: round(v / contested, 4) for k, v in counts.most_common()} if contested else {}
    return DecisiveReport(pairs=len(pairs), contested=contested, no_candidate=none,
                          sole_candidate=sole, counts=dict(counts.most_common()),
                          shares=shares, max_share=max(shares.values(), default=0.0))
