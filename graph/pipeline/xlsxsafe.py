"""Reading an untrusted .xlsx safely: limits checked before openpyxl reads it, the read
itself in a separate process with a memory cap.

Checks, in order (each answered with a clear Chinese message and an English code):

1. the body is a zip (``not_xlsx``, 422) with at most ``max_parts`` parts;
2. the declared uncompressed size of all parts, and of the shared-strings part alone,
   are within ``max_uncompressed`` / ``max_shared_strings`` (``too_large``, 413) —
   zipfile never inflates a part beyond its declared size, so a lie cannot get past;
3. the first sheet's declared dimension (``<dimension ref="A1:XFD20000"/>``) is within
   ``max_rows`` × ``max_cols`` and ``max_cells`` (413);
4. openpyxl then reads it in read-only mode, at most ``max_cols`` columns per row, and
   stops at ``max_rows`` rows (413) whatever the dimension claimed.

:func:`parse_in_worker` runs :func:`read_sheet` in a child process (spawned, address
space capped at ``worker_memory_mb``), so a parse never holds the server's event loop
or GIL and a bomb that got past every check dies alone.

>>> read_sheet(b"not a zip", "x.xlsx")
Traceback (most recent call last):
...
graph.errors.InvalidInput: x.xlsx：不是 .xlsx 工作簿 (not_xlsx)
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from graph.errors import InvalidInput, TooLarge


@dataclass(frozen=True)
class Limits:
    """Size limits of an imported workbook."""

    max_rows: int = 20_000
    max_cols: int = 64
    max_cells: int = 400_000
    max_parts: int = 200
    max_uncompressed: int = 64 * 2**20
    max_shared_strings: int = 24 * 2**20
    worker_memory_mb: int = 1024


DEFAULT_LIMITS = Limits()
Cell = Any
"""A cell value: str, int, float, bool, datetime or None."""


@dataclass
class Sheet:
    """The first worksheet of a workbook as plain values (picklable)."""

    filename: str
    rows: list[tuple[Cell, ...]]


DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def _first_sheet(zf: zipfile.ZipFile) -> str | None:
    names = sorted(n for n in zf.namelist()
                   if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    return "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in names else (
        names[0] if names else None)


def check_zip(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise unless ``data`` is a zip within the limits (nothing is inflated beyond the
    first 64 KB of the first sheet)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InvalidInput(f"{filename}：不是 .xlsx 工作簿 (not_xlsx)",
                           details=[{"field": "file", "code": "not_xlsx"}]) from exc
    with zf:
        parts = zf.infolist()
        if len(parts) > limits.max_parts:
            raise TooLarge(f"{filename}：工作簿包含 {len(parts)} 个部件，上限 {limits.max_parts} "
                           "(too_many_parts)",
                           details=[{"field": "file", "code": "too_many_parts"}])
        total = sum(p.file_size for p in parts)
        if total > limits.max_uncompressed:
            raise TooLarge(
                f"{filename}：解压后 {total / 2**20:.1f} MB，超过上限 "
                f"{limits.max_uncompressed / 2**20:.0f} MB (uncompressed_too_large)",
                details=[{"field": "file", "code": "uncompressed_too_large", "bytes": total}])
        for p in parts:
            if p.filename.endswith("sharedStrings.xml") and p.file_size > limits.max_shared_strings:
                raise TooLarge(
                    f"{filename}：共享字符串表解压后 {p.file_size / 2**20:.1f} MB，超过上限 "
                    f"{limits.max_shared_strings / 2**20:.0f} MB (shared_strings_too_large)",
                    details=[{"field": "file", "code": "shared_strings_too_large"}])
        sheet = _first_sheet(zf)
        if sheet is None:
            raise InvalidInput(f"{filename}：工作簿中没有工作表 (no_worksheet)",
                               details=[{"field": "file", "code": "no_worksheet"}])
        with zf.open(sheet) as f:
            head = f.read(65536)
    m = DIMENSION.search(head)
    if m is None:
        return
    rows = int(m.group(4) or m.group(2))
    cols = _col(m.group(3) or m.group(1))
    if rows > limits.max_rows + 1 or cols > limits.max_cols or rows * cols > limits.max_cells:
        ref = m.group(0).split(b'"')[1].decode()
        raise TooLarge(
            f"{filename}：工作表声明的范围 {ref}（{rows} 行 × {cols} 列）超过上限"
            f"（{limits.max_rows} 行、{limits.max_cols} 列、{limits.max_cells} 个单元格）"
            "(dimension_too_large)",
            details=[{"field": "file", "code": "dimension_too_large", "rows": rows,
                      "columns": cols}])


EMPTY_NUMBER = re.compile(rb"<(?:\w+:)?c\s+r=\"([A-Z]+)(\d+)\"[^>]*?(?<!/)>\s*"
                          rb"<(?:\w+:)?v\s*(?:/>|>\s*</(?:\w+:)?v>)")


def empty_numbers(data: bytes) -> set[tuple[int, int]]:
    """(row, column) of the first sheet's cells written with an empty value ``<v/>`` —
    what a writer leaves of inf or NaN. They are read as NaN, so they are reported rather
    than taken for blanks (a blank cell has no ``<v>`` at all)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = _first_sheet(zf)
        xml = zf.read(sheet) if sheet else b""
    return {(int(m.group(2)), _col(m.group(1))) for m in EMPTY_NUMBER.finditer(xml)}


def read_sheet(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> Sheet:
    """The first sheet's rows (values, read-only mode), after :func:`check_zip`."""
    check_zip(data, filename, limits)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InvalidInput(f"{filename}：无法读取工作簿（{exc.__class__.__name__}）(bad_xlsx)",
                           details=[{"field": "file", "code": "bad_xlsx"}]) from exc
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise InvalidInput(f"{filename}：工作簿中没有工作表 (no_worksheet)",
                               details=[{"field": "file", "code": "no_worksheet"}])
        rows: list[tuple[Cell, ...]] = []
        cells = 0
        holes = empty_numbers(data)
        it = ws.iter_rows(max_col=limits.max_cols, values_only=True)
        while True:
            try:
                cols = next(it, None)
            except (ValueError, TypeError, KeyError) as exc:  # e.g. <v>inf</v> in a number cell
                raise InvalidInput(
                    f"{filename}：第 {len(rows) + 1} 行含无法读取的数值（如 inf、NaN）(non_finite)",
                    details=[{"field": "file", "row": len(rows) + 1, "code": "non_finite"}]
                ) from exc
            if cols is None:
                break
            if len(rows) > limits.max_rows:
                raise TooLarge(f"{filename}：超过 {limits.max_rows} 行上限 (too_many_rows)",
                               details=[{"field": "file", "code": "too_many_rows"}])
            row = tuple(cols)
            if holes:
                r = len(rows) + 1
                row = tuple(float("nan") if (r, j) in holes else v
                            for j, v in enumerate(row, start=1))
            while row and row[-1] in (None, ""):
                row = row[:-1]
            cells += len(row)
            if cells > limits.max_cells:
                raise TooLarge(f"{filename}：超过 {limits.max_cells} 个单元格上限 "
                               "(too_many_cells)",
                               details=[{"field": "file", "code": "too_many_cells"}])
            rows.append(row)
        while rows and not rows[-1]:
            rows.pop()
        return Sheet(filename=filename, rows=rows)
    finally:
        wb.close()


# --- the worker process ------------------------------------------------------------

_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _cap_memory(mb: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (mb * 2**20, mb * 2**20))


def _pool(limits: Limits) -> ProcessPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            import multiprocessing

            _POOL = ProcessPoolExecutor(max_workers=1,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_cap_memory,
                                        initargs=(limits.worker_memory_mb,))
        return _POOL


def parse_in_worker(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> Sheet:
    """:func:`read_sheet` in the worker process (blocking: call it from a thread)."""
    global _POOL
    check_zip(data, filename, limits)  # cheap; refuse bombs before shipping them
    try:
        return _pool(limits).submit(read_sheet, data, filename, limits).result()
    except (BrokenProcessPool, MemoryError) as exc:
        with _POOL_LOCK:
            _POOL = None
        raise TooLarge(f"{filename}：解析时超出内存上限 {limits.worker_memory_mb} MB "
                       "(parse_memory_exceeded)",
                       details=[{"field": "file", "code": "parse_memory_exceeded"}]) from exc
