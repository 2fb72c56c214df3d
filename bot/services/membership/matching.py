"""Match what people type for their age band and area: an age to its band, a town to its area."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.group_config import GroupConfig

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*$")
_OR_OVER = re.compile(r"^\s*(\d+)\s*\+\s*$")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Suggestion:
    """One answer to offer: what the person sees, and the value it stands for."""

    label: str
    value: str


def _ages(band: str) -> range | None:
    """Return the ages a band like "18-21" or "26+" covers (None for "Parent or carer")."""
    if match := _RANGE.match(band):
        return range(int(match[1]), int(match[2]) + 1)
    if match := _OR_OVER.match(band):
        return range(int(match[1]), 200)
    return None


def _typed_age(typed: str) -> int | None:
    """Return the age in what someone typed ("19", "I'm 19"), if it holds exactly one number."""
    numbers = _NUMBER.findall(typed)
    if len(numbers) == 1 and not _RANGE.match(typed):
        return int(numbers[0])
    return None


def _bands_for(age: int, group: GroupConfig) -> list[str]:
    return [b for b in group.age_bands if (ages := _ages(b)) is not None and age in ages]


def age_band_suggestions(typed: str, group: GroupConfig) -> list[Suggestion]:
    """Return the bands that fit what was typed: an age, part of a band, or every band."""
    needle = typed.strip().casefold()
    age = _typed_age(needle)
    if age is not None:
        found = [Suggestion(f"{b} (you typed {age})", b) for b in _bands_for(age, group)]
    else:
        found = [Suggestion(b, b) for b in group.age_bands if needle in b.casefold()]
    return found or [Suggestion(b, b) for b in group.age_bands]


def area_suggestions(typed: str, group: GroupConfig) -> list[Suggestion]:
    """Return the areas that fit what was typed: an area, a town in one, or every area."""
    needle = typed.strip().casefold()
    found = [Suggestion(a, a) for a in group.localities if needle in a.casefold()]
    seen = {s.value for s in found}
    if needle:
        for town, area in sorted(group.locality_aliases.items()):
            if needle in town.casefold() and area not in seen:
                found.append(Suggestion(f"{area} (includes {town})", area))
                seen.add(area)
    return found or [Suggestion(a, a) for a in group.localities]


def resolve_age_band(typed: str, group: GroupConfig) -> str:
    """Return the band someone meant when only one fits, else what they typed (refused later)."""
    exact = {b.casefold(): b for b in group.age_bands}.get(typed.strip().casefold())
    if exact is not None:
        return exact
    age = _typed_age(typed)
    fits = _bands_for(age, group) if age is not None else []
    return fits[0] if len(fits) == 1 else typed


def resolve_area(typed: str, group: GroupConfig) -> str:
    """Return the area someone meant (an area or a town, any case), else what they typed."""
    wanted = typed.strip().casefold()
    places = {a.casefold(): a for a in group.localities}
    places |= {town.casefold(): area for town, area in group.locality_aliases.items()}
    return places.get(wanted, typed)
