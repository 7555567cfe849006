"""Read the hub's token table directly, as a test of what a feature leaves behind."""

import sqlalchemy as sa

# The service broadcasts are sent as (stellars_hub.configure's NOTIFICATIONS_SERVICE).
BROADCAST_SENDER = "stellars-notifications"


def service_tokens(db_url, service=BROADCAST_SENDER):
    """Return how many API tokens *service* owns in the hub's database at *db_url*."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text(
                    "SELECT count(*) FROM api_tokens JOIN services"
                    " ON api_tokens.service_id = services.id WHERE services.name = :name"
                ),
                {"name": service},
            ).scalar_one()
    finally:
        engine.dispose()
