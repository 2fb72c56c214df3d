"""The readability score of what members read: syllables, sentences, and what is left out."""

from __future__ import annotations

from bot.sandbox.transcript_html import Entry
from bot.sandbox.transcript_readability import measure, members_read, plain, syllables


def test_syllables_follow_the_usual_rules() -> None:
    counted = {
        w: syllables(w)
        for w in ("the", "people", "needed", "changes", "closes", "made", "participation")
    }
    assert counted == {
        "the": 1,
        "people": 2,
        "needed": 2,
        "changes": 2,
        "closes": 2,
        "made": 1,
        "participation": 5,
    }
    assert syllables("doesn't") == 2 and syllables("don't") == 1 and syllables("16") == 1


def test_codes_links_and_timestamps_are_not_read_as_words() -> None:
    text = plain("**Hi** <@123456789>! Closes <t:1793894400:F> — see https://x.org/a `/poll`")
    assert text.split() == ["Hi", "!", "Closes", "see"]


def test_short_plain_sentences_score_as_easy() -> None:
    easy = measure(["You can vote now. It takes a minute. Thank you!"])
    hard = measure(
        [
            "Participation representatives' organisational accountability necessitates "
            "comprehensive documentation of consultation methodologies."
        ]
    )
    assert easy.sentences == 3 and easy.words == 10
    assert easy.reading_ease > 90 > 0 > hard.reading_ease
    assert easy.grade < 3 < 15 < hard.grade


def test_only_what_members_read_counts_once() -> None:
    said = {"content": "You can vote now.", "embeds": [{"title": "Poll", "fields": []}]}
    staff = {"content": "Comprehensive organisational documentation necessitates consideration."}
    entries = [
        Entry("message", message=said, for_members=True),
        Entry("message", message=said, for_members=True),  # the same words again
        Entry("message", message=staff, for_members=False),
        Entry("note", "Participation representatives' accountability"),
    ]
    score = members_read(entries)
    assert (score.sentences, score.words) == (2, 5)
    assert "Flesch reading ease" in score.line()
