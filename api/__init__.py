"""Chain Atlas REST API (FastAPI)."""
