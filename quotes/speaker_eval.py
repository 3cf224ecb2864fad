"""Measure speaker linking: B-cubed over a hand-annotated gold set, and attribution accuracy.

This is the engine behind ``quotes eval-speakers``. Two measures:

**Linking (B-cubed).** A gold file (``data/gold/speakers/<corpus>.tsv``) lists quotes of a
corpus, each with the canonical speaker it belongs to; one label means one speaker across
every article of the file. Rows are tab-separated, with a header::

    doc_id  start  end  speaker  text

``start``/``end`` is the quote's content span (character offsets into the article);
``speaker`` the gold label (``-`` marks a span that is no attribution: left out);
``text`` the first words of the quote, for the annotator only. Each gold quote is matched
to at most one predicted quote of its article whose content shares at least half the
tokens of the shorter of the two (the lenient match of `quotes.evaluate`), largest
overlap first. Over the matched quotes, B-cubed (Bagga & Baldwin 1998) compares the
clustering by predicted ``speaker_id`` with the gold clustering: for each quote, precision
is the share of the quotes in its predicted cluster that are in its gold cluster, recall
the share of its gold cluster that is in its predicted cluster; both are averaged over
quotes. A quote without a predicted speaker is a cluster of its own. Gold quotes without
a matching prediction are counted (``unmatched``), not scored.

**Attribution accuracy (PolNeAR).** Over the predictions whose content matches a gold
attribution leniently (the gold with the largest overlap), among those whose gold has a
Source span:

- ``span``: the predicted speaker mention shares a word with the gold Source span;
- ``relaxed``: ``span``, or the gold Source is a pronoun ("he", "they") and the predicted
  speaker's resolved name fits the pronoun's *referent*;
- ``resolved``: the resolved name fits the referent of any gold Source (named or not).

The *referent* of a gold Source is the last run of capitalised words in it ("Republican
nominee Jane Doe" → "Jane Doe"; a leading "The" and a possessive "'s" left out); for a
Source without one (a pronoun, "the senator"), the referent of the nearest gold Source
that ends before it and has one. A resolved name *fits* a referent when the core words of
one (`quotes.names.name_core`: honorifics, titles, particles and case aside) appear in the
other in order ("Jane Doe" fits "Doe" and "Sen. Jane Doe").
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from quotes.errors import InputError
from quotes.evaluate import PRONOUNS, GoldDocument, _lenient, _Span, _TextIndex, load_gold
from quotes.model import Quote
from quotes.names import core_fits, name_core, word_set

__all__ = [
    "AttributionScore",
    "BCubed",
    "GoldQuote",
    "LinkingScore",
    "bcubed",
    "evaluate_speakers",
    "fits",
    "gold_referents",
    "load_speaker_gold",
    "predict_corpora",
    "read_prediction_records",
    "score_attribution",
    "score_linking",
    "write_speaker_report",
]

_FIELDS = ("doc_id", "start", "end", "speaker", "text")
_NO_ATTRIBUTION = "-"


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldQuote:
    """One annotated quote: its article, content span and gold speaker label."""

    doc_id: str
    start: int
    end: int
    speaker: str
    text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BCubed:
    """B-cubed precision, recall and F1 over `n` quotes (None when n is 0)."""

    p: float | None
    r: float | None
    f1: float | None
    n: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkingScore:
    """B-cubed of one corpus, and how many gold quotes could be scored."""

    corpus: str
    bcubed: BCubed
    gold: int
    matched: int
    unmatched: int
    gold_speakers: int
    predicted_speakers: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AttributionScore:
    """Attribution accuracy on gold with a Source, overall and for pronoun Sources.

    Attributes:
        matched: Predictions whose content matches a gold attribution.
        with_source: Of those, the ones whose gold has a Source span (the denominator).
        span, relaxed, resolved: Accuracies (see the module docstring).
        pronoun_sources: Matched predictions whose gold Source is a pronoun.
        pronoun_span, pronoun_resolved: The span and resolved accuracies on those.
    """

    matched: int
    with_source: int
    span: float | None
    relaxed: float | None
    resolved: float | None
    pronoun_sources: int
    pronoun_span: float | None
    pronoun_resolved: float | None


# ---------------------------------------------------------------------------- B-cubed


def bcubed(gold: Mapping[Any, str], predicted: Mapping[Any, str | None]) -> BCubed:
    """B-cubed precision, recall and F1 of a predicted clustering against a gold one.

    Both map the same items to cluster labels; an item whose predicted label is None is a
    cluster of its own.

    Examples:
        >>> bcubed({1: "a", 2: "a", 3: "b"}, {1: "x", 2: "x", 3: "y"}).f1
        1.0
        >>> round(bcubed({1: "a", 2: "a"}, {1: "x", 2: "y"}).r, 3)
        0.5

    Raises:
        ValueError: If the two do not cover the same items.
    """
    if set(gold) != set(predicted):
        raise ValueError("gold and predicted clusterings must cover the same items")
    if not gold:
        return BCubed(p=None, r=None, f1=None, n=0)
    pred_clusters: dict[Any, set[Any]] = defaultdict(set)
    gold_clusters: dict[str, set[Any]] = defaultdict(set)
    for item, label in predicted.items():
        pred_clusters[("pred", label) if label is not None else ("alone", item)].add(item)
    for item, label in gold.items():
        gold_clusters[label].add(item)
    pred_of = {item: cluster for cluster in pred_clusters.values() for item in cluster}
    p = r = 0.0
    for item in gold:
        mine, truth = pred_of[item], gold_clusters[gold[item]]
        shared = len(mine & truth)
        p += shared / len(mine)
        r += shared / len(truth)
    p, r = p / len(gold), r / len(gold)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return BCubed(p=p, r=r, f1=f1, n=len(gold))


# ---------------------------------------------------------------------------- gold and predictions


def load_speaker_gold(path: str | Path) -> list[GoldQuote]:
    """Read a speaker gold file (TSV with the header ``doc_id start end speaker text``).

    Raises:
        InputError: For a missing header or a malformed row (with its line number).
    """
    source = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(source, f"cannot read the gold file ({exc})") from exc
    rows = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and not line.startswith("#")]
    if not rows or tuple(rows[0][1].split("\t")[: len(_FIELDS)]) != _FIELDS:
        raise InputError(source, f"the first row must be the header {' '.join(_FIELDS)} (tab-separated)")
    out = []
    for number, line in rows[1:]:
        parts = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        if len(parts) < 4:
            raise InputError(source, "expected doc_id, start, end, speaker and text", line=number)
        doc_id, start, end, speaker = (p.strip() for p in parts[:4])
        if not (start.isdigit() and end.isdigit()) or int(start) >= int(end):
            raise InputError(
                source, f"start and end must be offsets with start < end, got {start!r}, {end!r}", line=number
            )
        if not speaker:
            raise InputError(
                source, "the speaker label is empty (use - for a span that is no attribution)", line=number
            )
        out.append(
            GoldQuote(
                doc_id=doc_id,
                start=int(start),
                end=int(end),
                speaker=speaker,
                text=parts[4] if len(parts) > 4 else "",
            )
        )
    return out


def read_prediction_records(path: str | Path) -> list[dict[str, Any]]:
    """Read quote records (JSONL, optionally gzip-compressed ``.jsonl.gz``).

    Raises:
        InputError: If the file cannot be read or a line is not a JSON object.
    """
    source = str(path)
    opener = gzip.open if source.endswith(".gz") else open
    records = []
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(source, f"invalid JSON ({exc.msg})", line=number) from exc
                if not isinstance(record, dict) or not isinstance(record.get("doc_id"), str):
                    raise InputError(source, "expected a quote record with a doc_id", line=number)
                records.append(record)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise InputError(source, f"cannot read predictions ({exc})") from exc
    return records


def _record(item: Mapping[str, Any] | Quote) -> Mapping[str, Any]:
    return item.to_dict() if isinstance(item, Quote) else item


def _content(record: Mapping[str, Any]) -> tuple[tuple[int, int], ...]:
    fragments = record.get("content_fragments")
    if fragments:
        return tuple((int(s), int(e)) for s, e in fragments)
    return ((int(record["content_start"]), int(record["content_end"])),)


def _speaker_span(record: Mapping[str, Any]) -> tuple[tuple[int, int], ...] | None:
    start, end = record.get("speaker_start"), record.get("speaker_end")
    return ((int(start), int(end)),) if start is not None and end is not None and start < end else None


# ---------------------------------------------------------------------------- linking


def score_linking(
    corpus: str,
    gold: Sequence[GoldQuote],
    predictions: Iterable[Mapping[str, Any] | Quote],
    texts: Mapping[str, str],
) -> LinkingScore:
    """B-cubed of the predicted speakers of the gold quotes of one corpus (module docstring).

    Args:
        corpus: A name for the report.
        gold: The annotated quotes (rows labelled ``-`` are left out).
        predictions: Quote records of the same corpus, linked across it.
        texts: The article texts by doc_id (for tokens).

    Raises:
        InputError: If a gold quote's article has no text.
    """
    wanted = [g for g in gold if g.speaker != _NO_ATTRIBUTION]
    by_doc: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for item in predictions:
        record = _record(item)
        by_doc[str(record["doc_id"])].append(record)
    gold_labels: dict[int, str] = {}
    pred_labels: dict[int, str | None] = {}
    golds_by_doc: dict[str, list[int]] = defaultdict(list)
    for k, item in enumerate(wanted):
        golds_by_doc[item.doc_id].append(k)
    for doc_id, indices in golds_by_doc.items():
        if doc_id not in texts:
            raise InputError(doc_id, "a gold quote's article has no text; give the corpus folder")
        index = _TextIndex.build(texts[doc_id])
        preds = [(r, _Span.build(index, _content(r))) for r in by_doc.get(doc_id, [])]
        pairs = []
        for k in indices:
            span = _Span.build(index, ((wanted[k].start, wanted[k].end),))
            for j, (_, pred_span) in enumerate(preds):
                if _lenient(span, pred_span):
                    pairs.append((-len(span.tokens & pred_span.tokens), k, j))
        used_gold: set[int] = set()
        used_pred: set[int] = set()
        for _, k, j in sorted(pairs):
            if k in used_gold or j in used_pred:
                continue
            used_gold.add(k)
            used_pred.add(j)
            gold_labels[k] = wanted[k].speaker
            pred_labels[k] = preds[j][0].get("speaker_id")
    score = bcubed(gold_labels, pred_labels)
    return LinkingScore(
        corpus=corpus,
        bcubed=score,
        gold=len(wanted),
        matched=len(gold_labels),
        unmatched=len(wanted) - len(gold_labels),
        gold_speakers=len(set(gold_labels.values())),
        predicted_speakers=len({v for v in pred_labels.values() if v is not None})
        + sum(v is None for v in pred_labels.values()),
    )


# ---------------------------------------------------------------------------- attribution


def fits(name: str | None, referent: str | None) -> bool:
    """Whether a resolved speaker name and a gold referent name the same person (module docstring).

    Examples:
        >>> fits("Jane Doe", "Doe"), fits("Sen. Jane Doe", "Jane Doe"), fits("John Doe", "Jane Doe")
        (True, True, False)
    """
    if not name or not referent:
        return False
    a, b = name_core(name), name_core(referent)
    if not a or not b:
        return False
    return core_fits(a, b) if len(a) <= len(b) else core_fits(b, a)


_CAPITALISED = re.compile(r"[^\W\d_][\w’'.-]*")


def _proper_name(text: str) -> str | None:
    """The last run of capitalised words of a gold Source ("Republican nominee Jane Doe" → "Jane Doe")."""
    particles = word_set("name_particles.txt")
    text = re.sub(r"\([^)]*\)", " ", text)  # "Jane Doe (D-Ohio)"
    runs: list[list[str]] = []
    current: list[str] = []
    previous_end = -1
    for match in _CAPITALISED.finditer(text):
        word = match.group()
        adjacent = previous_end >= 0 and text[previous_end : match.start()] in (" ", "-")
        if word[0].isupper() or (current and word.lower() in particles):
            if current and not adjacent:
                runs.append(current)
                current = []
            current.append(word)
        elif current:
            runs.append(current)
            current = []
        previous_end = match.end()
    if current:
        runs.append(current)
    for run in reversed(runs):
        while run and run[-1].lower() in particles:
            run.pop()
        while run and run[0].lower() in ("the", "a", "an", *PRONOUNS):
            run.pop(0)
        if run:
            return re.sub(r"['’]s?$", "", " ".join(run))
    return None


def gold_referents(doc: GoldDocument) -> dict[str, str | None]:
    """The referent of the Source of each gold attribution (by attribution id); see the module docstring."""
    sources = sorted(
        (
            (a.source[0][0], a.source[-1][1], a.id, " ".join(doc.text[s:e] for s, e in a.source))
            for a in doc.attributions
            if a.source
        ),
    )
    out: dict[str, str | None] = {}
    named: list[tuple[int, str]] = []  # (end, name) of sources with a proper name, in order
    for start, end, ident, text in sources:
        own = _proper_name(text)
        if own:
            out[ident] = own
            named.append((end, own))
        else:
            before = [name for stop, name in named if stop <= start]
            out[ident] = before[-1] if before else None
    return out


def score_attribution(
    gold: Path | str | Mapping[str, GoldDocument], predictions: Iterable[Mapping[str, Any] | Quote]
) -> AttributionScore:
    """Attribution accuracy of predictions against PolNeAR-style gold (module docstring)."""
    documents = load_gold(gold) if isinstance(gold, str | Path) else gold
    by_doc: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for item in predictions:
        record = _record(item)
        by_doc[str(record["doc_id"])].append(record)
    matched = with_source = span_ok = relaxed_ok = resolved_ok = 0
    pronouns = pronoun_span = pronoun_resolved = 0
    for doc_id, doc in documents.items():
        index = _TextIndex.build(doc.text)
        referents = gold_referents(doc)
        golds = [(a, _Span.build(index, a.content)) for a in doc.attributions]
        for record in by_doc.get(doc_id, []):
            content = _Span.build(index, _content(record))
            overlaps = [
                (len(content.tokens & span.tokens), k)
                for k, (_, span) in enumerate(golds)
                if _lenient(content, span)
            ]
            if not overlaps:
                continue
            matched += 1
            attribution = golds[max(overlaps, key=lambda pair: (pair[0], -pair[1]))[1]][0]
            if attribution.source is None:
                continue
            with_source += 1
            source = _Span.build(index, attribution.source)
            speaker = _speaker_span(record)
            on_span = bool(speaker) and bool(_Span.build(index, speaker).words & source.words)
            resolved = fits(record.get("speaker_name"), referents.get(attribution.id))
            source_text = " ".join(doc.text[s:e] for s, e in attribution.source).strip().lower()
            pronoun = source_text in PRONOUNS
            span_ok += on_span
            resolved_ok += resolved or on_span
            relaxed_ok += on_span or (pronoun and resolved)
            if pronoun:
                pronouns += 1
                pronoun_span += on_span
                pronoun_resolved += resolved
    return AttributionScore(
        matched=matched,
        with_source=with_source,
        span=_rate(span_ok, with_source),
        relaxed=_rate(relaxed_ok, with_source),
        resolved=_rate(resolved_ok, with_source),
        pronoun_sources=pronouns,
        pronoun_span=_rate(pronoun_span, pronouns),
        pronoun_resolved=_rate(pronoun_resolved, pronouns),
    )


def _rate(count: int, total: int) -> float | None:
    return count / total if total else None


# ---------------------------------------------------------------------------- report


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def write_speaker_report(
    results: Mapping[str, Mapping[str, Any]],
    *,
    name: str = "speakers",
    reports_dir: str | Path = "reports",
    meta: Mapping[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Write ``NAME.md`` and ``NAME.json`` with the scores of one or more runs ("before", "after").

    Args:
        results: Per run name, ``{"linking": [LinkingScore...], "attribution": AttributionScore | None}``.
        name: The report's file name stem.
        reports_dir: The folder.
        meta: What was run (commands, commits), shown at the top.
    """
    from quotes.store import atomic_write

    folder = Path(reports_dir)
    folder.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"meta": dict(meta or {}), "runs": {}}
    for run, result in results.items():
        data["runs"][run] = {
            "linking": [asdict(s) for s in result["linking"]],
            "attribution": asdict(result["attribution"]) if result.get("attribution") else None,
        }
    runs = list(results)
    lines = [f"# Speaker linking and attribution: {', '.join(runs)}", ""]
    for key, value in (meta or {}).items():
        lines.append(f"- {key}: {value}")
    lines += ["", "## Linking: B-cubed over the hand-annotated gold quotes", ""]
    lines.append(
        "| corpus | run | P | R | F1 | quotes scored | gold quotes unmatched "
        "| gold speakers | predicted speakers |"
    )
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        for s in results[run]["linking"]:
            b = s.bcubed
            lines.append(
                f"| {s.corpus} | {run} | {_fmt(b.p)} | {_fmt(b.r)} | {_fmt(b.f1)} | {s.matched} "
                f"| {s.unmatched} | {s.gold_speakers} | {s.predicted_speakers} |"
            )
    attributions = [(run, results[run].get("attribution")) for run in runs if results[run].get("attribution")]
    if attributions:
        lines += ["", "## Attribution accuracy on PolNeAR dev", ""]
        lines.append(
            "| run | matched predictions | with gold source | span | relaxed | resolved | pronoun sources "
            "| pronoun: span | pronoun: resolved |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for run, a in attributions:
            lines.append(
                f"| {run} | {a.matched} | {a.with_source} | {_fmt(a.span)} | {_fmt(a.relaxed)} "
                f"| {_fmt(a.resolved)} | {a.pronoun_sources} | {_fmt(a.pronoun_span)} "
                f"| {_fmt(a.pronoun_resolved)} |"
            )
    lines += ["", "## Definitions", "", *_DEFINITIONS.strip().splitlines(), ""]
    md, js = folder / f"{name}.md", folder / f"{name}.json"
    atomic_write(md, lambda p: p.write_text("\n".join(lines), encoding="utf-8"))
    atomic_write(js, lambda p: p.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8"))
    return md, js


_DEFINITIONS = """
- B-cubed: each gold quote (``data/gold/speakers/<corpus>.tsv``) is matched to the predicted quote
  of its article whose content overlaps it leniently (half the tokens of the shorter span), largest
  overlap first, one to one. Over matched quotes, precision is the share of a quote's predicted
  cluster (same `speaker_id`) in its gold cluster, recall the share of its gold cluster in its
  predicted cluster, averaged over quotes (Bagga & Baldwin 1998); a quote without a predicted
  speaker is a cluster of its own. Unmatched gold quotes are counted, not scored.
- Attribution accuracy: over predictions whose content matches a PolNeAR dev gold attribution
  leniently (the largest overlap), among those whose gold has a Source: *span* = the predicted
  speaker mention shares a word with the gold Source; *relaxed* = span, or the gold Source is a
  pronoun and the resolved speaker name fits the pronoun's referent; *resolved* = span, or the
  resolved name fits the referent of any gold Source.
- Referent of a gold Source: its last run of capitalised words (a leading "The" and a possessive
  left out); for a Source without one (a pronoun, "the senator"), that of the nearest gold Source
  ending before it that has one. A name *fits* a referent when the core words of one (honorifics,
  titles, particles and case aside) appear in the other, in order.
"""


# ---------------------------------------------------------------------------- the whole evaluation


def predict_corpora(
    folders: Sequence[str | Path], *, parser: Any, registry: Any = None
) -> list[dict[str, Any]]:
    """Run the pipeline over each folder as its own corpus (linked across its articles).

    Returns the quote records of every folder, speakers linked within each folder.
    """
    from quotes import ingest
    from quotes.link import link_corpus
    from quotes.model import ArticleError
    from quotes.pipeline import process

    records: list[dict[str, Any]] = []
    for folder in folders:
        articles = list(ingest.read_articles([folder]))
        quotes, speakers = [], []
        for result in process(articles, parser):
            if isinstance(result, ArticleError):
                continue
            quotes.extend(result.quotes)
            speakers.extend(result.speakers)
        linked, _ = link_corpus(quotes, speakers, registry=registry)
        records.extend(q.to_dict() for q in linked)
    return records


def evaluate_speakers(
    predictions: Sequence[Mapping[str, Any]],
    *,
    gold_dir: str | Path,
    texts: Mapping[str, str],
    polnear: str | Path | None,
) -> dict[str, Any]:
    """Score predictions on every gold file of `gold_dir` and, if given, on PolNeAR gold.

    Returns ``{"linking": [LinkingScore, ...], "attribution": AttributionScore | None}``;
    a gold file whose articles are not in `texts` is left out.
    """
    linking = []
    for path in sorted(Path(gold_dir).glob("*.tsv")):
        gold = load_speaker_gold(path)
        if all(g.doc_id in texts for g in gold):
            linking.append(score_linking(path.stem, gold, predictions, texts))
    attribution = score_attribution(polnear, predictions) if polnear else None
    return {"linking": linking, "attribution": attribution}
