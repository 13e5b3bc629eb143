"""Analysis: pure functions over an Atlas."""
