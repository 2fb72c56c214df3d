"""Read consultation questions from a simple text file, forgivingly, with line-numbered errors.

The format (UTF-8 plain text, at most 20 questions, 20,000 bytes):

    # Lines starting with # are comments and are ignored.
    Q: How easy was it to find out about the group?
    type: single
    - Very easy
    - Quite easy
    - Hard

    Q: Which of these would help you take part?
    type: multiple
    - Sessions after school
    - Papers sent early
    - Captions

    Q: How well did we listen to you?
    type: scale

    Q: What should we change first?
    type: text

Rules, chosen to forgive what people actually type:
- A question starts with `Q:` (or `Question:`, or `1.` / `1)` numbering); a blank line also
  ends a question, so the `Q:` can even be left off the first line of a block.
- `type:` (or `kind:`) is one of single, multiple, scale, text; common words work too
  (one, choice, radio / many, multi, checkbox, tick / rating, 1-5 / free, open, free text).
  Without a type line: options mean single choice, no options mean free text.
- Options start with `-`, `*`, `•` or `+`. Choice questions need 2–10 options of at most
  100 characters each (Discord's select-menu limit), with no repeats.
- A plain line straight after the question (before any option) continues the question.
- Keys are not case-sensitive; spaces around anything are ignored; a byte-order mark is fine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUESTIONS = 20
QUESTION_MAX = 300
OPTION_MAX = 100
MIN_OPTIONS = 2
MAX_OPTIONS = 10
FILE_MAX_BYTES = 20_000
FORMAT_HINT = (
    "Format: start each question with 'Q:', then a line 'type: single', 'multiple', 'scale' "
    "or 'text', then one '- option' line per choice; leave a blank line between questions."
)
KINDS = ("single", "multiple", "scale", "text")
KIND_LABELS = {
    "single": "single choice",
    "multiple": "multiple choice",
    "scale": "scale 1–5",
    "text": "free text",
}

_KIND_WORDS = {
    "single": "single",
    "single choice": "single",
    "one": "single",
    "choice": "single",
    "radio": "single",
    "multiple": "multiple",
    "multiple choice": "multiple",
    "multi": "multiple",
    "many": "multiple",
    "checkbox": "multiple",
    "checkboxes": "multiple",
    "tick": "multiple",
    "scale": "scale",
    "rating": "scale",
    "scale 1-5": "scale",
    "1-5": "scale",
    "text": "text",
    "free": "text",
    "free text": "text",
    "open": "text",
    "comment": "text",
}
_QUESTION = re.compile(r"^(?:q(?:uestion)?\s*\d*\s*[:.)]|\d{1,2}\s*[.)])\s*(.*)$", re.IGNORECASE)
_TYPE = re.compile(r"^(?:type|kind)\s*:\s*(.*)$", re.IGNORECASE)
_OPTION = re.compile(r"^[-*•+]\s*(.*)$")


@dataclass(frozen=True)
class ParsedQuestion:
    """A question read from a file, with the line it started on."""

    line: int
    kind: str
    text: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParseResult:
    """Questions read, and every problem found (a file with problems adds nothing)."""

    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class _Block:
    line: int
    text_parts: list[str] = field(default_factory=list)
    kind: str | None = None
    kind_line: int = 0
    options: list[tuple[int, str]] = field(default_factory=list)


def normalise_kind(word: str) -> str | None:
    """Return the question kind a word names (e.g. 'Free text' -> 'text'), or None."""
    cleaned = word.strip().casefold().replace("–", "-").replace("—", "-")
    cleaned = re.sub(r"[\s_]+", " ", cleaned)
    cleaned = re.sub(r"1 ?(?:-|to) ?5", "1-5", cleaned)
    return _KIND_WORDS.get(cleaned)


def _bad_chars(text: str) -> bool:
    return any((ord(c) < 32 and c != "\t") or 0x7F <= ord(c) < 0xA0 for c in text)


def check_question(
    kind: str, text: str, options: list[str] | tuple[str, ...], where: str = ""
) -> list[str]:
    """Return what is wrong with one question (empty when it is fine)."""
    problems: list[str] = []
    if kind not in KINDS:
        problems.append(f"{where}the type must be one of: single, multiple, scale, text.")
        return problems
    if not text.strip():
        problems.append(f"{where}the question has no words.")
    elif len(text) > QUESTION_MAX:
        problems.append(
            f"{where}the question is {len(text)} characters long; the most is {QUESTION_MAX}."
        )
    elif _bad_chars(text):
        problems.append(f"{where}the question has a hidden control character in it.")
    if kind in {"single", "multiple"}:
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            problems.append(
                f"{where}a {KIND_LABELS[kind]} question needs {MIN_OPTIONS} to {MAX_OPTIONS} "
                f"options, and this one has {len(options)}."
            )
        seen: set[str] = set()
        for option in options:
            if not option.strip():
                problems.append(f"{where}an option is empty.")
            elif len(option) > OPTION_MAX:
                problems.append(
                    f"{where}the option {option[:30]!r}… is {len(option)} characters; "
                    f"the most is {OPTION_MAX}."
                )
            elif _bad_chars(option):
                problems.append(f"{where}an option has a hidden control character in it.")
            if option.casefold() in seen:
                problems.append(f"{where}the option {option[:40]!r} appears twice.")
            seen.add(option.casefold())
    elif options:
        problems.append(
            f"{where}a {KIND_LABELS[kind]} question can't have options; "
            "remove the '-' lines or change the type to single or multiple."
        )
    return problems


def parse_questions(content: str) -> ParseResult:
    """Read questions from the text of an uploaded file; never raises on any input."""
    errors: list[str] = []
    blocks: list[_Block] = []
    current: _Block | None = None
    lines = content.lstrip("\ufeff").splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if line.startswith("#"):
            continue
        question = _QUESTION.match(line)
        type_match = _TYPE.match(line)
        option = _OPTION.match(line)
        if question and not type_match:
            current = _Block(number, [question.group(1).strip()])
            blocks.append(current)
        elif current is None:
            if type_match or option:
                errors.append(
                    f"Line {number}: this belongs to a question, but no question comes before "
                    "it. Start the question with 'Q:'."
                )
                continue
            current = _Block(number, [line])
            blocks.append(current)
        elif type_match:
            if current.kind is not None or current.kind_line:
                errors.append(f"Line {number}: this question already has a type line.")
                continue
            kind = normalise_kind(type_match.group(1))
            current.kind_line = number
            if kind is None:
                errors.append(
                    f"Line {number}: I don't know the type {type_match.group(1).strip()[:30]!r}. "
                    "Use single, multiple, scale or text."
                )
            current.kind = kind
        elif option:
            current.options.append((number, option.group(1).strip()))
        elif not current.options and current.kind is None and not current.kind_line:
            current.text_parts.append(line)
        else:
            errors.append(
                f"Line {number}: I didn't understand {line[:40]!r}. Options start with '-', "
                "and a new question needs a blank line or 'Q:' before it."
            )
    questions: list[ParsedQuestion] = []
    for block in blocks:
        text = " ".join(p for p in block.text_parts if p).strip()
        options = tuple(o for _, o in block.options)
        if block.kind is None and block.kind_line:
            continue  # the unknown type was already reported
        kind = block.kind or ("single" if options else "text")
        problems = check_question(kind, text, options, where=f"Line {block.line}: ")
        if problems:
            errors.extend(problems)
            continue
        questions.append(ParsedQuestion(block.line, kind, text, options))
    if not blocks and not errors:
        errors.append("The file has no questions in it. Start each question with 'Q:'.")
    if len(blocks) > MAX_QUESTIONS:
        errors.append(
            f"The file has {len(blocks)} questions; a consultation can have at most "
            f"{MAX_QUESTIONS}."
        )
    return ParseResult(questions=[] if errors else questions, errors=errors)


def decode_upload(data: bytes) -> str:
    """Return the text of an uploaded file, or raise ValueError with a friendly reason."""
    if len(data) > FILE_MAX_BYTES:
        raise ValueError(
            f"The file is {len(data):,} bytes; the most is {FILE_MAX_BYTES:,}. "
            "A consultation has at most 20 questions, so it should be much smaller."
        )
    if b"\x00" in data:
        raise ValueError(
            "That looks like a Word or other binary file: please save it as plain text (.txt)."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            "I couldn't read the file as text: please save it as plain text (.txt, UTF-8)."
        ) from exc
