"""Buttons and selects that survive restarts, and forms that answer errors kindly.

A persistent component declares its custom id once, as a key with named fields::

    class ClaimButton(PersistentButton, key="support:claim:{request_id}"):
        def __init__(self, request_id: int) -> None:
            super().__init__(label="Claim", style=discord.ButtonStyle.success,
                             request_id=request_id)

        async def run(self, interaction: Interaction) -> None:
            ...  # self.request_id: each field is also set as an attribute

A button that always looks the same needs no `__init__`: it declares its look and fields
(`label_text = "Claim"`, `button_style = ...`, `request_id: int`) and is built with keywords
(`ClaimButton(request_id=7)`).
A field is a whole number unless the key gives its pattern (`{to:worker|safeguarding}`).
After a restart discord.py matches the custom id, the base parses the fields back and calls
the subclass with them as keyword arguments; `run` is wrapped so any error gets the same
private, friendly reply as a slash command.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any, ClassVar, Self

import discord

from bot.ui.context import Interaction
from bot.ui.forms import unique
from bot.ui.replies import report_error

_FIELD = re.compile(r"\{(\w+)(?::([^}]*))?\}")
_NUMBER = "[0-9]+"


def _parse_key(key: str) -> tuple[str, dict[str, str]]:
    """Return the regex template for a key and each field's pattern."""
    fields: dict[str, str] = {}
    template, last = "", 0
    for match in _FIELD.finditer(key):
        name, pattern = match.group(1), match.group(2) or _NUMBER
        fields[name] = pattern
        template += re.escape(key[last : match.start()]) + f"(?P<{name}>{pattern})"
        last = match.end()
    return template + re.escape(key[last:]), fields


async def _kindly(interaction: discord.Interaction[Any], work: Awaitable[None]) -> None:
    """Await a component's or form's work; any error becomes a private, friendly reply."""
    try:
        await work
    except Exception as exc:
        await report_error(interaction, exc)


class _Keyed:
    """The custom-id key shared by persistent buttons, selects and forms."""

    key: ClassVar[str] = ""
    fields: ClassVar[dict[str, str]] = {}

    @classmethod
    def _declare(cls, key: str | None) -> str | None:
        """Remember a subclass's key; return its regex template (None for a base class)."""
        if key is None:
            return None
        template, cls.fields = _parse_key(key)
        cls.key = key
        return template

    @classmethod
    def custom_id_for(cls, **ids: Any) -> str:
        """Return the custom id for these field values."""
        custom_id = _FIELD.sub(lambda m: str(ids[m.group(1)]), cls.key)
        if len(custom_id) > 100:
            raise ValueError(f"custom id over Discord's 100 characters: {custom_id!r}")
        return custom_id

    @classmethod
    def values_from(cls, match: re.Match[str]) -> dict[str, Any]:
        """Return the field values in a matched custom id (numbers as int)."""
        return {
            name: int(match[name]) if pattern == _NUMBER else match[name]
            for name, pattern in cls.fields.items()
        }


class _PersistentItem(_Keyed):
    """What persistent buttons and selects share: the key, and errors answered kindly."""

    ids: dict[str, Any]

    def __init_subclass__(cls, *, key: str | None = None, **kwargs: Any) -> None:
        template = cls._declare(key)
        if template is not None:
            kwargs["template"] = template
            # Each field becomes an attribute: it must not hide one the component has.
            hidden = [name for name in cls.fields if hasattr(cls, name)]
            if hidden:
                raise TypeError(f"{cls.__name__}: key fields {hidden} hide item attributes")
        super().__init_subclass__(**kwargs)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Run the component's work; any error becomes a private, friendly reply."""
        await _kindly(interaction, self.run(interaction))

    async def run(self, interaction: Interaction) -> None:
        """Do what using the component means (subclasses say what)."""
        raise NotImplementedError

    def _placed(self, row: int | None, disabled: bool, ids: dict[str, Any]) -> dict[str, Any]:
        """Return the keywords every persistent component is built with, keeping its ids."""
        self.ids = ids
        for name, value in ids.items():
            setattr(self, name, value)
        return {"row": row, "disabled": disabled, "custom_id": self.custom_id_for(**ids)}

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Self:
        """Rebuild the component from its custom id (after a restart, or on any use)."""
        rebuilt = cls(**cls.values_from(match))
        if isinstance(item, discord.ui.Select) and isinstance(rebuilt, PersistentSelect):
            # A select's options are not in its custom id: they come from the message.
            rebuilt.item.options = item.options
        return rebuilt


class PersistentButton(
    _PersistentItem, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"persistent:never"
):
    """A button whose ids live in its custom id, so it works after a restart."""

    # The look of a button that always looks the same (named apart from the button's own).
    label_text: ClassVar[str] = ""
    button_style: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary

    def __init__(
        self,
        *,
        label: str | None = None,
        style: discord.ButtonStyle | None = None,
        emoji: str | None = None,
        row: int | None = None,
        disabled: bool = False,
        **ids: Any,
    ) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=self.label_text if label is None else label,
            style=self.button_style if style is None else style,
            emoji=emoji,
            **self._placed(row, disabled, ids),
        )
        super().__init__(button)


class PersistentSelect(
    _PersistentItem,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"persistent-select:never",
):
    """A select menu whose ids live in its custom id, so it works after a restart."""

    def __init__(
        self,
        *,
        options: list[discord.SelectOption],
        placeholder: str | None = None,
        min_values: int = 1,
        max_values: int = 1,
        row: int | None = None,
        disabled: bool = False,
        **ids: Any,
    ) -> None:
        select: discord.ui.Select[Any] = discord.ui.Select(
            options=options,
            placeholder=placeholder,
            min_values=min_values,
            max_values=max_values,
            **self._placed(row, disabled, ids),
        )
        super().__init__(select)

    @property
    def values(self) -> list[str]:
        """Return what the person chose."""
        return self.item.values


class Form(discord.ui.Modal):
    """A form (modal) with a custom id no one else's open form shares, and kind errors.

    Subclasses implement `submit`; a service error or anything unexpected gets the same
    private reply as a slash command.
    """

    def __init__(
        self, *, custom_id: str, title: str = discord.utils.MISSING, timeout: float | None = 900
    ) -> None:
        super().__init__(title=title, custom_id=unique(custom_id), timeout=timeout)

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Run the form's work; any error becomes a private, friendly reply."""
        await _kindly(interaction, self.submit(interaction))

    async def submit(self, interaction: Interaction) -> None:
        """Do what sending the form means (subclasses say what)."""
        raise NotImplementedError


class PersistentForm(_Keyed, Form):
    """A form whose ids live in its custom id, so what was typed is saved even after a restart.

    Declare `key="feature:what:{id}"` as for buttons, and give every text input an explicit,
    stable `custom_id` (discord.py matches the submitted values to inputs by it). Register the
    class once with `bot.add_persistent_forms(...)`: a submit that arrives after a restart (when
    no form is open in memory) is routed to a new instance built from its custom id.
    """

    pattern: ClassVar[re.Pattern[str]] = re.compile(r"persistent-form:never")

    def __init_subclass__(cls, *, key: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        template = cls._declare(key)
        if template is not None:
            # Form adds ":<8 hex>" so that two people's open copies never share an id.
            cls.pattern = re.compile(template + r":[0-9a-f]{8}")

    def __init__(
        self, *, title: str = discord.utils.MISSING, timeout: float | None = 900, **ids: Any
    ) -> None:
        super().__init__(title=title, custom_id=self.custom_id_for(**ids), timeout=timeout)
        self.ids = ids

    @classmethod
    def rebuild(cls, custom_id: str) -> PersistentForm | None:
        """Return the form a submitted custom id belongs to, or None if it is not this kind."""
        match = cls.pattern.fullmatch(custom_id)
        if match is None:
            return None
        form = cls(**cls.values_from(match))
        form.custom_id = custom_id
        return form
