"""Answer questions over a store: who is quoted, what did they say, and exports.

Every function takes the store folder written by `quotes.store.write_store` and works
with polars expressions over the lazily scanned tables, so a large store is filtered
before it is read into memory.

Speaker names match loosely but predictably (see `normalize_name`): case, hyphens,
underscores, apostrophes, periods and runs of whitespace do not matter, and the query
must match whole words, so "Al Thani" finds "Sheikh Mohammed bin Abdulrahman Al Thani"
and "al-Thani", but "Thani" does not find "Thanington".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import polars as pl

from quotes.errors import QueryError
from quotes.model import QUOTE_SCHEMA
from quotes.store import atomic_write, scan_articles, scan_quotes, scan_speakers

__all__ = [
    "ARTICLE_FIELDS",
    "export",
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


def normalize_name(name: str) -> str:
    """Lower-case `name`, turn separators into single spaces and strip it, for matching.

    Examples:
        >>> normalize_name("  Majed   al-Ansari ")
        'majed al ansari'
        >>> normalize_name("O’Brien_Jr.")
        'o brien jr'
    """
    return re.sub(_SEPARATORS, " ", name.lower()).strip()


def _normalized(expr: pl.Expr) -> pl.Expr:
    """The polars form of `normalize_name`."""
    return expr.str.to_lowercase().str.replace_all(_SEPARATORS, " ").str.strip_chars()


def speakers(store_dir: str | Path) -> pl.DataFrame:
    """Return the speakers table, most quoted first, then by name.

    Raises:
        StoreError: If `store_dir` is not a readable store.
    """
    return _by_prominence(scan_speakers(store_dir)).collect()


def match_speakers(store_dir: str | Path, name: str) -> pl.DataFrame:
    """Return the speakers whose name, an alias or a role contains `name` as whole words.

    Both sides are compared after `normalize_name`, so the match ignores case,
    hyphens, underscores, apostrophes and periods, but never matches part of a word.

    Raises:
        QueryError: If `name` is empty once normalised.
        StoreError: If `store_dir` is not a readable store.
    """
    needle = normalize_name(name)
    if not needle:
        raise QueryError(f"speaker name {name!r} is empty; give a name such as 'Al Thani'")
    padded = pl.lit(" ") + _normalized(pl.element()) + pl.lit(" ")
    names = pl.concat_list(pl.col("name"), pl.col("aliases"), pl.col("roles"))
    hit = names.list.eval(padded.str.contains(f" {needle} ", literal=True)).list.any()
    return _by_prominence(scan_speakers(store_dir).filter(hit)).collect()


def statements(store_dir: str | Path, speaker: str, *, contains: str | None = None) -> pl.DataFrame:
    """Return the quotes of every speaker matching `speaker`, with article metadata.

    Args:
        store_dir: The store folder.
        speaker: A name, alias or role, matched as in `match_speakers`.
        contains: If given, keep only quotes whose text contains it (case-insensitive,
            literal, not a regular expression).

    Returns:
        All quote columns plus ``outlet``, ``title``, ``url`` and ``published``, ordered
        by ``doc_id`` then ``content_start``. Empty (with those columns) if nothing matches.

    Raises:
        QueryError: If `speaker` is empty.
        StoreError: If `store_dir` is not a readable store.
    """
    ids = match_speakers(store_dir, speaker)["id"]
    said = quotes_with_articles(store_dir).filter(pl.col("speaker_id").is_in(ids.implode()))
    if contains is not None:
        said = said.filter(pl.col("text").str.to_lowercase().str.contains(contains.lower(), literal=True))
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
