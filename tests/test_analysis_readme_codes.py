"""The README's "Gap rules" section documents every reason and confidence-basis code the
diagnosis emits over the seed atlas (every chain, city-wide and in every county), and every
code the rules can emit (from the hand-built cases of tests/test_analysis_evidence.py)."""

from __future__ import annotations

import re

from graph.analysis.gaps import diagnose_chain
from graph.model import Atlas
from graph.settings import REPO_ROOT


def _documented() -> set[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Gap rules", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))


def test_every_code_emitted_over_the_seed_atlas_is_documented(seed_atlas: Atlas) -> None:
    emitted: set[str] = set()
    for chain in seed_atlas.chains:
        for county in (None, *seed_atlas.counties):
            for s in diagnose_chain(seed_atlas, chain, county=county).segments:
                emitted.update(r.code for r in (*s.reasons, *s.confidence_basis))
    assert {"no_local_firm", "evidence_support"} <= emitted
    assert emitted - _documented() == set()


def test_the_code_tables_list_only_codes_the_code_has() -> None:
    src = "".join(p.read_text(encoding="utf-8")
                  for p in (REPO_ROOT / "graph" / "analysis").glob("*.py"))
    in_code = set(re.findall(r'code="([a-z_]+)"', src)) | set(
        re.findall(r'\("([a-z_]+)",', src))
    codes = {c for c in _documented() if "." not in c} - {"weights", "extension"}
    assert codes - in_code == set()
