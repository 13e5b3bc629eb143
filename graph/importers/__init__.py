"""Importers of external data."""
