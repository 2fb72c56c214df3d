"""Matching what people type for their age band and area, and one answer's problem named."""

from __future__ import annotations

import pytest

from bot.group_config import GroupConfig
from bot.services.membership import (
    FieldProblem,
    JoinForm,
    age_band_suggestions,
    area_suggestions,
)
from bot.services.membership.forms import checked_values
from bot.services.membership.matching import resolve_age_band, resolve_area
from bot.settings import Settings

GROUP = GroupConfig(
    localities=["North", "South", "Online only"],
    age_bands=["11-13", "14-15", "16-17", "18-21", "22-25", "26+", "Parent or carer"],
    locality_aliases={"Bradford": "North", "Southampton": "South"},
)


@pytest.mark.parametrize(
    ("typed", "values"),
    [
        ("19", ["18-21"]),
        ("I'm 15", ["14-15"]),
        ("40", ["26+"]),
        ("16-17", ["16-17"]),
        ("par", ["Parent or carer"]),
        ("7", GROUP.age_bands),  # no band fits: offer them all
        ("", GROUP.age_bands),
    ],
)
def test_an_age_finds_its_band(typed: str, values: list[str]) -> None:
    assert [s.value for s in age_band_suggestions(typed, GROUP)] == values


@pytest.mark.parametrize(
    ("typed", "values"),
    [
        ("south", ["South"]),  # the area itself first, not again for Southampton
        ("brad", ["North"]),
        ("onl", ["Online only"]),
        ("Leeds", ["North", "South", "Online only"]),
    ],
)
def test_a_town_finds_its_area(typed: str, values: list[str]) -> None:
    assert [s.value for s in area_suggestions(typed, GROUP)] == values


def test_typed_answers_are_understood_only_when_they_mean_one_thing() -> None:
    assert resolve_age_band("19", GROUP) == "18-21"
    assert resolve_age_band("parent or carer", GROUP) == "Parent or carer"
    assert resolve_age_band("7", GROUP) == "7"
    assert resolve_area("bradford", GROUP) == "North"
    assert resolve_area("NORTH", GROUP) == "North"
    assert resolve_area("Nor", GROUP) == "Nor"  # a fragment is offered, not assumed


def test_a_town_pointing_nowhere_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="not in localities"):
        GroupConfig(localities=["North"], age_bands=["16-17"], locality_aliases={"Leeds": "Eas"})


def test_a_wrong_answer_names_its_field(settings: Settings) -> None:
    good = JoinForm("Sam", "16-17", "young_person", "North", True)
    for field, value in [("age_band", "99"), ("locality", "Atlantis"), ("pronouns", "x" * 41)]:
        with pytest.raises(FieldProblem) as problem:
            checked_values(JoinForm(**{**good.__dict__, field: value}), settings)
        assert problem.value.field == field
