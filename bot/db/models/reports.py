"""Reports keep no tables of their own: they read every feature's tables with SQL aggregates.

This module holds the one index /report needs to stay fast on a year of a big group: the
contributions of a server by kind and time, with the hours, so each kind's count and hours
for each week or month of the period is read from the index alone (bench/bench_reports.py).
"""

from __future__ import annotations

from sqlalchemy import Index

from bot.db.models.contributions import Contribution

contributions_report = Index(
    "ix_contributions_report",
    Contribution.__table__.c.guild_id,
    Contribution.__table__.c.kind,
    Contribution.__table__.c.occurred_at,
    Contribution.__table__.c.hours,
)
