# Appeal Bot: slim Python, a non-root user, SQLite on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/appeal-bot.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY content ./content
# The interface catalogs (.mo) are compiled from the .po files before the package is built.
RUN pip install "babel>=2.16" \
    && pybabel -q compile -d bot/locale -D appeal_bot \
    && pip install . \
    && useradd --create-home --uid 10001 appeal \
    && mkdir -p /data && chown appeal:appeal /data

USER appeal
VOLUME ["/data"]
# Brings the schema up to date itself, then long-polls Telegram.
CMD ["appeal-bot", "run"]
