"""YAML reading that remembers where every value came from.

:func:`read_yaml` returns the plain data plus a :class:`Positions` map from a path
(tuple of keys and indexes) to the 1-based line of that value, so that a problem
found later, by pydantic or by a cross-reference check, can name the exact line.

>>> data, pos = read_yaml_text("a:\\n  - x: 1\\n    y: 2\\n", "f.yaml")
>>> pos.line(("a", 0, "y"))
3
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from graph.errors import Problem

PathT = tuple[str | int, ...]


class Positions:
    """Line numbers of the values of one YAML file, by path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._lines: dict[PathT, int] = {}

    def set(self, path: PathT, line: int) -> None:
        self._lines[path] = line

    def line(self, path: Sequence[str | int]) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while True:
            if p in self._lines:
                return self._lines[p]
            if not p:
                return None
            p = p[:-1]

    def problem(self, path: Sequence[str | int], message: str) -> Problem:
        """A :class:`Problem` located at ``path`` in this file."""
        return Problem(self.file, self.line(path), dotted(path), message)


def dotted(path: Sequence[str | int]) -> str:
    """``("companies", 3, "segments", 0)`` → ``companies[3].segments[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<file>"


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings-or-dates but refuses duplicate keys."""


def _convert(node: yaml.Node, path: PathT, pos: Positions, problems: list[Problem]) -> Any:
    pos.set(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _Loader.construct_object(_LOADER, key_node, deep=True)
            key = str(key)
            if key in out:
                problems.append(
                    Problem(pos.file, key_node.start_mark.line + 1, dotted((*path, key)),
                            "duplicate key")
                )
            out[key] = _convert(value_node, (*path, key), pos, problems)
            pos.set((*path, key), key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(v, (*path, i), pos, problems) for i, v in enumerate(node.value)]
    value = _Loader.construct_object(_LOADER, node, deep=True)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


_LOADER = _Loader("")


def read_yaml_text(text: str, file: str) -> tuple[Any, Positions]:
    """Parse ``text``; raise :class:`graph.errors.SeedErrors` on syntax errors."""
    from graph.errors import SeedErrors

    pos = Positions(file)
    problems: list[Problem] = []
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SeedErrors([Problem(file, line, "<yaml>", f"YAML syntax: {exc.problem}")]) from exc
    if node is None:
        return None, pos
    try:
        data = _convert(node, (), pos, problems)
    except yaml.YAMLError as exc:
        raise SeedErrors([Problem(file, None, "<yaml>", f"YAML: {exc}")]) from exc
    if problems:
        raise SeedErrors(problems)
    return data, pos


def read_yaml(path: Path, display: str | None = None) -> tuple[Any, Positions]:
    """Read and parse a YAML file (UTF-8)."""
    from graph.errors import SeedErrors

    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SeedErrors([Problem(name, None, "<file>", f"not UTF-8: {exc}")]) from exc
    return read_yaml_text(text, name)
