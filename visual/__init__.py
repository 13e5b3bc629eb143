"""Interactive HTML chain maps: graphs built with pyvis, drawn by vendored vis-network."""
