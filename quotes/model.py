"""The records that pass between stages, and their polars schemas.

Three nouns carry the whole pipeline: an `Article` comes in, a spaCy `Doc` is what
the rules reason over (internal, never stored), and a `Quote` goes out. `Speaker`
rows summarise the canonical speakers of a store, and `ArticleError` records say
which inputs could not be processed and why.

Every character offset is an end-exclusive index into `Article.text`, the article
exactly as it was read, so `article.text[quote.content_start:quote.content_end]`
is always `quote.text`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import polars as pl

__all__ = [
    "ARTICLE_SCHEMA",
    "ERROR_SCHEMA",
    "QUOTE_SCHEMA",
    "SPEAKER_SCHEMA",
    "Article",
    "ArticleError",
    "Kind",
    "Quote",
    "Speaker",
    "content_hash",
    "stable_id",
]


class Kind(StrEnum):
    """How a quotation is reported."""

    DIRECT = "direct"  # “We are using our good offices …,” he said.
    INDIRECT = "indirect"  # He said that talks are in a much better place.
    MIXED = "mixed"  # He said the talks were “ongoing”.
    ACCORDING_TO = "according_to"  # …, according to Israeli figures.


def content_hash(text: str) -> str:
    """Return the SHA-1 of `text` as UTF-8, the identity of an article's content.

    Examples:
        >>> content_hash("abc")[:12]
        'a9993e364706'
    """
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def stable_id(*parts: object, length: int = 16) -> str:
    """Return a short deterministic id from `parts`, so re-runs give the same ids.

    Examples:
        >>> stable_id("doc", 1, 2)
        'b8e9c01a4e0cbd61'
    """
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:length]


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """One news article as read from disk.

    Attributes:
        id: The article id: the file name without extension, or the `id` field of a JSONL record.
        text: The text, byte-for-byte as read (after UTF-8 decoding).
        title, url, outlet, published: Optional metadata from JSONL records.
        source: Where it was read from ("path" or "path:line").
    """

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None
    source: str | None = None

    @property
    def sha1(self) -> str:
        return content_hash(self.text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """One attributed quotation: speaker, cue and content, each as character offsets.

    A quotation split by its cue (“A,” he said, “B.”) is one `Quote`: `content_start` and
    `content_end` cover the outer span and `content_fragments` lists the quoted pieces.
    For a contiguous quotation `content_fragments` holds the one span.

    Attributes:
        id: Deterministic id from the article content and the content offsets.
        doc_id: The id of the article the quote is in.
        kind: direct, indirect, mixed or according_to (see `Kind`).
        text: `article.text[content_start:content_end]`.
        content_start, content_end: The outer content span.
        content_fragments: The content pieces, ``((start, end), ...)``, in order.
        cue, cue_start, cue_end: The reporting cue ("said", "according to"), if any.
        speaker_mention, speaker_start, speaker_end: The phrase naming the speaker at the
            cue, as written: "he", "the finance minister", "Jane Doe, a professor of law
            who advised the committee" (appositions and relative clauses included).
        speaker_id: Stable id of the canonical speaker the mention resolves to.
        speaker_name: The best full name (or description) of that speaker.
        speaker_type: person, organization, group, anonymous or unknown.
        rule: How the quote was found, for provenance and for filtering: the extraction rule
            ("ccomp", "according-to", "floating", "label", ...), "argument" where the learned
            argument model added it (`quotes.extract.arguments`).
        probability: The learned model's probability where one decided that this is a
            report (a cue verb outside the lexicon, or an argument-model report); None where
            a rule on the lexicon or the quotation marks found it.
    """

    id: str
    doc_id: str
    kind: str
    text: str
    content_start: int
    content_end: int
    content_fragments: tuple[tuple[int, int], ...]
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    speaker_mention: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_id: str | None = None
    speaker_name: str | None = None
    speaker_type: str | None = None
    rule: str | None = None
    probability: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form: the field names of the JSONL export, fragments as lists."""
        row = asdict(self)
        row["content_fragments"] = [list(f) for f in self.content_fragments]
        return row


@dataclass(frozen=True, slots=True, kw_only=True)
class Speaker:
    """A canonical speaker of a store, with what the corpus says about them.

    Attributes:
        id: Stable id (a slug of the best name, or the registry's id).
        name: The best full name (or description).
        type: person, organization, group, anonymous or unknown.
        aliases: Other names, roles as written and descriptions, most used first.
        alias_counts: For each alias, the number of the speaker's quotes whose speaker
            mention uses it (parallel to `aliases`; empty before corpus linking).
        roles: Normalised roles ("finance minister of France").
        external_ids: ``scheme:value`` ids from the speaker registry ("wikidata:Q42").
        quotes, articles: How many quotes, and in how many articles.
        doc_ids: The articles a record was learned from, while linking (not stored).
    """

    id: str
    name: str
    type: str = "person"
    aliases: tuple[str, ...] = field(default_factory=tuple)
    alias_counts: tuple[int, ...] = field(default_factory=tuple)
    roles: tuple[str, ...] = field(default_factory=tuple)
    external_ids: tuple[str, ...] = field(default_factory=tuple)
    quotes: int = 0
    articles: int = 0
    doc_ids: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleError:
    """Why one input could not be processed; the rest of the batch goes on."""

    source: str
    message: str
    doc_id: str | None = None
    line: int | None = None
    stage: str = "ingest"


ARTICLE_SCHEMA = pl.Schema(
    {
        "id": pl.String(),
        "sha1": pl.String(),
        "title": pl.String(),
        "url": pl.String(),
        "outlet": pl.String(),
        "published": pl.String(),
        "source": pl.String(),
        "text": pl.String(),
    }
)

QUOTE_SCHEMA = pl.Schema(
    {
        "id": pl.String(),
        "doc_id": pl.String(),
        "kind": pl.String(),
        "text": pl.String(),
        "content_start": pl.Int64(),
        "content_end": pl.Int64(),
        "content_fragments": pl.List(pl.List(pl.Int64())),
        "cue": pl.String(),
        "cue_start": pl.Int64(),
        "cue_end": pl.Int64(),
        "speaker_mention": pl.String(),
        "speaker_start": pl.Int64(),
        "speaker_end": pl.Int64(),
        "speaker_id": pl.String(),
        "speaker_name": pl.String(),
        "speaker_type": pl.String(),
        "rule": pl.String(),
        "probability": pl.Float64(),
    }
)

SPEAKER_SCHEMA = pl.Schema(
    {
        "id": pl.String(),
        "name": pl.String(),
        "type": pl.String(),
        "aliases": pl.List(pl.String()),
        "alias_counts": pl.List(pl.Int64()),
        "roles": pl.List(pl.String()),
        "external_ids": pl.List(pl.String()),
        "quotes": pl.Int64(),
        "articles": pl.Int64(),
    }
)

ERROR_SCHEMA = pl.Schema(
    {
        "source": pl.String(),
        "doc_id": pl.String(),
        "line": pl.Int64(),
        "stage": pl.String(),
        "message": pl.String(),
    }
)
