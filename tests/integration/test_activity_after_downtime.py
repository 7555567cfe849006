"""A hub down for longer than the activity retention window starts on SQLite, and prunes.

Its database holds the previous release's activity samples, all older than
the retention window (7 days) when it starts again. The first read of the
scores deletes them in batches; on SQLite every batch holds the lock of the
whole file, and batches that followed each other with no pause kept
JupyterHub's own writers waiting past their busy timeout: the hub did not
start ("database is locked"), and requests that wrote during the deletion
failed. 500 users with a week of ten-minute ticks each (500,000 samples)
make the deletion last several seconds on a small machine.
"""

from datetime import UTC, datetime, timedelta

from accounts import local_platform, user_token
from activity_db import samples_in

from stellars_testing import wait_until
from stellars_testing.release_db import create_release_schema, fill_release_activity

ADMIN = "boss"
PASSWORD = "downtime-test-passphrase"
LOCAL = local_platform(ADMIN, PASSWORD)
USERS, PER_USER = 500, 1000  # a week of ten-minute ticks each
DOWN = timedelta(days=9)
# At most this many users are created while the expired samples are deleted.
MOST_NEW_USERS = 300


def test_a_hub_down_past_the_retention_window_starts_and_keeps_writing(platform_hub, tmp_path):
    path = tmp_path / "jupyterhub.sqlite"
    db_url = f"sqlite:///{path}"
    create_release_schema(db_url)
    fill_release_activity(path, USERS, PER_USER, datetime.now(UTC) - DOWN)

    hub = platform_hub(LOCAL, db_url=db_url)

    # The hub's own writes, one after another for as long as the deletion runs.
    last = f"user{USERS - 1:04d}"
    created = []
    while samples_in(db_url, last) and len(created) < MOST_NEW_USERS:
        name = f"newcomer{len(created)}"
        response = hub.api("POST", f"users/{name}")
        assert response.status_code == 201, response.text
        created.append(name)
    token = user_token(hub, ADMIN)
    wait_until(
        lambda: not samples_in(db_url, "user0000") and not samples_in(db_url, last),
        timeout_s=120,
        what="the expired samples to be deleted",
        explain=hub.log_tail,
    )
    rows = _every_row(hub, token)
    # Nothing of the expired samples counts; the users the hub made have their first sample.
    assert not [name for name in rows if name.startswith("user") and rows[name]["samples"]]
    assert all(rows[name]["samples"] >= 1 for name in created)
    assert "database is locked" not in hub.log_since_start()


def _every_row(hub, token):
    """Return every activity row by username, page after page (an answer holds 200 at most)."""
    rows, offset = {}, 0
    while True:
        response = hub.api("GET", f"activity?offset={offset}", token=token)
        assert response.status_code == 200, response.text
        page = response.json()["users"]
        rows.update((row["username"], row) for row in page)
        if not page:
            return rows
        offset += len(page)
