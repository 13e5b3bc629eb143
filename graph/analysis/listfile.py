"""Reviewed YAML list files outside the atlas (vocabulary, labels, statuses): one reader.

>>> from pydantic import BaseModel
>>> class Row(BaseModel):
...     a: int
>>> read_list(Path("/nonexistent.yaml"), Row, "示例", "example", missing_ok=True)
[]
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from graph.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


def read_list(path: Path, model: type[M], what_zh: str, what: str, *,
              missing_ok: bool = False) -> list[M]:
    """The entries of a YAML list file as ``model`` items; :class:`InvalidInput` naming the
    file, entry and field of every bad entry (nothing is returned then). A missing file is
    empty when ``missing_ok``."""
    if missing_ok and not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"{path}: 无法读取{what_zh} cannot read {what} ({exc})",
                           details=[{"file": str(path), "field": ""}]) from exc
    if not isinstance(data, list):
        raise InvalidInput(f"{path}: {what_zh}应为列表 {what} must be a list",
                           details=[{"file": str(path), "field": ""}])
    out: list[M] = []
    problems: list[dict[str, object]] = []
    for i, raw in enumerate(data):
        try:
            out.append(model.model_validate(raw))
        except ValidationError as exc:
            problems += [{"file": str(path), "entry": i,
                          "field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                         for e in exc.errors()]
    if problems:
        p = problems[0]
        raise InvalidInput(f"{path}: 第 {p['entry']} 条 entry {p['entry']}: {p['field']}: "
                           f"{p['message']} ({len(problems)} problem(s))", details=problems)
    return out
