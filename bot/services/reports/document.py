"""The single-file HTML report: charts inline as data: URIs, no network, A4 when printed."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.services.reports.charts import Chart
from bot.services.reports.document_parts import equality_part, impact_part, process_part
from bot.services.reports.figures import Report, rate
from bot.services.reports.html_bits import cards, e, figure, meaning, part, table
from bot.services.reports.style import CSS
from bot.services.reports.wording import duration, money, pct, plural
from bot.services.timeparse import format_date, format_local


def _summary(report: Report) -> str:
    pr, pc, im = report.presence, report.process, report.impact
    headline = cards(
        [
            (f"{pr.members:,}", "members at the end of the period"),
            (f"{pr.active:,}", f"took part ({pct(rate(pr.active, pr.members))} of members)"),
            (f"{pc.contributions:,}", f"contributions, {pc.hours:,.0f} hours"),
            (f"{pc.sessions_held:,}", "sessions held"),
            (pct(rate(pc.attended, pc.going)), "came to sessions they said they would"),
            (
                pct(
                    rate(
                        pc.poll_ballots + pc.consultation_responses,
                        pc.poll_audience + pc.consultation_audience,
                    )
                ),
                "responded to polls and consultations",
            ),
            (
                duration(pc.support.median_hours_to_first_response),
                "median wait for a first response to support",
            ),
            (
                f"{pc.money.median_days_to_pay:.0f} days"
                if pc.money.median_days_to_pay is not None
                else "–",
                f"median to pay an expense claim (benchmark {pc.money.benchmark_days} days)",
            ),
        ]
    )
    done = sum(1 for c in im.consultations if c.did)
    return (
        '<section id="summary"><h2><span class="tag">Summary</span>At a glance</h2>'
        + headline
        + meaning(
            f"In {e(report.period.label)}, {plural(pr.active, 'member')} of {pr.members:,} took "
            f"part in the group, and {plural(pr.signups, 'person', 'people')} signed up. "
            f"{plural(len(im.consultations), 'consultation')} reached the stage of reporting back; "
            f"{done} of them {'has' if done == 1 else 'have'} a published \"you said, we did\". "
            "The sections below follow the 4Pi national involvement standards: Presence (who is "
            "involved), Process (how involvement ran) and Impact (what difference it made)."
        )
        + "</section>"
    )


def _presence(report: Report, charts: dict[str, Chart]) -> str:
    pr = report.presence
    t = pr.by_level_locality
    rows = [[lv, *r, sum(r)] for lv, r in zip(t.row_labels, t.counts, strict=True)]
    rows.append(["Total", *t.col_totals(), pr.members])
    what = (
        "Presence asks whether a diverse range of young people and carers are involved at "
        "every level, including where decisions are made. The table counts members at the "
        'end of the period by their level now and their area; "active" means they made at '
        "least one contribution (a vote, a response, a session, a piece of work) in the period."
    )
    out = [
        cards(
            [
                (f"{pr.young_people:,}", "young people"),
                (f"{pr.carers:,}", "parents and carers"),
                (
                    f"{pr.signups:,}",
                    f"new sign-ups ({pr.signups_approved} approved, "
                    f"{pr.signups_declined} declined, {pr.signups_waiting} waiting)",
                ),
                (f"{pr.on_break:,} / {pr.left:,}", "on a break now / left in the period"),
            ]
        ),
        "<h3>Members by level and area</h3>",
        table(["Level", *t.col_labels, "Total"], rows, total=True),
        figure(charts["members-by-level.png"]),
        "<h3>Members by age band</h3>",
        table(
            ["Age band", "Members", "Share"],
            [[b, n, pct(rate(n, pr.members))] for b, n in pr.by_age_band.items()],
        ),
    ]
    out.append("<h3>Does the group reflect the people the service serves?</h3>")
    if pr.representation:
        out.append(
            meaning(
                "Each area and age band's share of the group beside its share of the people the "
                "service serves (as configured by the service). A group share below "
                f"{report_threshold(report)} of the population share is marked under-represented: "
                "these are the people to reach out to first. Shares are of the members in the "
                "areas and age bands the population figures cover (so parents and carers are "
                "left out of the age comparison)."
            )
        )
        body = "".join(
            f"<tr><td>{e(r.dimension)}: {e(r.name)}</td><td>{r.members:,}</td>"
            f"<td>{pct(r.share)}</td>"
            f"<td>{pct(r.population_share)}</td>"
            + _reading(r.under, r.share < r.population_share)
            + "</tr>"
            for r in pr.representation
        )
        out.append(
            "<table><thead><tr><th>Group</th><th>Members</th><th>Share of group</th>"
            "<th>Share of population</th><th>Reading</th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
        out.append(figure(charts["group-and-population.png"]))
    else:
        out.append(
            '<p class="note">No population figures are configured, so the group cannot '
            "be compared with the people the service serves. A worker can add them in "
            "config/reports.toml.</p>"
        )
    return part("Presence", "Who is involved", what, out)


def _reading(under: bool, below: bool) -> str:
    if under:
        return '<td class="under">Under-represented</td>'
    return "<td>A little below</td>" if below else "<td>In line or above</td>"


def report_threshold(report: Report) -> str:
    """Return the under-representation threshold in words (e.g. '80%')."""
    return pct(report.threshold)


CONTENTS = (
    '<nav class="contents">'
    + " · ".join(
        f'<a href="#{anchor}">{name}</a>'
        for anchor, name in [
            ("summary", "At a glance"),
            ("presence", "Presence"),
            ("process", "Process"),
            ("impact", "Impact"),
            ("equality", "Equality monitoring"),
            ("about", "How the figures are counted"),
        ]
    )
    + "</nav>"
)


def render_html(report: Report, charts: Sequence[Chart]) -> str:
    """Return the whole report as one self-contained HTML page."""
    by_name = {c.filename: c for c in charts}
    tz_made = format_local(report.generated_at, ZoneInfo(report.timezone))
    title = f"{report.group_name}: participation report, {report.period.label}"
    first, last = format_date(report.period.first_day), format_date(report.period.last_day)
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{CSS}</style></head><body><main>"
        '<header class="cover"><div class="kicker">Participation report</div>'
        f'<h1>{e(report.group_name)}</h1><div class="period">{e(report.period.label)}: '
        f"{e(first)} to {e(last)}</div>"
        f'<div class="made">Made with /report on {e(tz_made)}. Figures in aggregate only; '
        "no one is named.</div>"
        + CONTENTS
        + "</header>"
        + _summary(report)
        + _presence(report, by_name)
        + process_part(report, by_name)
        + impact_part(report)
        + equality_part(report)
        + about_part(report)
        + "</main></body></html>"
    )


def about_part(report: Report) -> str:
    """Explain how the figures were counted."""
    return (
        '<section id="about"><h2><span class="tag">About</span>How these figures are counted</h2>'
        "<p>Members are counted at the end of the period, at their level today. Contributions, "
        "sessions, sign-ups, support requests and claims are counted when they happened inside "
        "the period; polls and consultations when they closed. People who asked for their data "
        "to be erased still count in totals, anonymously. Support figures come from the times "
        "requests were made, claimed and resolved: nothing anyone wrote is stored or shown. "
        f"Amounts are in pounds ({money(0)[0]}).</p>"
        "<footer>Made by the participation bot. This report is a snapshot: run /report again for "
        "up-to-date figures.</footer></section>"
    )
