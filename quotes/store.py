"""Store the results of a run as Parquet (or JSONL) tables, written atomically.

A store is a folder with four tables, each with the explicit schema of `quotes.model`:

    articles.parquet   ARTICLE_SCHEMA   one row per article, with its text and sha1
    quotes.parquet     QUOTE_SCHEMA     one row per quotation
    speakers.parquet   SPEAKER_SCHEMA   one row per canonical speaker with quotes
    errors.parquet     ERROR_SCHEMA     one row per input that could not be processed

Writing never leaves a half-written file: every table goes to a temporary file in the
same folder first, and only when all four are complete are they moved into place with
`os.replace`. Writing into an existing store merges with it, so re-running on the same
articles does not duplicate rows (see `write_store` for the rules).

A table may also be a folder of Parquet parts with the same schema (``quotes/part-*.parquet``),
the layout a distributed run (`quotes extract --engine ray`) or a partitioned dataset
writes; readers scan the parts lazily as one table, and the next `write_store` into such a
store merges them into one file.

With ``fmt="jsonl"`` the same four tables are written as ``.jsonl`` files, one JSON
object per row, with the same field names (a quote row is `Quote.to_dict`). Readers use
the Parquet file of a table when there is one and the JSONL file otherwise.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from quotes.errors import StoreError
from quotes.link import merge_speakers as merge_speaker_records
from quotes.model import (
    ARTICLE_SCHEMA,
    ERROR_SCHEMA,
    QUOTE_SCHEMA,
    SPEAKER_SCHEMA,
    Article,
    ArticleError,
    Quote,
    Speaker,
)

__all__ = [
    "SCHEMAS",
    "StoreSummary",
    "articles_frame",
    "atomic_write",
    "errors_frame",
    "merge_articles",
    "merge_errors",
    "merge_quotes",
    "merge_speakers",
    "quotes_frame",
    "quotes_from_frame",
    "read_articles",
    "read_errors",
    "read_quotes",
    "read_speakers",
    "remote_store",
    "scan_articles",
    "scan_errors",
    "scan_quotes",
    "scan_speakers",
    "speakers_frame",
    "speakers_from_frame",
    "write_store",
]

Format = Literal["parquet", "jsonl"]

SCHEMAS: dict[str, pl.Schema] = {
    "articles": ARTICLE_SCHEMA,
    "quotes": QUOTE_SCHEMA,
    "speakers": SPEAKER_SCHEMA,
    "errors": ERROR_SCHEMA,
}
"""The tables of a store and their schemas, in the order they are written."""

_SUFFIXES: dict[str, str] = {"parquet": ".parquet", "jsonl": ".jsonl"}
_CREATE_HINT = "create one with `quotes extract PATH --out {folder}`"


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreSummary:
    """What a store holds after `write_store`: its folder, format and row counts."""

    path: Path
    fmt: str
    articles: int
    quotes: int
    speakers: int
    errors: int


# --- writing ------------------------------------------------------------------------------


def write_store(
    out_dir: str | Path,
    *,
    articles: Sequence[Article],
    quotes: Sequence[Quote],
    speakers: Sequence[Speaker],
    errors: Sequence[ArticleError],
    fmt: Format = "parquet",
    relinked: bool = False,
) -> StoreSummary:
    """Write the results of a run into the store at `out_dir`, merged with what it holds.

    The merge makes re-runs idempotent:

    - articles: keyed by ``id``; a new article replaces the stored one with that id.
    - quotes: the stored quotes of every article written now (or named by a new quote's
      ``doc_id``) are dropped, then the new quotes are added; ``id`` stays unique.
    - errors: the stored errors of the documents and files processed now are dropped
      (matched by ``doc_id``, or by the file part of ``source``), then the new ones added.
    - speakers: merged by ``id`` (see `merge_speakers`); counts are recomputed from the
      merged quotes, and speakers left without quotes are dropped. With ``relinked=True``
      the speakers given were linked over the whole store (`quotes.pipeline.link_store`)
      and replace the stored rows instead.

    A JSONL store is merged the same way with the JSONL tables already in `out_dir`.

    Args:
        out_dir: The store folder; created if missing.
        articles, quotes, speakers, errors: The records of this run.
        fmt: ``"parquet"`` (the default) or ``"jsonl"``.

    Returns:
        The row counts of the store after the write.

    Raises:
        StoreError: If the folder cannot be created or written, or holds tables with
            an unexpected schema.
    """
    if fmt not in _SUFFIXES:
        raise StoreError(f"unknown store format {fmt!r}; use 'parquet' or 'jsonl'")
    folder = _make_folder(Path(out_dir))
    new_articles = articles_frame(articles)
    new_quotes = quotes_frame(quotes)
    merged_articles = merge_articles(_read_existing(folder, "articles", fmt), new_articles)
    merged_quotes = merge_quotes(_read_existing(folder, "quotes", fmt), new_quotes, articles=new_articles)
    tables = {
        "articles": merged_articles,
        "quotes": merged_quotes,
        "speakers": merge_speakers(
            pl.DataFrame(schema=SPEAKER_SCHEMA) if relinked else _read_existing(folder, "speakers", fmt),
            speakers_frame(speakers),
            quotes=merged_quotes,
        ),
        "errors": merge_errors(
            _read_existing(folder, "errors", fmt), errors_frame(errors), articles=new_articles
        ),
    }
    _write_tables(folder, tables, fmt)
    return StoreSummary(path=folder, fmt=fmt, **{name: frame.height for name, frame in tables.items()})


def _make_folder(folder: Path) -> Path:
    """Create the store folder if needed, or say why it cannot be."""
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{folder} is a file, not a folder; pick another --out folder for the store")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the store folder {folder}: {exc.strerror or exc}") from exc
    return folder


def _write_tables(folder: Path, tables: dict[str, pl.DataFrame], fmt: Format) -> None:
    """Write every table to a temporary file, then move them all into place.

    Moving happens only once every temporary file is complete, so a failure while
    writing leaves the store exactly as it was, with no temporary file behind.
    """
    done: list[tuple[Path, Path]] = []
    try:
        for name, frame in tables.items():
            target = folder / f"{name}{_SUFFIXES[fmt]}"
            temp = _temp_path(target)
            done.append((temp, target))
            _write_frame(frame, temp, fmt)
        for temp, target in done:
            os.replace(temp, target)
        for name in tables:
            if fmt == "parquet" and (folder / name).is_dir():  # its parts are in the file now
                shutil.rmtree(folder / name)
    except OSError as exc:
        raise StoreError(f"cannot write the store in {folder}: {exc.strerror or exc}") from exc
    finally:
        for temp, _ in done:
            temp.unlink(missing_ok=True)


@contextmanager
def remote_store(uri: str) -> Iterator[Path]:
    """Work on the store at an object-store URI (``s3://bucket/store``) through a local copy.

    The tables there (if any) are copied into a temporary folder, which the caller reads
    and writes as a local store; when the block ends without an error, the tables are
    copied back, each as one object, with pyarrow's filesystem layer (any URI it
    understands: s3, gs, hdfs, file). Checkpoints of an interrupted run stay local.

    Raises:
        StoreError: If the URI is not understood or cannot be read or written.
    """
    import tempfile

    try:
        from pyarrow import fs as pafs
    except ImportError:
        raise StoreError(f"{uri}: a store at a URI needs pyarrow (pip install pyarrow)") from None
    try:
        filesystem, root = pafs.FileSystem.from_uri(uri)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, …
        raise StoreError(f"{uri}: not a store location pyarrow understands: {exc}") from exc
    with tempfile.TemporaryDirectory(prefix="quotes-store-") as temp:
        local = Path(temp) / "store"
        local.mkdir()
        try:
            if filesystem.get_file_info(root).type == pafs.FileType.Directory:
                pafs.copy_files(root, str(local), source_filesystem=filesystem)
        except Exception as exc:
            raise StoreError(f"cannot read the store at {uri}: {exc}") from exc
        yield local
        try:
            filesystem.create_dir(root, recursive=True)
            for path in sorted(local.iterdir()):
                if path.name.startswith("."):
                    continue
                target = f"{root.rstrip('/')}/{path.name}"
                pafs.copy_files(str(path), target, destination_filesystem=filesystem)
        except Exception as exc:
            raise StoreError(f"cannot write the store at {uri}: {exc}") from exc


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temp)`` on a temporary file beside `path`, then move it onto `path`.

    Readers of `path` see the old file or the complete new one, never a partial one, and
    a failing `write` leaves no temporary file behind.

    Raises:
        StoreError: If the file cannot be written.
    """
    target = Path(path)
    try:
        temp = _temp_path(target)
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        write(temp)
        _fsync(temp)
        os.replace(temp, target)
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        temp.unlink(missing_ok=True)
    return target


def _temp_path(target: Path) -> Path:
    """Create an empty, uniquely named hidden file next to `target` and return its path.

    The file is created with the usual permissions (0666 less the umask), unlike
    `tempfile.mkstemp`'s 0600, since it becomes the store file itself.
    """
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    return temp


def _write_frame(frame: pl.DataFrame, path: Path, fmt: Format) -> None:
    """Write one table in the store format and flush it to disk."""
    if fmt == "parquet":
        frame.write_parquet(path)
    else:
        frame.write_ndjson(path)
    _fsync(path)


def _fsync(path: Path) -> None:
    """Flush a file to disk so that the rename that follows cannot expose an empty file."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


# --- records to frames --------------------------------------------------------------------


def articles_frame(articles: Sequence[Article]) -> pl.DataFrame:
    """Build the articles table (ARTICLE_SCHEMA) from `Article` records."""
    rows = [
        {
            "id": a.id,
            "sha1": a.sha1,
            "title": a.title,
            "url": a.url,
            "outlet": a.outlet,
            "published": a.published,
            "source": a.source,
            "text": a.text,
        }
        for a in articles
    ]
    return pl.DataFrame(rows, schema=ARTICLE_SCHEMA)


def quotes_frame(quotes: Sequence[Quote]) -> pl.DataFrame:
    """Build the quotes table (QUOTE_SCHEMA) from `Quote` records."""
    rows = [q.to_dict() | {"kind": str(q.kind)} for q in quotes]
    return pl.DataFrame(rows, schema=QUOTE_SCHEMA)


def speakers_frame(speakers: Sequence[Speaker]) -> pl.DataFrame:
    """Build the speakers table (SPEAKER_SCHEMA) from `Speaker` records."""
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "type": s.type,
            "aliases": list(s.aliases),
            "alias_counts": _alias_counts(s),
            "roles": list(s.roles),
            "external_ids": list(s.external_ids),
            "quotes": s.quotes,
            "articles": s.articles,
        }
        for s in speakers
    ]
    return pl.DataFrame(rows, schema=SPEAKER_SCHEMA)


def _alias_counts(speaker: Speaker) -> list[int]:
    """The alias counts of a record, zeros when it has none yet (before corpus linking)."""
    if len(speaker.alias_counts) == len(speaker.aliases):
        return list(speaker.alias_counts)
    return [0] * len(speaker.aliases)


def speakers_from_frame(frame: pl.DataFrame) -> list[Speaker]:
    """The `Speaker` records of a speakers table (SPEAKER_SCHEMA)."""
    return [
        Speaker(
            id=row["id"],
            name=row["name"] or row["id"],
            type=row["type"] or "unknown",
            aliases=tuple(row["aliases"] or ()),
            alias_counts=tuple(row["alias_counts"] or ()),
            roles=tuple(row["roles"] or ()),
            external_ids=tuple(row["external_ids"] or ()),
            quotes=row["quotes"] or 0,
            articles=row["articles"] or 0,
        )
        for row in frame.iter_rows(named=True)
    ]


def quotes_from_frame(frame: pl.DataFrame) -> list[Quote]:
    """The `Quote` records of a quotes table (QUOTE_SCHEMA)."""
    out = []
    for row in frame.select(QUOTE_SCHEMA.names()).iter_rows(named=True):
        row["content_fragments"] = tuple(tuple(f) for f in row["content_fragments"] or ())
        out.append(Quote(**row))
    return out


def errors_frame(errors: Sequence[ArticleError]) -> pl.DataFrame:
    """Build the errors table (ERROR_SCHEMA) from `ArticleError` records."""
    rows = [
        {"source": e.source, "doc_id": e.doc_id, "line": e.line, "stage": e.stage, "message": e.message}
        for e in errors
    ]
    return pl.DataFrame(rows, schema=ERROR_SCHEMA)


# --- merging ------------------------------------------------------------------------------


def merge_articles(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Articles keyed by ``id``: a new article replaces an old one; sorted by id."""
    new = new.unique("id", keep="last", maintain_order=True)
    kept = old.filter(~pl.col("id").is_in(new["id"].implode()))
    return pl.concat([kept, new]).sort("id")


def merge_quotes(old: pl.DataFrame, new: pl.DataFrame, *, articles: pl.DataFrame) -> pl.DataFrame:
    """Replace the stored quotes of the articles written now, then dedupe on ``id``.

    An article written now may have fewer quotes than before (a better model, an edited
    text), so its old quotes are dropped rather than merged one by one.
    """
    replaced = pl.concat([articles["id"], new["doc_id"]]).unique()
    kept = old.filter(~pl.col("doc_id").is_in(replaced.implode()))
    merged = pl.concat([kept, new]).unique("id", keep="last", maintain_order=True)
    return merged.sort("doc_id", "content_start", "id")


def merge_errors(old: pl.DataFrame, new: pl.DataFrame, *, articles: pl.DataFrame) -> pl.DataFrame:
    """Keep the stored errors of inputs not processed now, and add the new errors.

    An input counts as processed now if its ``doc_id`` is that of a new article or
    error, or if its file (``source`` less a ``:line`` suffix) is the file of one.
    A file that failed before and reads fine now thus loses its old error.
    """
    docs = pl.concat([articles["id"], new["doc_id"]]).drop_nulls().unique()
    files = pl.concat([_file_of(articles["source"]), _file_of(new["source"])]).drop_nulls().unique()
    same_doc = pl.col("doc_id").is_in(docs.implode()).fill_null(False)
    same_file = _file_of(pl.col("source")).is_in(files.implode()).fill_null(False)
    return pl.concat([old.filter(~(same_doc | same_file)), new]).unique(maintain_order=True)


def _file_of(source: pl.Series | pl.Expr) -> pl.Series | pl.Expr:
    """The file part of a ``source`` (``path`` or ``path:line``)."""
    return source.str.replace(r":\d+$", "")


def merge_speakers(old: pl.DataFrame, new: pl.DataFrame, *, quotes: pl.DataFrame) -> pl.DataFrame:
    """Merge speaker rows by ``id`` and recount them from the merged quotes table.

    The rules are those of `quotes.link.merge_speakers` (the one place where speaker
    records are merged): for each speaker id with at least one quote, the name with the
    most name words (then the most frequent), the most common type, the union of aliases
    (one spelling each, with how many quotes use each), roles and external ids, and
    quote and article counts from `quotes`. Speaker ids that only quotes name get a row
    too; speakers without quotes are dropped.
    """
    records = speakers_from_frame(pl.concat([old, new]))
    said = quotes.filter(pl.col("speaker_id").is_not_null())
    merged = merge_speaker_records(records, quotes_from_frame(said))
    return speakers_frame(merged).sort("id")


# --- reading ------------------------------------------------------------------------------


def scan_articles(store_dir: str | Path) -> pl.LazyFrame:
    """Lazily scan the articles table of a store (ARTICLE_SCHEMA)."""
    return _scan(Path(store_dir), "articles")


def scan_quotes(store_dir: str | Path) -> pl.LazyFrame:
    """Lazily scan the quotes table of a store (QUOTE_SCHEMA)."""
    return _scan(Path(store_dir), "quotes")


def scan_speakers(store_dir: str | Path) -> pl.LazyFrame:
    """Lazily scan the speakers table of a store (SPEAKER_SCHEMA)."""
    return _scan(Path(store_dir), "speakers")


def scan_errors(store_dir: str | Path) -> pl.LazyFrame:
    """Lazily scan the errors table of a store (ERROR_SCHEMA)."""
    return _scan(Path(store_dir), "errors")


def read_articles(store_dir: str | Path) -> pl.DataFrame:
    """Read the articles table of a store into memory."""
    return _collect(scan_articles(store_dir), Path(store_dir), "articles")


def read_quotes(store_dir: str | Path) -> pl.DataFrame:
    """Read the quotes table of a store into memory."""
    return _collect(scan_quotes(store_dir), Path(store_dir), "quotes")


def read_speakers(store_dir: str | Path) -> pl.DataFrame:
    """Read the speakers table of a store into memory."""
    return _collect(scan_speakers(store_dir), Path(store_dir), "speakers")


def read_errors(store_dir: str | Path) -> pl.DataFrame:
    """Read the errors table of a store into memory."""
    return _collect(scan_errors(store_dir), Path(store_dir), "errors")


def _scan(folder: Path, name: str) -> pl.LazyFrame:
    """Scan one table, after checking that it exists and has the expected schema.

    A table is one file (``quotes.parquet``) or a folder of Parquet parts (``quotes/``,
    as a distributed run or a partitioned dataset writes them); either way the scan is
    lazy, so filters and column choices reach the files before anything is read.
    """
    path = _table_path(folder, name)
    schema = SCHEMAS[name]
    if path.suffix == ".jsonl":
        return pl.scan_ndjson(path, schema=schema)
    files = _parts(path) if path.is_dir() else [path]
    for file in files:
        try:
            actual = pl.read_parquet_schema(file)
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise StoreError(_unreadable(file, exc, folder)) from exc
        _check_schema(file, pl.Schema(actual), schema)
    if not files:
        return pl.LazyFrame(schema=schema)
    return pl.scan_parquet(files)


def _parts(folder: Path) -> list[Path]:
    """The Parquet part files of a partitioned table, in name order, hidden files left out."""
    return sorted(p for p in folder.rglob("*.parquet") if not any(x.startswith(".") for x in p.parts[-2:]))


def _collect(frame: pl.LazyFrame, folder: Path, name: str) -> pl.DataFrame:
    """Collect a scanned table, turning read failures into `StoreError`."""
    try:
        return frame.collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise StoreError(_unreadable(f"the {name} table of {folder}", exc, folder)) from exc


def _table_path(folder: Path, name: str) -> Path:
    """The file of table `name`: Parquet if present, else JSONL; StoreError if neither."""
    hint = _CREATE_HINT.format(folder=folder)
    if not folder.is_dir():
        raise StoreError(f"no quotes store at {folder}: the folder does not exist; {hint}")
    for suffix in _SUFFIXES.values():
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return path
    if (folder / name).is_dir():
        return folder / name  # a folder of Parquet parts
    raise StoreError(f"{folder} is not a quotes store: it has no {name}.parquet (or {name}.jsonl); {hint}")


def _read_existing(folder: Path, name: str, fmt: Format) -> pl.DataFrame:
    """Read a table already in the store in format `fmt`, or an empty one if there is none."""
    path = folder / f"{name}{_SUFFIXES[fmt]}"
    if not path.is_file() and fmt == "parquet" and (folder / name).is_dir():
        path = folder / name  # a partitioned table: merged into one file by this write
    elif not path.is_file():
        return pl.DataFrame(schema=SCHEMAS[name])
    if path.is_dir():
        return _collect(_scan(folder, name), folder, name)
    try:
        if fmt == "jsonl":
            return pl.read_ndjson(path, schema=SCHEMAS[name])
        _check_schema(path, pl.Schema(pl.read_parquet_schema(path)), SCHEMAS[name])
        return pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise StoreError(_unreadable(path, exc, folder)) from exc


def _check_schema(path: Path, actual: pl.Schema, expected: pl.Schema) -> None:
    """Raise StoreError naming the columns where `actual` differs from `expected`."""
    problems = [f"missing column {c!r}" for c in expected if c not in actual]
    problems += [f"unexpected column {c!r}" for c in actual if c not in expected]
    problems += [
        f"column {c!r} is {actual[c]}, expected {expected[c]}"
        for c in expected
        if c in actual and actual[c] != expected[c]
    ]
    if problems:
        raise StoreError(
            f"{path} does not have the expected schema ({'; '.join(problems)}); it was written by "
            f"another tool or version: re-create the store with `quotes extract PATH --out {path.parent}`"
        )


def _unreadable(what: str | Path, exc: BaseException, folder: Path) -> str:
    """Say that `what` cannot be read, why (the first line of `exc`), and how to recover."""
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"cannot read {what} ({first_line}); re-create the store with `quotes extract PATH --out {folder}`"
