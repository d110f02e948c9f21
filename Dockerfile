# The advisory assistant: a small image, a non-root user, the database on a volume under /data.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KNOWLEDGE_DIR=/app/knowledge \
    LOCALES_DIR=/app/locales \
    DATABASE_PATH=/data/bot.sqlite3 \
    SEARCH_CACHE_DIR=/data/cache \
    PORT=8080

WORKDIR /app
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --no-create-home bot

COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY locales ./locales
RUN pip install --no-cache-dir . \
    && python -m babel.messages.frontend compile -d locales \
    && python -m bot kb check \
    && mkdir -p /data && chown 10001:10001 /data

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["python", "-m", "bot", "health"]
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
