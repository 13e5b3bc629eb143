# Chain Atlas API image. Configured only by environment (ATLAS_*); no secret is baked in.
FROM python:3.11.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ATLAS_SEEDS_DIR=/app/seeds \
    ATLAS_DATA_DIR=/app/data \
    ATLAS_SOURCES_DIR=/app/sources

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY api ./api
COPY visual ./visual
RUN pip install . && useradd --system --uid 10001 --home-dir /app atlas \
    && mkdir -p /app/data && chown atlas /app/data
COPY seeds ./seeds

USER atlas
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"
CMD ["chain-atlas", "serve", "--host", "0.0.0.0", "--port", "8000"]
