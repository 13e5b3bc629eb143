"""CLI: ``validate targets`` — the target ranking's hit rate against the labelled producers
(``seeds/validation/targets.yaml``) and, with ``--decisive``, which component decides the
top target over every (chain, gap) pair. Thin shell over
:mod:`graph.analysis.target_checks`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from graph.analysis.rules import Rules
from graph.analysis.target_checks import (
    DecisiveReport,
    TargetValidation,
    decisive_components,
    read_target_labels,
    validate_targets,
)
from graph.commands.analysis import (
    JsonOpt,
    RulesOpt,
    SeedsOpt,
    _console,
    _run,
    _table,
    target_inputs,
)
from graph.commands.validate import validate_app
from graph.model import Atlas
from graph.settings import get_settings

LABELS = Path("validation") / "targets.yaml"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def _print_validation(v: TargetValidation) -> None:
    t = _table(f"目标企业命中率（{v.scored} 个有标注且有候选的环节）",
               ("环节", "候选", "标注/匹配", "P@5", "P@10", "龙头名次", "前5"), "前5")
    for s in v.segments:
        lead = "、".join(f"{k}:{'未入选' if r is None else r}" for k, r in s.leaders.items())
        t.add_row(s.segment_id, str(s.candidates), f"{s.labelled}/{s.resolved}",
                  _pct(s.precision_at_5), _pct(s.precision_at_10), lead, "、".join(s.top5))
    _console().print(t)
    typer.echo(f"precision@5 = {_pct(v.precision_at_5)}  precision@10 = "
               f"{_pct(v.precision_at_10)}  leaders in top 3: {v.leaders_in_top3}/{v.leaders}"
               f"  labelled non-producers in a top 10: {v.not_producers_in_top10}")


def _print_decisive(d: DecisiveReport) -> None:
    t = _table(f"决定首位目标的分项（{d.contested}/{d.pairs} 个链-缺口对有两个以上候选）",
               ("分项", "次数", "占比"), "分项")
    for k, n in d.counts.items():
        t.add_row(k, str(n), f"{d.shares[k]:.1%}")
    _console().print(t)
    typer.echo(f"max share = {d.max_share:.1%} (target ≤ 33.3%); no candidate: "
               f"{d.no_candidate}, one candidate: {d.sole_candidate}")


@validate_app.command("targets")
def targets(
    labels: Annotated[Path | None, typer.Option(
        "--labels", help="Labelled producers (default: <seeds>/validation/targets.yaml).")
    ] = None,
    decisive: Annotated[bool, typer.Option(
        "--decisive", help="Also report which component decides the top target over every "
                           "(chain, gap) pair.")] = False,
    as_json: JsonOpt = False, seeds: SeedsOpt = None, rules_file: RulesOpt = None,
) -> None:
    """Precision@5/@10 of the target ranking and the national leaders' ranks."""
    root = seeds or get_settings().seeds_dir
    vocab, place = target_inputs(seeds)

    def compute(a: Atlas, r: Rules) -> tuple[TargetValidation, DecisiveReport | None]:
        v = vocab and vocab.with_atlas(a)
        found = validate_targets(a, read_target_labels(labels or root / LABELS), rules=r,
                                 vocab=v, place=place)
        return found, (decisive_components(a, rules=r, vocab=v, place=place)
                       if decisive else None)

    found, dec = _run(seeds, rules_file, compute)
    if as_json:
        body = {"validation": found.model_dump(mode="json"),
                "decisive": dec.model_dump(mode="json") if dec else None}
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    _print_validation(found)
    if dec is not None:
        _print_decisive(dec)


def register(app: typer.Typer) -> None:
    """`validate targets` is added to the `validate` group of :mod:`graph.commands.validate`."""
