# syntax=docker/dockerfile:1
# Portico: one image for web (gunicorn), Celery worker and beat. Multi-stage, runs as a non-root user.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
RUN python -m venv /venv
WORKDIR /app
COPY pyproject.toml README.md ./
COPY platform ./platform
COPY tenants ./tenants
COPY portal ./portal
COPY billing ./billing
# Editable install: the .pth file points at /app and /app/platform, where the runtime stage puts the code.
RUN /venv/bin/pip install -e .

FROM python:3.11-slim-bookworm AS runtime
# postgresql-client: `migrate` snapshots the template schema with pg_dump (tenants.template);
# poppler-utils: thumbnails of PDFs (portal.documents.thumbnails).
ENV PATH="/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PORTICO_ENV_FILE=""
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 postgresql-client poppler-utils && rm -rf /var/lib/apt/lists/* \
    && groupadd --system portico && useradd --system --gid portico --home-dir /app --shell /usr/sbin/nologin portico
WORKDIR /app
COPY --from=build /venv /venv
# The code stays owned by root (the app cannot rewrite itself); only .var/ (media on disk) is the app's.
COPY . /app
# Static files are collected at build time; the values below only let settings load, nothing connects.
RUN SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    EMAIL_URL=consolemail:// python manage.py collectstatic --noinput \
    && mkdir -p /app/.var/media && chown -R portico:portico /app/.var
USER portico
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["gunicorn", "-c", "infra/gunicorn.conf.py", "config.wsgi:application"]
