"""Interactive HTML chain maps."""
