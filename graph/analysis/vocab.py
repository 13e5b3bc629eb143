"""Product vocabulary: which product names name a segment's key products.

Rule. The reviewed vocabulary (``seeds/mappings/products.yaml``, not loaded into the atlas)
lists terms per segment, each with reviewed ``synonyms`` and ``not`` exclusions::

    - {term: 尼龙66切片, segment: seg.nylon.pa66, synonyms: [PA66切片], not: [尼龙66纤维]}

A product name matches a segment when one of its parts (the name split on ``/、,，;；·``,
parenthesised notes dropped, NFKC, lower case, no spaces) *equals* a term or synonym of
the segment, or one of the segment's ``key_products`` (implicit terms, so a segment added
since the last review still matches its own key products). Never on substrings: 电机 does
not match 伺服电机, 石墨烯 does not match 铝基石墨烯复合材料. A name listed under ``not:``
of any term of the segment never matches it, even when it equals a key product (a
reviewed exclusion, e.g. 硅片 for a compound-semiconductor substrate segment).

>>> v = ProductVocab.from_entries([VocabEntry(term="尼龙66切片", segment="seg.x",
...                                          synonyms=["PA66切片"], not_=["尼龙66纤维"])])
>>> v.match("seg.x", "PA 66 切片（高粘）"), v.match("seg.x", "尼龙66纤维"), v.match("seg.x", "尼龙")
('尼龙66切片', None, None)
>>> v.segments_of("尼龙66切片、己二酸")
{'seg.x'}
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from graph.analysis.listfile import read_list
from graph.importers.mapping import match_key, split_terms
from graph.model import Atlas

VOCAB_FILE = Path("mappings") / "products.yaml"


class VocabEntry(BaseModel):
    """One reviewed term of a segment (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    term: str = Field(min_length=1)
    segment: str = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list)
    not_: list[str] = Field(default_factory=list, alias="not")
    note: str = ""


def product_keys(name: str) -> list[str]:
    """The normalised parts of a product name (what is compared, whole).

    >>> product_keys("砷化镓衬底（晶片）/ 磷化铟衬底"), product_keys("PA 66")
    (['砷化镓衬底', '磷化铟衬底'], ['pa66'])
    """
    return [k for k in (match_key(t) for t in split_terms(name)) if k]


@dataclass
class ProductVocab:
    """Terms per segment, by normalised key (see the module docstring)."""

    terms: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    excluded: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_key: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    entries: int = 0

    @classmethod
    def from_entries(cls, entries: Iterable[VocabEntry], atlas: Atlas | None = None
                     ) -> ProductVocab:
        """The vocabulary of ``entries`` plus the key products of ``atlas``'s segments."""
        v = cls()
        for e in entries:
            v.entries += 1
            for name in (e.term, *e.synonyms):
                for k in product_keys(name):
                    v._add(e.segment, k, e.term)
            for name in e.not_:
                v.excluded[e.segment].update(product_keys(name))
        if atlas is not None:
            for s in atlas.segments.values():
                for p in s.key_products:
                    for k in product_keys(p):
                        v._add(s.id, k, p)
        return v

    def with_atlas(self, atlas: Atlas) -> ProductVocab:
        """A copy with ``atlas``'s key products added as implicit terms."""
        v = ProductVocab.from_entries([], atlas)
        for seg, terms in self.terms.items():
            for k, t in terms.items():
                v._add(seg, k, t)
        for seg, keys in self.excluded.items():
            v.excluded[seg] |= keys
        v.entries = self.entries
        return v

    def _add(self, segment: str, key: str, term: str) -> None:
        self.terms[segment].setdefault(key, term)
        self.by_key[key].add(segment)

    def match(self, segment: str, product: str) -> str | None:
        """The segment term ``product`` names (whole-term match), or None."""
        terms, gone = self.terms.get(segment, {}), self.excluded.get(segment, set())
        for k in product_keys(product):
            if k in terms and k not in gone:
                return terms[k]
        return None

    def excludes(self, segment: str, product: str) -> bool:
        """True when a part of ``product`` is a reviewed non-match (``not:``) of the segment."""
        gone = self.excluded.get(segment, set())
        return any(k in gone for k in product_keys(product))

    def segments_of(self, product: str) -> set[str]:
        """Every segment ``product`` names."""
        out: set[str] = set()
        for k in product_keys(product):
            out |= {s for s in self.by_key.get(k, ()) if k not in self.excluded.get(s, ())}
        return out


def read_vocab(path: Path) -> list[VocabEntry]:
    """The entries of a vocabulary file; :class:`InvalidInput` naming the file, entry and
    field of every bad entry (nothing is returned then). A missing file is empty."""
    return read_list(path, VocabEntry, "产品词表", "vocabulary", missing_ok=True)


_CACHE: dict[tuple[Path, int, int], list[VocabEntry]] = {}
_LOCK = threading.Lock()


def vocab_entries(path: Path | None = None) -> list[VocabEntry]:
    """The entries of ``path`` (default: ``<seeds_dir>/mappings/products.yaml``), cached
    until the file changes."""
    if path is None:
        from graph.settings import get_settings

        path = get_settings().seeds_dir / VOCAB_FILE
    st = path.stat() if path.is_file() else None
    key = (path.resolve(), st.st_mtime_ns if st else 0, st.st_size if st else 0)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is None:
        hit = read_vocab(path)
        with _LOCK:
            _CACHE[key] = hit
    return hit


def atlas_vocab(atlas: Atlas, entries: Iterable[VocabEntry] | None = None) -> ProductVocab:
    """The vocabulary for ``atlas``: ``entries`` (default: the active file) plus the
    atlas's key products."""
    return ProductVocab.from_entries(vocab_entries() if entries is None else entries, atlas)
