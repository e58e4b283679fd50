#!/usr/bin/env bash
# The load test (`make loadtest`): production settings on PostgreSQL and Redis (DATABASE_URL,
# REDIS_URL), the scaled demo organisation, gunicorn with 3 workers, a Celery worker
# (concurrency 1) rendering briefing packs all along, and locust on this machine measuring the
# pages signed-in participants read (loadtest/measure.py: phase 1 at LOADTEST_TARGET_RATE, 150
# requests/s by default, then the highest rate that holds), then how much the audit trail grew
# (loadtest/trail.py). Exits non-zero if phase 1 misses its targets. gunicorn, the worker and
# the pack requests are stopped however this script ends.
#
# The database gets 50 dialogues and 2,000 invented people: give the load test a database of its
# own (created if missing), never one that holds real data.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
PORT=${LOADTEST_PORT:-8100}
VAR=var/loadtest

refuse() {
    echo "make loadtest: $*" >&2
    exit 2
}

[[ ${DATABASE_URL:-} =~ ^postgres(ql)?:// ]] ||
    refuse "DATABASE_URL must name a PostgreSQL database of its own, e.g." \
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/trackii_loadtest (the load test seeds" \
        "a large demo organisation into it and runs on the production database engine)."
[[ ${REDIS_URL:-} =~ ^rediss?:// ]] ||
    refuse "REDIS_URL must name a Redis database, e.g. REDIS_URL=redis://127.0.0.1:6379/8" \
        "(broker of the Celery worker and the cache the rate limits are counted in)."
database=${DATABASE_URL##*/}
database=${database%%\?*}
case $database in
    "" | trackii | test_*)
        refuse "will not seed 2,000 invented people into the database '$database':" \
            "give the load test a database of its own (e.g. .../trackii_loadtest)." ;;
esac

# Production settings, relaxed only for plain HTTP on 127.0.0.1 (trackii/settings/loadtest.py).
export DJANGO_SETTINGS_MODULE=trackii.settings.loadtest
mkdir -p "$VAR"
# One key for every run, kept beside the run's files: sessions of an earlier run stay readable.
if [[ ! -s $VAR/secret_key ]]; then
    (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(64))' >"$VAR/secret_key")
fi
SECRET_KEY=$(cat "$VAR/secret_key")
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export STATIC_ROOT=$PWD/$VAR/static
export PRIVATE_STORAGE_ROOT=$PWD/$VAR/private
export TRACKII_BASE_URL=http://127.0.0.1:$PORT
export EMAIL_URL=${EMAIL_URL:-consolemail://}
export LOG_LEVEL=${LOG_LEVEL:-WARNING}

"$BIN/python" - "$PORT" <<'PY'
import os, socket, sys
import environ, psycopg

port = int(sys.argv[1])
with socket.socket() as probe:
    if probe.connect_ex(("127.0.0.1", port)) == 0:
        sys.exit(f"make loadtest: port {port} is taken; set LOADTEST_PORT to a free one.")
config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
params = {
    "host": config.get("HOST") or None,
    "port": config.get("PORT") or None,
    "user": config.get("USER") or None,
    "password": config.get("PASSWORD") or None,
}
try:
    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **params) as c:
        name = config["NAME"]
        if c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            c.execute(f'CREATE DATABASE "{name}"')
            print(f"Created the database {name}.")
except psycopg.OperationalError as error:
    sys.exit(f"make loadtest: cannot reach PostgreSQL at DATABASE_URL: {error}")
PY
"$BIN/python" -c '
import os, sys, redis
try:
    redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5).ping()
except redis.RedisError as error:
    sys.exit(f"make loadtest: cannot reach Redis at REDIS_URL: {error}")
'

echo "== Preparing the database $database (migrate, seed_demo --scale) and static files"
started=$SECONDS
"$BIN/python" manage.py migrate --noinput -v 0
"$BIN/python" manage.py seed_demo --scale
"$BIN/python" manage.py collectstatic --noinput -v 0
"$BIN/celery" -A trackii purge -f >/dev/null
echo "   ready in $((SECONDS - started)) s"

pids=()
stop_all() {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap stop_all EXIT
trap 'exit 130' INT TERM

echo "== Starting gunicorn (3 workers) on 127.0.0.1:$PORT and a Celery worker (concurrency 1)"
# --no-control-socket: not the default socket in the home folder, which other servers may hold.
"$BIN/gunicorn" trackii.wsgi:application --bind "127.0.0.1:$PORT" --workers 3 \
    --no-control-socket --access-logfile "$VAR/access.log" --error-logfile "$VAR/gunicorn.log" &
pids+=($!)
"$BIN/celery" -A trackii worker --concurrency=1 -O fair --loglevel=WARNING \
    --hostname "loadtest@%h" --without-gossip --without-mingle >"$VAR/worker.log" 2>&1 &
pids+=($!)

"$BIN/python" - "$PORT" <<'PY'
import sys, time, urllib.request

url = f"http://127.0.0.1:{sys.argv[1]}/accounts/login/"
for _ in range(120):
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            if answer.status == 200:
                sys.exit(0)
    except OSError:
        time.sleep(0.5)
sys.exit(f"make loadtest: gunicorn did not answer on {url}: see var/loadtest/gunicorn.log")
PY

echo "== Requesting a briefing pack every ${LOADTEST_PACK_INTERVAL:-10} s for the worker to render"
rm -f "$VAR/packs.json"
"$BIN/python" loadtest/packs.py --status "$VAR/packs.json" --seconds 3600 >"$VAR/packs.log" 2>&1 &
pids+=($!)

echo "== Measuring (locust, headless) at ${LOADTEST_TARGET_RATE:-150} requests/s, then the highest" \
    "rate that holds, on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# The audit trail's growth meanwhile (loadtest/trail.py): its last entry now, its entries after.
"$BIN/python" loadtest/trail.py --mark "$VAR/trail.json"
status=0
"$BIN/python" loadtest/measure.py --host "http://127.0.0.1:$PORT" \
    --packs-status "$VAR/packs.json" --json "$VAR/result.json" || status=$?
"$BIN/python" loadtest/trail.py --report "$VAR/trail.json" || true
exit "$status"
