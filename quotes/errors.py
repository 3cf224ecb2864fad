"""The exceptions `quotes` raises, in one place.

    QuotesError                  every error of this package
    ├── InputError               a file or record that cannot be read as an article
    ├── ModelError               no usable parsing model (missing folder, missing files)
    ├── StoreError               an output folder that cannot be written or read
    └── QueryError               a query that cannot be answered as asked

Bad *text* is never an exception (unbalanced quote marks, no quotation, no speaker):
those cases degrade. Bad *files* and bad *arguments* raise, and the CLI turns these
exceptions into one-line ``Error: …`` messages.
"""

from __future__ import annotations

__all__ = ["InputError", "ModelError", "QueryError", "QuotesError", "StoreError"]


class QuotesError(Exception):
    """Base class of every error raised by `quotes`."""


class InputError(QuotesError):
    """A file or record that cannot be read as an article.

    Args:
        source: The file path.
        reason: What is wrong, in words a user can act on.
        line: The 1-based line number for JSONL records.
    """

    def __init__(self, source: str, reason: str, *, line: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


class ModelError(QuotesError):
    """No usable parsing model."""


class StoreError(QuotesError):
    """An output folder that cannot be written or read."""


class QueryError(QuotesError):
    """A query that cannot be answered as asked."""
