"""Posting consultation news: the opening announcement, closes, feedback and reminders."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.services.consultations import (
    ConsultationClosed,
    ConsultationResults,
    ConsultationView,
    FeedbackOverdue,
    FeedbackPublished,
)
from bot.ui.context import Interaction
from bot.ui.timefmt import both
from cogs.consultations._render import (
    esc,
    feedback_embed,
    free_text_file,
    people,
    results_text,
    summary_embed,
)
from cogs.consultations._views import StartButton

if TYPE_CHECKING:
    from bot.app import ParticipationBot

log = logging.getLogger(__name__)
FILES_PER_MESSAGE = 10
NO_PINGS = discord.AllowedMentions.none()


async def _send(
    client: ParticipationBot, channel_id: int | None, **kwargs: Any
) -> discord.Message | None:
    channel = client.get_channel(channel_id) if channel_id else None
    if channel is None and channel_id:
        # At start-up (overdue closes) the cache is not filled yet: ask Discord.
        try:
            channel = await client.fetch_channel(channel_id)
        except discord.HTTPException:
            channel = None
    if not isinstance(channel, discord.TextChannel):
        log.warning("consultations: channel %s is not available", channel_id)
        return None
    try:
        message: discord.Message = await channel.send(allowed_mentions=NO_PINGS, **kwargs)
        return message
    except discord.HTTPException:
        log.exception("consultations: could not post in channel %s", channel_id)
        return None


async def announce_open(client: ParticipationBot, view: ConsultationView) -> discord.Message | None:
    """Post the consultation with its "Take part" button in announcements."""
    channels = await client.services.consultations.drafting.channels(view.guild_id)
    buttons = discord.ui.View(timeout=None)
    buttons.add_item(StartButton(view.id))
    return await _send(
        client,
        channels.announcements_channel_id,
        content="📣 A new consultation is open: we'd love to hear from you.",
        embed=summary_embed(view, client.settings.tz),
        view=buttons,
    )


async def on_closed(client: ParticipationBot, event: ConsultationClosed) -> None:
    """Tell workers it closed (and what is next); thank everyone in announcements."""
    tz = client.settings.tz
    title = esc(event.title)
    how = "closed early" if event.early else "closed on its deadline"
    await _send(
        client,
        event.worker_log_channel_id,
        content=(
            f"Consultation **{title}** (#{event.consultation_id}) {how}: "
            f"{event.respondents} of {people(event.audience_size)} took part.\n"
            'See the answers with `/consult results`, then publish "you said, we did" with '
            f"`/consult feedback` by {both(event.review_date, tz)}."
        )[:2000],
    )
    await _send(
        client,
        event.announcements_channel_id,
        content=(
            f"The consultation **{title}** has now closed. Thank you to "
            f"{'the one person' if event.respondents == 1 else f'the {event.respondents} people'}"
            " who took part! We'll tell you what we did with your "
            f"answers by {both(event.review_date, tz)}."
        )[:2000],
    )


async def on_feedback_overdue(client: ParticipationBot, event: FeedbackOverdue) -> None:
    """Remind workers (once) that the review date passed with no feedback."""
    await _send(
        client,
        event.worker_log_channel_id,
        content=(
            f"⏰ Reminder: the review date for **{esc(event.title)}** "
            f'(#{event.consultation_id}) has passed and no "you said, we did" has been '
            f"published. {people(event.respondents)} took part and are waiting to hear what "
            "happened. Use `/consult feedback` to close the loop, even if the answer is "
            '"not yet, and here\'s why".'
        )[:2000],
    )


async def publish_feedback(client: ParticipationBot, published: FeedbackPublished) -> int:
    """Post feedback in announcements and DM respondents who opted in; return DMs delivered."""
    embed = feedback_embed(published.feedback)
    await _send(client, published.announcements_channel_id, embed=embed)
    delivered = 0
    for user_id in published.dm_user_ids:
        try:
            user = client.get_user(user_id) or await client.fetch_user(user_id)
            await user.send(
                "You took part in this consultation: here's what happened because you spoke up.",
                embed=embed,
            )
            delivered += 1
        except discord.HTTPException:
            log.info("consultations: a respondent's DMs are closed")
    return delivered


def result_files(results: ConsultationResults, csv_bytes: bytes) -> list[discord.File]:
    """Return the CSV, the free-text answers and one chart per choice or scale question."""
    name = f"consultation-{results.consultation.id}.csv"
    files = [discord.File(io.BytesIO(csv_bytes), filename=name)]
    if any(q.question.kind == "text" for q in results.questions):
        text = free_text_file(results).encode("utf-8")
        files.append(discord.File(io.BytesIO(text), filename="free-text-answers.txt"))
    for q in results.questions:
        if q.chart_png:
            png = io.BytesIO(q.chart_png)
            files.append(discord.File(png, filename=f"q{q.question.position}.png"))
    return files


async def send_results(
    interaction: Interaction, results: ConsultationResults, csv_bytes: bytes
) -> None:
    """Send the summary and every file privately, ten files to a message."""
    files = result_files(results, csv_bytes)
    batches = [files[i : i + FILES_PER_MESSAGE] for i in range(0, len(files), FILES_PER_MESSAGE)]
    await interaction.followup.send(results_text(results), files=batches[0], ephemeral=True)
    for batch in batches[1:]:
        await interaction.followup.send("More charts:", files=batch, ephemeral=True)
