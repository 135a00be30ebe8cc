# Image for the web app, the Celery worker and Celery beat (see docker-compose.yml).

# Compile the Chinese translations (.po -> .mo) in a throwaway stage, so gettext stays out of the image.
FROM python:3.11-slim-bookworm AS source
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN find /src -path '*/LC_MESSAGES/*.po' -exec sh -c 'msgfmt --check-format -o "${1%.po}.mo" "$1"' _ {} \;

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF reports) needs Pango and HarfBuzz; Chinese text in PDFs needs a CJK font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app
# Dependencies first (pinned by constraints.txt), so a code change does not reinstall them.
COPY constraints.txt pyproject.toml ./
RUN pip install -c constraints.txt .

COPY --from=source /src /app

# var/ (VAR_DIR) and staticfiles/ (STATIC_ROOT, filled by collectstatic at start) must be writable;
# /data/private (PRIVATE_STORAGE_ROOT) and /data/beat are volumes in docker-compose.yml.
ENV VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    PRIVATE_STORAGE_ROOT=/data/private
RUN mkdir -p /app/var /app/staticfiles /data/private /data/beat \
    && chown -R app:app /app/var /app/staticfiles /data

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
