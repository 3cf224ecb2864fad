"""Score extracted quotations against PolNeAR-style gold attributions.

This is the engine behind ``quotes eval``. Gold is a split folder in brat standoff format,
``text/<doc>.txt`` plus ``attributions/<doc>_<annotator>.ann`` (the lexicographically first
``.ann`` of an article is used); predictions are `Quote` objects or their JSONL records.

The metric definitions are those of the PolNeAR scorer that ships with the shared data
(``tools/score_polnear.py``), and this module must agree with it to the third decimal:

* Spans (content, cue, source) are normalised the same way on both sides: fragments are
  sorted and merged across whitespace, and quotation marks, dashes, ellipses and final
  punctuation are stripped from the outer ends, so ``“Yes,”`` and ``Yes`` are one span.
* Tokens are the matches of ``\\w+|[^\\w\\s]`` in the document; a span's tokens are those that
  touch one of its normalised fragments.
* exact / partial / lenient P, R and F1 per span role, after de-duplicating identical spans
  per document (Pareti 2015; Scheible, Klinger & Padó 2016), and lenient 1:1 for content.
* Attribution accuracy, and content+source end-to-end P/R/F1 (strict and relaxed).
* Everything is given overall ("all") and split by the gold content type, "direct" or
  "indirect", decided by a quoted-region rule (see `content_kind`).

`EvalResult.to_dict` uses the scorer's JSON key names, so ``metrics.all.content_lenient.f1``
means the same in both.
"""

from __future__ import annotations

import bisect
import io
import json
import logging
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from quotes.errors import InputError, StoreError
from quotes.model import Quote

__all__ = [
    "BREAKDOWNS",
    "Accuracy",
    "Counts",
    "EvalResult",
    "GoldAttribution",
    "GoldDocument",
    "PRF",
    "TARGET_METRICS",
    "Scores",
    "annotator_agreement",
    "compare_to_baseline",
    "content_kind",
    "load_gold",
    "read_predictions",
    "score",
    "write_report",
]

logger = logging.getLogger(__name__)

Fragments = tuple[tuple[int, int], ...]

TYPES = ("direct", "indirect")
BREAKDOWNS = ("all", *TYPES)
TARGET_METRICS = ("content_lenient", "content_source_e2e", "content_exact", "cue_exact", "source_exact")
"""The five figures issue #7 sets targets for; `quotes eval` prints them, and the learned
models' thresholds are chosen by their mean (`cuemodel.select_threshold`)."""

TOKEN_RE = re.compile(r"\w+|[^\w\s]")
WORD_RE = re.compile(r"\w+")
_T_LINE_RE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t")
_E_LINE_RE = re.compile(r"^(E\d+)\t(.*)$")
_QUOTE_EVENT_RE = re.compile("''|[\n\"“„”]")  # what opens or closes a quoted region

QUOTE_MARKS = "\"“”„‟«»'‘’‚‛‹›`"
_DOUBLE_MARKS = '“”"„«»'
_SPACES = frozenset(" \t\n\r\u00a0\u2009\u200a\u202f")
_LEADING_JUNK = frozenset(QUOTE_MARKS + "…—–") | _SPACES
_TRAILING_JUNK = frozenset(QUOTE_MARKS + ".,;:!?…—–-") | _SPACES
PRONOUNS = frozenset(
    "i me we us you he him she her it they them this that who which one "
    "himself herself themselves itself".split()
)
_PREDICTIONS_SOURCE = "<predictions>"
_REPORT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


# --------------------------------------------------------------------------------------
# Gold
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class GoldAttribution:
    """One gold attribution: a brat E line with its content, cue and source spans.

    Fragments are character offsets into the document text, in annotation order.

    Attributes:
        id: The E id in the .ann file ("E3").
        kind: "direct" or "indirect", by `content_kind` on the content span.
        content: The fragments of the Content (and Content2) annotations.
        cue: The fragments of the Cue annotation, or None.
        source: The fragments of the Source annotation, or None for "Attribution-no-source".
    """

    id: str
    kind: str
    content: Fragments
    cue: Fragments | None = None
    source: Fragments | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldDocument:
    """One gold article: its text and the attributions of one annotator.

    Attributes:
        id: The text file name without ``.txt``.
        text: The article text, exactly as stored.
        annotation_file: The .ann file the attributions come from.
        attributions: The gold attributions, in file order.
        orphan_contents: Content annotations that no E line uses (ignored, like the scorer does).
        warnings: Problems met while reading the .ann file (E lines without content, ...).
    """

    id: str
    text: str
    annotation_file: str
    attributions: tuple[GoldAttribution, ...]
    orphan_contents: int = 0
    warnings: tuple[str, ...] = ()


def load_gold(gold_dir: Path | str) -> dict[str, GoldDocument]:
    """Read a PolNeAR split folder into gold documents keyed by document id.

    Only articles with both a text and at least one .ann file are kept; where several
    annotators annotated an article, the lexicographically first .ann file is used, so
    every tool scores against the same annotation.

    Raises:
        InputError: If the folder lacks ``text/`` or ``attributions/``.
    """
    gold_dir = Path(gold_dir)
    text_dir, ann_dir, texts = _split_folders(gold_dir)
    ann_files = annotation_files(ann_dir, texts)
    unannotated = len(texts - set(ann_files))
    if unannotated:
        logger.warning("%s: %d text files without annotations ignored", gold_dir, unannotated)
    return {
        doc_id: _read_gold_document(doc_id, text_dir / f"{doc_id}.txt", ann_dir / ann_files[doc_id])
        for doc_id in sorted(ann_files)
    }


def _split_folders(gold_dir: Path) -> tuple[Path, Path, set[str]]:
    """A PolNeAR split's ``text/`` and ``attributions/`` folders and its article ids.

    Raises:
        InputError: If the folder lacks ``text/`` or ``attributions/``.
    """
    text_dir, ann_dir = gold_dir / "text", gold_dir / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise InputError(str(gold_dir), "a gold folder must contain text/ and attributions/")
    return text_dir, ann_dir, {p.stem for p in text_dir.glob("*.txt")}


def annotation_files(ann_dir: Path, texts: set[str]) -> dict[str, str]:
    """Map each article with a text to the name of its first .ann file (by name)."""
    return {doc_id: names[0] for doc_id, names in _annotations_by_article(ann_dir, texts).items()}


def _annotations_by_article(ann_dir: Path, texts: set[str]) -> dict[str, list[str]]:
    """Map each article with a text to the names of its .ann files, one per annotator, sorted."""
    by_article: dict[str, list[str]] = {}
    for name in sorted(p.name for p in ann_dir.glob("*.ann")):
        stem = name[: -len(".ann")]
        doc_id, sep, _annotator = stem.rpartition("_")
        if not sep:
            logger.warning("%s: no annotator suffix; ignored", name)
        elif doc_id not in texts:
            logger.warning("%s: no text file; ignored", name)
        else:
            by_article.setdefault(doc_id, []).append(name)
    return by_article


def annotator_agreement(gold_dirs: Iterable[Path | str]) -> tuple[EvalResult, dict[str, object]]:
    """How closely two annotators of the same articles agree, by this module's metrics.

    On every article with two or more annotation files, the second file (by name) is scored
    as predictions against the first, the one `load_gold` and `score` use. The figures are
    the ceiling to read a tool's against: matching one annotator more closely than another
    annotator does is not a fair expectation, least of all for exact span edges.

    Returns:
        The scores, and a summary: the splits read, and the articles compared.

    Raises:
        InputError: If a folder lacks ``text/`` or ``attributions/``.
    """
    gold: dict[str, GoldDocument] = {}
    records: list[dict[str, object]] = []
    splits = []
    for gold_dir in map(Path, gold_dirs):
        text_dir, ann_dir, texts = _split_folders(gold_dir)
        splits.append(str(gold_dir))
        for doc_id, names in _annotations_by_article(ann_dir, texts).items():
            if len(names) < 2:
                continue
            text_path = text_dir / f"{doc_id}.txt"
            gold[doc_id] = _read_gold_document(doc_id, text_path, ann_dir / names[0])
            second = _read_gold_document(doc_id, text_path, ann_dir / names[1])
            records += [_as_prediction(doc_id, a) for a in second.attributions]
    summary: dict[str, object] = {
        "compared": "second annotation file of an article (by name) as predictions against the first",
        "splits": splits,
        "articles": len(gold),
    }
    return score(gold, records), summary


def _as_prediction(doc_id: str, attribution: GoldAttribution) -> dict[str, object]:
    """A gold attribution as a prediction record, every role with all its fragments."""
    record: dict[str, object] = {
        "doc_id": doc_id,
        "kind": attribution.kind,
        "content_fragments": [list(f) for f in attribution.content],
    }
    if attribution.cue:
        record["cue_fragments"] = [list(f) for f in attribution.cue]
    if attribution.source:
        record["speaker_fragments"] = [list(f) for f in attribution.source]
    return record


def _read_gold_document(doc_id: str, text_path: Path, ann_path: Path) -> GoldDocument:
    """Read one article and its annotation file into a `GoldDocument`."""
    with text_path.open(encoding="utf-8", newline="") as handle:
        text = handle.read()  # newline="": offsets count "\r\n" as two characters
    with ann_path.open(encoding="utf-8", newline="") as handle:
        labelled, events = _parse_ann(handle)
    index = _TextIndex.build(text)
    attributions: list[GoldAttribution] = []
    used: set[str] = set()
    warnings: list[str] = []
    for event_id, arguments in events:
        roles: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for role, tid in arguments:
            if tid not in labelled:
                warnings.append(f"{ann_path.name}: {event_id} refers to unknown {tid}")
                continue
            used.add(tid)
            roles[role.rstrip("0123456789")].extend(labelled[tid][1])
        if not roles["Content"]:
            warnings.append(f"{ann_path.name}: {event_id} has no Content; ignored")
            continue
        content = tuple(roles["Content"])
        attributions.append(
            GoldAttribution(
                id=event_id,
                kind=_content_kind(index, content),
                content=content,
                cue=tuple(roles["Cue"]) or None,
                source=tuple(roles["Source"]) or None,
            )
        )
    orphans = sum(1 for tid, (label, _) in labelled.items() if label == "Content" and tid not in used)
    return GoldDocument(
        id=doc_id,
        text=text,
        annotation_file=ann_path.name,
        attributions=tuple(attributions),
        orphan_contents=orphans,
        warnings=tuple(warnings),
    )


def _parse_ann(
    lines: Iterable[str],
) -> tuple[dict[str, tuple[str, Fragments]], list[tuple[str, list[tuple[str, str]]]]]:
    """Split brat standoff into text-bound annotations (T) and events (E).

    Returns:
        ``{tid: (label, fragments)}`` and ``[(eid, [(role, tid), ...]), ...]``.
    """
    labelled: dict[str, tuple[str, Fragments]] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    for line in lines:
        if match := _T_LINE_RE.match(line):
            labelled[match.group(1)] = (match.group(2), _parse_offsets(match.group(3)))
        elif match := _E_LINE_RE.match(line):
            arguments = [arg.split(":", 1) for arg in match.group(2).split() if ":" in arg]
            events.append((match.group(1), [(role, tid) for role, tid in arguments]))
    return labelled, events


def _parse_offsets(value: str) -> Fragments:
    """Parse brat offsets ``"10 20;25 30"`` into ``((10, 20), (25, 30))``."""
    pairs = (part.split() for part in value.split(";"))
    return tuple((int(start), int(end)) for start, end in pairs)


def _as_gold(gold: Path | str | Mapping[str, GoldDocument]) -> Mapping[str, GoldDocument]:
    """Accept either a gold folder or documents already loaded by `load_gold`."""
    if isinstance(gold, Mapping):
        return gold
    return load_gold(gold)


# --------------------------------------------------------------------------------------
# Text: tokens, quoted regions, span normalisation
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _TextIndex:
    """The tokens and quoted regions of one document, computed once per document."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    is_word: tuple[bool, ...]
    quoted: bytes

    @classmethod
    def build(cls, text: str) -> _TextIndex:
        matches = list(TOKEN_RE.finditer(text))
        return cls(
            text=text,
            starts=tuple(m.start() for m in matches),
            ends=tuple(m.end() for m in matches),
            is_word=tuple(WORD_RE.fullmatch(m.group()) is not None for m in matches),
            quoted=bytes(_quoted_mask(text)),
        )

    def tokens(self, fragments: Iterable[tuple[int, int]], *, words_only: bool = False) -> frozenset[int]:
        """The indices of the tokens that intersect any of `fragments`."""
        found: set[int] = set()
        for start, end in fragments:
            i = bisect.bisect_right(self.ends, start)  # first token ending after `start`
            while i < len(self.starts) and self.starts[i] < end:
                if not words_only or self.is_word[i]:
                    found.add(i)
                i += 1
        return frozenset(found)

    def joined(self, fragments: Iterable[tuple[int, int]]) -> str:
        """The text of `fragments`, joined by single spaces."""
        return " ".join(self.text[start:end] for start, end in fragments)


def _quoted_mask(text: str) -> bytearray:
    """Mark the characters inside quotation marks with 1.

    “ or „ opens a region that the next ” closes; a straight " toggles one, and so does a
    doubled apostrophe ''. A region still open at a newline ends there, because news copy
    reopens (but does not close) a quotation that runs over several paragraphs.
    """
    mask = bytearray(len(text))
    curly = straight = doubled = None  # start offsets of the open regions

    def mark(start: int, end: int) -> None:
        mask[start:end] = b"\x01" * (end - start)

    for match in _QUOTE_EVENT_RE.finditer(text):
        i, mark_text = match.start(), match.group()
        if mark_text == "\n":
            for start in (curly, straight, doubled):
                if start is not None:
                    mark(start, i)
            curly = straight = doubled = None
        elif mark_text == "''":
            if doubled is None:
                doubled = i
            else:
                mark(doubled, i + 2)
                doubled = None
        elif mark_text in "“„":
            curly = i if curly is None else curly
        elif mark_text == "”" and curly is not None:
            mark(curly, i + 1)
            curly = None
        elif mark_text == '"':
            if straight is None:
                straight = i
            else:
                mark(straight, i + 1)
                straight = None
    for start in (curly, straight, doubled):
        if start is not None:
            mark(start, len(text))
    return mask


def content_kind(text: str, fragments: Iterable[tuple[int, int]]) -> str:
    """Type a content span of `text` as "direct" or "indirect", as the per-type breakdown does.

    A span is direct if it opens with a double quotation mark (after whitespace), or if at
    least half of its word tokens lie inside quoted regions of the document; otherwise it is
    indirect. This is the scorer's rule, so the breakdown means the same for every system.

    Examples:
        >>> content_kind('He said: "We will win."', [(9, 23)])
        'direct'
        >>> content_kind("He said that they would win.", [(8, 27)])
        'indirect'
    """
    return _content_kind(_TextIndex.build(text), fragments)


def _content_kind(index: _TextIndex, fragments: Iterable[tuple[int, int]]) -> str:
    """`content_kind` on a document whose tokens and quoted regions are already computed."""
    pieces = sorted((start, end) for start, end in fragments if end > start)
    if not pieces:
        return "indirect"
    head = index.text[pieces[0][0] : pieces[0][1]].lstrip()
    if head and (head[0] in _DOUBLE_MARKS or head.startswith("''")):
        return "direct"
    words = index.tokens(pieces, words_only=True)
    if not words:
        return "indirect"
    inside = sum(1 for i in words if index.quoted[index.starts[i]])
    return "direct" if 2 * inside >= len(words) else "indirect"


def _normalise(text: str, fragments: Iterable[tuple[int, int]]) -> Fragments:
    """Merge `fragments` and strip quotation marks and punctuation from the outer ends.

    A span made only of such characters (a cue that is just ":") keeps them, minus spaces.
    """
    pieces = _merge(text, fragments)
    return _strip_ends(text, pieces, _LEADING_JUNK, _TRAILING_JUNK) or _strip_ends(
        text, pieces, _SPACES, _SPACES
    )


def _merge(text: str, fragments: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort, clip and drop empty fragments; join those that overlap or only have spaces between."""
    clipped = sorted((max(0, start), min(len(text), end)) for start, end in fragments)
    merged: list[tuple[int, int]] = []
    for start, end in clipped:
        if end <= start:
            continue
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _strip_ends(
    text: str, pieces: list[tuple[int, int]], leading: frozenset[str], trailing: frozenset[str]
) -> Fragments:
    """Strip `leading` characters from the front and `trailing` from the back of a span,
    dropping fragments that become empty."""
    pieces = list(pieces)
    while pieces:
        start, end = pieces[0]
        while start < end and text[start] in leading:
            start += 1
        if start < end:
            pieces[0] = (start, end)
            break
        del pieces[0]
    while pieces:
        start, end = pieces[-1]
        while end > start and text[end - 1] in trailing:
            end -= 1
        if end > start:
            pieces[-1] = (start, end)
            break
        del pieces[-1]
    return tuple(pieces)


@dataclass(frozen=True, slots=True)
class _Span:
    """A span as the metrics see it.

    Attributes:
        norm: The normalised fragments (equality for exact match).
        tokens: Token indices of `norm` (overlap for partial and lenient match).
        words: Word token indices of the raw fragments (speaker agreement).
    """

    norm: Fragments
    tokens: frozenset[int]
    words: frozenset[int]

    @classmethod
    def build(cls, index: _TextIndex, fragments: Fragments) -> _Span:
        norm = _normalise(index.text, fragments)
        return cls(norm, index.tokens(norm), index.tokens(fragments, words_only=True))


def _lenient(a: _Span, b: _Span) -> bool:
    """True if `a` and `b` share at least half the tokens of the shorter one."""
    shared = len(a.tokens & b.tokens)
    return shared > 0 and 2 * shared >= min(len(a.tokens), len(b.tokens))


def _last_word(value: str | None) -> str | None:
    """The last word of `value`, lowercased, or None."""
    words = WORD_RE.findall(value or "")
    return words[-1].lower() if words else None


# --------------------------------------------------------------------------------------
# Predictions
# --------------------------------------------------------------------------------------
def read_predictions(path: Path | str) -> list[dict[str, Any]]:
    """Read a predictions JSONL file, one quotation record per line.

    Each line is checked for what scoring needs (a string ``doc_id``, integer content offsets
    or ``content_fragments``, cue and speaker offsets both set or both null, a string or
    null ``kind``); offsets are checked against the gold text later, by `score`.

    Raises:
        InputError: With the 1-based line number, for the first malformed line.
    """
    source = str(path)
    records: list[dict[str, Any]] = []
    try:
        with Path(path).open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):  # lines end at "\n" only, not at U+2028
                if line.strip():
                    records.append(_parse_line(line, source, number))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(source, f"cannot read predictions ({exc})") from exc
    return records


def _parse_line(line: str, source: str, number: int) -> dict[str, Any]:
    """Parse and check one JSONL line of predictions."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"invalid JSON ({exc.msg})", line=number) from exc
    try:
        _record_spans(record)
    except ValueError as exc:
        raise InputError(source, str(exc), line=number) from exc
    return record


def _record_spans(
    record: object, text_length: int | None = None
) -> tuple[Fragments, Fragments | None, Fragments | None]:
    """Check a prediction record and return its content, cue and speaker fragments.

    Raises:
        ValueError: Saying what is wrong, in words a user can act on.
    """
    if not isinstance(record, Mapping):
        raise ValueError("expected a JSON object")
    if not isinstance(record.get("doc_id"), str):
        raise ValueError(f"doc_id must be a string, got {record.get('doc_id')!r}")
    content = _fragments(record, "content", required=True, text_length=text_length)
    cue = _fragments(record, "cue", required=False, text_length=text_length)
    speaker = _fragments(record, "speaker", required=False, text_length=text_length)
    kind = record.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise ValueError(f"kind must be a string or null, got {kind!r}")
    assert content is not None  # required
    return content, cue, speaker


def _fragments(
    record: Mapping[str, Any], role: str, *, required: bool, text_length: int | None = None
) -> Fragments | None:
    """The fragments of one role ("content", "cue", "speaker") of a prediction record.

    ``<role>_fragments`` overrides ``<role>_start``/``<role>_end`` when present.

    Raises:
        ValueError: With a reason a user can act on.
    """
    listed = record.get(f"{role}_fragments")
    if listed is not None:
        if not isinstance(listed, list | tuple) or not listed:
            raise ValueError(f"{role}_fragments must be a non-empty list of [start, end]")
        if not all(isinstance(f, list | tuple) and len(f) == 2 and all(map(_is_int, f)) for f in listed):
            raise ValueError(f"{role}_fragments must hold [start, end] pairs of integers")
        fragments = tuple((f[0], f[1]) for f in listed)
    else:
        start, end = record.get(f"{role}_start"), record.get(f"{role}_end")
        if start is None and end is None:
            if required:
                raise ValueError(f"missing {role}_start/{role}_end")
            return None
        if start is None or end is None:
            raise ValueError(f"{role}_start and {role}_end must both be set or both null")
        if not (_is_int(start) and _is_int(end)):
            raise ValueError(f"{role}_start and {role}_end must be integers, got {start!r}, {end!r}")
        fragments = ((start, end),)
    for start, end in fragments:
        if not 0 <= start < end or (text_length is not None and end > text_length):
            limit = f" (length {text_length})" if text_length is not None else ""
            raise ValueError(f"{role} span [{start}, {end}) is empty or outside the document text{limit}")
    return fragments


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _as_record(item: Mapping[str, Any] | Quote) -> Mapping[str, Any]:
    """A prediction as a mapping: `Quote` objects through `Quote.to_dict`."""
    return item.to_dict() if isinstance(item, Quote) else item


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class PRF:
    """Precision, recall and F1, with the counts behind them.

    P is over predictions and R over gold items, so the true-positive counts differ
    (``tp_pred``, ``tp_gold``); for partial match they are sums of overlap fractions.
    P is None without predictions; R and F1 are None without gold items.
    """

    p: float | None
    r: float | None
    f1: float | None
    tp_pred: float
    n_pred: int
    tp_gold: float
    n_gold: int

    @classmethod
    def from_counts(cls, tp_pred: float, n_pred: int, tp_gold: float, n_gold: int) -> PRF:
        p = tp_pred / n_pred if n_pred else None
        r = tp_gold / n_gold if n_gold else None
        if r is None:
            f1 = None
        elif p is None or p + r == 0:
            f1 = 0.0
        else:
            f1 = 2 * p * r / (p + r)
        return cls(p=p, r=r, f1=f1, tp_pred=tp_pred, n_pred=n_pred, tp_gold=tp_gold, n_gold=n_gold)


@dataclass(frozen=True, slots=True, kw_only=True)
class Accuracy:
    """An accuracy, ``correct / n``; None when n is 0."""

    acc: float | None
    correct: int
    n: int

    @classmethod
    def from_counts(cls, correct: int, n: int) -> Accuracy:
        return cls(acc=correct / n if n else None, correct=correct, n=n)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scores:
    """Every metric for one breakdown ("all", "direct" or "indirect").

    The field names are the scorer's JSON keys under ``metrics.<breakdown>``.
    """

    content_exact: PRF
    content_partial: PRF
    content_lenient: PRF
    content_lenient_1to1: PRF
    cue_exact: PRF
    cue_partial: PRF
    cue_lenient: PRF
    source_exact: PRF
    source_partial: PRF
    source_lenient: PRF
    attribution_accuracy: Accuracy
    attribution_accuracy_gold_has_source: Accuracy
    content_source_e2e: PRF
    content_source_e2e_relaxed: PRF


@dataclass(frozen=True, slots=True, kw_only=True)
class Counts:
    """What was scored; the field names are the scorer's JSON keys under ``counts``.

    Attributes:
        gold_docs: Gold articles (with a text and an annotation file).
        gold_attributions: Gold attributions (E lines with content).
        gold_by_type: Gold attributions per content type.
        gold_with_source: Gold attributions with a Source span.
        gold_orphan_content_ignored: Content annotations not used by any E line.
        pred_lines: Prediction records given (non-blank lines of a JSONL file).
        pred_records_scored: Records scored: known document, not an exact duplicate.
        pred_docs_with_records: Gold articles with at least one scored record.
        unknown_doc_ids: Records per doc_id that is not a gold article (ignored).
        duplicates_dropped: Records identical to an earlier one (same doc, content, cue and
            speaker spans), dropped.
        pred_kind_distribution: Records per predicted `kind` (reported, not scored).
        text_mismatch_warnings: Records whose ``content_text``, ``text`` or ``speaker_mention``
            differs from the text at their offsets, per field.
    """

    gold_docs: int
    gold_attributions: int
    gold_by_type: dict[str, int]
    gold_with_source: int
    gold_orphan_content_ignored: int
    pred_lines: int
    pred_records_scored: int
    pred_docs_with_records: int
    unknown_doc_ids: dict[str, int]
    duplicates_dropped: int
    pred_kind_distribution: dict[str, int]
    text_mismatch_warnings: dict[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class EvalResult:
    """The scores of one set of predictions against one gold split.

    Attributes:
        metrics: `Scores` per breakdown: "all", "direct" and "indirect" (by gold type).
        counts: What was scored.
        warnings: Problems met in the gold annotations.
    """

    metrics: dict[str, Scores]
    counts: Counts
    warnings: tuple[str, ...] = ()

    @property
    def overall(self) -> Scores:
        """The scores over all quotations."""
        return self.metrics["all"]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form, laid out like the scorer's ``--json`` output."""
        return {
            "counts": asdict(self.counts),
            "warnings": list(self.warnings),
            "metrics": {name: asdict(scores) for name, scores in self.metrics.items()},
        }

    def flatten(self) -> dict[str, float | None]:
        """The headline numbers keyed by dotted path, e.g. ``"all.content_lenient.f1"``.

        Only rates are included (p, r, f1, acc), not the counts behind them.
        """
        return _flatten_metrics(self.to_dict()["metrics"])


def _flatten_metrics(metrics: Mapping[str, Any]) -> dict[str, float | None]:
    """Dotted paths to the rates of a ``{"all": {"content_exact": {"p": ...}}}`` mapping."""
    flat: dict[str, float | None] = {}
    for breakdown, scores in metrics.items():
        for name, values in scores.items():
            for key in ("p", "r", "f1", "acc"):
                if key in values:
                    flat[f"{breakdown}.{name}.{key}"] = values[key]
    return flat


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class _GoldItem:
    """A gold attribution ready for matching."""

    kind: str
    content: _Span
    cue: _Span | None
    source: _Span | None
    source_text: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class _PredItem:
    """A predicted record ready for matching; `kind` is the gold type it is scored under."""

    kind: str
    content: _Span
    cue: _Span | None
    speaker: _Span | None
    speaker_text: str | None


@dataclass(slots=True)
class _SpanTally:
    """Running sums for the span metrics of one role and breakdown."""

    n_pred: int = 0
    n_gold: int = 0
    exact_pred: int = 0
    exact_gold: int = 0
    partial_pred: float = 0.0
    partial_gold: float = 0.0
    lenient_pred: int = 0
    lenient_gold: int = 0
    one_to_one_pred: int = 0
    one_to_one_gold: int = 0


@dataclass(slots=True)
class _AttributionTally:
    """Running counts for attribution accuracy and end-to-end scores of one breakdown."""

    n_pred: int = 0
    matched_pred: int = 0
    ok_pred: int = 0
    ok_relaxed_pred: int = 0
    matched_pred_with_source: int = 0
    ok_pred_with_source: int = 0
    n_gold: int = 0
    ok_gold: int = 0
    ok_relaxed_gold: int = 0


@dataclass(frozen=True, slots=True)
class _Matches:
    """Per-span match results of one document: one list for predictions, one for gold."""

    exact: tuple[list[bool], list[bool]]
    partial: tuple[list[float], list[float]]
    lenient: tuple[list[bool], list[bool]]
    one_to_one: tuple[list[bool], list[bool]]


def score(
    gold_dir: Path | str | Mapping[str, GoldDocument],
    predictions: Iterable[Mapping[str, Any] | Quote],
) -> EvalResult:
    """Score predicted quotations against gold attributions.

    Args:
        gold_dir: A PolNeAR split folder, or the documents `load_gold` returned (to load once
            and score several prediction sets).
        predictions: `Quote` objects or their record mappings (as from `read_predictions`).
            Records of unknown documents are counted and ignored; exact duplicates are
            dropped and counted.

    Raises:
        InputError: For a record that cannot be scored (source ``<predictions>``, the
            1-based record number as the line).
    """
    gold_docs = _as_gold(gold_dir)
    indexes = {doc_id: _TextIndex.build(doc.text) for doc_id, doc in gold_docs.items()}
    golds = {
        doc_id: [_gold_item(indexes[doc_id], a) for a in doc.attributions]
        for doc_id, doc in gold_docs.items()
    }
    preds, intake = _intake(predictions, indexes, golds)
    span_tallies = {role: {b: _SpanTally() for b in BREAKDOWNS} for role in ("content", "cue", "source")}
    attribution = {b: _AttributionTally() for b in BREAKDOWNS}
    for doc_id in gold_docs:
        doc_golds, doc_preds = golds[doc_id], preds.get(doc_id, [])
        _tally_spans(
            span_tallies["content"],
            [(p.content, p.kind) for p in doc_preds],
            [(g.content, g.kind) for g in doc_golds],
            one_to_one=True,
        )
        _tally_spans(
            span_tallies["cue"],
            [(p.cue, p.kind) for p in doc_preds if p.cue],
            [(g.cue, g.kind) for g in doc_golds if g.cue],
        )
        _tally_spans(
            span_tallies["source"],
            [(p.speaker, p.kind) for p in doc_preds if p.speaker],
            [(g.source, g.kind) for g in doc_golds if g.source],
        )
        _tally_attribution(attribution, doc_preds, doc_golds)
    metrics = {b: _scores(span_tallies, attribution[b], b) for b in BREAKDOWNS}
    counts = _counts(gold_docs, golds, preds, intake)
    warnings = tuple(w for doc in gold_docs.values() for w in doc.warnings)
    return EvalResult(metrics=metrics, counts=counts, warnings=warnings)


def _gold_item(index: _TextIndex, attribution: GoldAttribution) -> _GoldItem:
    """Prepare one gold attribution for matching."""
    source = attribution.source
    return _GoldItem(
        kind=attribution.kind,
        content=_Span.build(index, attribution.content),
        cue=_Span.build(index, attribution.cue) if attribution.cue else None,
        source=_Span.build(index, source) if source else None,
        source_text=index.joined(source) if source else None,
    )


@dataclass(slots=True)
class _Intake:
    """What happened to the predicted records on the way in."""

    lines: int = 0
    duplicates: int = 0
    unknown: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    mismatches: Counter[str] = field(default_factory=Counter)


def _intake(
    predictions: Iterable[Mapping[str, Any] | Quote],
    indexes: Mapping[str, _TextIndex],
    golds: Mapping[str, list[_GoldItem]],
) -> tuple[dict[str, list[_PredItem]], _Intake]:
    """Validate, de-duplicate and prepare the predicted records, grouped by document."""
    intake = _Intake()
    preds: dict[str, list[_PredItem]] = defaultdict(list)
    seen: set[tuple[object, ...]] = set()
    for number, item in enumerate(predictions, 1):
        record = _as_record(item)
        intake.lines += 1
        doc_id = _known_doc_id(record, indexes, number)
        if doc_id is None:
            intake.unknown[str(record["doc_id"])] += 1
            continue
        index = indexes[doc_id]
        try:
            content, cue, speaker = _record_spans(record, len(index.text))
        except ValueError as exc:
            raise InputError(_PREDICTIONS_SOURCE, str(exc), line=number) from exc
        intake.kinds[str(record.get("kind"))] += 1
        key = (doc_id, tuple(sorted(content)), tuple(sorted(cue or ())), tuple(sorted(speaker or ())))
        if key in seen:
            intake.duplicates += 1
            continue
        seen.add(key)
        intake.mismatches.update(_text_mismatches(record, index, content, speaker))
        preds[doc_id].append(_pred_item(index, record, content, cue, speaker, golds[doc_id]))
    return dict(preds), intake


def _known_doc_id(record: Mapping[str, Any], indexes: Mapping[str, Any], number: int) -> str | None:
    """The gold document id of a record (``x.txt`` is read as ``x``), or None if unknown."""
    if not isinstance(record, Mapping):
        raise InputError(_PREDICTIONS_SOURCE, "expected a mapping or a Quote", line=number)
    doc_id = record.get("doc_id")
    if not isinstance(doc_id, str):
        raise InputError(_PREDICTIONS_SOURCE, f"doc_id must be a string, got {doc_id!r}", line=number)
    if doc_id.endswith(".txt") and doc_id[:-4] in indexes:
        doc_id = doc_id[:-4]
    return doc_id if doc_id in indexes else None


def _text_mismatches(
    record: Mapping[str, Any], index: _TextIndex, content: Fragments, speaker: Fragments | None
) -> list[str]:
    """The text fields of a record that disagree with the text at its offsets."""
    found = []
    content_text = record.get("content_text")
    if isinstance(content_text, str) and content_text.strip() != index.joined(sorted(content)).strip():
        found.append("content_text")
    text, start, end = record.get("text"), record.get("content_start"), record.get("content_end")
    if (
        isinstance(text, str)
        and _is_int(start)
        and _is_int(end)
        and text.strip() != index.text[start:end].strip()
    ):
        found.append("text")
    mention = record.get("speaker_mention")
    if speaker and isinstance(mention, str) and mention.strip() != index.joined(sorted(speaker)).strip():
        found.append("speaker_mention")
    return found


def _pred_item(
    index: _TextIndex,
    record: Mapping[str, Any],
    content: Fragments,
    cue: Fragments | None,
    speaker: Fragments | None,
    golds: list[_GoldItem],
) -> _PredItem:
    """Prepare one predicted record for matching, typed by the gold it overlaps most."""
    content_span = _Span.build(index, content)
    mention = record.get("speaker_mention")
    if isinstance(mention, str) and mention.strip():
        speaker_text = mention
    else:
        speaker_text = index.joined(sorted(speaker)) if speaker else None
    return _PredItem(
        kind=_pred_kind(index, content, content_span, golds),
        content=content_span,
        cue=_Span.build(index, cue) if cue else None,
        speaker=_Span.build(index, speaker) if speaker else None,
        speaker_text=speaker_text,
    )


def _pred_kind(index: _TextIndex, content: Fragments, span: _Span, golds: list[_GoldItem]) -> str:
    """The type of the gold content a prediction overlaps most (most shared tokens, then the
    larger share of that gold); the rule's type of its own span if it overlaps none."""
    best, kind = (0, 0.0), None
    for gold in golds:
        shared = len(span.tokens & gold.content.tokens)
        if shared and (shared, shared / len(gold.content.tokens)) > best:
            best, kind = (shared, shared / len(gold.content.tokens)), gold.kind
    return kind or _content_kind(index, content)


def _dedup(items: list[tuple[_Span, str]]) -> list[tuple[_Span, set[str]]]:
    """Count identical normalised spans once, remembering every type they occur with."""
    unique: dict[Fragments, tuple[_Span, set[str]]] = {}
    for span, kind in items:
        if span.norm in unique:
            unique[span.norm][1].add(kind)
        else:
            unique[span.norm] = (span, {kind})
    return list(unique.values())


def _tally_spans(
    tallies: dict[str, _SpanTally],
    preds: list[tuple[_Span, str]],
    golds: list[tuple[_Span, str]],
    *,
    one_to_one: bool = False,
) -> None:
    """Match one document's predicted and gold spans of one role and add up the results."""
    pred_items, gold_items = _dedup(preds), _dedup(golds)
    matches = _match(
        [span for span, _ in pred_items], [span for span, _ in gold_items], one_to_one=one_to_one
    )
    for i, (_, kinds) in enumerate(pred_items):
        for breakdown in ("all", *sorted(kinds)):
            tally = tallies[breakdown]
            tally.n_pred += 1
            tally.exact_pred += matches.exact[0][i]
            tally.partial_pred += matches.partial[0][i]
            tally.lenient_pred += matches.lenient[0][i]
            tally.one_to_one_pred += matches.one_to_one[0][i]
    for j, (_, kinds) in enumerate(gold_items):
        for breakdown in ("all", *sorted(kinds)):
            tally = tallies[breakdown]
            tally.n_gold += 1
            tally.exact_gold += matches.exact[1][j]
            tally.partial_gold += matches.partial[1][j]
            tally.lenient_gold += matches.lenient[1][j]
            tally.one_to_one_gold += matches.one_to_one[1][j]


def _match(preds: list[_Span], golds: list[_Span], *, one_to_one: bool) -> _Matches:
    """Exact, partial, lenient and (optionally) greedy one-to-one matches of two span lists."""
    exact = ([False] * len(preds), [False] * len(golds))
    partial = ([0.0] * len(preds), [0.0] * len(golds))
    lenient = ([False] * len(preds), [False] * len(golds))
    one = ([False] * len(preds), [False] * len(golds))
    candidates = []
    for i, pred in enumerate(preds):
        for j, gold in enumerate(golds):
            if pred.norm and pred.norm == gold.norm:
                exact[0][i] = exact[1][j] = True
            shared = len(pred.tokens & gold.tokens)
            if not shared:
                continue
            partial[0][i] = max(partial[0][i], shared / len(pred.tokens))
            partial[1][j] = max(partial[1][j], shared / len(gold.tokens))
            if 2 * shared >= min(len(pred.tokens), len(gold.tokens)):
                lenient[0][i] = lenient[1][j] = True
                candidates.append((-shared, i, j))
    if one_to_one:
        for _, i, j in sorted(candidates):  # largest overlap first
            if not one[0][i] and not one[1][j]:
                one[0][i] = one[1][j] = True
    return _Matches(exact=exact, partial=partial, lenient=lenient, one_to_one=one)


def _tally_attribution(
    tallies: dict[str, _AttributionTally], preds: list[_PredItem], golds: list[_GoldItem]
) -> None:
    """Add one document's attribution accuracy and end-to-end counts."""
    gold_ok = [False] * len(golds)
    gold_ok_relaxed = [False] * len(golds)
    for pred in preds:
        matched = [j for j, gold in enumerate(golds) if _lenient(pred.content, gold.content)]
        ok = [j for j in matched if _speaker_ok(pred, golds[j])]
        ok_relaxed = [j for j in matched if _speaker_ok(pred, golds[j], relaxed=True)]
        with_source = any(golds[j].source is not None for j in matched)
        for j in ok:
            gold_ok[j] = True
        for j in ok_relaxed:
            gold_ok_relaxed[j] = True
        for breakdown in ("all", pred.kind):
            tally = tallies[breakdown]
            tally.n_pred += 1
            tally.matched_pred += bool(matched)
            tally.ok_pred += bool(ok)
            tally.ok_relaxed_pred += bool(ok_relaxed)
            tally.matched_pred_with_source += with_source
            tally.ok_pred_with_source += with_source and bool(ok)
    for j, gold in enumerate(golds):
        for breakdown in ("all", gold.kind):
            tally = tallies[breakdown]
            tally.n_gold += 1
            tally.ok_gold += gold_ok[j]
            tally.ok_relaxed_gold += gold_ok_relaxed[j]


def _speaker_ok(pred: _PredItem, gold: _GoldItem, *, relaxed: bool = False) -> bool:
    """Whether a prediction names the gold speaker.

    With a gold Source, the predicted speaker must share a word with it (or, relaxed, end in
    the same non-pronoun word: "Donald Trump" for gold "Trump"); without one, the prediction
    must have no speaker either.
    """
    if gold.source is None:
        return pred.speaker is None
    if pred.speaker is not None and pred.speaker.words & gold.source.words:
        return True
    if not relaxed:
        return False
    last = _last_word(gold.source_text)
    return last is not None and last not in PRONOUNS and _last_word(pred.speaker_text) == last


def _scores(
    span_tallies: Mapping[str, Mapping[str, _SpanTally]], attribution: _AttributionTally, breakdown: str
) -> Scores:
    """Turn the tallies of one breakdown into rates."""
    content, cue, source = (span_tallies[role][breakdown] for role in ("content", "cue", "source"))
    return Scores(
        content_exact=PRF.from_counts(content.exact_pred, content.n_pred, content.exact_gold, content.n_gold),
        content_partial=PRF.from_counts(
            content.partial_pred, content.n_pred, content.partial_gold, content.n_gold
        ),
        content_lenient=PRF.from_counts(
            content.lenient_pred, content.n_pred, content.lenient_gold, content.n_gold
        ),
        content_lenient_1to1=PRF.from_counts(
            content.one_to_one_pred, content.n_pred, content.one_to_one_gold, content.n_gold
        ),
        cue_exact=PRF.from_counts(cue.exact_pred, cue.n_pred, cue.exact_gold, cue.n_gold),
        cue_partial=PRF.from_counts(cue.partial_pred, cue.n_pred, cue.partial_gold, cue.n_gold),
        cue_lenient=PRF.from_counts(cue.lenient_pred, cue.n_pred, cue.lenient_gold, cue.n_gold),
        source_exact=PRF.from_counts(source.exact_pred, source.n_pred, source.exact_gold, source.n_gold),
        source_partial=PRF.from_counts(
            source.partial_pred, source.n_pred, source.partial_gold, source.n_gold
        ),
        source_lenient=PRF.from_counts(
            source.lenient_pred, source.n_pred, source.lenient_gold, source.n_gold
        ),
        attribution_accuracy=Accuracy.from_counts(attribution.ok_pred, attribution.matched_pred),
        attribution_accuracy_gold_has_source=Accuracy.from_counts(
            attribution.ok_pred_with_source, attribution.matched_pred_with_source
        ),
        content_source_e2e=PRF.from_counts(
            attribution.ok_pred, attribution.n_pred, attribution.ok_gold, attribution.n_gold
        ),
        content_source_e2e_relaxed=PRF.from_counts(
            attribution.ok_relaxed_pred, attribution.n_pred, attribution.ok_relaxed_gold, attribution.n_gold
        ),
    )


def _counts(
    gold_docs: Mapping[str, GoldDocument],
    golds: Mapping[str, list[_GoldItem]],
    preds: Mapping[str, list[_PredItem]],
    intake: _Intake,
) -> Counts:
    """Summarise what was scored."""
    all_golds = [gold for items in golds.values() for gold in items]
    by_type = Counter(gold.kind for gold in all_golds)
    return Counts(
        gold_docs=len(gold_docs),
        gold_attributions=len(all_golds),
        gold_by_type={kind: by_type[kind] for kind in TYPES},
        gold_with_source=sum(1 for gold in all_golds if gold.source is not None),
        gold_orphan_content_ignored=sum(doc.orphan_contents for doc in gold_docs.values()),
        pred_lines=intake.lines,
        pred_records_scored=sum(len(items) for items in preds.values()),
        pred_docs_with_records=len(preds),
        unknown_doc_ids=dict(sorted(intake.unknown.items())),
        duplicates_dropped=intake.duplicates,
        pred_kind_distribution=dict(sorted(intake.kinds.items())),
        text_mismatch_warnings=dict(sorted(intake.mismatches.items())),
    )


# --------------------------------------------------------------------------------------
# Baseline gate
# --------------------------------------------------------------------------------------
def compare_to_baseline(
    result: EvalResult, baseline: Mapping[str, Any], *, tolerance: float = 0.005
) -> list[str]:
    """List the metrics that fell more than `tolerance` below a recorded baseline.

    Args:
        result: The scores to check.
        baseline: Either a saved `EvalResult.to_dict` (or report JSON) with a ``metrics`` key,
            or a flat mapping of dotted paths to values, e.g. ``{"all.content_lenient.f1": 0.71}``.
            Only the metrics it names are checked; null values are skipped.
        tolerance: How far below the baseline a value may fall (noise, not regression).

    Returns:
        One line per regression, ``"<path>: <value> < baseline <value>"``; empty if none.
        A baseline metric the result lacks (or has as null) counts as a regression.
    """
    expected = _flatten_metrics(baseline["metrics"]) if "metrics" in baseline else dict(baseline)
    current = result.flatten()
    drops = []
    for path, floor in expected.items():
        if not isinstance(floor, int | float) or isinstance(floor, bool):
            continue
        value = current.get(path)
        if value is None or value < floor - tolerance:
            shown = "missing" if value is None else f"{value:.4f}"
            drops.append(f"{path}: {shown} < baseline {floor:.4f} (tolerance {tolerance})")
    return drops


# --------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------
_ROLE_ROWS = {
    "content": ("exact", "partial", "lenient", "lenient_1to1"),
    "cue": ("exact", "partial", "lenient"),
    "source": ("exact", "partial", "lenient"),
}
_PLOT_BARS = (
    ("content exact", "content_exact"),
    ("content partial", "content_partial"),
    ("content lenient", "content_lenient"),
    ("content 1:1", "content_lenient_1to1"),
    ("cue exact", "cue_exact"),
    ("cue partial", "cue_partial"),
    ("cue lenient", "cue_lenient"),
    ("source exact", "source_exact"),
    ("source partial", "source_partial"),
    ("source lenient", "source_lenient"),
    ("content+source", "content_source_e2e"),
    ("c+s relaxed", "content_source_e2e_relaxed"),
)


def write_report(
    result: EvalResult,
    *,
    name: str,
    reports_dir: Path,
    meta: Mapping[str, object] | None = None,
) -> tuple[Path, Path]:
    """Write ``eval-<name>.md``, ``eval-<name>.json`` and ``eval-<name>.png`` to `reports_dir`.

    The markdown has one table per span role and the end-to-end scores (overall, direct and
    indirect), the counts, any `meta` (model, date, words/second, ...), and embeds the PNG,
    a bar chart of F1 per metric. The JSON holds the same numbers as `EvalResult.to_dict`
    plus ``name`` and ``meta``. Each file is written atomically.

    Returns:
        The paths of the markdown and JSON files.

    Raises:
        StoreError: If `name` is not a plain file-name stem or the folder cannot be written.
    """
    if not _REPORT_NAME_RE.match(name):
        raise StoreError(f"report name {name!r} must be letters, digits, '.', '_' or '-'")
    meta = dict(meta or {})
    reports_dir = Path(reports_dir)
    md_path = reports_dir / f"eval-{name}.md"
    json_path = reports_dir / f"eval-{name}.json"
    png_path = reports_dir / f"eval-{name}.png"
    payload = {"name": name, "meta": meta, **result.to_dict()}
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(png_path, _plot_png(result, title=f"quotes eval: {name}"))
        _write_atomic(json_path, (json.dumps(payload, indent=1, default=str) + "\n").encode("utf-8"))
        _write_atomic(md_path, _markdown(result, name=name, meta=meta, figure=png_path.name).encode("utf-8"))
    except OSError as exc:
        raise StoreError(f"cannot write the report to {reports_dir}: {exc}") from exc
    return md_path, json_path


def _write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place, so readers
    never see a half-written report."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _markdown(result: EvalResult, *, name: str, meta: Mapping[str, object], figure: str) -> str:
    """The markdown report."""
    lines = [f"# Evaluation: {name}", ""]
    if meta:
        lines += ["| run | |", "|---|---|"]
        lines += [f"| {key} | {value} |" for key, value in meta.items()]
        lines.append("")
    lines += [f"![F1 per metric, overall and by gold type]({figure})", ""]
    lines += [
        "Direct and indirect are the gold content types (quoted-region rule); "
        "P is over predictions, R over gold items.",
        "",
    ]
    for role, variants in _ROLE_ROWS.items():
        lines += [f"## {role.capitalize()}", ""]
        lines += _prf_table(
            [(variant.replace("_1to1", " 1:1"), f"{role}_{variant}") for variant in variants], result
        )
    lines += ["## End to end", ""]
    lines += _prf_table(
        [("content+source", "content_source_e2e"), ("content+source relaxed", "content_source_e2e_relaxed")],
        result,
    )
    lines += _accuracy_table(result)
    lines += ["## Counts", ""] + _counts_table(result.counts)
    return "\n".join(lines) + "\n"


def _prf_table(rows: list[tuple[str, str]], result: EvalResult) -> list[str]:
    """A markdown table of P/R/F1 per breakdown, one row per metric."""
    header = "| metric | " + " | ".join(f"{b} P | {b} R | {b} F1" for b in BREAKDOWNS) + " |"
    lines = [header, "|---" + "|---:" * 3 * len(BREAKDOWNS) + "|"]
    for label, key in rows:
        cells = []
        for breakdown in BREAKDOWNS:
            prf: PRF = getattr(result.metrics[breakdown], key)
            cells += [_fmt(prf.p), _fmt(prf.r), _fmt(prf.f1)]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _accuracy_table(result: EvalResult) -> list[str]:
    """A markdown table of attribution accuracy per breakdown."""
    lines = [
        "| attribution accuracy | " + " | ".join(f"{b} acc | {b} n" for b in BREAKDOWNS) + " |",
        "|---" + "|---:" * 2 * len(BREAKDOWNS) + "|",
    ]
    for label, key in (
        ("all matched", "attribution_accuracy"),
        ("gold has source", "attribution_accuracy_gold_has_source"),
    ):
        cells = []
        for breakdown in BREAKDOWNS:
            accuracy: Accuracy = getattr(result.metrics[breakdown], key)
            cells += [_fmt(accuracy.acc), str(accuracy.n)]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _counts_table(counts: Counts) -> list[str]:
    """A markdown table of the counts; mappings are shown inline."""
    lines = ["| count | value |", "|---|---:|"]
    for item in fields(counts):
        value = getattr(counts, item.name)
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "–"
        lines.append(f"| {item.name} | {value} |")
    return [*lines, ""]


def _plot_png(result: EvalResult, *, title: str) -> bytes:
    """Grouped bars of F1 per metric, overall vs direct vs indirect, as PNG bytes.

    matplotlib is imported here, and drawn through the Agg canvas without pyplot, so that
    importing this module stays cheap and no global backend state is touched.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 4.5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    width = 0.27
    for offset, breakdown in enumerate(BREAKDOWNS):
        values = [getattr(result.metrics[breakdown], key).f1 for _, key in _PLOT_BARS]
        positions = [i + (offset - 1) * width for i in range(len(_PLOT_BARS))]
        axes.bar(positions, [v if v is not None else 0.0 for v in values], width, label=breakdown)
    axes.set_xticks(range(len(_PLOT_BARS)), [label for label, _ in _PLOT_BARS], rotation=30, ha="right")
    axes.set_ylim(0, 1.05)
    axes.set_ylabel("F1")
    axes.set_title(title)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="upper right", ncols=3, fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()
