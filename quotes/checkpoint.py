"""Checkpoints of a run in progress, so an interrupted `quotes extract` resumes where it stopped.

`quotes.pipeline.run` writes the results of every few hundred articles as one *part* in a
hidden folder of the store, ``.pending/``, before the store itself is written once at the
end. A part is a folder of four Parquet tables (articles, quotes, speakers, errors), written
under a temporary name and renamed into place, so a part is either complete or absent: a
run killed at any moment leaves no half-written part. The speakers of a part are those of
each article before corpus-wide linking, with the article's id (``doc_id``), because linking
runs over the whole corpus at the end.

The next run over the same store reads the parts back, skips the articles they hold (same
id and same text), processes the rest, and writes the store from both, so nothing is done
twice and nothing is lost. The folder is removed once the store is written.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import polars as pl

from quotes.errors import StoreError
from quotes.model import Article, ArticleError, Quote, Speaker
from quotes.store import articles_frame, errors_frame, quotes_frame, speakers_frame

__all__ = ["PENDING", "Part", "clear", "done_ids", "read_parts", "write_part"]

PENDING = ".pending"
"""The folder of a store that holds the parts of an unfinished run."""

class Part:
    """The records of one checkpoint: articles done, their quotes and speakers, and errors."""

    __slots__ = ("articles", "errors", "quotes", "speakers")

    def __init__(
        self,
        articles: list[Article],
        quotes: dict[str, list[Quote]],
        speakers: dict[str, list[Speaker]],
        errors: list[ArticleError],
    ) -> None:
        self.articles = articles
        self.quotes = quotes  # by article id, in document order
        self.speakers = speakers  # by article id, as `resolve_speakers` gave them
        self.errors = errors


def write_part(store_dir: str | Path, number: int, part: Part) -> Path:
    """Write one part atomically as ``<store>/.pending/part-<number>`` and return its folder."""
    pending = Path(store_dir) / PENDING
    target = pending / f"part-{number:06d}"
    temp = pending / f".part-{number:06d}.{uuid.uuid4().hex[:8]}.tmp"
    speaker_rows = speakers_frame([s for ss in part.speakers.values() for s in ss])
    owners = [doc_id for doc_id, ss in part.speakers.items() for _ in ss]
    tables = {
        "articles": articles_frame(part.articles),
        "quotes": quotes_frame([q for qs in part.quotes.values() for q in qs]),
        "speakers": speaker_rows.insert_column(0, pl.Series("doc_id", owners, dtype=pl.String)),
        "errors": errors_frame(part.errors),
    }
    try:
        temp.mkdir(parents=True)
        for name, frame in tables.items():
            frame.write_parquet(temp / f"{name}.parquet")
            with (temp / f"{name}.parquet").open("rb") as handle:
                os.fsync(handle.fileno())
        if target.exists():  # the same part number from a run that died after renaming
            shutil.rmtree(target)
        os.rename(temp, target)
    except OSError as exc:
        raise StoreError(f"cannot write a checkpoint in {pending}: {exc.strerror or exc}") from exc
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
    return target


def read_parts(store_dir: str | Path) -> Iterator[tuple[int, Part]]:
    """Yield the complete parts an unfinished run left in the store, in order, with their numbers.

    Temporary folders of a part that was being written when the run stopped are removed.
    """
    pending = Path(store_dir) / PENDING
    if not pending.is_dir():
        return
    for leftover in pending.glob(".part-*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)
    for folder in sorted(pending.glob("part-*")):
        try:
            number = int(folder.name.removeprefix("part-"))
            yield number, _read_part(folder)
        except (ValueError, OSError, pl.exceptions.PolarsError) as exc:
            raise StoreError(
                f"cannot read the checkpoint {folder} of an unfinished run ({exc}); "
                f"delete {pending} to start that run over"
            ) from exc


def _read_part(folder: Path) -> Part:
    rows = pl.read_parquet(folder / "articles.parquet").drop("sha1").to_dicts()
    articles = [Article(**row) for row in rows]
    quotes: dict[str, list[Quote]] = {a.id: [] for a in articles}
    for row in pl.read_parquet(folder / "quotes.parquet").to_dicts():
        row["content_fragments"] = tuple(tuple(f) for f in row["content_fragments"])
        quotes.setdefault(row["doc_id"], []).append(Quote(**row))
    speakers: dict[str, list[Speaker]] = {a.id: [] for a in articles}
    for row in pl.read_parquet(folder / "speakers.parquet").to_dicts():
        doc_id = row.pop("doc_id")
        row = {k: tuple(v) if isinstance(v, list) else v for k, v in row.items()}
        speakers.setdefault(doc_id, []).append(Speaker(**row))
    errors = [ArticleError(**row) for row in pl.read_parquet(folder / "errors.parquet").to_dicts()]
    return Part(articles, quotes, speakers, errors)


def clear(store_dir: str | Path) -> None:
    """Remove the parts of a run once the store holds its results."""
    shutil.rmtree(Path(store_dir) / PENDING, ignore_errors=True)


def done_ids(parts: Sequence[Part]) -> set[tuple[str, str | None]]:
    """The (article id, content hash) pairs the parts hold: articles done, and failed ones.

    A failed article has no text in the part, so its hash is None: it counts as done for
    any text with that id, and is not tried again until the run is finished.
    """
    done: set[tuple[str, str | None]] = {(a.id, a.sha1) for part in parts for a in part.articles}
    done |= {(e.doc_id, None) for part in parts for e in part.errors if e.doc_id is not None}
    return done
