"""Workers' reports: the public face the reports cog imports."""

from __future__ import annotations

from bot.services.reports.charts import Chart
from bot.services.reports.figures import Report
from bot.services.reports.periods import PERIODS, Period, resolve_period
from bot.services.reports.service import ReportFiles, ReportsService, render
from bot.services.reports.suppression import Suppressed, suppress

__all__ = [
    "PERIODS",
    "Chart",
    "Period",
    "Report",
    "ReportFiles",
    "ReportsService",
    "Suppressed",
    "render",
    "resolve_period",
    "suppress",
]
