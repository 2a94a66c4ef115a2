# Production image of Brigade Ops: gunicorn for the web, the same image for Celery.
# docker-compose.yml runs it as web, worker, beat and a one-off migrate service.

# --- front-end libraries, from the npm registry (the app serves them: no CDN) -----------
FROM python:3.11-slim AS assets
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- the application --------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# gettext compiles the translations at build time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# Dependencies first, so that a code change reuses this layer. pip >= 25.1 reads the
# PEP 735 "runtime" group straight from pyproject.toml.
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install --group runtime

# Files belong to an unprivileged user; media and static files are volumes in compose,
# which start as a copy of these folders, so the user must own them.
RUN useradd --system --uid 10001 --home-dir /app brigade \
    && mkdir -p /app/media /app/staticfiles \
    && chown brigade /app/media /app/staticfiles
COPY --from=assets /app/node_modules ./node_modules
COPY --chown=brigade . .
USER brigade

# Build-time only key: collectstatic and compilemessages need settings, not a secret.
RUN if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
        DEBUG=0 SECRET_KEY=build-only-not-a-secret python manage.py compilemessages \
            --ignore=node_modules; \
    fi \
    && DEBUG=0 SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput -v 0

# The web healthcheck lives in docker-compose.yml: worker and beat share this image.
EXPOSE 8000
CMD ["gunicorn", "brigade.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
