"""The report's figures as CSV files a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from bot.services.reports.figures import Report, rate

Row = Sequence[object]


def _safe(value: object) -> object:
    # A text cell starting with =, +, - or @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    if isinstance(value, float):
        return round(value, 3)
    return "" if value is None else value


def to_csv(header: Row, rows: Iterable[Row]) -> bytes:
    """Write rows as UTF-8 CSV (with a BOM, so Excel reads £ and accents)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def figures_rows(report: Report) -> list[tuple[str, str, object]]:
    """Return every headline figure as (section, figure, value)."""
    pr, pc, im = report.presence, report.process, report.impact
    su, mo = pc.support, pc.money
    return [
        ("Presence", "Members at the end of the period", pr.members),
        ("Presence", "Young people", pr.young_people),
        ("Presence", "Parents and carers", pr.carers),
        ("Presence", "New sign-ups", pr.signups),
        ("Presence", "Sign-ups approved", pr.signups_approved),
        ("Presence", "Sign-ups declined", pr.signups_declined),
        ("Presence", "Sign-ups waiting", pr.signups_waiting),
        ("Presence", "Active members (took part)", pr.active),
        ("Presence", "On a break", pr.on_break),
        ("Presence", "Left", pr.left),
        ("Process", "Contributions", pc.contributions),
        ("Process", "Hours contributed", round(pc.hours, 2)),
        ("Process", "Sessions held", pc.sessions_held),
        ("Process", "Sessions with attendance marked", pc.sessions_marked),
        ("Process", "Going (said they would come)", pc.going),
        ("Process", "Attended", pc.attended),
        ("Process", "Attendance rate", rate(pc.attended, pc.going)),
        ("Process", f"Sessions with quorum (at least {pc.quorum_minimum})", pc.quorum_met),
        ("Process", "Polls closed", pc.polls),
        ("Process", "Poll votes", pc.poll_ballots),
        ("Process", "Poll response rate", rate(pc.poll_ballots, pc.poll_audience)),
        ("Process", "Consultations closed", pc.consultations),
        ("Process", "Consultation responses", pc.consultation_responses),
        (
            "Process",
            "Consultation response rate",
            rate(pc.consultation_responses, pc.consultation_audience),
        ),
        ("Process", "Support requests", su.requests),
        ("Process", "Support requests out of hours", su.out_of_hours),
        ("Process", "Urgent support requests", su.urgent),
        ("Process", "Support requests resolved", su.resolved),
        ("Process", "Median hours to first response", su.median_hours_to_first_response),
        ("Process", "Median hours to resolve", su.median_hours_to_resolve),
        ("Process", "Expense claims", mo.claims),
        ("Process", "Expense claims total (GBP)", mo.claims_pence / 100),
        ("Process", "Expense claims paid", mo.claims_paid),
        ("Process", "Expense claims not approved", mo.claims_rejected),
        ("Process", "Expense claims waiting", mo.claims_waiting),
        ("Process", "Median days to pay a claim", mo.median_days_to_pay),
        ("Process", "Benchmark days to pay", mo.benchmark_days),
        ("Process", "Payments for paid roles", mo.payments),
        ("Process", "Payments total (GBP)", mo.payments_pence / 100),
        ("Impact", "Consultations reported", len(im.consultations)),
        (
            "Impact",
            "Consultations with feedback published",
            sum(1 for c in im.consultations if c.did),
        ),
        ("Impact", "Consultations waiting for feedback past review date", len(im.waiting)),
        ("Impact", "End-of-involvement respondents", im.leaving_respondents),
        ("Impact", "Session feedback given", im.session_feedback),
        ("Impact", "Average session rating (1-5)", im.average_rating),
        ("Impact", "Moves up a level", im.moves_up),
        ("Impact", "Moves down a level", im.moves_down),
        ("Equality", "Members", report.equality.members),
        ("Equality", "Members who answered", report.equality.answered),
    ]


def csv_files(report: Report) -> dict[str, bytes]:
    """Return the report's CSV files by file name."""
    pr, pc, im = report.presence, report.process, report.impact
    table = pr.by_level_locality
    files = {
        "figures.csv": to_csv(["section", "figure", "value"], figures_rows(report)),
        "members-by-level-and-area.csv": to_csv(
            ["level", *table.col_labels, "total"],
            [
                *(
                    [lv, *row, sum(row)]
                    for lv, row in zip(table.row_labels, table.counts, strict=True)
                ),
                ["Total", *table.col_totals(), pr.members],
            ],
        ),
        "contributions.csv": to_csv(
            ["kind", "contributions", "hours", *pc.bucket_labels],
            [[k, n, round(h, 2), *pc.by_bucket.get(k, [])] for k, n, h in pc.by_kind],
        ),
        "consultations.csv": to_csv(
            [
                "consultation",
                "closed",
                "intended outcomes",
                "responses",
                "audience",
                "you said",
                "we did",
                "could not do and why",
                "days from close to feedback",
            ],
            [
                [
                    c.title,
                    c.closed_on.isoformat() if c.closed_on else "",
                    c.outcomes,
                    c.responses,
                    c.audience,
                    c.said,
                    c.did,
                    c.could_not,
                    c.days_to_feedback,
                ]
                for c in im.consultations
            ],
        ),
    }
    rows: list[list[object]] = []
    for eq in report.equality.tables:
        t = eq.table
        if eq.answered < 5:
            rows.append([eq.question, "Fewer than 5 members answered: nothing is shown"])
            continue
        for i, label in enumerate([*eq.row_labels, "Total"]):
            rows.append([eq.question, label, *(t.label(i, j) for j in range(len(t.grid[0])))])
    cols = report.equality.tables[0].col_labels if report.equality.tables else []
    files["equality-monitoring.csv"] = to_csv(["question", "answer", *cols, "total"], rows)
    return files
