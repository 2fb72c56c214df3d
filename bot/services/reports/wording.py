"""Numbers in words for people: percentages, money, durations; and the short Discord summary."""

from __future__ import annotations

from bot.services.reports.figures import Report, rate


def pct(value: float | None) -> str:
    """Show a fraction as a whole percentage, or a dash when there was nothing to count."""
    return "–" if value is None else f"{value:.0%}"


def money(pence: int) -> str:
    """Show pence as pounds: £1,234.50."""
    return f"£{pence / 100:,.2f}"


def duration(hours: float | None) -> str:
    """Show a length of time in the unit a person would use."""
    if hours is None:
        return "–"
    if hours < 1:
        return f"{max(round(hours * 60), 1)} min"
    if hours < 48:
        return f"{hours:.1f} hours".replace(".0 hours", " hours")
    return f"{hours / 24:.1f} days".replace(".0 days", " days")


def hours(value: float) -> str:
    """Show a number of hours: 19.5 hours, 73,194 hours."""
    return f"{value:,.0f} hours" if value >= 100 else f"{value:,.1f} hours"


def plural(n: int, one: str, many: str | None = None) -> str:
    """Return '1 session' or '3 sessions'."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def summary_text(report: Report) -> str:
    """Return the short plain-English summary posted in Discord (well under 2,000 characters)."""
    pr, pc, im = report.presence, report.process, report.impact
    lines = [
        f"**{report.group_name}: participation report for {report.period.label}**",
        "",
        f"**Presence.** {plural(pr.members, 'member')} at the end of the period "
        f"({pr.young_people:,} young people, {pr.carers:,} parents or carers); "
        f"{plural(pr.active, 'member')} took part ({pct(rate(pr.active, pr.members))}). "
        f"{plural(pr.signups, 'new sign-up')}, {pr.left:,} left, {pr.on_break:,} on a break.",
    ]
    under = [r.name for r in pr.representation if r.under]
    if under:
        lines.append(
            f"Under-represented compared with the people the service serves: {', '.join(under)}."
        )
    paid = pc.money.median_days_to_pay
    days_to_pay = "–" if paid is None else duration(paid * 24)
    lines += [
        f"**Process.** {plural(pc.contributions, 'contribution')} ({hours(pc.hours)}). "
        f"{plural(pc.sessions_held, 'session')} held; "
        f"attendance {pct(rate(pc.attended, pc.going))} "
        f"of those going; quorum met in {pc.quorum_met} of {pc.sessions_marked}. "
        f"{plural(pc.polls, 'poll')} ({pct(rate(pc.poll_ballots, pc.poll_audience))} voted), "
        f"{plural(pc.consultations, 'consultation')} "
        f"({pct(rate(pc.consultation_responses, pc.consultation_audience))} answered).",
        f"Support: {plural(pc.support.requests, 'request')}, first response in "
        f"{duration(pc.support.median_hours_to_first_response)} (median), "
        f"{pc.support.out_of_hours:,} out of hours. Expenses: {plural(pc.money.claims, 'claim')}, "
        f"paid in {days_to_pay} "
        f"(median; benchmark {pc.money.benchmark_days} days).",
        f"**Impact.** {plural(len(im.consultations), 'consultation')} reported; "
        f"{sum(1 for c in im.consultations if c.did)} with \"you said, we did\" published; "
        f"{plural(len(im.waiting), 'consultation')} still waiting for feedback past the "
        "review date. "
        f"{im.moves_up:,} moved up a level, {im.moves_down:,} stepped down.",
        f"**Equality monitoring.** {report.equality.answered:,} of {report.equality.members:,} "
        'members answered; counts under 5 are shown as "fewer than 5".',
        "",
        "The full report is attached as a web page you can open offline, print or send to your "
        "board, with the figures as CSV files.",
    ]
    return "\n".join(lines)
