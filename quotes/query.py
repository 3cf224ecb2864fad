"""Answer questions over a store: who is quoted, what did they say, and exports.

Every function takes the store folder written by `quotes.store.write_store` and works
with polars expressions over the lazily scanned tables, so a large store is filtered
before it is read into memory.

A speaker query (`match_speakers`) may be any way of naming a speaker:

- an id: "jane-doe";
- a role: "the Freedonian PM", "Freedonia's prime minister" and "Prime Minister of
  Freedonia" are one role (`quotes.names.normalise_role`: title abbreviations, demonyms,
  case); a title alone ("finance minister") fits its holders in every country;
- a name: "Doe", "Jane Doe", "Dr J. Doe", "al-Amin" find "Dr. Jane van Doe" or "Karim al
  Amin" when their name words contain the query's, in order, case, accents, hyphens,
  honorifics, particles and spelling variants aside (`quotes.names.name_core`), but never
  part of a word ("Doe" does not find "Doerr");
- otherwise whole words of a name, an alias or a role (`normalize_name`).

A query that fits several speakers is ambiguous: `statements` then raises
`AmbiguousSpeakerError` with the candidates, and the command line lists them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import polars as pl

from quotes.errors import AmbiguousSpeakerError, QueryError
from quotes.link import looks_like_name
from quotes.model import QUOTE_SCHEMA
from quotes.names import (
    core_fits,
    countries,
    fold,
    name_core,
    normalise_role,
    normalize_name,
    spellings,
    title_words,
    words,
)
from quotes.store import atomic_write, scan_articles, scan_quotes, scan_speakers

__all__ = [
    "ARTICLE_FIELDS",
    "export",
    "is_role_phrase",
    "match_speakers",
    "normalize_name",
    "quotes_with_articles",
    "speakers",
    "statements",
]

ExportFormat = Literal["jsonl", "csv", "parquet"]

ARTICLE_FIELDS = ("outlet", "title", "url", "published")
"""The article metadata joined onto quotes by `statements` and `export`."""

_SEPARATORS = r"[\s\-_'‘’ʼ`.]+"
"""What `normalize_name` turns into one space: whitespace, hyphens, underscores, apostrophes, periods."""
_STOP = frozenset({"the", "a", "an", "of", "for", "s"})


def _normalized(expr: pl.Expr) -> pl.Expr:
    """The polars form of `normalize_name`."""
    return expr.str.to_lowercase().str.replace_all(_SEPARATORS, " ").str.strip_chars()


def _folded(expr: pl.Expr) -> pl.Expr:
    """The polars form of `quotes.names.fold` (apostrophes kept: only a prefilter)."""
    return expr.str.normalize("NFKD").str.replace_all(r"[\p{M}'’ʼ‘`´]", "").str.to_lowercase()


def speakers(store_dir: str | Path) -> pl.DataFrame:
    """Return the speakers table, most quoted first, then by name.

    Raises:
        StoreError: If `store_dir` is not a readable store.
    """
    return _by_prominence(scan_speakers(store_dir)).collect()


def is_role_phrase(text: str) -> bool:
    """Whether `text` is only a role: a known title with country words ("the French PM").

    Examples:
        >>> is_role_phrase("Prime Minister of France"), is_role_phrase("President Jane Doe")
        (True, False)
    """
    if normalise_role(text) is None:
        return False
    known = title_words() | {w for key in countries() for w in key.split()} | _STOP
    return all(w.rstrip(".") in known or w in known for w in words(fold(text)))


def match_speakers(store_dir: str | Path, name: str) -> pl.DataFrame:
    """Return the speakers a query designates: by id, role, name or words (module docstring).

    The kinds are tried in that order and the first that finds anyone answers; the
    result is sorted most quoted first. Several rows mean the query is ambiguous.

    Raises:
        QueryError: If `name` is empty once normalised.
        StoreError: If `store_dir` is not a readable store.
    """
    needle = normalize_name(name)
    if not needle:
        raise QueryError(f"speaker name {name!r} is empty; give a name such as 'Jane Doe'")
    table = scan_speakers(store_dir)
    by_id = table.filter(pl.col("id") == name.strip()).collect()
    if by_id.height:
        return by_id
    found: pl.DataFrame | None = None
    if is_role_phrase(name):
        found = _by_role(table, name)
    else:
        core = name_core(name)
        if core:
            found = _by_name(table, core)
    if found is None or found.is_empty():
        padded = pl.lit(" ") + _normalized(pl.element()) + pl.lit(" ")
        names = pl.concat_list(pl.col("name"), pl.col("aliases"), pl.col("roles"))
        hit = names.list.eval(padded.str.contains(f" {needle} ", literal=True)).list.any()
        found = table.filter(hit).collect()
    return _by_prominence(found.lazy()).collect()


def _by_role(table: pl.LazyFrame, query: str) -> pl.DataFrame:
    """Speakers holding the role of `query`; a title without a country fits every country."""
    title, country = normalise_role(query) or ("", "")
    rows = table.filter(pl.col("roles").list.len() > 0).collect()
    keep = []
    for k, roles in enumerate(rows["roles"].to_list()):
        held = [normalise_role(r) for r in roles]
        if any(r is not None and r[0] == title and (not country or r[1] == country) for r in held):
            keep.append(k)
    return rows[keep]


def _by_name(table: pl.LazyFrame, core: tuple[str, ...]) -> pl.DataFrame:
    """Speakers with a name or alias (a proper name, not a role) whose core words fit `core`, in order."""
    rarest = max(core, key=len)
    pattern = "|".join(re.escape(s) for s in sorted(spellings(rarest), key=len, reverse=True))
    texts = pl.concat_list(pl.col("name"), pl.col("aliases"))
    prefilter = texts.list.eval(_folded(pl.element()).str.contains(pattern)).list.any()
    rows = table.filter(prefilter).collect()
    keep = []
    for k, (own, aliases) in enumerate(zip(rows["name"].to_list(), rows["aliases"].to_list(), strict=True)):
        candidates = [own, *(aliases or [])]
        names = [n for n in candidates if n and looks_like_name(n) and not is_role_phrase(n)]
        if any(core_fits(core, name_core(n)) for n in names):
            keep.append(k)
    return rows[keep]


def statements(
    store_dir: str | Path,
    speaker: str | None = None,
    *,
    speaker_id: str | None = None,
    contains: str | None = None,
    min_probability: float | None = None,
) -> pl.DataFrame:
    """Return the quotes of one speaker, with article metadata.

    Args:
        store_dir: The store folder.
        speaker: An id, name, alias or role, matched as in `match_speakers`.
        speaker_id: The speaker's id instead (exact).
        contains: If given, keep only quotes whose text contains it (case-insensitive,
            literal, not a regular expression).
        min_probability: If given, leave out the quotes a learned model found with a lower
            probability (the ``probability`` column); what rules found is kept.

    Returns:
        All quote columns plus ``outlet``, ``title``, ``url`` and ``published``, ordered
        by ``doc_id`` then ``content_start``. Empty (with those columns) if nothing matches.

    Raises:
        AmbiguousSpeakerError: If `speaker` fits several speakers; its ``candidates`` are
            the speakers table rows of each, to ask again by id or with a fuller name.
        QueryError: If neither or both of `speaker` and `speaker_id` are given, or
            `speaker` is empty.
        StoreError: If `store_dir` is not a readable store.
    """
    if (speaker is None) == (speaker_id is None):
        raise QueryError("give a speaker (a name, alias or role) or a speaker id, not both")
    if speaker_id is not None:
        ids = [speaker_id]
    else:
        assert speaker is not None
        found = match_speakers(store_dir, speaker)
        if found.height > 1:
            raise AmbiguousSpeakerError(speaker, found)
        ids = found["id"].to_list()
    said = quotes_with_articles(store_dir).filter(pl.col("speaker_id").is_in(ids))
    if contains is not None:
        said = said.filter(pl.col("text").str.to_lowercase().str.contains(contains.lower(), literal=True))
    if min_probability is not None:
        said = said.filter(pl.col("probability").is_null() | (pl.col("probability") >= min_probability))
    return said.collect()


def quotes_with_articles(store_dir: str | Path) -> pl.LazyFrame:
    """The quotes table joined with its articles' metadata (not their text).

    Columns are those of QUOTE_SCHEMA followed by `ARTICLE_FIELDS`, rows ordered by
    ``doc_id``, ``content_start`` and ``id``.
    """
    articles = scan_articles(store_dir).select(pl.col("id").alias("doc_id"), *ARTICLE_FIELDS)
    quotes = scan_quotes(store_dir).join(articles, on="doc_id", how="left")
    return quotes.select(*QUOTE_SCHEMA.names(), *ARTICLE_FIELDS).sort("doc_id", "content_start", "id")


def export(store_dir: str | Path, *, fmt: ExportFormat, out: str | Path | None = None) -> str | None:
    """Export every quote with its article metadata as JSONL, CSV or Parquet.

    JSONL rows have the field names of `Quote.to_dict` plus ``outlet``, ``title``,
    ``url`` and ``published``. CSV has the same columns, with ``content_fragments`` as
    a JSON string such as ``[[10,42],[60,75]]``. Parquet keeps the nested column.

    Args:
        store_dir: The store folder.
        fmt: ``"jsonl"``, ``"csv"`` or ``"parquet"``.
        out: The file to write, atomically. If None, the JSONL or CSV text is returned
            instead (for standard output); Parquet needs a file.

    Returns:
        The exported text when `out` is None, else None.

    Raises:
        QueryError: For an unknown format, or Parquet without `out`.
        StoreError: If the store cannot be read or `out` cannot be written.
    """
    if fmt not in ("jsonl", "csv", "parquet"):
        raise QueryError(f"unknown export format {fmt!r}; use jsonl, csv or parquet")
    if fmt == "parquet" and out is None:
        raise QueryError("a Parquet export is binary and needs an output file (--out FILE.parquet)")
    frame = quotes_with_articles(store_dir).collect()
    if fmt == "csv":
        frame = frame.with_columns(content_fragments=_fragments_as_json(pl.col("content_fragments")))
    if out is None:
        return frame.write_ndjson() if fmt == "jsonl" else frame.write_csv()
    writers = {"jsonl": frame.write_ndjson, "csv": frame.write_csv, "parquet": frame.write_parquet}
    atomic_write(out, writers[fmt])
    return None


def _fragments_as_json(fragments: pl.Expr) -> pl.Expr:
    """Render a ``list[list[int]]`` column as JSON text, e.g. ``[[10,42],[60,75]]``."""
    pair = pl.element().cast(pl.List(pl.String)).list.join(",")
    pairs = fragments.list.eval(pl.lit("[") + pair + pl.lit("]")).list.join(",")
    return pl.lit("[") + pairs + pl.lit("]")


def _by_prominence(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Sort speakers by quote count (descending), then name, then id."""
    return frame.sort(["quotes", "name", "id"], descending=[True, False, False])
