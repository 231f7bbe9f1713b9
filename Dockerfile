# Production image: gunicorn serving config.wsgi, static files by WhiteNoise.
# The same image runs the web, the Celery worker and beat (see docker-compose.yml).

# --- front-end packages, pinned by package-lock.json --------------------------
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- the application ------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Configuration comes from the environment only (docker compose: .env.production).
    ENV_FILE=/dev/null \
    MEDIA_ROOT=/app/var/media \
    PORT=8000

WORKDIR /app
RUN groupadd --system app && useradd --system --gid app --home-dir /app app

COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY --from=assets /build/node_modules node_modules
COPY . .

# Settings refuse to load without production variables; collectstatic needs
# none of their real values, so throwaway ones are given for this step only.
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    FIELD_ENCRYPTION_KEYS=collectstatic-only BLIND_INDEX_KEY=collectstatic-only \
    DATABASE_URL=postgres://build@localhost/build CELERY_BROKER_URL=memory:// \
    python manage.py collectstatic --noinput -v0 \
 && mkdir -p /app/var/media \
 && chown -R app:app /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
