"""Chain Atlas core: typed atlas model, seed loader, stores and analysis."""

__version__ = "0.1.0"
