"""CLI: ``gaps``, ``targets``, ``whatif`` and ``extension`` (gap diagnosis and targets).

Readable rich tables by default, ``--json`` for machines. The atlas comes from the store
(``ATLAS_*`` settings) or, with ``--seeds DIR``, straight from seed files. Unknown ids and
bad input exit with code 2 and a message naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar, overload

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from graph.analysis.confidence import CONFIDENCE_ZH
from graph.analysis.extension import extension_candidates
from graph.analysis.gaps import city_gaps, diagnose_chain
from graph.analysis.place import CityProfile, city_profile
from graph.analysis.rules import Rules, Weights, active_rules, load_rules
from graph.analysis.targets import CustomerLead, Recommendation, customer_leads, rank_targets
from graph.analysis.vocab import VOCAB_FILE, ProductVocab, read_vocab
from graph.analysis.whatif import Hypothetical, what_if
from graph.cliatlas import seed_atlas, store_atlas
from graph.errors import AtlasError
from graph.model import Atlas
from graph.resolve import resolve

T = TypeVar("T")
STATUS_STYLE = {"strong": "green", "weak": "yellow", "missing": "red", "broken": "bold magenta"}
STATUS_ZH = {"strong": "强", "weak": "弱", "missing": "缺失", "broken": "断链"}

SeedsOpt = Annotated[Path | None, typer.Option(
    "--seeds", help="Read the atlas from this seed directory instead of the store.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CountyOpt = Annotated[str | None, typer.Option(
    "--county", help="Limit 'local' to this county (id or name: county.jishan, 稷山县).")]
ParkOpt = Annotated[str | None, typer.Option("--park", help="Limit 'local' to this park id.")]
RulesOpt = Annotated[Path | None, typer.Option(
    "--rules", help="Rules TOML (partial allowed; default ATLAS_RULES_FILE or shipped).")]
TopOpt = Annotated[int, typer.Option("--top", min=1, help="How many results to show.")]


@overload
def _id(a: Atlas, kind: str, value: str) -> str: ...
@overload
def _id(a: Atlas, kind: str, value: None) -> None: ...
def _id(a: Atlas, kind: str, value: str | None) -> str | None:
    """``value`` (an id, Chinese name, alias or pinyin) as the id of a ``kind`` entity;
    an unknown or ambiguous name is an error listing the choices (:func:`resolve`)."""
    return None if value is None else resolve(a, kind, value)


def _atlas(seeds: Path | None) -> Atlas:
    return store_atlas() if seeds is None else seed_atlas(seeds)


def _run(seeds: Path | None, rules_file: Path | None,
         compute: Callable[[Atlas, Rules], T]) -> T:
    """Load the atlas and rules, compute; domain errors exit 2 with their message."""
    try:
        rules = load_rules(rules_file) if rules_file else active_rules()
        return compute(_atlas(seeds), rules)
    except (AtlasError, ValidationError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _emit_json(value: BaseModel | Sequence[BaseModel]) -> None:
    data: Any = ([v.model_dump(mode="json") for v in value] if isinstance(value, Sequence)
                 else value.model_dump(mode="json"))
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _console() -> Console:
    """A console; 160 columns when the output is not a terminal (pipes, files)."""
    c = Console(soft_wrap=False)
    return c if c.is_terminal else Console(width=160, soft_wrap=False)


def _table(title: str, cols: Sequence[str], wide: str) -> Table:
    """A table whose ``wide`` column takes the spare width and folds; the rest stay compact."""
    t = Table(title=title, show_lines=True)
    for col in cols:
        if col == wide:
            t.add_column(col, ratio=1, overflow="fold")
        else:
            t.add_column(col, no_wrap=col in ("#", "状态", "得分", "相关度", "阶段"))
    return t


def _status(s: str, confidence: str | None = None) -> str:
    sure = f"\n置信度{CONFIDENCE_ZH[confidence]}" if confidence else ""
    return f"[{STATUS_STYLE[s]}]{STATUS_ZH[s]} {s}[/]{sure}"


def _assessed(views: Sequence[Any], clashes: Sequence[Any]) -> str:
    """The city's own assessments beside the computed status, conflicts marked."""
    out = [f"文件判断「{v.verdict}」{'（一致）' if v.agrees else '（不一致）'}" for v in views]
    out += [f"[bold red]冲突[/]：{c.message}" for c in clashes]
    return "；".join(out)


def gaps(
    chain: Annotated[str | None, typer.Argument(
        help="Chain id (e.g. ch.coking.nylon); omit for the city-wide ranked gap list.")] = None,
    county: CountyOpt = None, park: ParkOpt = None, as_json: JsonOpt = False,
    seeds: SeedsOpt = None, rules_file: RulesOpt = None,
) -> None:
    """Segment status (strong/weak/missing/broken) of a chain, or the ranked city-wide gaps."""
    console = _console()
    if chain is None:
        if park is not None:
            typer.echo("error: --park needs a CHAIN", err=True)
            raise typer.Exit(2)
        items = _run(seeds, rules_file,
                     lambda a, r: city_gaps(a, rules=r, county=_id(a, "county", county)))
        if as_json:
            return _emit_json(items)
        t = _table(f"全市缺链/弱链清单（{county or '全市'}）",
                   ("#", "环节", "状态", "优先级", "所属链", "原因"), "原因")
        for i, g in enumerate(items, 1):
            why = "；".join(r.message for r in g.reasons)
            extra = _assessed(g.assessments, g.conflicts)
            t.add_row(str(i), f"{g.segment_name}\n[dim]{g.segment_id}[/]",
                      _status(g.status, g.confidence), f"{g.priority:.2f}", "\n".join(g.chains),
                      why + (f"\n{extra}" if extra else ""))
        console.print(t)
        return None
    diag = _run(seeds, rules_file,
                lambda a, r: diagnose_chain(a, _id(a, "chain", chain),
                                            county=_id(a, "county", county),
                                            park=_id(a, "park", park), rules=r))
    if as_json:
        return _emit_json(diag)
    t = _table(f"{diag.chain_name}（{diag.chain_id}）· {diag.region or '全市'} · "
               f"完整度 {diag.completeness:.0%} · 置信度{CONFIDENCE_ZH[diag.confidence]} · "
               f"规则 {diag.rules_version}",
               ("环节", "阶段", "状态", "本地企业", "原因", "文件判断"), "原因")
    for s in diag.segments:
        why = "；".join(r.message for r in s.reasons)
        sure = "；".join(r.message for r in s.confidence_basis)
        t.add_row(f"{s.name}\n[dim]{s.segment_id}[/]", s.stage.value,
                  _status(s.status, s.confidence), str(len(s.local_firms)),
                  f"{why}\n[dim]{sure}[/]", _assessed(s.assessments, s.conflicts))
    console.print(t)
    if diag.coverage.thin:
        console.print("[yellow]本地区该链数据覆盖不足（无已有环节，或未记录县区的项目多于已记录的）："
                      "缺失判断置信度低。[/]")
    return None


def _parse_weights(items: list[str] | None) -> Weights | None:
    if not items:
        return None
    data: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            data[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            typer.echo(f"error: --weight {item!r}: expected NAME=NUMBER", err=True)
            raise typer.Exit(2)
    try:
        return Weights.model_validate(data)
    except ValidationError as exc:
        typer.echo(f"error: --weight: {exc}", err=True)
        raise typer.Exit(2) from exc


def targets(
    chain: Annotated[str, typer.Argument(
        help="Chain id or name, e.g. ch.coking.nylon or 尼龙.")],
    segment: Annotated[str, typer.Argument(
        help="Gap segment id or name, e.g. seg.nylon.caprolactam or 己内酰胺.")],
    top: TopOpt = 10, county: CountyOpt = None, as_json: JsonOpt = False,
    weight: Annotated[list[str] | None, typer.Option(
        "--weight", help="Re-weight a component, NAME=NUMBER (evidence, market, scale, "
                         "proximity, linkage, connectors, pipeline, chain_fit). "
                         "Repeatable.")] = None,
    product: Annotated[str | None, typer.Option(
        "--product", help="Rank the makers of this product of the segment.")] = None,
    seeds: SeedsOpt = None, rules_file: RulesOpt = None,
) -> None:
    """Rank the producers to approach for a gap segment (components, connectors, graph
    paths), then the customer leads (firms using the segment's product)."""
    w = _parse_weights(weight)
    vocab, place = target_inputs(seeds)

    def compute(a: Atlas, r: Rules) -> tuple[list[Recommendation], list[CustomerLead]]:
        ch, seg, cty = _id(a, "chain", chain), _id(a, "segment", segment), _id(a, "county", county)
        recs = rank_targets(a, ch, seg, weights=w, top=top, county=cty, rules=r,
                            vocab=vocab and vocab.with_atlas(a), place=place, product=product)
        return recs, customer_leads(a, ch, seg, top=top, county=cty, rules=r,
                                    place=place)

    recs, leads = _run(seeds, rules_file, compute)
    if as_json:
        return _emit_json(recs)
    t = _table(f"招商目标（生产企业）：{chain} / {segment}",
               ("#", "企业", "得分", "分项", "标记", "联系渠道", "依据"), "依据")
    for i, r in enumerate(recs, 1):
        comps = " ".join(f"{k}={v:.2f}" for k, v in r.components.items() if v)
        flags = [*r.flags, *([f"噪声组{r.noise_group}"] if r.within_noise else []),
                 *([f"并列→{r.tie_break}"] if r.tie_break else [])]
        t.add_row(str(i), f"{r.name}\n[dim]{r.company_id}[/]", f"{r.score:.3f}", comps,
                  ",".join(flags), "\n".join(r.connectors), "\n".join(r.reasons))
    _console().print(t)
    if leads:
        c = _table(f"下游用户（客户线索，非生产企业）：{segment}",
                   ("#", "企业", "使用产品", "联系渠道", "依据"), "依据")
        for i, x in enumerate(leads, 1):
            c.add_row(str(i), f"{x.name}\n[dim]{x.company_id}[/]", x.product,
                      "\n".join(x.connectors), "\n".join(x.reasons))
        _console().print(c)
    return None


def target_inputs(seeds: Path | None) -> tuple[ProductVocab | None, CityProfile | None]:
    """The product vocabulary and city profile of ``--seeds DIR`` (None, None: the
    settings' seed directory, which the ranking reads by default)."""
    if seeds is None:
        return None, None
    try:
        return (ProductVocab.from_entries(read_vocab(seeds / VOCAB_FILE)),
                city_profile(seeds))
    except AtlasError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _hypotheticals(firms: list[str], projects: list[str]) -> list[Hypothetical]:
    out: list[Hypothetical] = []
    try:
        for f in firms:
            seg, _, rest = f.partition(":")
            name, _, role = rest.partition(":")
            out.append(Hypothetical.model_validate(
                {"kind": "firm", "segment_id": seg, "name": name or "假设企业",
                 "role": role or "local"}))
        for p in projects:
            seg, _, rest = p.partition(":")
            name, _, stage = rest.partition(":")
            out.append(Hypothetical.model_validate(
                {"kind": "project", "segment_id": seg, "name": name or "假设项目",
                 "stage": stage or None}))
    except ValidationError as exc:
        typer.echo(f"error: --firm/--project: {exc}", err=True)
        raise typer.Exit(2) from exc
    if not out:
        typer.echo("error: give at least one --firm or --project", err=True)
        raise typer.Exit(2)
    return out


def whatif(
    chain: Annotated[str, typer.Argument(help="Chain id.")],
    firm: Annotated[list[str] | None, typer.Option(
        "--firm", help="Hypothetical firm SEGMENT:NAME[:local|anchor]. Repeatable.")] = None,
    project: Annotated[list[str] | None, typer.Option(
        "--project", help="Hypothetical project SEGMENT:NAME:STAGE (e.g. 投产). Repeatable.")
    ] = None,
    county: CountyOpt = None, park: ParkOpt = None, as_json: JsonOpt = False,
    seeds: SeedsOpt = None, rules_file: RulesOpt = None,
) -> None:
    """Statuses and completeness after adding hypothetical firms/projects (store untouched)."""
    adds = _hypotheticals(firm or [], project or [])
    res = _run(seeds, rules_file, lambda a, r: what_if(
        a, _id(a, "chain", chain), adds, county=_id(a, "county", county),
        park=_id(a, "park", park), rules=r))
    if as_json:
        return _emit_json(res)
    t = _table(f"假设情景：{chain} 完整度 {res.before:.0%} → {res.after:.0%}（{res.delta:+.0%}）",
               ("环节", "之前", "之后"), "环节")
    for c in res.changed:
        t.add_row(f"{c.name} [dim]{c.segment_id}[/]", _status(c.before), _status(c.after))
    _console().print(t)
    return None


def extension(
    chain: Annotated[str, typer.Argument(help="Chain id.")],
    top: TopOpt = 20, county: CountyOpt = None, as_json: JsonOpt = False,
    seeds: SeedsOpt = None, rules_file: RulesOpt = None,
) -> None:
    """Extension (延链): absent segments next to the chain's strong segments, by relatedness."""
    items = _run(seeds, rules_file, lambda a, r: extension_candidates(
        a, _id(a, "chain", chain), county=_id(a, "county", county), rules=r, top=top))
    if as_json:
        return _emit_json(items)
    t = _table(f"延链方向：{chain}（{county or '全市'}）",
               ("#", "环节", "相关度", "本链", "依托强环节", "依据"), "依据")
    for i, e in enumerate(items, 1):
        t.add_row(str(i), f"{e.name}\n[dim]{e.segment_id}[/]", f"{e.relatedness:.2f}",
                  "是" if e.in_chain else "否", "\n".join(e.from_segments),
                  "\n".join(e.reasons))
    _console().print(t)
    return None


def register(app: typer.Typer) -> None:
    """Add the analysis commands to the CLI."""
    app.command()(gaps)
    app.command()(targets)
    app.command()(whatif)
    app.command()(extension)
