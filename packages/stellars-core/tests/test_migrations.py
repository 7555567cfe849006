import textwrap

import pytest
from sqlalchemy import create_engine, inspect, text

from stellars_core.migrations import (
    VERSION_TABLE,
    MigrationError,
    SchemaHistory,
    current,
    upgrade,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'platform.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def _revision(folder, name, number, body, *, label=None):
    down = repr(f"{name}_{number - 1:04d}") if number > 1 else "None"
    labels = repr((label,)) if label else "()"
    source = f'''
        """Step {number} of {name}."""

        import sqlalchemy as sa
        from alembic import op

        revision = "{name}_{number:04d}"
        down_revision = {down}
        branch_labels = {labels}
        depends_on = None


        def upgrade():
        {textwrap.indent(textwrap.dedent(body), "    ")}


        def downgrade():
            pass
        '''
    (folder / f"{name}_{number:04d}.py").write_text(textwrap.dedent(source))


def _history(tmp_path, name, *bodies):
    folder = tmp_path / name
    folder.mkdir()
    for number, body in enumerate(bodies, start=1):
        _revision(folder, name, number, body, label=name if number == 1 else None)
    return SchemaHistory(name=name, versions=folder)


CREATE_FIRST = 'op.create_table("first", sa.Column("id", sa.Integer, primary_key=True))'
CREATE_SECOND = 'op.create_table("second", sa.Column("id", sa.Integer, primary_key=True))'
FAIL = 'raise RuntimeError("deliberately broken")'


def _tables(db_url):
    engine = create_engine(db_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_creates_every_history_and_records_each_head(db_url, tmp_path):
    one = _history(
        tmp_path, "one", CREATE_FIRST, 'op.add_column("first", sa.Column("x", sa.Integer))'
    )
    two = _history(tmp_path, "two", CREATE_SECOND)

    upgrade(db_url, [one, two])

    assert {"first", "second", VERSION_TABLE} <= _tables(db_url)
    assert "alembic_version" not in _tables(db_url)
    assert current(db_url) == {"one": "one_0002", "two": "two_0001"}


def test_a_second_upgrade_applies_only_what_is_new(db_url, tmp_path):
    one = _history(tmp_path, "one", CREATE_FIRST)
    upgrade(db_url, [one])
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO first (id) VALUES (7)"))
    engine.dispose()
    _revision(one.versions, "one", 2, 'op.add_column("first", sa.Column("x", sa.Integer))')

    upgrade(db_url, [one])
    upgrade(db_url, [one])

    engine = create_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id, x FROM first")).all() == [(7, None)]
    engine.dispose()
    assert current(db_url) == {"one": "one_0002"}


def test_histories_upgraded_apart_share_the_version_table(db_url, tmp_path):
    one = _history(tmp_path, "one", CREATE_FIRST)
    two = _history(tmp_path, "two", CREATE_SECOND)

    upgrade(db_url, [one])
    upgrade(db_url, [two])
    upgrade(db_url, [one, two])

    assert current(db_url) == {"one": "one_0001", "two": "two_0001"}


def test_current_names_every_given_history_even_unapplied(db_url, tmp_path):
    one = _history(tmp_path, "one", CREATE_FIRST)
    assert current(db_url, [one]) == {"one": None}


def test_a_failing_revision_leaves_the_database_as_it_was(db_url, tmp_path):
    done = _history(tmp_path, "done", CREATE_SECOND)
    upgrade(db_url, [done])
    before = _tables(db_url)
    earlier = _history(tmp_path, "earlier", 'op.create_table("third", sa.Column("id", sa.Integer))')
    broken = _history(tmp_path, "broken", CREATE_FIRST, FAIL)

    with pytest.raises(MigrationError) as raised:
        upgrade(db_url, [earlier, broken])

    message = str(raised.value)
    assert "broken" in message
    assert "broken_0002" in message
    assert "deliberately broken" in message
    # Tables created earlier in the same run, by this history and another, are gone.
    assert _tables(db_url) == before
    assert current(db_url) == {"done": "done_0001"}


def test_a_failing_statement_rolls_back_on_the_database_itself(db_url, tmp_path):
    broken = _history(
        tmp_path, "broken", CREATE_FIRST, 'op.execute("INSERT INTO nowhere VALUES (1)")'
    )

    with pytest.raises(MigrationError, match=r"broken: revision broken_0002 .*failed"):
        upgrade(db_url, [broken])

    assert _tables(db_url) == set()
    assert current(db_url, [broken]) == {"broken": None}


def test_a_revision_named_outside_its_history_is_refused(db_url, tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    _revision(folder, "other", 1, CREATE_FIRST)

    with pytest.raises(MigrationError, match="must be named one_NNNN"):
        upgrade(db_url, [SchemaHistory("one", folder)])
    assert "first" not in _tables(db_url)


def test_a_revision_newer_than_the_history_stops_the_upgrade(db_url, tmp_path):
    newer = _history(tmp_path, "one", CREATE_FIRST, CREATE_SECOND)
    upgrade(db_url, [newer])
    (newer.versions / "one_0002.py").unlink()
    older = SchemaHistory("one", newer.versions)
    earlier = _history(tmp_path, "earlier", 'op.create_table("third", sa.Column("id", sa.Integer))')

    with pytest.raises(MigrationError, match="at revision one_0002, which this release does not"):
        upgrade(db_url, [earlier, older])

    assert "third" not in _tables(db_url)
    assert current(db_url) == {"one": "one_0002"}
