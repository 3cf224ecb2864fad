"""Find the quoted regions of a text from its quotation marks, robustly.

textacy pairs quote marks in sequence and gives up on a whole document when their number is
odd. News text breaks that often: a stray mark, a quotation that runs over several
paragraphs (an opening mark at the start of each, a closing mark only at the end of the
last), typographic and straight marks mixed. Here marks are paired by direction within each
paragraph (“ opens, ” closes, a straight " toggles), an unclosed quotation continues into
the next paragraph when that one opens with a mark, and otherwise ends with its paragraph.
One bad paragraph never affects the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["QuoteRegion", "inside_quotation", "quote_regions", "single_quote_regions"]

OPENING = frozenset("“„«")
CLOSING = frozenset("”»")
TOGGLING = frozenset('"')
DOUBLE_MARKS = OPENING | CLOSING | TOGGLING


@dataclass(frozen=True, slots=True)
class QuoteRegion:
    """A quoted stretch of text.

    Attributes:
        start, end: Character offsets, the quotation marks included (end exclusive).
        closed: False when the region ends at a paragraph end without a closing mark.
        paragraphs: How many paragraphs the region spans.
    """

    start: int
    end: int
    closed: bool = True
    paragraphs: int = 1

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


def inside_quotation(offset: int, regions: Iterable[QuoteRegion]) -> bool:
    """Whether a word starting at `offset` lies between a region's marks (a word right after
    the closing mark does not)."""
    return any(r.start < offset < r.end - 1 for r in regions)


def _marks(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """Double quotation marks in text[start:end] with their offsets; '' counts as one mark."""
    marks = []
    i = start
    while i < end:
        ch = text[i]
        if ch in DOUBLE_MARKS:
            marks.append((i, ch))
        elif ch == "'" and i + 1 < end and text[i + 1] == "'":
            marks.append((i, '"'))  # '' for " in some wire copy
            i += 1
        elif ch == "`" and i + 1 < end and text[i + 1] == "`":
            marks.append((i, "“"))  # `` for “ in PTB-style text
            i += 1
        i += 1
    return marks


def _mark_end(text: str, i: int) -> int:
    return i + 2 if text[i : i + 2] in ("''", "``") else i + 1


def quote_regions(text: str, paragraphs: list[tuple[int, int]]) -> list[QuoteRegion]:
    """Return the double-quoted regions of `text`, in order, never overlapping.

    Args:
        text: The article text.
        paragraphs: (start, end) offsets of its paragraphs, in order.

    Examples:
        >>> t = '“One,” he said. “Two'
        >>> [(r.start, r.end, r.closed) for r in quote_regions(t, [(0, len(t))])]
        [(0, 6, True), (16, 20, False)]
    """
    regions: list[QuoteRegion] = []
    open_at: int | None = None  # where the quotation now open began
    spanned = 0  # paragraphs it has run over
    last_end = 0
    for p_start, p_end in paragraphs:
        marks = _marks(text, p_start, p_end)
        if open_at is not None:
            # News convention: a quotation continues when the next paragraph opens with a mark.
            first = p_start + len(text[p_start:p_end]) - len(text[p_start:p_end].lstrip())
            if marks and marks[0][0] == first and marks[0][1] not in CLOSING:
                marks = marks[1:]
                spanned += 1
            else:
                regions.append(QuoteRegion(open_at, _strip_end(text, open_at, last_end), False, spanned))
                open_at = None
        for i, ch in marks:
            if open_at is None:
                if ch not in CLOSING:  # a closing mark with nothing open is stray
                    open_at, spanned = i, 1
            elif ch in CLOSING or ch in TOGGLING:
                regions.append(QuoteRegion(open_at, _mark_end(text, i), True, spanned))
                open_at = None
            else:  # a second opening mark: the first one was stray, start again here
                open_at, spanned = i, 1
        last_end = p_end
    if open_at is not None:
        regions.append(QuoteRegion(open_at, _strip_end(text, open_at, last_end), False, spanned))
    return regions


def _strip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def single_quote_regions(text: str, paragraphs: list[tuple[int, int]]) -> list[QuoteRegion]:
    """Regions quoted with single marks (‘good progress’), as headlines use them.

    A ‘ opens only at the start of a word, and a ’ closes only when no letter follows it,
    so the apostrophes of “Ruritania’s” or “don’t” never count.
    """
    regions = []
    for p_start, p_end in paragraphs:
        open_at: int | None = None
        for i in range(p_start, p_end):
            ch = text[i]
            if ch == "‘" and (i == p_start or not text[i - 1].isalnum()):
                open_at = i
            elif ch == "’" and open_at is not None and (i + 1 >= p_end or not text[i + 1].isalpha()):
                if i - open_at > 2:
                    regions.append(QuoteRegion(open_at, i + 1))
                open_at = None
    return regions
