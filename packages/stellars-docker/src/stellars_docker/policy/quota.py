"""A user's volumes against their quota: ok, warning, over, or unknown.

The quota and its warning threshold come from the effective policy; the
bytes used from the volume sizes the runtime measures in the background.
The same comparison decides the start refused over quota
(:func:`stellars_docker.policy.hook.check_quota`): over means more bytes
than the quota, never equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select

from stellars_docker.policy.store import QUOTA_NOTICES

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from sqlalchemy.orm import Session

    from stellars_docker.policy.merge import EffectivePolicy

_PERCENT = 100.0


class QuotaLevel(StrEnum):
    """How full a user's volumes are, ordered from least to most urgent (unknown apart)."""

    OK = "ok"
    WARNING = "warning"
    OVER = "over"
    # No size measured yet: neither a warning nor the all-clear.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class QuotaState:
    """A user's volumes against their quota.

    Attributes:
        quota_bytes: the quota, or None when no group and no default sets one.
        used_bytes: what the user's volumes hold, or None before they are measured.
        percent: *used_bytes* as a share of the quota, or None when either is missing.
        warning_percent: the share from which the level is a warning.
        level: ``ok`` (also with no quota), ``warning``, ``over`` or ``unknown``
            (a quota, but no size measured yet).
        source: the group the quota comes from, or None without a quota.
    """

    quota_bytes: int | None
    used_bytes: int | None
    percent: float | None
    warning_percent: int
    level: QuotaLevel
    source: str | None


def quota_state(policy: EffectivePolicy, used_bytes: int | None) -> QuotaState:
    """Return where *used_bytes* (None: not measured) stands against *policy*'s volume quota."""
    quota = policy.values.get("volume_quota")
    warning = policy.volume_warning_percent
    if quota is None:
        return QuotaState(None, used_bytes, None, warning, QuotaLevel.OK, None)
    quota = int(quota)
    source = str(policy.sources.get("volume_quota"))
    if used_bytes is None:
        return QuotaState(quota, None, None, warning, QuotaLevel.UNKNOWN, source)
    percent = _PERCENT * used_bytes / quota
    if used_bytes > quota:
        level = QuotaLevel.OVER
    elif used_bytes * _PERCENT >= quota * warning:
        level = QuotaLevel.WARNING
    else:
        level = QuotaLevel.OK
    return QuotaState(quota, used_bytes, percent, warning, level, source)


# How urgent each level is; unknown never counts as a change.
_URGENCY = {QuotaLevel.OK: 0, QuotaLevel.WARNING: 1, QuotaLevel.OVER: 2}


@dataclass(frozen=True)
class QuotaCrossing:
    """A user whose volumes crossed into *level* (warning or over) since they were last told."""

    user_id: int
    level: QuotaLevel


def quota_crossings(db: Session, levels: Mapping[int, QuotaLevel]) -> list[QuotaCrossing]:
    """Return the users (by id, with their level now) to tell of a crossing; commit what fell.

    A user is to be told when their level is more urgent than the one they
    were last told of (none: ok). A user whose level fell below the one they
    were told of is recorded at the lower level now, so crossing again tells
    them again. An unknown level changes nothing. The caller tells them and
    then records it with :func:`record_notices`.
    """
    told = {
        row.user_id: QuotaLevel(row.level)
        for row in db.execute(select(QUOTA_NOTICES.c.user_id, QUOTA_NOTICES.c.level))
    }
    crossings = []
    fell: list[tuple[int, QuotaLevel]] = []
    for user_id, level in levels.items():
        if level is QuotaLevel.UNKNOWN:
            continue
        before = told.get(user_id, QuotaLevel.OK)
        if _URGENCY[level] > _URGENCY[before]:
            crossings.append(QuotaCrossing(user_id, level))
        elif _URGENCY[level] < _URGENCY[before]:
            fell.append((user_id, level))
    if fell:
        _write(db, fell)
    return crossings


def record_notices(db: Session, crossings: Iterable[QuotaCrossing]) -> None:
    """Record that each user of *crossings* was told of its level; commit."""
    _write(db, [(crossing.user_id, crossing.level) for crossing in crossings])


def _write(db: Session, levels: list[tuple[int, QuotaLevel]]) -> None:
    if not levels:
        return
    ids = [user_id for user_id, _ in levels]
    db.execute(delete(QUOTA_NOTICES).where(QUOTA_NOTICES.c.user_id.in_(ids)))
    now = datetime.now(UTC)
    rows = [
        {"user_id": user_id, "level": level.value, "noticed_at": now}
        for user_id, level in levels
        if level is not QuotaLevel.OK
    ]
    if rows:
        db.execute(insert(QUOTA_NOTICES), rows)
    db.commit()
