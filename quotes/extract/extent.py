"""A learned decision on where a reported statement ends.

The rules take a statement's content from the parse: the reporting verb's clausal complement,
its object, the clause it hangs on. When the parser attaches the end of the statement to the
reporting verb instead ("She said the plan was sound, but that it came too late" read as two
complements of "said"; "called for a ban on imports from the region" with "from the region"
on "called"), the content stops short. When the parser is right, what follows the content is
the reporter's narration ("…, he said in a statement on Monday") and must stay out.

Which is which depends on the words at the seam (a comma, "but", "in", "who"), on the
relation the parser gave the next phrase and on the kind of statement, which a classifier
over those features can weigh. The rest of the sentence after the content is cut into
phrases (the largest subtree that starts right after the content, then the next one, …);
the model decides, phrase by phrase, whether the statement takes it in, and stops at the
first it refuses.

It is a logistic regression like the cue model (`quotes.extract.cuemodel`), trained on a
PolNeAR-layout split from the contents the rules find there, stored as readable JSON in
``resources/extent_model.json``. Train it again with

    quotes models train-extent ../shared/data/polnear/train --parses out/polnear-train.spacy

Set ``QUOTES_EXTENT_MODEL`` to another file, or to an empty string to turn it off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from quotes.extract.cuemodel import CueModel, fit, folds_of, read_model
from quotes.extract.lexicon import RESOURCES, reporting_verbs
from quotes.extract.syntax import Attribution

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from quotes.evaluate import GoldDocument

__all__ = ["Phrase", "extend_contents", "extent_model", "phrases_after", "train_extent_model"]

MODEL_FILE = RESOURCES / "extent_model.json"
MAX_PHRASES = 4
"""How many phrases after the content the model looks at."""

_SEPARATORS = {",": "comma", ";": "semicolon", "--": "dash", "—": "dash", "–": "dash", "-": "dash"}
_FINAL = frozenset({".", "?", "!"})


@dataclass(frozen=True, slots=True)
class Phrase:
    """A run of tokens after a content: `start`..`end` (token indexes, inclusive), its head
    token, and the punctuation between it and what comes before ("comma", "dash", …, or "")."""

    start: int
    end: int
    head: int
    separator: str


def phrases_after(doc: Doc, attribution: Attribution) -> list[Phrase]:
    """The phrases that follow the content of an attribution in its sentence, in order.

    Only for a reported (not direct) content that lies after its cue, in the cue's sentence:
    the others end at a quotation mark or at the cue, which the rules already place.
    """
    if attribution.kind == "direct" or attribution.cue_token is None or not attribution.content:
        return []
    if _whole_quotation(doc.text, attribution):
        return []  # "reported “good progress” after a meeting": the quotation is the statement
    cue = doc[attribution.cue_token]
    span = doc.char_span(attribution.content[-1][0], attribution.content[-1][1], alignment_mode="expand")
    if span is None or span.start <= cue.i or span.sent.start != cue.sent.start:
        return []
    sent_end = cue.sent.end
    taken = {t.i for s, e in attribution.content for t in doc.char_span(s, e, alignment_mode="expand") or []}
    taken.add(cue.i)
    out: list[Phrase] = []
    i = span.end
    while len(out) < MAX_PHRASES:
        separator = ""
        while i < sent_end and (doc[i].is_space or doc[i].text in _SEPARATORS):
            separator = separator or _SEPARATORS.get(doc[i].text, "")
            i += 1
        if i >= sent_end or doc[i].text in _FINAL or doc[i].is_quote:
            break
        head = doc[i]
        while (
            head.head.i != head.i
            and head.head.i not in taken
            and head.head.left_edge.i >= i - (1 if separator else 0)
            and head.head.right_edge.i < sent_end
        ):
            head = head.head
        end = max(head.right_edge.i, i)
        while end > i and (doc[end].is_space or doc[end].text in _FINAL or doc[end].text in _SEPARATORS):
            end -= 1
        out.append(Phrase(start=i, end=end, head=head.i, separator=separator))
        i = end + 1
    return out


_OPENING = frozenset('"“‘«')
_CLOSING = frozenset('"”’»')


def _whole_quotation(text: str, attribution: Attribution) -> bool:
    """Whether a content is one quotation, marks included: it ends at its closing mark."""
    content = text[attribution.content[0][0] : attribution.content[-1][1]].strip()
    return len(content) > 1 and content[0] in _OPENING and content[-1] in _CLOSING


def features(doc: Doc, attribution: Attribution, phrase: Phrase, index: int) -> list[str]:
    """Sparse features of one phrase after a content."""
    cue = doc[attribution.cue_token] if attribution.cue_token is not None else None
    head = doc[phrase.head]
    first = doc[phrase.start]
    tokens = doc[phrase.start : phrase.end + 1]
    content_last = doc.char_span(*attribution.content[-1], alignment_mode="expand")
    if cue is not None and head.head.i == cue.i:
        attached = "cue"
    elif content_last is not None and content_last.start <= head.head.i < content_last.end:
        attached = "content"
    else:
        attached = "other"
    first_word = (
        first.lower_ if first.is_stop or first.is_punct or first.pos_ in ("ADP", "SCONJ", "CCONJ") else ""
    )
    size = len([t for t in tokens if not t.is_punct and not t.is_space])
    out = [
        f"dep={head.dep_}",
        f"pos={head.pos_}",
        f"tag={head.tag_}",
        f"sep={phrase.separator}",
        f"attached={attached}",
        f"dep_attached={head.dep_}|{attached}",
        f"sep_dep={phrase.separator}|{head.dep_}",
        f"first={first_word or first.pos_}",
        f"first_sep={first_word or first.pos_}|{phrase.separator}",
        f"first_attached={first_word or first.pos_}|{attached}",
        f"rule={attribution.rule}",
        f"rule_dep={attribution.rule}|{head.dep_}",
        f"index={min(index, 2)}",
        f"size={_bucket(size)}",
        f"last={phrase.end + 1 >= head.sent.end or doc[phrase.end + 1].text in _FINAL}",
    ]
    if cue is not None:
        out.append(f"cue={cue.lemma_.lower()}")
    if any(t.dep_.startswith("nsubj") and phrase.start <= t.head.i <= phrase.end for t in tokens):
        out.append("has_subject")
    if any(t.is_quote for t in tokens):
        out.append("has_quote")
    lexicon = reporting_verbs()
    if any(t.pos_ == "VERB" and t.lemma_.lower() in lexicon for t in tokens):
        out.append("has_reporting_verb")
    return out


def _bucket(n: int) -> str:
    return "1" if n <= 1 else "2-3" if n <= 3 else "4-7" if n <= 7 else "8+"


@cache
def extent_model() -> CueModel | None:
    """The shipped model (or ``QUOTES_EXTENT_MODEL``); None when absent or turned off."""
    return read_model(MODEL_FILE, env="QUOTES_EXTENT_MODEL")


def extend_contents(
    doc: Doc,
    found: Sequence[Attribution],
    model: CueModel | None = None,
    *,
    stops: Sequence[Attribution] = (),
) -> None:
    """Let each content take in the phrases after it that the model says continue it.

    A phrase holding another attribution's cue (one of `found` or of `stops`) is never
    taken: that is a statement of its own.
    """
    model = model if model is not None else extent_model()
    if model is None:
        return
    cues = {a.cue_token for a in [*found, *stops] if a.cue_token is not None}
    for attribution in found:
        end = None
        for index, phrase in enumerate(phrases_after(doc, attribution)):
            if any(phrase.start <= c <= phrase.end for c in cues):
                break
            if model.probability_of(features(doc, attribution, phrase, index)) < model.threshold:
                break
            end = phrase.end
        if end is not None:
            last = doc[end]
            start = attribution.content[-1][0]
            attribution.content[-1] = (start, last.idx + len(last.text))


# --- training -------------------------------------------------------------------------


def examples(doc: Doc, found: Sequence[Attribution], gold: GoldDocument) -> list[tuple[list[str], int]]:
    """(features, label) for the phrases after each content that matches a gold content
    leniently; a phrase is labelled 1 when the gold content covers most of it. Phrases after
    the first one the gold leaves out are not examples: decoding stops there."""
    golds = [{c for s, e in a.content for c in range(s, e)} for a in gold.attributions if a.content]
    rows = []
    for attribution in found:
        phrases = phrases_after(doc, attribution)
        if not phrases:
            continue
        chars = {c for s, e in attribution.content for c in range(s, e)}
        match = max(golds, key=lambda g: len(g & chars), default=set())
        overlap = len(match & chars)
        if not overlap or overlap < 0.5 * min(len(match), len(chars)):
            continue
        for index, phrase in enumerate(phrases):
            lo, hi = doc[phrase.start].idx, doc[phrase.end].idx + len(doc[phrase.end].text)
            words = [c for c in range(lo, hi) if not doc.text[c].isspace()]
            label = int(sum(c in match for c in words) >= 0.5 * len(words))
            rows.append((features(doc, attribution, phrase, index), label))
            if not label:
                break
    return rows


def train_extent_model(
    docs: Sequence[Doc],
    found: Sequence[Sequence[Attribution]],
    gold: Sequence[GoldDocument],
    *,
    c: float = 0.5,
    folds: int = 5,
) -> CueModel:
    """Fit the model on the rules' contents of a training split, with the threshold that
    gives the best accuracy of the stop decision on held-out articles."""
    data = [examples(d, f, g) for d, f, g in zip(docs, found, gold, strict=True)]
    scored: list[tuple[float, int]] = []
    for held in folds_of(len(data), folds):
        model = fit([row for i, doc in enumerate(data) if i not in held for row in doc], c=c)
        for i in sorted(held):
            scored += [(model.probability_of(f), y) for f, y in data[i]]
    threshold, accuracy = _best_accuracy(scored)
    model = fit([row for doc in data for row in doc], c=c, threshold=threshold)
    meta = {
        "articles": len(data),
        "phrases": len(scored),
        "taken": sum(y for _, y in scored),
        "C": c,
        "cv_folds": folds,
        "cv_accuracy": round(accuracy, 4),
        "cv_accuracy_never_extend": round(sum(1 for _, y in scored if not y) / max(len(scored), 1), 4),
    }
    return replace(model, meta=meta)


def _best_accuracy(scored: list[tuple[float, int]]) -> tuple[float, float]:
    best = (0.5, 0.0)
    for threshold in [t / 100 for t in range(30, 91, 5)]:
        right = sum(1 for p, y in scored if (p >= threshold) == bool(y))
        accuracy = right / len(scored) if scored else 0.0
        if accuracy > best[1]:
            best = (threshold, accuracy)
    return best


def train_from_split(
    gold_dir: Path | str, *, models: str | None = None, parses: Path | None = None
) -> CueModel:
    """Parse a PolNeAR-layout split (or read its cached parses) and train the model on it."""
    from quotes.evaluate import load_gold
    from quotes.extract import extract_attributions
    from quotes.extract.cuemodel import parsed_split

    gold_dir = Path(gold_dir)
    gold = load_gold(gold_dir)
    ids = sorted(gold)
    docs = parsed_split(gold, ids, models=models, parses=parses)
    found = [extract_attributions(doc, extend=False) for doc in docs]
    model = train_extent_model(docs, found, [gold[i] for i in ids])
    return replace(model, meta={**model.meta, "split": gold_dir.name})
