"""The word lists the attribution rules read: reporting verbs and "according to" phrases.

They are data files under `quotes/resources/`, so a user can edit them without touching
code; `QUOTES_REPORTING_VERBS` and `QUOTES_ACCORDING_CUES` point to replacements.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
"""The word lists shipped with the package."""

__all__ = [
    "RESOURCES",
    "ReportingVerbs",
    "according_cues",
    "experiencer_verbs",
    "nominal_cues",
    "read_word_list",
    "reporting_verbs",
]


@dataclass(frozen=True, slots=True)
class ReportingVerbs:
    """Reporting-verb lemmas and what each may take as content.

    Attributes:
        lemmas: Every reporting lemma.
        with_object: Lemmas whose plain noun-phrase object is reported content.
        weak: Lemmas that report only with a clausal complement or a quotation.
        recipient: Lemmas whose object is the listener ("told reporters that …").
        raising: Lemmas whose subject belongs to the content and is no speaker ("the plan
            seems to fail", "voters appear tired").
        prepositions: Lemma → prepositions whose object is the content ("called for a ban").
    """

    lemmas: frozenset[str]
    with_object: frozenset[str]
    weak: frozenset[str]
    recipient: frozenset[str]
    raising: frozenset[str] = frozenset()
    prepositions: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __contains__(self, lemma: object) -> bool:
        return lemma in self.lemmas


def read_word_list(name: str, *, env: str | None = None) -> list[list[str]]:
    """Read a resource word list: one entry per line, `#` comments, fields split on spaces.

    Args:
        name: The file name under `quotes/resources/`.
        env: An environment variable that may name a replacement file.
    """
    override = os.environ.get(env) if env else None
    if override:
        text = Path(override).read_text(encoding="utf-8")
    else:
        text = (RESOURCES / name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            rows.append(line.split())
    return rows


@cache
def reporting_verbs() -> ReportingVerbs:
    """The reporting verbs of `resources/reporting_verbs.txt` (or `QUOTES_REPORTING_VERBS`),
    plus the mined ones of `resources/reporting_verbs_mined.txt` (or `QUOTES_MINED_VERBS`;
    set it to an empty file to use the hand list alone). For a lemma in both, the hand list's
    flags win, and the mined prepositions are added to them.
    """
    rows = read_word_list("reporting_verbs.txt", env="QUOTES_REPORTING_VERBS")
    mined_rows = read_word_list("reporting_verbs_mined.txt", env="QUOTES_MINED_VERBS")
    mined = {row[0].lower(): row for row in mined_rows}
    for row in rows:
        # the hand list decides whether a plain object is content; the mined prepositions
        # ("comment on", "speak about") add to it
        row += [flag for flag in mined.pop(row[0].lower(), [])[1:] if flag.startswith("prep:")]
    rows += list(mined.values())
    rows = [row for row in rows if row[0].lower() not in _NOT_VERBAL]
    lemmas = frozenset(row[0].lower() for row in rows)
    with_object = frozenset(row[0].lower() for row in rows if "object" in row[1:])
    weak = frozenset(row[0].lower() for row in rows if "weak" in row[1:])
    recipient = frozenset(row[0].lower() for row in rows if "recipient" in row[1:])
    raising = frozenset(row[0].lower() for row in rows if "raising" in row[1:])
    prepositions = {
        row[0].lower(): frozenset(flag[5:] for flag in row[1:] if flag.startswith("prep:"))
        for row in rows
        if any(flag.startswith("prep:") for flag in row[1:])
    }
    return ReportingVerbs(
        lemmas=lemmas,
        with_object=with_object,
        weak=weak,
        recipient=recipient,
        raising=raising,
        prepositions=prepositions,
    )


_NOT_VERBAL = frozenset({"accord"})
"""Lemmas a cue list may hold that the verb rules must not read: "according to" is its own rule."""


@cache
def according_cues() -> tuple[tuple[str, ...], ...]:
    """The "according to" phrases, as lower-case word tuples, longest first."""
    rows = read_word_list("according_cues.txt", env="QUOTES_ACCORDING_CUES")
    return tuple(sorted((tuple(w.lower() for w in row) for row in rows), key=len, reverse=True))


@cache
def nominal_cues() -> frozenset[str]:
    """Nouns that report a statement ("claims that …", "in a statement"), lower-case lemmas."""
    return frozenset(row[0].lower() for row in read_word_list("nominal_cues.txt", env="QUOTES_NOMINAL_CUES"))


@cache
def experiencer_verbs() -> frozenset[str]:
    """Verbs whose passive subject holds the view ("voters are worried that …"), lower-case lemmas."""
    return frozenset(
        row[0].lower() for row in read_word_list("experiencer_verbs.txt", env="QUOTES_EXPERIENCER_VERBS")
    )
