"""``/hub/api/activity``: every user's activity, resources and server state; reset; sample now."""

from __future__ import annotations

import asyncio
import functools
from http import HTTPStatus
from typing import TYPE_CHECKING

from tornado import web

from stellars_auth import shown
from stellars_ui.activity_export import ExportFormat, activity_csv, activity_html
from stellars_ui.handlers.activity_listing import (
    EXPORT_PARAMETERS,
    PAGE_PARAMETERS,
    activity_listing,
    filter_query,
    page_query,
    refuse_unknown_parameters,
)
from stellars_ui.handlers.base import StellarsAPIHandler, isoformat_utc
from stellars_ui.models.activity import (
    Activity,
    ActivityPage,
    ActivityReset,
    ActivitySampled,
    ActivitySettings,
    ActivitySummary,
    Pagination,
    Sampling,
)
from stellars_ui.models.common import NoFields
from stellars_ui.scopes import READ_ACTIVITY, RESET_ACTIVITY, SAMPLE_ACTIVITY

if TYPE_CHECKING:
    from stellars_activity import ActivityMonitor, ActivityReport
    from stellars_ui.handlers.activity_listing import StateCounts


class _ActivityAPIHandler(StellarsAPIHandler):
    @property
    def activity_monitor(self) -> ActivityMonitor:
        """The hub's activity monitor."""
        return self.platform.activity


class ActivityHandler(_ActivityAPIHandler):
    """GET: a page of the users the caller may read the activity of, and a summary of all."""

    async def get(self) -> None:
        """Answer ``{timestamp, settings, summary, users: [...]}`` (see the package README).

        Rows are the users on whom the caller holds ``read:users:activity``
        (a user holds it on themself), searched, filtered, sorted and paged
        as the query asks (:func:`page_query`). A client that sends
        JupyterHub's pagination media type gets ``items`` and
        ``_pagination`` instead of ``users``. 403 for a caller who holds the
        scope on nobody, 400 for a bad parameter.
        """
        self._require_reader()
        refuse_unknown_parameters(self, PAGE_PARAMETERS)
        query = page_query(self)
        listing = await activity_listing(self, query)
        summary = _summary(listing.counts, listing.report)
        settings = self._settings()
        timestamp = isoformat_utc(listing.report.now)
        if not self.accepts_pagination:
            self.answer(
                Activity(
                    timestamp=timestamp, settings=settings, summary=summary, users=listing.rows
                )
            )
            return
        limit = query.limit if query.limit is not None else listing.total
        # JupyterHub's own envelope (its next-page URL included), checked by the model.
        envelope = self.paginated_model([], query.offset, limit, listing.total)["_pagination"]
        self.answer(
            ActivityPage.model_validate(
                {
                    "timestamp": timestamp,
                    "settings": settings,
                    "summary": summary,
                    "items": listing.rows,
                    "_pagination": Pagination.model_validate(envelope),
                }
            )
        )

    def _require_reader(self) -> None:
        if self.current_user is None or READ_ACTIVITY not in self.parsed_scopes:
            raise web.HTTPError(HTTPStatus.FORBIDDEN, f"Requires the {READ_ACTIVITY!r} scope.")

    def _settings(self) -> ActivitySettings:
        monitor = self.activity_monitor
        runtime = self.platform.docker  # None with the local spawner and on Kubernetes
        return ActivitySettings(
            refresh_interval_seconds=self.platform.ui.activity_refresh_interval_s,
            target_hours=monitor.settings.target_hours,
            half_life_hours=monitor.settings.half_life_hours,
            retention_days=monitor.settings.retention_days,
            inactive_after_minutes=monitor.settings.inactive_after_minutes,
            sample_interval_seconds=monitor.interval.total_seconds(),
            unreachable_nodes=list(runtime.unreachable_nodes()) if runtime is not None else [],
        )


class ActivityExportHandler(ActivityHandler):
    """GET: every row the search and filter keep, as a CSV file or a self-contained HTML report."""

    async def get(self) -> None:
        """Answer the file as an attachment (``format=csv`` or ``html``, the default csv).

        Takes the search, filter and sort of ``GET /hub/api/activity``, not
        its paging: the export is the whole table. 403 for a caller who holds
        ``read:users:activity`` on nobody, 400 for a bad parameter.
        """
        self._require_reader()
        refuse_unknown_parameters(self, EXPORT_PARAMETERS)
        value = self.get_argument("format", "csv")
        try:
            kind = ExportFormat(value)
        except ValueError:
            raise web.HTTPError(
                HTTPStatus.BAD_REQUEST, "%s", f"format must be csv or html, not {value!r}"
            ) from None
        query = filter_query(self)
        listing = await activity_listing(self, query)
        today = listing.report.now.date()
        # Thousands of rows take a while to write out: off the loop, which
        # meanwhile answers everyone else (the rows are plain data).
        if kind is ExportFormat.CSV:
            body = await asyncio.to_thread(activity_csv, listing.rows, today)
        else:
            body = await asyncio.to_thread(
                functools.partial(
                    activity_html,
                    listing.rows,
                    today,
                    generated=isoformat_utc(listing.report.now),
                    shown_query=query,
                    readable=listing.counts.total,
                )
            )
        stamp = listing.report.now.strftime("%Y%m%dT%H%MZ")
        self.set_header("Content-Type", f"{kind.media_type}; charset=utf-8")
        self.set_header(
            "Content-Disposition", f'attachment; filename="activity-{stamp}.{kind.value}"'
        )
        self.set_header("Cache-Control", "no-store")
        # A report opened from disk must not run anything even if an escape were missed.
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(body)


class ActivityResetHandler(_ActivityAPIHandler):
    """POST: delete every activity sample (``custom:activity:reset``)."""

    async def post(self) -> None:
        """Answer ``{"reset": true}`` once every sample is gone."""
        self.require_scope(RESET_ACTIVITY)
        self.body(NoFields)
        await self.activity_monitor.reset()
        self.log.info("%s reset every user's activity samples", shown(self.current_user.name))
        self.answer(ActivityReset(reset=True))


class ActivitySampleHandler(_ActivityAPIHandler):
    """POST: record a tick of every user now (``custom:activity:sample``)."""

    async def post(self) -> None:
        """Answer ``{"recorded": rows written, "tick": the tick's time}``.

        The tick is the sampler's current one, so a user it already recorded
        gets nothing new (``recorded`` counts only new rows).
        """
        self.require_scope(SAMPLE_ACTIVITY)
        self.body(NoFields)
        tick, written = await self.activity_monitor.tick_now(self)
        self.answer(ActivitySampled(recorded=written, tick=isoformat_utc(tick)))


def _summary(counts: StateCounts, report: ActivityReport) -> ActivitySummary:
    sampling = report.sampling
    return ActivitySummary(
        total=counts.total,
        active=counts.active,
        idle=counts.idle,
        offline=counts.total - counts.active - counts.idle,
        # Validated from their names: the enums' values are the model's literals.
        sampling=Sampling.model_validate(
            {
                "mode": str(sampling.mode),
                "interval_seconds": sampling.interval.total_seconds(),
                "last_tick": isoformat_utc(sampling.last_tick),
                "state": str(sampling.state),
            }
        ),
    )
