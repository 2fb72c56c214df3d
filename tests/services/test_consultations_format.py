"""The upload format: forgiving parsing, clear line-numbered errors, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.consultations.question_file import (
    decode_upload,
    normalise_kind,
    parse_questions,
)
from tests.services.test_consultations_helpers import SAMPLE_FILE


def test_sample_file_parses() -> None:
    result = parse_questions(SAMPLE_FILE)
    assert result.errors == []
    assert [q.kind for q in result.questions] == ["single", "multiple", "scale", "text"]
    assert result.questions[0].options == ("Very easy", "Quite easy", "Hard")
    assert result.questions[0].line == 2


def test_forgiving_variants() -> None:
    text = (
        "\ufeffWhat do you think of the new leaflet?\n"  # no Q:, no type: -> free text
        "\n"
        "question: Pick one\n"
        "* Red\n"
        "• Blue\n"  # options without a type line -> single choice
        "\n"
        "1) How long should sessions be?\n"
        "   that is, in minutes\n"  # continuation of the question
        "KIND:  Multiple Choice \n"
        "+ 30\n"
        "+ 60\n"
        "Q: Rate the food\n"  # a new Q: without a blank line
        "Type: rating\n"
    )
    result = parse_questions(text)
    assert result.errors == []
    kinds = [(q.kind, q.text) for q in result.questions]
    assert kinds == [
        ("text", "What do you think of the new leaflet?"),
        ("single", "Pick one"),
        ("multiple", "How long should sessions be? that is, in minutes"),
        ("scale", "Rate the food"),
    ]


@pytest.mark.parametrize(
    ("word", "kind"),
    [("1–5", "scale"), ("Free text", "text"), ("checkbox", "multiple"), ("one", "single")],
)
def test_kind_words(word: str, kind: str) -> None:
    assert normalise_kind(word) == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q: Pick\ntype: single\n- only one\n", "Line 1: a single choice question needs 2 to 10"),
        ("Q: Pick\n" + "".join(f"- o{i}\n" for i in range(11)), "and this one has 11"),
        ("Q: Pick\n- Same\n- same\n", "appears twice"),
        ("Q: Pick\n- " + "x" * 101 + "\n- ok\n", "101 characters; the most is 100"),
        ("Q: Rate\ntype: scale\n- 1\n- 2\n", "can't have options"),
        ("Q: What\ntype: essay\n", "Line 2: I don't know the type 'essay'"),
        ("- an option\n", "Line 1: this belongs to a question"),
        ("Q: Pick\n- a\n- b\nstray words\n", "Line 4: I didn't understand 'stray words'"),
        ("Q: x\ntype: text\ntype: scale\n", "Line 3: this question already has a type line"),
        ("# only a comment\n\n", "The file has no questions"),
        ("Q: " + "y" * 301 + "\n", "301 characters long; the most is 300"),
        ("".join(f"Q: question {i}\n\n" for i in range(21)), "at most 20"),
    ],
)
def test_malformed_files_give_clear_errors(text: str, expected: str) -> None:
    result = parse_questions(text)
    assert result.questions == []
    assert any(expected in e for e in result.errors), result.errors


def test_every_error_is_reported_with_its_line() -> None:
    result = parse_questions("Q: a\n- x\n\nQ: b\ntype: nope\n\nQ: c\n- y\n- y\n")
    assert len(result.errors) == 3
    assert result.errors[0].startswith("Line 5")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe\x00Q", "Word or other binary"),
        (b"Q: caf\xe9\n", "plain text"),
        (b"Q: x\n" * 5000, "the most is 20,000"),
    ],
)
def test_undecodable_uploads(data: bytes, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        decode_upload(data)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=600))
def test_random_text_never_crashes(text: str) -> None:
    result = parse_questions(text)
    assert bool(result.errors) != bool(result.questions)
    for error in result.errors:
        assert len(error) < 400


_line = st.one_of(
    st.sampled_from(["", "Q: ", "type: ", "- ", "* ", "# ", "1) ", "kind:"]).flatmap(
        lambda prefix: st.text(max_size=40).map(lambda rest: prefix + rest)
    ),
    st.sampled_from(["type: single", "type: scale", "type: text", "type: multiple", ""]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_line, max_size=40))
def test_random_structured_files_never_crash(lines: list[str]) -> None:
    result = parse_questions("\n".join(lines))
    for q in result.questions:
        assert q.kind in {"single", "multiple", "scale", "text"}
        assert 0 < len(q.text) <= 300
        if q.kind in {"single", "multiple"}:
            assert 2 <= len(q.options) <= 10
            assert all(0 < len(o) <= 100 for o in q.options)
        else:
            assert q.options == ()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        text = decode_upload(data)
    except ValueError:
        return
    parse_questions(text)
