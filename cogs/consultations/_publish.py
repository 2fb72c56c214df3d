"""Results sent privately to workers: the summary, charts, free-text answers and the CSV."""

from __future__ import annotations

import io

import discord

from bot.services.consultations import ConsultationResults
from bot.ui.context import Interaction
from cogs.consultations._render import free_text_file, results_text

FILES_PER_MESSAGE = 10


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
            # The description is the chart's alt text: a screen reader reads out the counts.
            chart_name = f"q{q.question.position}.png"
            files.append(discord.File(png, filename=chart_name, description=q.chart_alt))
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
