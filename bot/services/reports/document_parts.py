"""The Process, Impact and Equality sections of the HTML report."""

from __future__ import annotations

from bot.services.reports.charts import Chart
from bot.services.reports.figures import Report, rate
from bot.services.reports.html_bits import cards, e, figure, meaning, part, suppressed_table, table
from bot.services.reports.wording import duration, money, pct, plural
from bot.services.timeparse import format_date

MIN_ANSWERS = 5
LISTENED = {"yes": "Yes", "partly": "Partly", "no": "No"}
SUPPORT_KINDS = {
    "request": "Asked for with /support",
    "safeguarding": "Raised by the safeguarding check",
    "report": "Messages reported",
}


def process_part(report: Report, charts: dict[str, Chart]) -> str:
    """Return the Process section: contributions, sessions, polls, support, money."""
    pc = report.process
    su, mo = pc.support, pc.money
    what = (
        "Process asks whether involvement was well planned so people could make their best "
        "contribution: sessions that went ahead with enough people, adjustments made, "
        "questions people actually answered, support answered quickly, and expenses paid on "
        "time."
    )
    out = [
        "<h3>Contributions</h3>",
        table(
            ["Kind", "Contributions", "Hours"],
            [[k, f"{n:,}", f"{h:,.1f}" if h else "–"] for k, n, h in pc.by_kind]
            + [["Total", f"{pc.contributions:,}", f"{pc.hours:,.1f}"]],
            total=True,
        ),
        figure(charts["contributions-over-time.png"]),
        "<h3>Sessions</h3>",
        cards(
            [
                (f"{pc.sessions_held:,}", "sessions held"),
                (
                    pct(rate(pc.attended, pc.going)),
                    f"attendance ({pc.attended:,} came of {pc.going:,} going)",
                ),
                (
                    f"{pc.quorum_met} of {pc.sessions_marked}",
                    f"had a quorum (at least {pc.quorum_minimum} members)",
                ),
                (f"{pc.sessions_held - pc.sessions_marked:,}", "still need attendance marking"),
            ]
        ),
    ]
    if pc.adjustments:
        out.append(
            meaning(
                "Reasonable adjustments asked for by people going to sessions. The bot can "
                "check two of them itself (no early starts, and papers out in time); the others, "
                "like captions or breaks, are for the worker running the session to confirm."
            )
        )
        out.append(
            table(
                ["Adjustment", "Asked for", "Met"],
                [
                    [
                        a.label,
                        a.asked,
                        f"{a.met} ({pct(rate(a.met, a.asked))})"
                        if a.met is not None
                        else "Not recorded by the bot",
                    ]
                    for a in pc.adjustments
                ],
            )
        )
    out += [
        "<h3>Polls and consultations</h3>",
        table(
            ["", "Run (closed in the period)", "Responses", "Could respond", "Response rate"],
            [
                [
                    "Quick polls",
                    pc.polls,
                    pc.poll_ballots,
                    pc.poll_audience,
                    pct(rate(pc.poll_ballots, pc.poll_audience)),
                ],
                [
                    "Consultations",
                    pc.consultations,
                    pc.consultation_responses,
                    pc.consultation_audience,
                    pct(rate(pc.consultation_responses, pc.consultation_audience)),
                ],
            ],
        ),
        "<h3>Support requests</h3>",
        meaning(
            "How quickly someone from the moderation team picked up a request (first response) "
            'and closed it (resolved), as medians: half were quicker, half slower. "Out of '
            'hours" means made outside the support hours the group publishes, when people are '
            "pointed to crisis lines."
        ),
        cards(
            [
                (f"{su.requests:,}", f"requests ({su.urgent} urgent)"),
                (duration(su.median_hours_to_first_response), "median to first response"),
                (
                    duration(su.median_hours_to_resolve),
                    f"median to resolve ({su.resolved} resolved)",
                ),
                (f"{su.out_of_hours:,}", "made out of hours"),
            ]
        ),
    ]
    if su.by_kind:
        out.append(
            table(
                ["How it came in", "Requests"],
                [[SUPPORT_KINDS.get(k, k), n] for k, n in su.by_kind.items()],
            )
        )
    days = f"{mo.median_days_to_pay:.0f} days" if mo.median_days_to_pay is not None else "–"
    verdict = ""
    if mo.median_days_to_pay is not None:
        verdict = (
            " That is within the benchmark."
            if mo.median_days_to_pay <= mo.benchmark_days
            else " That is slower than the benchmark: people are out of pocket too long."
        )
    out += [
        "<h3>Payments and expenses</h3>",
        meaning(
            "The pledges promise clear payment and expenses, paid promptly. Published "
            f"benchmarks are 4 to 6 weeks; this group aims for {mo.benchmark_days} days or less. "
            f"The median claim paid in the period took {days}.{verdict}"
        ),
        table(
            ["", "Number", "Amount", "Paid", "Notes"],
            [
                [
                    "Expense claims made",
                    mo.claims,
                    money(mo.claims_pence),
                    mo.claims_paid,
                    f"{mo.claims_waiting} waiting, {mo.claims_rejected} not approved",
                ],
                [
                    "Payments for paid roles",
                    mo.payments,
                    money(mo.payments_pence),
                    mo.payments_paid,
                    "",
                ],
            ],
        ),
    ]
    return part("Process", "How involvement ran", what, out)


def impact_part(report: Report) -> str:
    """Return the Impact section: you said, we did; feedback owed; how it felt; level moves."""
    im = report.impact
    what = (
        "Impact asks what changed because people took part. Each consultation shows what it "
        "set out to achieve beside what people said, what was done and what could not be done "
        'and why ("you said, we did"), and how many days it took to tell people.'
    )
    out = []
    if not im.consultations:
        out.append('<p class="note">No consultations closed or reported back in this period.</p>')
    for c in im.consultations:
        closed = format_date(c.closed_on) if c.closed_on else "still open"
        facts = f"Closed {closed}. {plural(c.responses, 'response')}"
        if c.audience:
            facts += f" from {c.audience:,} asked ({pct(rate(c.responses, c.audience))})"
        facts += "." + (
            f" Feedback after {plural(c.days_to_feedback, 'day')}."
            if c.days_to_feedback is not None
            else ""
        )
        pending = '<span class="notyet">Not published yet.</span>'
        out.append(
            f'<div class="consultation"><h4>{e(c.title)}</h4><div class="facts">{e(facts)}</div>'
            '<div class="ysyd">'
            f'<div><span class="label">What we hoped for</span>{e(c.outcomes)}</div>'
            f'<div><span class="label">You said</span>{e(c.said) if c.said else pending}</div>'
            f'<div><span class="label">We did</span>{e(c.did) if c.did else pending}</div>'
            f'<div><span class="label">What we could not do, and why</span>'
            f"{e(c.could_not) if c.could_not else pending}</div></div></div>"
        )
    out.append("<h3>Still waiting for feedback</h3>")
    if im.waiting:
        out.append(
            meaning(
                "These consultations closed but nobody has been told what happened, "
                "and their review date has passed. People who took part are waiting."
            )
        )
        out.append(
            table(
                ["Consultation", "Closed", "Review date", "Days overdue"],
                [
                    [
                        w.title,
                        format_date(w.closed_on) if w.closed_on else "",
                        format_date(w.review_on),
                        w.days_overdue,
                    ]
                    for w in im.waiting
                ],
            )
        )
    else:
        out.append(
            '<p class="note">None: every closed consultation past its review date has '
            'its "you said, we did".</p>'
        )
    out.append("<h3>How it felt to take part</h3>")
    if im.leaving_results:
        out.append(
            meaning(
                f"Answers to the end-of-involvement questionnaire from "
                f"{plural(im.leaving_respondents, 'person', 'people')} who finished taking part."
            )
        )
        for q in im.leaving_results:
            extra = f" Average {q.average:.1f} out of 5." if q.average is not None else ""
            out.append(f"<p><b>{e(q.text)}</b>{e(extra)}</p>")
            out.append(table(["Answer", "People"], [[a, n] for a, n in q.counts]))
    else:
        out.append(
            f'<p class="note">Fewer than 5 people answered the end-of-involvement '
            f"questionnaire in this period ({im.leaving_respondents}), so its answers are "
            "not shown: with so few, people could be recognised.</p>"
        )
    if im.session_feedback:
        avg = f"{im.average_rating:.1f} out of 5" if im.average_rating is not None else "–"
        out.append(
            table(
                ["Session feedback", "Answers"],
                [
                    ["Feedback forms returned", im.session_feedback],
                    ["Average rating", avg],
                    *[[f"Felt listened to: {LISTENED[k]}", n] for k, n in im.listened.items()],
                ],
            )
        )
    out.append("<h3>Moving between levels</h3>")
    if im.level_moves:
        out.append(
            meaning(
                "Moves up the involvement ladder happen when someone meets a level's "
                "milestones, chooses to move and a worker confirms. Stepping down is "
                "always the member's choice."
            )
        )
        out.append(
            table(
                ["From", "To", "Direction", "People"],
                [[f, t, "Up" if d == "up" else "Down", n] for f, t, d, n in im.level_moves],
            )
        )
    else:
        out.append('<p class="note">No one moved level in this period.</p>')
    return part("Impact", "What difference it made", what, out)


def equality_part(report: Report) -> str:
    """Return the Equality monitoring section, small numbers suppressed."""
    eq = report.equality
    what = (
        f"{eq.answered:,} of {eq.members:,} members answered the optional equality questions "
        f"({pct(rate(eq.answered, eq.members))}). To protect people, any count under 5 is "
        'shown as "fewer than 5", and a few other counts are shown as "hidden" so that a small '
        "number cannot be worked out by subtracting other numbers from a total. Use these to "
        "ask who is missing at each level, not to identify anyone."
    )
    out = []
    for each in eq.tables:
        out.append(f"<h3>{e(each.question)} by level</h3>")
        if each.answered < MIN_ANSWERS:
            out.append(
                '<p class="note">Fewer than 5 members answered this question, so nothing is '
                "shown for it.</p>"
            )
            continue
        out.append(suppressed_table(each.row_labels, each.col_labels, each.table))
    return part("Equality", "Equality monitoring", what, out)
