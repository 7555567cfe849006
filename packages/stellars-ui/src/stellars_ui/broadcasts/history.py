"""The last broadcasts sent: who sent what, when, and how many servers took it.

One small table (``broadcast_history``) in the hub's database by default,
trimmed to the newest *keep* rows at each write, so it never grows. Our own
MetaData, never JupyterHub's: the hub's schema and migrations stay its own.
Database I/O runs in a worker thread; the event loop never waits on it.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import Integer, String, Table, create_engine, delete, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from stellars_core import UTCDateTime
from stellars_ui.broadcasts.request import MAX_MESSAGE_LENGTH

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from stellars_ui.broadcasts.request import BroadcastRequest

USERNAME_LENGTH = 255


class _Base(DeclarativeBase):
    pass


class _BroadcastRow(_Base):
    __tablename__ = "broadcast_history"
    # A deleted entry's id is never given again (migration stellars_ui_0002).
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - SQLAlchemy's declaration

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    sender: Mapped[str] = mapped_column(String(USERNAME_LENGTH))
    message: Mapped[str] = mapped_column(String(MAX_MESSAGE_LENGTH))
    variant: Mapped[str] = mapped_column(String(16))
    # NULL: the toast stays until dismissed.
    auto_close_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recipients: Mapped[int] = mapped_column(Integer)
    delivered: Mapped[int] = mapped_column(Integer)


_TABLE = cast("Table", _BroadcastRow.__table__)


@dataclass(frozen=True)
class SentBroadcast:
    """One broadcast as the history keeps it (``sent_at`` aware UTC)."""

    id: int
    sent_at: datetime
    sender: str
    message: str
    variant: str
    auto_close_ms: int | None
    recipients: int
    delivered: int

    @property
    def failed(self) -> int:
        """Return how many recipients did not get it."""
        return self.recipients - self.delivered


class BroadcastHistory:
    """The newest *keep* broadcasts, in a database (SQLite or PostgreSQL).

    *engine_or_url* is an SQLAlchemy URL or engine; the platform passes the
    hub's own database URL.
    """

    def __init__(self, engine_or_url: Engine | str, keep: int) -> None:
        if keep < 1:
            raise ValueError(f"keep must be at least 1, got {keep}")
        self.engine = (
            create_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
        )
        self.keep = keep

    async def record(
        self, sender: str, request: BroadcastRequest, *, recipients: int, delivered: int
    ) -> SentBroadcast:
        """Keep one broadcast, sent now; drop what falls beyond the newest *keep*."""
        sent = SentBroadcast(
            id=0,  # the database gives it
            sent_at=datetime.now(UTC),
            sender=sender,
            message=request.message,
            variant=request.variant,
            auto_close_ms=request.auto_close_ms,
            recipients=recipients,
            delivered=delivered,
        )
        return replace(sent, id=await asyncio.to_thread(self._insert, sent))

    async def recent(self) -> list[SentBroadcast]:
        """Return the kept broadcasts, newest first."""
        return await asyncio.to_thread(self._recent)

    async def delete(self, broadcast_id: int) -> bool:
        """Forget the broadcast *broadcast_id*; return whether it was kept (False: no such one).

        Only the record goes: what the labs were shown stays with them.
        """
        return await asyncio.to_thread(self._delete, broadcast_id)

    def _delete(self, broadcast_id: int) -> bool:
        with self.engine.begin() as connection:
            removed = connection.execute(delete(_TABLE).where(_TABLE.c.id == broadcast_id))
        return bool(removed.rowcount)

    def _insert(self, sent: SentBroadcast) -> int:
        values = {name: value for name, value in asdict(sent).items() if name != "id"}
        with self.engine.begin() as connection:
            row_id: int = connection.execute(
                insert(_TABLE).values(values).returning(_TABLE.c.id)
            ).scalar_one()
            # Ids only grow, so the newest rows are the highest ids.
            newest = select(_TABLE.c.id).order_by(_TABLE.c.id.desc()).limit(self.keep)
            connection.execute(delete(_TABLE).where(_TABLE.c.id.not_in(newest.scalar_subquery())))
        return row_id

    def _recent(self) -> list[SentBroadcast]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(_TABLE).order_by(_TABLE.c.id.desc()).limit(self.keep)
            ).all()
        return [SentBroadcast(**row._asdict()) for row in rows]
