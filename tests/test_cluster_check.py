"""`make cluster-check` (scripts/cluster-check) drops and creates the database it is given and
empties the Redis database: it refuses any that could hold real data, before touching either.
The check itself runs in CI after the suite (.ci/run), not here."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"


def cluster_check(**env):
    kept = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cluster-check")],
        env={**kept, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("database_url", "redis_url", "refusal"),
    [
        ("", f"{REDIS}/9", "DATABASE_URL must name a PostgreSQL database"),
        ("sqlite:///var/db.sqlite3", f"{REDIS}/9", "DATABASE_URL must name a PostgreSQL database"),
        (f"{SERVER}/trackii", f"{REDIS}/9", "will not drop and create the database 'trackii'"),
        (f"{SERVER}/trackii_loadtest", f"{REDIS}/9", "will not drop and create"),
        (f"{SERVER}/test_trackii_cluster", f"{REDIS}/9", "will not drop and create"),
        (f"{SERVER}/trackii_cluster", "", "REDIS_URL must name a Redis database"),
        (f"{SERVER}/trackii_cluster", f"{REDIS}/0", "a database number other than 0"),
        (f"{SERVER}/trackii_cluster", REDIS, "a database number other than 0"),
    ],
)
def test_the_cluster_check_refuses_a_database_it_must_not_empty(database_url, redis_url, refusal):
    result = cluster_check(DATABASE_URL=database_url, REDIS_URL=redis_url)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("make cluster-check: ")
    assert refusal in result.stderr
