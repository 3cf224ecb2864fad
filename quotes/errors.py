"""The exceptions `quotes` raises, in one place.

    QuotesError                  every error of this package
    ├── InputError               a file or record that cannot be read as an article
    ├── ModelError               no usable parsing model (missing folder, missing files)
    ├── StoreError               an output folder that cannot be written or read
    ├── RegistryError            a speaker registry file that cannot be read or is malformed
    └── QueryError               a query that cannot be answered as asked
        └── AmbiguousSpeakerError    a speaker query that fits several speakers

Bad *text* is never an exception (unbalanced quote marks, no quotation, no speaker):
those cases degrade. Bad *files* and bad *arguments* raise, and the CLI turns these
exceptions into one-line ``Error: …`` messages.
"""

from __future__ import annotations

__all__ = [
    "AmbiguousSpeakerError",
    "InputError",
    "ModelError",
    "QueryError",
    "QuotesError",
    "RegistryError",
    "StoreError",
]


class QuotesError(Exception):
    """Base class of every error raised by `quotes`."""


class FileProblem(QuotesError):
    """Something wrong in a file the user gave, reported as ``source[:line]: reason``.

    Args:
        source: The file path.
        reason: What is wrong, in words a user can act on.
        line: The 1-based line number, when known.
    """

    def __init__(self, source: str, reason: str, *, line: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


class InputError(FileProblem):
    """A file or record that cannot be read as an article (``line``: the JSONL record)."""


class ModelError(QuotesError):
    """No usable parsing model."""


class StoreError(QuotesError):
    """An output folder that cannot be written or read."""


class QueryError(QuotesError):
    """A query that cannot be answered as asked."""


class RegistryError(FileProblem):
    """A speaker registry file that cannot be read or does not have the documented format.

    Args:
        source: The registry file.
        reason: What is wrong and where ("speakers[2].aliases: …"), in words a user can act on.
        line: The 1-based line in the file, when known.
    """



class AmbiguousSpeakerError(QueryError):
    """A speaker query that fits several speakers; `candidates` lists them (a polars DataFrame).

    Ask again with one of their ids, or with a fuller name or role.
    """

    def __init__(self, query: str, candidates: object) -> None:
        self.query = query
        self.candidates = candidates
        count = getattr(candidates, "height", None)
        super().__init__(
            f"{query!r} fits {count} speakers; ask again with one of their ids (--speaker-id) "
            "or a fuller name"
        )
