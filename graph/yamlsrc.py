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


MAX_DEPTH = 64
"""Deepest nesting of mappings and lists a seed file may have."""
MAX_ALIASES = 100
"""Most alias references (``*name``) a seed file may use."""
MAX_NODES = 500_000
"""Most values a seed file may expand to once aliases are followed."""


class _Loader(yaml.SafeLoader):
    """SafeLoader whose scalar constructors we reuse; one per file, never shared."""


def _limits(text: str, file: str) -> list[Problem]:
    """Problems with the shape of ``text`` found from its event stream, before anything
    is composed: nesting deeper than :data:`MAX_DEPTH`, more than :data:`MAX_ALIASES`
    aliases. The event parser is iterative, so a 50,000-deep list cannot exhaust the
    stack here, and an alias bomb is refused before it is expanded."""
    depth = aliases = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return [Problem(file, line, "<yaml>",
                                f"嵌套超过 {MAX_DEPTH} 层 (nesting deeper than {MAX_DEPTH})")]
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                return [Problem(file, line, "<yaml>",
                                f"别名引用超过 {MAX_ALIASES} 个 (more than {MAX_ALIASES} aliases)")]
    return []


def _expanded_size(root: yaml.Node, file: str) -> Problem | None:
    """A problem when ``root`` refers to itself through an alias or would expand to more
    than :data:`MAX_NODES` values; sizes are memoised per node, so this is linear in the
    composed (unexpanded) document."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            children = _children(node)
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > MAX_NODES:
                return Problem(file, node.start_mark.line + 1, "<yaml>",
                               f"展开后超过 {MAX_NODES} 个值 (expands to more than {MAX_NODES} "
                               "values: alias bomb?)")
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in open_:
            return Problem(file, node.start_mark.line + 1, "<yaml>",
                           "别名引用自身 (an alias refers to its own ancestor)")
        open_.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_:
                return Problem(file, child.start_mark.line + 1, "<yaml>",
                               "别名引用自身 (an alias refers to its own ancestor)")
            if id(child) not in sizes:
                stack.append((child, False))
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _convert(node: yaml.Node, path: PathT, pos: Positions, problems: list[Problem],
             loader: _Loader) -> Any:
    pos.set(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            if key in out:
                problems.append(
                    Problem(pos.file, key_node.start_mark.line + 1, dotted((*path, key)),
                            "duplicate key")
                )
            out[key] = _convert(value_node, (*path, key), pos, problems, loader)
            pos.set((*path, key), key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(v, (*path, i), pos, problems, loader) for i, v in enumerate(node.value)]
    value = loader.construct_object(node, deep=True)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def read_yaml_text(text: str, file: str) -> tuple[Any, Positions]:
    """Parse ``text``; raise :class:`graph.errors.SeedErrors` on syntax errors, on nesting
    deeper than :data:`MAX_DEPTH`, on too many or self-referencing aliases and on alias
    expansion beyond :data:`MAX_NODES` values (each with file:line), so no file can make
    the reader hang, exhaust memory or overflow the stack."""
    from graph.errors import SeedErrors

    pos = Positions(file)
    problems: list[Problem] = []
    try:
        shape = _limits(text, file)
        if shape:
            raise SeedErrors(shape)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SeedErrors([Problem(file, line, "<yaml>", f"YAML syntax: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise SeedErrors([Problem(file, None, "<yaml>", f"YAML: {exc}")]) from exc
    if node is None:
        return None, pos
    too_big = _expanded_size(node, file)
    if too_big is not None:
        raise SeedErrors([too_big])
    loader = _Loader("")
    try:
        data = _convert(node, (), pos, problems, loader)
    except yaml.YAMLError as exc:
        raise SeedErrors([Problem(file, None, "<yaml>", f"YAML: {exc}")]) from exc
    finally:
        loader.dispose()
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
