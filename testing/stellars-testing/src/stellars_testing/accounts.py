"""What a hub's database says about its accounts: the cost each password is hashed at.

Accounts an admin creates are stored with a provisional hash and re-hashed at
full cost in the background (stellars_auth.passwords); a test or a bench that
needs the hub settled again waits for that here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy

from stellars_testing.polling import wait_until

if TYPE_CHECKING:
    from collections.abc import Sequence

# NativeAuthenticator's cost (bcrypt.gensalt()'s default).
FULL_COST = 12


def password_costs(db_url: str, usernames: Sequence[str]) -> dict[str, int]:
    """Return the bcrypt cost of each of *usernames*' stored hashes (those with an account)."""
    engine = sqlalchemy.create_engine(db_url)
    query = sqlalchemy.text(
        "SELECT username, password FROM users_info WHERE username IN :names"
    ).bindparams(sqlalchemy.bindparam("names", expanding=True))
    try:
        with engine.connect() as connection:
            rows = connection.execute(query, {"names": list(usernames)}).all()
    finally:
        engine.dispose()
    return {username: int(bytes(hashed).split(b"$")[2]) for username, hashed in rows}


def wait_for_full_cost(db_url: str, usernames: Sequence[str], timeout_s: float = 120.0) -> None:
    """Return once every one of *usernames* has an account hashed at full cost.

    Raises AssertionError naming the costs still stored after *timeout_s*.
    """

    def settled() -> bool:
        costs = password_costs(db_url, usernames)
        return len(costs) == len(set(usernames)) and set(costs.values()) == {FULL_COST}

    wait_until(
        settled,
        timeout_s=timeout_s,
        interval_s=1.0,
        what="every account hashed at full cost",
        explain=lambda: str(password_costs(db_url, usernames)),
    )
