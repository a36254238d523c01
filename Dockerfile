# syntax=docker/dockerfile:1
#
# Ascent production image.
#   docker build -t ascent .
#   docker run ... ascent                          -> gunicorn on :8000 (default CMD)
#   docker run ... ascent python manage.py migrate -> one-off management commands
#   docker run ... ascent celery -A config worker -l info
# Configuration comes from the environment at run time (see config/settings.py and
# docker-compose.yml); nothing secret is baked into the image.

ARG PYTHON_IMAGE=python:3.13-slim

# ---------------------------------------------------------------------------
# Stage 1: resolve the locked dependencies into /app/.venv
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.13 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

RUN pip install uv

WORKDIR /app

# Dependencies first, so that this layer is reused until pyproject.toml or uv.lock change.
# --no-install-project: the project is not a package ([tool.uv] package = false), only its
# dependencies go into the venv.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

# ---------------------------------------------------------------------------
# Stage 2: runtime image (no uv, no pip cache, non-root)
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/app/.venv \
    PATH=/app/.venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings

RUN groupadd --system --gid 10001 ascent \
    && useradd --system --uid 10001 --gid ascent --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin ascent

WORKDIR /app

COPY --from=builder /app/.venv /app/.venv
COPY . .

# Static files are collected at build time (whitenoise serves them from STATIC_ROOT =
# /app/.local/staticfiles). Settings refuse to load without SECRET_KEY, DATABASE_URL and
# ALLOWED_HOSTS, so throwaway values are given for this one command only; collectstatic
# never connects to the database and the key is not kept in any layer's environment.
# The project's own .pyc files are compiled here because the runtime user cannot write
# them. Code and static files stay root-owned (read-only for the app user); the app user
# only gets .local/broker, used as Celery's filesystem broker when REDIS_URL is unset.
RUN SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(45))')" \
    DATABASE_URL="postgres://x@localhost/x" \
    ALLOWED_HOSTS="localhost" \
    python manage.py collectstatic --noinput \
    && python -m compileall -q -x '/app/\.(venv|local)/' /app \
    && mkdir -p /app/.local/broker \
    && chown -R ascent:ascent /app/.local/broker

USER ascent:ascent

EXPOSE 8000

# Plain HTTP to the local gunicorn. The Host header is the first ALLOWED_HOSTS entry so
# that Django does not answer 400 DisallowedHost; redirects are not followed, so the
# 301 to https:// that SECURE_HTTPS=1 gives also counts as healthy (any status < 400).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, http.client; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; c = http.client.HTTPConnection('127.0.0.1', 8000, timeout=4); c.request('GET', '/login/', headers={'Host': h, 'X-Forwarded-Proto': 'https'}); raise SystemExit(0 if c.getresponse().status < 400 else 1)"]

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
