"""Attributed figures: the numbers sources give, what they count, and where sources disagree.

A *figure* is a number in an article that counts something named in the user-editable
rules of `resources/figure_quantities.tsv`: "killing at least 1,139 people" is 1,139
*killed*, "over 250 … prisoners" after "kidnapped" is 250 *hostages taken*. Numbers that
match no rule (years, ages, "three phases") are not figures.

Each figure has a *source*: the speaker of the innermost quotation of the store whose
content holds the number (a direct or indirect quote, or the clause of an "according to" /
"as reported by" attribution); a figure outside every quotation is the publication's own
claim, and its source is the outlet (or the article, when the outlet is unknown).

Each figure also has an *event*: the date phrase of its sentence nearest to the number
("March 3", "late November"), and the places named after a preposition in its clause
("on the northern border", "in Freedonia"). Figures of one quantity are grouped when they name the
same date; an undated figure joins the one dated group of its quantity that shares a place
with it, or else the undated figures of its quantity that share a place. A group whose
figures give different numbers is a *conflict*; it is *reconcilable* when the qualifiers
("at least", "over", "around") leave a value that all of them allow.

This is a reading aid for a fact-checker, not a verdict: two tolls given at different
times (a cumulative count) form a conflict too, and every figure keeps its article, date
and sentence so that the reader can judge.
"""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from quotes.model import stable_id

__all__ = [
    "Figure",
    "FigureGroup",
    "NumberPhrase",
    "QuantityRule",
    "find_numbers",
    "group_figures",
    "quantity_rules",
    "store_figures",
    "text_figures",
]

RESOURCES = Path(__file__).resolve().parent / "resources"

PUBLICATION = "publication"
"""The `source_type` of a figure that no quotation holds: the article's own claim."""

# --- the vocabulary of numbers ------------------------------------------------------------

_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_UNITS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
"""Number words. "one" is left out on purpose: it is far more often a pronoun ("one of them")."""
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_DOZEN = 12

_QUALIFIERS: dict[tuple[str, ...], str] = {
    ("at", "least"): "at least",
    ("more", "than"): "more than",
    ("over",): "more than",
    ("upwards", "of"): "more than",
    ("just", "over"): "more than",
    ("nearly",): "nearly",
    ("almost",): "nearly",
    ("close", "to"): "nearly",
    ("around",): "about",
    ("about",): "about",
    ("approximately",): "about",
    ("roughly",): "about",
    ("some",): "about",
    ("an", "estimated"): "about",
    ("estimated",): "about",
    ("up", "to"): "at most",
    ("as", "many", "as"): "at most",
    ("at", "most"): "at most",
    ("fewer", "than"): "less than",
    ("less", "than"): "less than",
    ("under",): "less than",
    ("just", "under"): "less than",
}
"""Words before a number that make it a bound or an estimate, and the qualifier they mean."""

_APPROX = 0.05
"""How far "about N" reaches on either side of N, as a fraction, for `reconcilable`."""

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_PLACE_PREPOSITIONS = {"on", "in", "into", "against", "of", "at", "inside", "across"}
_BOUNDARIES = {",", ";", ":", "(", ")", "—", "–", "--", "[", "]"}
_RELATIVES = {"which", "who", "that", "where", "when"}
_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_PERCENT = {"%", "percent", "per cent", "pct"}
_BEFORE = 5
"""How many tokens before a number (and its qualifier) are searched for actions and nouns."""
_AFTER = 8
"""How many tokens after a number are searched for the counted noun and actions."""


# --- the rules ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuantityRule:
    """One line of `figure_quantities.tsv`: what a number counts when words match.

    Attributes:
        quantity: The name of what is counted ("killed").
        unit: What one unit counts ("people").
        actions: Words one of which must occur near the number; empty for any.
        counted: Words one of which must occur near the number; empty for any.
    """

    quantity: str
    unit: str
    actions: frozenset[str]
    counted: frozenset[str]

    def matches(self, words: set[str]) -> bool:
        """Whether the words around a number satisfy both conditions of this rule."""
        return (not self.actions or bool(self.actions & words)) and (
            not self.counted or bool(self.counted & words)
        )


def read_quantity_rules(path: str | Path) -> tuple[QuantityRule, ...]:
    """Read quantity rules from a TSV file in the format of `resources/figure_quantities.tsv`.

    Raises:
        ValueError: If a line does not have four TAB-separated fields.
    """
    rules = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) != 4:
            raise ValueError(f"{path}:{number}: expected 4 TAB-separated fields, got {len(fields)}")
        quantity, unit, actions, counted = fields
        rules.append(
            QuantityRule(quantity=quantity, unit=unit, actions=_word_set(actions), counted=_word_set(counted))
        )
    return tuple(rules)


def _word_set(field: str) -> frozenset[str]:
    """The comma-separated words of a rule field, lower-case; "*" is the empty set (any)."""
    if field.strip() == "*":
        return frozenset()
    return frozenset(w.strip().lower() for w in field.split(",") if w.strip())


@cache
def quantity_rules() -> tuple[QuantityRule, ...]:
    """The rules of `resources/figure_quantities.tsv`, or of the file named by QUOTES_FIGURE_QUANTITIES."""
    return read_quantity_rules(
        os.environ.get("QUOTES_FIGURE_QUANTITIES") or RESOURCES / "figure_quantities.tsv"
    )


# --- numbers in text ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberPhrase:
    """A number as written, with its qualifier, and what it counts.

    Attributes:
        start, end: Character offsets of the phrase (qualifier included) in the article.
        text: The phrase ("at least 1,139", "two dozen").
        value: The number (1139.0).
        qualifier: "at least", "more than", "nearly", "about", "at most", "less than" or None.
        lower, upper: The values the phrase allows; None for no bound.
        quantity, unit: What it counts, from the first matching `QuantityRule`.
        sentence: The sentence it is in; sentence_start its offset.
        event_date: The nearest date phrase of the sentence, normalised ("october 7"), or None.
        event: That date phrase as written ("October 7"), or None.
        places: Lower-case capitalised words after a preposition in the number's clause.
    """

    start: int
    end: int
    text: str
    value: float
    qualifier: str | None
    lower: float | None
    upper: float | None
    quantity: str
    unit: str
    sentence: str
    sentence_start: int
    event_date: str | None
    event: str | None
    places: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    lower: str
    idx: int

    @property
    def end(self) -> int:
        return self.idx + len(self.text)


def find_numbers(text: str, *, rules: Sequence[QuantityRule] | None = None) -> list[NumberPhrase]:
    """Find the figures of a text: numbers that a quantity rule says what they count.

    Examples:
        >>> [(n.text, n.quantity) for n in find_numbers("The storm killed at least 12 people on May 3.")]
        [('at least 12', 'killed')]
    """
    rules = quantity_rules() if rules is None else tuple(rules)
    found: list[NumberPhrase] = []
    for sentence in _sentences(text):
        if not _HAS_NUMBER.search(text, sentence[0].idx, sentence[-1].end):
            continue
        found.extend(_sentence_numbers(text, sentence, rules))
    return found


_HAS_NUMBER = re.compile(
    r"\d|\b(?:" + "|".join(list(_UNITS) + list(_SCALES) + ["dozen"]) + r")\b", re.IGNORECASE
)


def _sentences(text: str) -> Iterable[list[_Tok]]:
    """The sentences of `text` as token lists, also split at line breaks (headings, lists)."""
    for sent in _sentencizer()(text).sents:
        current: list[_Tok] = []
        for token in sent:
            if "\n" in token.text or "\n" in token.whitespace_:
                if not token.is_space:
                    current.append(_Tok(token.text, token.lower_, token.idx))
                if current:
                    yield current
                current = []
            elif not token.is_space:
                current.append(_Tok(token.text, token.lower_, token.idx))
        if current:
            yield current


@cache
def _sentencizer():
    """A blank English spaCy pipeline with the rule-based sentencizer (no model needed)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 10_000_000
    return nlp


def _sentence_numbers(text: str, tokens: list[_Tok], rules: Sequence[QuantityRule]) -> list[NumberPhrase]:
    """The figures of one sentence."""
    numbers = _number_spans(tokens)
    dates = _date_spans(tokens)
    date_tokens = {i for start, end, _, _ in dates for i in range(start, end)}
    numbers = [n for n in numbers if n[0] not in date_tokens]
    starts = {n[0] for n in numbers}
    sentence_start, sentence_end = tokens[0].idx, tokens[-1].end
    found = []
    for index, (first, last, value, unit_hint) in enumerate(numbers):
        qualifier, q_first = _qualifier(tokens, first)
        window = _window(tokens, q_first, last, starts | {d[0] for d in dates}, numbers[index + 1 :])
        rule = next((r for r in rules if r.matches(set(window))), None)
        if rule is None:
            continue
        lower, upper = _bounds(value, qualifier)
        date = _nearest_date(dates, _event_anchor(window, rule, first))
        start, end = tokens[q_first].idx, tokens[last - 1].end
        found.append(
            NumberPhrase(
                start=start,
                end=end,
                text=text[start:end],
                value=value,
                qualifier=qualifier,
                lower=lower,
                upper=upper,
                quantity=rule.quantity,
                unit=unit_hint or rule.unit,
                sentence=text[sentence_start:sentence_end],
                sentence_start=sentence_start,
                event_date=date[0] if date else None,
                event=date[1] if date else None,
                places=_places(tokens, first),
            )
        )
    return found


def _number_spans(tokens: list[_Tok]) -> list[tuple[int, int, float, str | None]]:
    """Token spans of the numbers of a sentence: (first, end, value, unit or None).

    Digits ("1,139", "1.2 million"), number words ("two dozen", "twenty-five"). Left out:
    parts of hyphenated compounds ("seven-day", "F-16"), years (1800–2100 without a comma),
    and numbers inside dates (see `_date_spans`).
    """
    spans = []
    i = 0
    while i < len(tokens):
        parsed = _parse_number(tokens, i)
        if parsed is None:
            i += 1
            continue
        end, value = parsed
        hyphenated = (
            end < len(tokens) and tokens[end].text in {"-", "‐"} and tokens[end].idx == tokens[end - 1].end
        ) or (i > 0 and tokens[i - 1].text in {"-", "‐"} and tokens[i - 1].end == tokens[i].idx)
        year = re.fullmatch(r"1[89]\d\d|20\d\d", tokens[i].text) is not None and end == i + 1
        if not hyphenated and not year:
            unit = None
            if i > 0 and tokens[i - 1].text in _CURRENCIES:
                unit = _CURRENCIES[tokens[i - 1].text]
            elif end < len(tokens) and tokens[end].lower in _PERCENT:
                unit = "percent"
            spans.append((i, end, value, unit))
        i = end
    return spans


def _parse_number(tokens: list[_Tok], i: int) -> tuple[int, float] | None:
    """Parse the number that starts at token `i`: (end token, value), or None."""
    token = tokens[i]
    if _DIGITS.fullmatch(token.text):
        value = float(token.text.replace(",", ""))
        end = i + 1
        if end < len(tokens) and tokens[end].lower in _SCALES:
            value *= _SCALES[tokens[end].lower]
            end += 1
        return end, value
    words: list[str] = []
    j = i
    if token.lower in {"a", "an"} and i + 1 < len(tokens) and tokens[i + 1].lower in {"dozen", *_SCALES}:
        words.append("one")
        j += 1
    while j < len(tokens):
        lower = tokens[j].lower
        if lower in _UNITS or lower in _SCALES or lower == "dozen" or (lower == "one" and words):
            words.append(lower)
            j += 1
        elif lower in {"-", "‐", "and"} and words and j + 1 < len(tokens) and tokens[j + 1].lower in _UNITS:
            j += 1
        else:
            break
    if not words or words == ["one"]:
        return None
    return j, float(_word_value(words))


def _word_value(words: list[str]) -> int:
    """The value of number words: ["two", "dozen"] → 24, ["twenty", "five"] → 25."""
    total, current = 0, 0
    for word in words:
        if word == "one":
            current += 1
        elif word in _UNITS:
            current += _UNITS[word]
        elif word == "dozen":
            current = (current or 1) * _DOZEN
        elif word == "hundred":
            current = (current or 1) * 100
        else:
            total += (current or 1) * _SCALES[word]
            current = 0
    return total + current


def _qualifier(tokens: list[_Tok], first: int) -> tuple[str | None, int]:
    """The qualifier just before token `first` and the token it starts at."""
    for phrase, meaning in sorted(_QUALIFIERS.items(), key=lambda item: -len(item[0])):
        start = first - len(phrase)
        if start >= 0 and tuple(t.lower for t in tokens[start:first]) == phrase:
            return meaning, start
    return None, first


def _bounds(value: float, qualifier: str | None) -> tuple[float | None, float | None]:
    """The range of values a qualified number allows (None: unbounded)."""
    if qualifier is None:
        return value, value
    if qualifier in ("at least", "more than"):
        return value, None
    if qualifier == "about":
        return value * (1 - _APPROX), value * (1 + _APPROX)
    if qualifier == "nearly":
        return value * (1 - 2 * _APPROX), value
    return 0.0, value  # at most, less than


def _window(
    tokens: list[_Tok],
    first: int,
    last: int,
    number_starts: set[int],
    later: list[tuple[int, int, float, str | None]],
) -> dict[str, list[int]]:
    """The lower-case words around a number, within its clause, with their token positions.

    The window reaches `_BEFORE` tokens back and `_AFTER` forward, and stops at clause
    punctuation and at another number, except that "N of the M people" reads past M so that
    N counts what M counts.
    """
    words: dict[str, list[int]] = defaultdict(list)
    i = first - 1
    while i >= 0 and first - i <= _BEFORE and tokens[i].text not in _BOUNDARIES and i not in number_starts:
        words[tokens[i].lower].append(i)
        i -= 1
    i, seen = last, 0
    partitive = {n[0]: n[1] for n in later}
    while i < len(tokens) and seen < _AFTER and tokens[i].text not in _BOUNDARIES:
        if i in number_starts:
            if tokens[i - 1].lower in {"of", "the", "these", "those"} and i in partitive:
                i = partitive[i]
                continue
            break
        words[tokens[i].lower].append(i)
        i += 1
        seen += 1
    return words


def _event_anchor(window: dict[str, list[int]], rule: QuantityRule, number: int) -> int:
    """The token a figure's date is looked up from: its action word, else the number.

    In "a truce in November in which the group released 100 of the 253 people it abducted on
    October 7", 100 is dated by "released" (November) and 253 by "abducted" (October 7).
    """
    positions = [p for word in rule.actions & window.keys() for p in window[word]]
    return min(positions, key=lambda p: (abs(p - number), p)) if positions else number


def _date_spans(tokens: list[_Tok]) -> list[tuple[int, int, str, str]]:
    """Date phrases of a sentence: (first, end, normalised, as written).

    "October 7", "Oct. 7, 2023", "7 October" and a bare month ("in late November"). Weekdays
    are left out: "on Monday" names no event across articles.
    """
    dates = []
    i = 0
    while i < len(tokens):
        month = _MONTHS.get(tokens[i].lower.rstrip("."))
        if (
            month is None
            or not tokens[i].text[:1].isupper()
            or (tokens[i].lower == "may" and not _is_day(tokens, i + 1))
        ):
            i += 1
            continue
        start, end = i, i + 1
        if end < len(tokens) and tokens[end].text == ".":
            end += 1
        day = None
        if _is_day(tokens, end):
            day = int(tokens[end].text)
            end += 1
        elif start > 0 and _is_day(tokens, start - 1):
            day = int(tokens[start - 1].text)
            start -= 1
        label = _MONTH_NAMES[month - 1] + (f" {day}" if day else "")
        dates.append((start, end, label.lower(), label))
        i = end
    return dates


def _is_day(tokens: list[_Tok], i: int) -> bool:
    return 0 <= i < len(tokens) and tokens[i].text.isdigit() and 1 <= int(tokens[i].text) <= 31


def _nearest_date(dates: list[tuple[int, int, str, str]], token: int) -> tuple[str, str] | None:
    """The date phrase nearest to token `token` (ties: the earlier one)."""
    if not dates:
        return None
    best = min(dates, key=lambda d: (min(abs(d[0] - token), abs(d[1] - 1 - token)), d[0]))
    return best[2], best[3]


def _places(tokens: list[_Tok], first: int) -> tuple[str, ...]:
    """Capitalised words after a preposition in the clause of token `first`, lower-case.

    The clause is the stretch between clause punctuation around the number; when it opens
    with a participle or a relative pronoun ("…, killing 12 people", "…, which saw …") the
    clause before it is read too, since that is where its event is named.
    """
    segments = _segments(tokens)
    index = next(k for k, (start, end) in enumerate(segments) if start <= first < end)
    chosen = [segments[index]]
    while index > 0 and _opens_dependent(tokens, segments[index][0]):
        index -= 1
        chosen.append(segments[index])
    places: set[str] = set()
    for start, end in chosen:
        for i in range(start, end):
            if tokens[i].lower not in _PLACE_PREPOSITIONS:
                continue
            j = i + 1
            while (
                j < end
                and j <= i + 3
                and tokens[j].text[:1].islower()
                and tokens[j].lower not in _PLACE_PREPOSITIONS
                and tokens[j].lower not in _RELATIVES
            ):
                j += 1
            while j < end and _is_place_word(tokens[j]):
                places.add(tokens[j].lower)
                j += 1
    return tuple(sorted(places))


def _is_place_word(token: _Tok) -> bool:
    """A capitalised word that is not a month or weekday (those are dates, not places)."""
    return (
        token.text[:1].isupper()
        and token.text.isalpha()
        and token.lower.rstrip(".") not in _MONTHS
        and token.lower not in _WEEKDAYS
    )


def _segments(tokens: list[_Tok]) -> list[tuple[int, int]]:
    """The clause-punctuation-delimited stretches of a sentence, as (start, end) token spans."""
    segments, start = [], 0
    for i, token in enumerate(tokens):
        if token.text in _BOUNDARIES:
            if i > start:
                segments.append((start, i))
            start = i + 1
    if start < len(tokens):
        segments.append((start, len(tokens)))
    return segments or [(0, len(tokens))]


def _opens_dependent(tokens: list[_Tok], start: int) -> bool:
    """Whether a clause opens with a participle ("killing") or relative pronoun ("which")."""
    word = tokens[start].lower
    if word in {"and", "but"} and start + 1 < len(tokens):
        word = tokens[start + 1].lower
    return word in _RELATIVES or (word.endswith("ing") and word not in {"including", "according", "during"})


# --- figures of a store ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """A figure with its source, article and event (see the module docstring).

    Attributes:
        id: Stable id from the article id and the offsets.
        group_id: The id of its `FigureGroup` (set by `group_figures`).
        source, source_id, source_type: Who gives the figure: the canonical speaker of the
            quotation holding it, or the outlet with source_type "publication".
        source_mention: The source as the article names it ("an AFP tally of official data").
        quote_id, quote_kind: That quotation, or None for the publication's own claim.
        doc_id, outlet, url, published, title: The article.
        (the other fields as in `NumberPhrase`)
    """

    id: str
    doc_id: str
    start: int
    end: int
    text: str
    value: float
    qualifier: str | None
    lower: float | None
    upper: float | None
    quantity: str
    unit: str
    event: str | None
    event_date: str | None
    places: tuple[str, ...]
    sentence: str
    source: str
    source_mention: str | None
    source_id: str | None
    source_type: str
    quote_id: str | None
    quote_kind: str | None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    title: str | None = None
    group_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form."""
        row = asdict(self)
        row["places"] = list(self.places)
        return row


@dataclass(frozen=True, slots=True, kw_only=True)
class FigureGroup:
    """Figures of one quantity about one event, from one or more sources.

    Attributes:
        id: Stable id from the quantity and the event key.
        quantity, unit: What the figures count.
        event: The date phrase ("October 7"), or "undated" with the shared places.
        figures: The figures, earliest article first.
        values: The distinct numbers given, ascending.
        sources: The distinct sources, in order of first figure.
        conflict: Whether the figures give more than one number.
        reconcilable: Whether one value satisfies every figure's qualifier (always true
            without a conflict).
    """

    id: str
    quantity: str
    unit: str
    event: str
    figures: tuple[Figure, ...]
    values: tuple[float, ...]
    sources: tuple[str, ...]
    conflict: bool
    reconcilable: bool

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form, figures included."""
        return {
            "id": self.id,
            "quantity": self.quantity,
            "unit": self.unit,
            "event": self.event,
            "values": list(self.values),
            "sources": list(self.sources),
            "conflict": self.conflict,
            "reconcilable": self.reconcilable,
            "figures": [f.to_dict() for f in self.figures],
        }


def text_figures(
    article: dict[str, Any], quotes: Sequence[dict[str, Any]], *, rules: Sequence[QuantityRule] | None = None
) -> list[Figure]:
    """The figures of one article, each attributed to the quotation that holds it.

    Args:
        article: A row of the articles table (``id``, ``text``, ``outlet``, ``url``,
            ``published``, ``title``).
        quotes: The rows of the quotes table for this article.
        rules: Quantity rules (default: `quantity_rules`).
    """
    figures = []
    for number in find_numbers(article["text"] or "", rules=rules):
        holder = _innermost(quotes, number.start, number.end)
        if holder is not None:
            source = holder.get("speaker_name") or holder.get("speaker_mention") or "unknown speaker"
            mention = holder.get("speaker_mention")
            source_id, source_type = holder.get("speaker_id"), holder.get("speaker_type") or "unknown"
            quote_id, quote_kind = holder["id"], holder["kind"]
        else:
            source = article.get("outlet") or article.get("title") or article["id"]
            mention, source_id, source_type, quote_id, quote_kind = None, None, PUBLICATION, None, None
        figures.append(
            Figure(
                id=stable_id("figure", article["id"], number.start, number.end),
                doc_id=article["id"],
                start=number.start,
                end=number.end,
                text=number.text,
                value=number.value,
                qualifier=number.qualifier,
                lower=number.lower,
                upper=number.upper,
                quantity=number.quantity,
                unit=number.unit,
                event=number.event,
                event_date=number.event_date,
                places=number.places,
                sentence=number.sentence,
                source=source,
                source_mention=mention,
                source_id=source_id,
                source_type=source_type,
                quote_id=quote_id,
                quote_kind=quote_kind,
                outlet=article.get("outlet"),
                url=article.get("url"),
                published=article.get("published"),
                title=article.get("title"),
            )
        )
    return figures


def _innermost(quotes: Sequence[dict[str, Any]], start: int, end: int) -> dict[str, Any] | None:
    """The shortest quotation whose content span holds [start, end), or None."""
    holders = [q for q in quotes if q["content_start"] <= start and end <= q["content_end"]]
    return min(holders, key=lambda q: (q["content_end"] - q["content_start"], q["id"]), default=None)


def store_figures(
    articles: pl.DataFrame, quotes: pl.DataFrame, *, rules: Sequence[QuantityRule] | None = None
) -> list[Figure]:
    """The figures of every article of a store (its articles and quotes tables)."""
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in quotes.select(
        "id",
        "doc_id",
        "kind",
        "content_start",
        "content_end",
        "speaker_id",
        "speaker_name",
        "speaker_mention",
        "speaker_type",
    ).iter_rows(named=True):
        by_doc[row["doc_id"]].append(row)
    figures = []
    columns = [c for c in ("id", "text", "outlet", "url", "published", "title") if c in articles.columns]
    for article in articles.select(columns).iter_rows(named=True):
        figures.extend(text_figures(article, by_doc.get(article["id"], []), rules=rules))
    return figures


# --- grouping -------------------------------------------------------------------------------


def group_figures(figures: Sequence[Figure], *, order: dict[str, int] | None = None) -> list[FigureGroup]:
    """Group figures of one quantity about one event and flag the groups that disagree.

    Same quantity and same date phrase → one group. An undated figure joins the one dated
    group of its quantity that shares a place with it; otherwise undated figures of a
    quantity that share a place (transitively) form a group; an undated figure with no place
    stays alone. The result is independent of the order of `figures`.

    Args:
        figures: Figures from `store_figures`.
        order: Optional article rank (doc id → rank, earliest first) for ordering the
            figures of a group; defaults to ``published`` then doc id.

    Returns:
        The groups, conflicts first, then by quantity and event; every figure in exactly one
        group, with `Figure.group_id` set.
    """
    figures = sorted(figures, key=lambda f: f.id)
    dated: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    undated: dict[str, list[Figure]] = defaultdict(list)
    for figure in figures:
        if figure.event_date:
            dated[(figure.quantity, figure.event_date)].append(figure)
        else:
            undated[figure.quantity].append(figure)
    for quantity, loose in undated.items():
        rest = []
        for figure in loose:
            hosts = [
                key for key, members in dated.items()
                if key[0] == quantity and set(figure.places) & {p for m in members for p in m.places}
            ]  # fmt: skip
            if len(hosts) == 1:
                dated[hosts[0]].append(figure)
            else:
                rest.append(figure)
        undated[quantity] = rest
    groups = [
        _group(members, quantity, key_date=date, order=order) for (quantity, date), members in dated.items()
    ]
    for quantity, loose in undated.items():
        for members in _place_components(loose):
            groups.append(_group(members, quantity, key_date=None, order=order))
    return sorted(groups, key=lambda g: (not g.conflict, g.quantity, g.event, g.id))


def _place_components(figures: list[Figure]) -> list[list[Figure]]:
    """Split undated figures into sets connected by shared places; placeless ones alone."""
    parent = list(range(len(figures)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for i, figure in enumerate(figures):
        for place in figure.places:
            if place in first_with:
                a, b = find(i), find(first_with[place])
                parent[max(a, b)] = min(a, b)
            else:
                first_with[place] = i
    components: dict[int, list[Figure]] = defaultdict(list)
    for i, figure in enumerate(figures):
        components[find(i)].append(figure)
    return list(components.values())


def _group(
    members: list[Figure], quantity: str, *, key_date: str | None, order: dict[str, int] | None
) -> FigureGroup:
    """Build one `FigureGroup` and stamp its id on its figures."""
    if key_date is not None:
        dated = [m for m in members if m.event_date == key_date]
        event = dated[0].event if dated and dated[0].event else key_date
        key = key_date
    else:
        places = sorted({p for m in members for p in m.places})
        event = "undated" + (f" ({', '.join(p.title() for p in places)})" if places else "")
        key = "|".join(places) if places else members[0].id
    group_id = stable_id("figures", quantity, key)

    def rank(f: Figure) -> tuple:
        if order is not None:
            return (order.get(f.doc_id, math.inf), f.start)
        return (f.published is None, f.published or "", f.doc_id, f.start)

    ordered = tuple(_with_group(f, group_id) for f in sorted(members, key=rank))
    values = tuple(sorted({f.value for f in ordered}))
    sources = tuple(dict.fromkeys(f.source for f in ordered))
    return FigureGroup(
        id=group_id,
        quantity=quantity,
        unit=ordered[0].unit,
        event=event,
        figures=ordered,
        values=values,
        sources=sources,
        conflict=len(values) > 1,
        reconcilable=_reconcilable(ordered),
    )


def _with_group(figure: Figure, group_id: str) -> Figure:
    return replace(figure, group_id=group_id)


def _reconcilable(figures: Sequence[Figure]) -> bool:
    """Whether some value lies within every figure's [lower, upper] range."""
    low = max((f.lower for f in figures if f.lower is not None), default=-math.inf)
    high = min((f.upper for f in figures if f.upper is not None), default=math.inf)
    return low <= high
