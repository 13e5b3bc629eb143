"""Memory helpers for building large, long-lived object graphs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building hundreds of thousands of
    long-lived objects (it otherwise triples the time), then freeze what survived (moved
    out of the collector's generations, so the next collection does not walk the whole
    atlas again) and restore the collector's state. Acyclic garbage is freed by reference
    counting meanwhile."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()
