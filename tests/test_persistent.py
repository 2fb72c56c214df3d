"""A persistent button can be declared in a few lines, and its fields cannot hide its own."""

from __future__ import annotations

import re

import discord
import pytest

from bot.ui.context import Interaction
from bot.ui.persistent import PersistentButton


class TakePart(PersistentButton, key="test:take-part:{thing_id}"):
    """A button that always looks the same: no __init__ of its own."""

    label_text = "Take part"
    button_style = discord.ButtonStyle.success
    thing_id: int

    async def run(self, interaction: Interaction) -> None:
        """Do nothing (the test looks at how it is built)."""


async def test_a_button_declared_by_its_look_is_built_and_rebuilt_from_its_custom_id() -> None:
    button = TakePart(thing_id=12)
    assert (button.item.label, button.item.style) == ("Take part", discord.ButtonStyle.success)
    assert button.item.custom_id == "test:take-part:12"
    assert button.thing_id == 12 and button.ids == {"thing_id": 12}

    match = re.fullmatch(TakePart.__discord_ui_compiled_template__, "test:take-part:34")
    assert match is not None
    rebuilt = await TakePart.from_custom_id(None, button.item, match)  # type: ignore[arg-type]
    assert rebuilt.thing_id == 34 and rebuilt.item.label == "Take part"


def test_a_key_field_may_not_hide_an_attribute_of_the_button() -> None:
    with pytest.raises(TypeError, match="row"):

        class Hiding(PersistentButton, key="test:hiding:{row}"):
            """Would set `row` over the item's own row."""
