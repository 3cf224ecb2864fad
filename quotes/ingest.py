"""Read news articles from disk: the first stage of the pipeline.

`read_articles` turns paths into `Article` records. It accepts

- ``.txt`` files: one article each; the id is the file name without its extension and
  the text is the file decoded as UTF-8, byte for byte (only a UTF-8 byte-order mark is
  dropped; no stripping, no newline normalisation), so that every character offset a
  later stage reports points into the file as it is;
- ``.jsonl`` files: one article per line, ``{"id": ..., "text": ..., "title": ...,
  "url": ..., "outlet": ..., "published": ...}``; ``id`` and ``text`` are required;
- ``.html`` / ``.htm`` files: the main text is extracted with trafilatura (the optional
  ``html`` extra), with title, url, date and site name from the page metadata;
- folders: every ``.txt``, ``.jsonl``, ``.html`` and ``.htm`` file below them, in
  sorted order, skipping hidden files and folders;
- ``-``: JSONL records from standard input.

Bad input never loses the rest of a batch when an ``errors`` list is given: the bad file
or record becomes an `ArticleError` and reading goes on. Without one, the first bad
input raises `InputError`. Every message names the file (and line) and says what to do.
"""

from __future__ import annotations

import codecs
import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from quotes.errors import InputError
from quotes.model import Article, ArticleError

__all__ = ["SUPPORTED_SUFFIXES", "read_articles"]

SUPPORTED_SUFFIXES = (".txt", ".jsonl", ".html", ".htm")
"""File extensions `read_articles` reads, in lower case."""

STDIN = "-"
"""The path that means JSONL records on standard input."""

_METADATA_FIELDS = ("title", "url", "outlet", "published")
_BINARY_SNIFF_BYTES = 8192
_MAX_CONTROL_RATIO = 0.1
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
_HTML_BYTES_PER_CHAR = 10
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

Item = Article | ArticleError


def read_articles(
    paths: Iterable[str | Path],
    *,
    errors: list[ArticleError] | None = None,
    max_chars: int = 1_000_000,
) -> Iterator[Article]:
    """Yield the articles in `paths`, lazily and in order.

    Args:
        paths: Files (``.txt``, ``.jsonl``, ``.html``, ``.htm``), folders (read
            recursively, in sorted order) or ``-`` for JSONL on standard input.
        errors: Where to collect the inputs that cannot be read. When given, a bad file
            or record is appended to it as an `ArticleError` and reading continues with
            the next one; when None, the first bad input raises `InputError`.
        max_chars: The longest article text accepted, in characters. Longer texts are
            rejected (cheaply, before decoding where the file size already tells).

    Yields:
        One `Article` per readable article. An id seen earlier in the same call with
        the same text is skipped silently; with a different text it is an error.

    Raises:
        InputError: For the first bad input, when `errors` is None.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "a1.txt").write_text("He said so.", encoding="utf-8")
        >>> [(a.id, a.text) for a in read_articles([folder])]
        [('a1', 'He said so.')]
    """
    seen: dict[str, tuple[str, str | None]] = {}
    for path in paths:
        for item in _read_path(path, max_chars=max_chars):
            if isinstance(item, Article):
                item = _check_duplicate(item, seen)
                if item is None:
                    continue
            if isinstance(item, Article):
                yield item
            elif errors is None:
                raise InputError(item.source, _reason_of(item), line=item.line)
            else:
                errors.append(item)


# --- dispatch ---------------------------------------------------------------------------


def _read_path(path: str | Path, *, max_chars: int) -> Iterator[Item]:
    """Yield the articles and errors of one path given by the user."""
    if str(path) == STDIN:
        yield from _read_jsonl_stream(sys.stdin.buffer, source="<stdin>", max_chars=max_chars)
        return
    path = Path(path)
    if path.is_dir():
        yield from _read_folder(path, max_chars=max_chars)
    elif not path.exists():
        yield _error(path, "no such file or folder; check the path (and the current folder)")
    else:
        yield from _read_file(path, max_chars=max_chars)


def _read_folder(folder: Path, *, max_chars: int) -> Iterator[Item]:
    """Yield the articles of every supported file below `folder`, in sorted order."""
    files = _supported_files(folder)
    if not files:
        kinds = ", ".join(SUPPORTED_SUFFIXES)
        yield _error(folder, f"folder contains no article files (looked for {kinds}, recursively)")
        return
    for path in files:
        yield from _read_file(path, max_chars=max_chars)


def _supported_files(folder: Path) -> list[Path]:
    """List the supported files below `folder`, sorted, hidden files and folders left out."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(Path(root) / name)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _read_file(path: Path, *, max_chars: int) -> Iterator[Item]:
    """Yield the articles of one file, chosen by its extension."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            yield _read_txt(path, max_chars=max_chars)
        elif suffix == ".jsonl":
            with path.open("rb") as stream:
                yield from _read_jsonl_stream(stream, source=str(path), max_chars=max_chars)
        elif suffix in (".html", ".htm"):
            yield _read_html(path, max_chars=max_chars)
        else:
            kinds = ", ".join(SUPPORTED_SUFFIXES)
            reason = f"unsupported file type {suffix or '(no extension)'!r}; expected one of {kinds}"
            yield _error(path, reason)
    except OSError as exc:
        yield _error(path, f"cannot read file: {exc.strerror or exc}")


# --- .txt ---------------------------------------------------------------------------------


def _read_txt(path: Path, *, max_chars: int) -> Item:
    """Read one ``.txt`` article: the id is the file stem, the text is kept exactly."""
    doc_id = path.stem
    size = path.stat().st_size
    if size > 4 * max_chars:  # UTF-8 takes at most 4 bytes a character.
        return _error(path, _too_long(f"{size:,} bytes", max_chars), doc_id=doc_id)
    data = path.read_bytes()
    text = _decode(data, path=path, doc_id=doc_id)
    if isinstance(text, ArticleError):
        return text
    problem = _text_problem(text, max_chars=max_chars, what="file")
    if problem:
        return _error(path, problem, doc_id=doc_id)
    return Article(id=doc_id, text=text, source=str(path))


def _decode(data: bytes, *, path: Path, doc_id: str) -> str | ArticleError:
    """Decode a whole file as UTF-8, dropping a UTF-8 byte-order mark, or say why not."""
    if data.startswith(_UTF16_BOMS):
        return _error(
            path,
            f"file is UTF-16, not UTF-8; re-encode it, e.g. `iconv -f utf-16 -t utf-8 {path} > {path}.utf8`",
            doc_id=doc_id,
        )
    if b"\x00" in data:
        return _error(path, _binary_message("file"), doc_id=doc_id)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _control_ratio(data[:_BINARY_SNIFF_BYTES].decode("latin-1")) > _MAX_CONTROL_RATIO:
            return _error(path, _binary_message("file"), doc_id=doc_id)
        return _error(path, _not_utf8_message(data, exc, path=path), doc_id=doc_id)


# --- .jsonl -------------------------------------------------------------------------------


def _read_jsonl_stream(stream: IO[bytes], *, source: str, max_chars: int) -> Iterator[Item]:
    """Yield one article (or error) per non-blank line of a JSONL byte stream."""
    records = 0
    for line_no, raw in enumerate(stream, start=1):
        if line_no == 1:
            if raw.startswith(_UTF16_BOMS):
                yield _error(source, "file is UTF-16, not UTF-8; re-encode it: `iconv -f utf-16 -t utf-8`")
                return
            if b"\x00" in raw[:_BINARY_SNIFF_BYTES]:
                yield _error(source, _binary_message("file"))
                return
            if raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
        if not raw.strip():
            continue
        records += 1
        yield _read_jsonl_line(raw, source=source, line=line_no, max_chars=max_chars)
    if records == 0:
        yield _error(source, "file is empty: no JSONL records (one JSON object per line)")


def _read_jsonl_line(raw: bytes, *, source: str, line: int, max_chars: int) -> Item:
    """Turn one JSONL line into an `Article`, or an error naming the line."""
    if len(raw) > 6 * max_chars + 10_000:  # Even \\uXXXX escapes take at most 6 bytes a character.
        return _error(source, _too_long(f"{len(raw):,} bytes", max_chars), line=line)
    if b"\x00" in raw:
        return _error(source, _binary_message("line"), line=line)
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        reason = (
            f"line is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
            "re-encode the file, e.g. `iconv -f latin1 -t utf-8`"
        )
        return _error(source, reason, line=line)
    except json.JSONDecodeError as exc:
        return _error(source, f"malformed JSON: {exc.msg} (column {exc.colno})", line=line)
    fields = _record_fields(record)
    if isinstance(fields, str):
        doc_id = _loose_id(record)
        return _error(source, fields, line=line, doc_id=doc_id)
    problem = _text_problem(fields["text"], max_chars=max_chars, what='"text"')
    if problem:
        return _error(source, problem, line=line, doc_id=fields["id"])
    return Article(source=f"{source}:{line}", **fields)


def _record_fields(record: Any) -> dict[str, Any] | str:
    """Check a parsed JSONL record and return the `Article` fields, or what is wrong."""
    if not isinstance(record, dict):
        kind = type(record).__name__ if record is not None else "null"
        return f'record is a JSON {kind}, expected an object like {{"id": "a1", "text": "..."}}'
    if "id" not in record:
        return 'record has no "id"; every line needs a unique "id" (string or integer)'
    doc_id = record["id"]
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int):
        return f'"id" must be a string or an integer, got {_json_type(doc_id)}'
    doc_id = str(doc_id)
    if not doc_id.strip():
        return '"id" is empty; every line needs a unique non-empty "id"'
    if "text" not in record:
        return 'record has no "text"; every line needs the article text in "text"'
    if not isinstance(record["text"], str):
        return f'"text" must be a string, got {_json_type(record["text"])}'
    fields: dict[str, Any] = {"id": doc_id, "text": record["text"]}
    for name in _METADATA_FIELDS:
        value = record.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int | float | None):
            return f'"{name}" must be a string or null, got {_json_type(value)}'
        fields[name] = None if value is None else str(value)
    return fields


def _loose_id(record: Any) -> str | None:
    """The record's id as a string if it has a usable one, for error records."""
    doc_id = record.get("id") if isinstance(record, dict) else None
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int) or not str(doc_id).strip():
        return None
    return str(doc_id)


def _json_type(value: Any) -> str:
    """Name a JSON value's type as JSON does (object, array, number, ...)."""
    names = {dict: "an object", list: "an array", bool: "a boolean", type(None): "null"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return "a number" if isinstance(value, int | float) else f"a {type(value).__name__}"


# --- .html --------------------------------------------------------------------------------


def _read_html(path: Path, *, max_chars: int) -> Item:
    """Extract the main text and metadata of an HTML page with trafilatura."""
    doc_id = path.stem
    size = path.stat().st_size
    if size > _HTML_BYTES_PER_CHAR * max_chars:
        return _error(path, _too_long(f"{size:,} bytes of HTML", max_chars), doc_id=doc_id)
    data = path.read_bytes()
    if not data.strip():
        return _error(path, "file is empty", doc_id=doc_id)
    if b"\x00" in data:
        return _error(path, _binary_message("file"), doc_id=doc_id)
    try:
        import trafilatura
    except ImportError as exc:
        reason = f"reading HTML needs trafilatura ({exc}); install it with `pip install 'quotes[html]'`"
        return _error(path, reason, doc_id=doc_id)
    document = trafilatura.bare_extraction(data, with_metadata=True)
    text = getattr(document, "text", None) or ""
    if not text.strip():
        reason = "no article text found in the HTML page; save the article text as a .txt file instead"
        return _error(path, reason, doc_id=doc_id)
    problem = _text_problem(text, max_chars=max_chars, what="extracted text")
    if problem:
        return _error(path, problem, doc_id=doc_id)
    return Article(
        id=doc_id,
        text=text,
        title=getattr(document, "title", None),
        url=getattr(document, "url", None),
        outlet=getattr(document, "sitename", None),
        published=getattr(document, "date", None),
        source=str(path),
    )


# --- checks and messages ------------------------------------------------------------------


def _text_problem(text: str, *, max_chars: int, what: str) -> str | None:
    """Say what makes a decoded text unusable as an article, or None if it is fine."""
    if not text:
        return f"{what} is empty"
    if len(text) > max_chars:
        return _too_long(f"{len(text):,} characters", max_chars)
    if not text.strip():
        return f"{what} contains only whitespace"
    if _control_ratio(text) > _MAX_CONTROL_RATIO:
        return _binary_message(what)
    return None


def _control_ratio(text: str) -> float:
    """The share of non-whitespace control characters in the first 8192 characters.

    Text has next to none; binary data is full of them.
    """
    sample = text[:_BINARY_SNIFF_BYTES]
    controls = sum(1 for ch in sample if (ch < " " or ch == "\x7f") and ch not in _TEXT_CONTROLS)
    return controls / len(sample)


def _binary_message(what: str) -> str:
    return f"{what} looks like binary data, not text; pass plain-text articles (.txt, UTF-8)"


def _too_long(size: str, max_chars: int) -> str:
    return (
        f"text is too long ({size}; the limit is {max_chars:,} characters); "
        "split the article or raise the limit (max_chars=..., or --max-chars on the command line)"
    )


def _not_utf8_message(data: bytes, exc: UnicodeDecodeError, *, path: Path) -> str:
    """Describe a UTF-8 decoding failure with its byte offset and line, and how to fix it."""
    line = data.count(b"\n", 0, exc.start) + 1
    return (
        f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start}, line {line}); "
        f"re-encode it, e.g. `iconv -f latin1 -t utf-8 {path} > {path}.utf8`"
    )


def _check_duplicate(article: Article, seen: dict[str, tuple[str, str | None]]) -> Item | None:
    """Skip a repeated article, or turn a clashing id into an error; remember new ids."""
    first = seen.get(article.id)
    if first is None:
        seen[article.id] = (article.sha1, article.source)
        return article
    sha1, first_source = first
    if sha1 == article.sha1:
        return None
    source, line = _split_source(article.source or "")
    reason = (
        f"duplicate article id {article.id!r} with a different text (first read from {first_source}); "
        "give each article a unique id"
    )
    return _error(source, reason, line=line, doc_id=article.id)


def _split_source(source: str) -> tuple[str, int | None]:
    """Split an `Article.source` of the form ``path:line`` into its path and line."""
    path, sep, tail = source.rpartition(":")
    if sep and tail.isdigit():
        return path, int(tail)
    return source, None


def _error(
    source: str | Path, reason: str, *, line: int | None = None, doc_id: str | None = None
) -> ArticleError:
    """Build an ingest `ArticleError` whose message names the file and line."""
    where = f"{source}:{line}" if line is not None else str(source)
    message = f"{where}: {reason}"
    return ArticleError(source=str(source), doc_id=doc_id, line=line, stage="ingest", message=message)


def _reason_of(error: ArticleError) -> str:
    """The reason part of an error's message, without the ``path:line:`` prefix."""
    where = f"{error.source}:{error.line}: " if error.line is not None else f"{error.source}: "
    return error.message.removeprefix(where)
