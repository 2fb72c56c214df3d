"""How consultations, questions, results and feedback look in Discord."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import discord

from bot.services.consultations import (
    KIND_LABELS,
    MIN_ANONYMOUS_RESPONDENTS,
    ConsultationResults,
    ConsultationView,
    DraftPreview,
    FeedbackView,
    Step,
)
from bot.ui.replies import clip
from bot.ui.timefmt import both

COLOUR = discord.Colour.teal()
SCALE_HINT = "1 = not at all · 5 = very much"
ANONYMOUS_NOTE = (
    "This consultation is **anonymous**: your answers are stored with no link to you, "
    "and nobody can see who said what."
)
NAMED_NOTE = "This consultation is **named**: workers can see who gave each answer."


def people(count: int) -> str:
    """Return '1 person' or 'N people'."""
    return "1 person" if count == 1 else f"{count} people"


def esc(text: str) -> str:
    """Escape Discord markdown in text people typed."""
    return discord.utils.escape_markdown(text)


def summary_embed(
    view: ConsultationView, tz: ZoneInfo, heading: str | None = None
) -> discord.Embed:
    """Return the public description of a consultation: why, what can change, by when."""
    embed = discord.Embed(
        title=clip(heading or f"Consultation: {view.title}", 256),
        description=clip(esc(view.purpose), 4096),
        colour=COLOUR,
    )
    embed.add_field(name="What we hope will come of it", value=clip(esc(view.outcomes), 1024))
    embed.add_field(name="What can change", value=clip(esc(view.can_change), 1024), inline=False)
    embed.add_field(
        name="What can't change", value=clip(esc(view.cannot_change), 1024), inline=False
    )
    embed.add_field(name="Deadline", value=both(view.deadline, tz), inline=False)
    embed.add_field(name="Who it's for", value=view.audience_label.capitalize())
    embed.add_field(name="Questions", value=str(len(view.questions)))
    embed.set_footer(
        text=("Anonymous" if view.anonymous else "Named") + f" · consultation #{view.id}"
    )
    return embed


def small_audience_note(preview: DraftPreview) -> str | None:
    """Warn, before it opens, when an anonymous consultation may get too few answers to show."""
    if not preview.results_may_be_withheld:
        return None
    n, least = preview.audience_size, MIN_ANONYMOUS_RESPONDENTS
    who = {0: "No members", 1: "Only 1 member"}.get(n, f"Only {n} members")
    if preview.results_cannot_be_shown:
        return (
            f"⚠️ {who} can answer this consultation right now. It is anonymous, and its results "
            f"are shown only if at least {least} people answer, so as things stand nobody will "
            "see them. To see the results, draft it as named (anonymous: False) or for more "
            "people."
        )
    return (
        f"⚠️ {who} can answer this consultation right now. It is anonymous, so if fewer than "
        f"{least} people answer, nobody will see the results (not even workers). This keeps "
        "answers anonymous."
    )


def preview_text(preview: DraftPreview) -> str:
    """Return what members will see: the questions in order, the privacy note and any warning."""
    view = preview.consultation
    title = (
        f"Preview of draft #{view.id}."
        if view.status == "draft"
        else f"Consultation #{view.id} is {view.status}."
    )
    head = (
        f"**{title}** Members see the announcement below with a **Take part** button. "
        "Then they answer these questions privately, one at a time:"
    )
    tail = [
        "With the first question they read: " + (ANONYMOUS_NOTE if view.anonymous else NAMED_NOTE)
    ]
    note = small_audience_note(preview)
    if note:
        tail.append(note)
    if view.status == "draft":
        tail.append("When it looks right, press **Open it now**.")
    end = "\n\n" + "\n\n".join(tail)
    room = 2000 - len(head) - len(end) - 2
    return f"{head}\n{clip(question_lines(view), room)}{end}"


def question_lines(view: ConsultationView) -> str:
    """Return the numbered questions with their type and options."""
    if not view.questions:
        return "No questions yet."
    lines = []
    for q in view.questions:
        lines.append(f"**{q.position}.** {esc(q.text)} _({KIND_LABELS.get(q.kind, q.kind)})_")
        lines.extend(f"  • {esc(o)}" for o in q.options)
    return clip("\n".join(lines), 2000)


def step_text(step: Step, tz: ZoneInfo) -> str:
    """Return the message for one step of answering (or the finished message)."""
    view = step.consultation
    head = f"**{esc(view.title)}**"
    until = f"You can change your answers until {both(view.deadline, tz)}."
    if step.finished:
        return clip(
            f"{head}\n✅ All done — you've answered {step.answered} of {step.total}. "
            f"Thank you for taking part!\n{until}\n"
            'We\'ll tell everyone what we did with the answers ("you said, we did").'
        )
    q = step.question
    assert q is not None
    lines = [f"{head} — question {step.progress}", "", f"**{esc(q.text)}**"]
    if q.kind == "scale":
        lines.append(f"_{SCALE_HINT}_")
    elif q.kind == "multiple":
        lines.append("_Choose as many as you like._")
    if step.current is not None:
        lines.append("")
        lines.append(f"Your answer so far: {current_text(step)}")
    if step.number == 1 and step.answered == 0:
        lines += ["", ANONYMOUS_NOTE if view.anonymous else NAMED_NOTE]
    lines += ["", f"_Your progress is saved as you go. {until}_"]
    return clip("\n".join(lines))


def current_text(step: Step) -> str:
    """Return the member's existing answer to the question shown, in words."""
    q, answer = step.question, step.current
    if q is None or answer is None:
        return ""
    if answer.skipped:
        return "skipped"
    if q.kind in {"single", "multiple"}:
        return ", ".join(esc(q.options[i]) for i in answer.choices if 0 <= i < len(q.options))
    if q.kind == "scale":
        return str(answer.scale)
    return f"\n> {esc(answer.text or '')[:900]}"


def results_text(results: ConsultationResults) -> str:
    """Return a short summary of results (the detail is in the files)."""
    view = results.consultation
    rate = results.response_rate
    share = f" ({rate:.0%})" if rate is not None else ""
    lines = [
        f"**Results: {esc(view.title)}** ({view.status})",
        f"{results.respondents} of {people(results.audience_size)} in the audience took "
        f"part{share}.",
    ]
    for q in results.questions:
        line = f"**Q{q.question.position}.** {esc(q.question.text)[:120]} — {q.answered} answered"
        if q.skipped:
            line += f", {q.skipped} skipped"
        if q.labels:
            pairs = zip(q.labels, q.counts, strict=True)
            line += "\n  " + ", ".join(f"{esc(label)[:30]}: {count}" for label, count in pairs)
            if q.average is not None:
                line += f" (average {q.average})"
        else:
            line += " (free text: see the file)"
        lines.append(line)
    return clip("\n".join(lines))


def free_text_file(results: ConsultationResults) -> str:
    """Return every free-text answer, question by question, as plain text."""
    parts = [f"Free-text answers: {results.consultation.title}", ""]
    for q in results.questions:
        if q.question.kind != "text":
            continue
        parts.append(f"Q{q.question.position}. {q.question.text}")
        for answer in q.texts:
            who = f"{answer.name}: " if answer.name else "- "
            parts.append(f"{who}{answer.text}")
        parts.append("")
    return "\n".join(parts)


def feedback_embed(feedback: FeedbackView) -> discord.Embed:
    """Return the public "you said, we did" message."""
    embed = discord.Embed(
        title=clip(f"You said, we did: {feedback.title}", 256),
        description="Thank you to everyone who took part. Here's what happened next.",
        colour=discord.Colour.green(),
    )
    embed.add_field(name="You said", value=clip(esc(feedback.said), 1024), inline=False)
    embed.add_field(name="We did", value=clip(esc(feedback.did), 1024), inline=False)
    embed.add_field(
        name="What we couldn't do, and why",
        value=clip(esc(feedback.could_not), 1024),
        inline=False,
    )
    return embed
