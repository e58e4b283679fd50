# Trackii application image: gunicorn (default CMD), Celery worker and beat, migrate job.
# Docker is not run in our CI; this file is kept correct by review (see docs/deploy.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=trackii.settings.production \
    STATIC_ROOT=/app/var/staticfiles \
    PRIVATE_STORAGE_ROOT=/app/var/private \
    XDG_CACHE_HOME=/tmp/.cache

# Debian packages: the run part of system-packages.txt, the list `make run`, `make test` and
# .ci/run read too (what each package is for is written there): WeasyPrint's Pango and HarfBuzz
# (with subsetting), image libraries, Noto fonts for Latin, Arabic, Cyrillic, Hebrew and CJK,
# fontconfig (so that fc-cache builds the font cache now instead of every process scanning the
# fonts at start), and the PostgreSQL client for backups. `manage.py backup` runs pg_dump, which
# refuses a server newer than itself: bookworm's client is 15, so compose runs PostgreSQL 15
# (docker-compose.yml). Keep the two major versions in step.
COPY system-packages.txt /tmp/trackii-packages/system-packages.txt
COPY scripts/system-packages /tmp/trackii-packages/scripts/system-packages
RUN /tmp/trackii-packages/scripts/system-packages ensure run \
 && fc-cache -f \
 && rm -rf /var/lib/apt/lists/* /tmp/trackii-packages

# Unprivileged user with a fixed uid/gid: the nginx image adds its worker user to group 10001
# so that it can read the private volume (mode 0750) for X-Accel-Redirect downloads.
RUN groupadd --gid 10001 trackii \
 && useradd --uid 10001 --gid trackii --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin trackii

WORKDIR /app

# Dependencies first, in their own layer, so that code changes do not reinstall them: the ranges
# from pyproject.toml, pinned by constraints.txt.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install --no-cache-dir -c constraints.txt -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The source stays owned by root (the app cannot rewrite its own code); the editable install
# only registers the packages, the dependencies above are already satisfied.
COPY . .
# The translation catalogues compiled from their .po sources (gettext is in the run part).
RUN pip install --no-cache-dir -c constraints.txt -e . \
 && find locale -name django.po -execdir msgfmt --check-format -o django.mo django.po ';' \
 && mkdir -p /app/var/staticfiles /app/var/private \
 && chown trackii:trackii /app/var/staticfiles /app/var/private \
 && chmod 0750 /app/var/private

USER trackii

# Static files are collected at build time with throwaway values that exist only in this RUN
# (production settings refuse to import without them; nothing here touches a database).
# The compose "migrate" job collects again into the shared volume that nginx serves.
RUN SECRET_KEY=build-time-collectstatic-only-not-a-secret-0123456789abcdefg \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

EXPOSE 8000

CMD ["gunicorn", "trackii.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--forwarded-allow-ips=*"]
