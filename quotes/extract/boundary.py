"""Where a cue begins and ends: a learned decision for the words at its edges.

The rules end a cue at its verb (with particle, auxiliaries and adverbs) and start the content
at the verb's complement. News annotators often draw the seam later: "called on [Congress to
act]", "pointed to [the polls]", "voted in favor of [the bill]", "made clear [that …]", "declined
to comment on [the case]". Which words go with the cue depends on the verb and the words
themselves ("talked about" takes "about", "reported on" does not), which a lexicalised
classifier learns from annotated news and a rule cannot list.

The start of a cue moves too: "went on to explain", "It is important to note", "to announce".

For an attribution whose content starts right after its cue, each of the content's first one to
four words (no punctuation among them, at least one word left) is a candidate end seam. When
words lie between the cue and its content ("said [in a statement] that", "has said [repeatedly]
that", "indicated [Tuesday night] that"), each of the first up to four of them is a candidate end
seam instead, and the content stays where it is. Each of the up to four words before the cue (no
punctuation, content or speaker among them) is a candidate start seam. A logistic regression
over the cue's head lemma and those words scores each; on each side, the best seam moves the
cue's edge when its probability reaches the threshold. The model is trained on a PolNeAR-layout
split from the attributions the rest of the extractor finds there, stored as readable JSON in
``resources/boundary_model.json``; train it with

    python -m quotes.extract.boundary ../shared/data/polnear/train --parses FILE

Set ``QUOTES_BOUNDARY_MODEL`` to another file, or to an empty string to turn it off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from quotes.extract.cuemodel import CueModel, model_in_use, read_model, train_on_split, training_main
from quotes.extract.lexicon import RESOURCES

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from quotes.evaluate import GoldAttribution
    from quotes.extract.syntax import Attribution

__all__ = ["Seam", "boundary_model", "end_seams", "move_seams", "start_seams", "train_from_split"]

MODEL_FILE = RESOURCES / "boundary_model.json"
ROLE = "boundary"
MAX_WORDS = 4


@dataclass(frozen=True, slots=True)
class Seam:
    """A candidate edge of a cue: its end inside its content's first words or the words
    between it and its content, or its start among the words right before it.

    Attributes:
        side: "end" (the cue takes in the words after it, from its content or from the gap
            before the content) or "start" (the cue takes in the words before it).
        offset: The character offset where the cue would end or start.
        features: The model's features.
    """

    side: str
    offset: int
    features: list[str]


@cache
def shipped_boundary_model() -> CueModel | None:
    """The shipped model (or ``QUOTES_BOUNDARY_MODEL``); None when absent or turned off."""
    return read_model(MODEL_FILE, env="QUOTES_BOUNDARY_MODEL")


def boundary_model() -> CueModel | None:
    """The model in use: one set by ``cuemodel.using(model, role="boundary")``, else the shipped one."""
    return model_in_use(ROLE, shipped_boundary_model)


def move_seams(doc: Doc, found: Sequence[Attribution]) -> None:
    """Move each cue's edges where the model says they lie: first its end, taking in the
    content's first words ("called on"), then its start, taking in the words before it
    ("went on to explain")."""
    model = boundary_model()
    if model is None:
        return
    for attribution in found:
        best = _best(model, end_seams(doc, attribution))
        if best is not None and attribution.cue is not None:
            start = best.offset
            while start < len(doc.text) and doc.text[start].isspace():
                start += 1
            attribution.cue = (attribution.cue[0], best.offset)
            first_start, first_end = attribution.content[0]
            attribution.content[0] = (max(start, first_start), first_end)
        best = _best(model, start_seams(doc, attribution))
        if best is not None and attribution.cue is not None:
            attribution.cue = (best.offset, attribution.cue[1])


def _best(model: CueModel, candidates: list[Seam]) -> Seam | None:
    """The most probable seam, if it reaches the threshold."""
    scored = [(model.probability_of(s.features), s) for s in candidates]
    if not scored:
        return None
    probability, best = max(scored, key=lambda pair: pair[0])
    return best if probability >= model.threshold else None


def end_seams(doc: Doc, attribution: Attribution) -> list[Seam]:
    """The seams after a cue. When the content starts right after the cue: after each of the
    content's first words, up to the first punctuation, leaving at least one word. When words
    lie between them ("said [in a statement] that", "has said [repeatedly] that"): after each
    of those words, up to punctuation, so that the cue may take in some or all of them."""
    if attribution.cue is None or not attribution.content:
        return []
    cue_start, cue_end = attribution.cue
    first_start, first_end = attribution.content[0]
    if first_start < cue_end:
        return []
    cue = _tokens(doc, cue_start, cue_end)
    if not cue:
        return []
    head = cue[-1].lemma_.lower()
    gap = doc.text[cue_end:first_start]
    if gap.strip():
        if "\n" in gap:
            return []
        return _gap_seams(doc, head, _tokens(doc, cue_end, first_start), attribution.kind)
    words = _tokens(doc, first_start, first_end)
    if not words:
        return []
    out = []
    for k in range(1, min(MAX_WORDS, len(words) - 1) + 1):
        moved = words[:k]
        if any(t.is_punct or t.is_quote for t in moved):
            break
        end = moved[-1].idx + len(moved[-1].text)
        split = _cuts_phrase(moved, words[k:])  # "on" of "called on | Congress to act"
        extra = [f"split={split}", f"head_split={head}|{split}", f"split_next={split}|{words[k].pos_}"]
        out.append(Seam("end", end, [*features(head, moved, words[k], attribution.kind), *extra]))
    return out


def _gap_seams(doc: Doc, head: str, gap: list[Token], kind: str) -> list[Seam]:
    """End seams inside the words between a cue and its content, which belong to neither
    until the model gives some of them to the cue."""
    out = []
    for k in range(1, min(MAX_WORDS, len(gap)) + 1):
        moved = gap[:k]
        if any(t.is_punct or t.is_quote for t in moved):
            break
        closed = k == len(gap)
        following = doc[min(moved[-1].i + 1, len(doc) - 1)]
        split = _cuts_phrase(moved, gap[k:])  # "on" of "on Monday", "for" of "for a deal"
        extra = [
            "gap",
            f"gap_closed={closed}",
            f"gap_head={head}|{closed}",
            f"gap_split={split}",
            f"gap_split_next={split}|{following.lower_}",
        ]
        shared = features(head, moved, following, kind)
        end = moved[-1].idx + len(moved[-1].text)
        out.append(Seam("end", end, [*extra, *shared, *(f"gap:{f}" for f in shared)]))
    return out


def _cuts_phrase(moved: list[Token], rest: list[Token]) -> bool:
    """Whether a seam cuts a phrase in two: a moved word hangs on a word left behind."""
    left = {t.i for t in rest}
    return any(t.head.i in left for t in moved)


def start_seams(doc: Doc, attribution: Attribution) -> list[Seam]:
    """The seams before a cue: before each of the words preceding it in its sentence, up to
    punctuation, the content or the speaker mention."""
    if attribution.cue is None:
        return []
    cue = _tokens(doc, *attribution.cue)
    if not cue:
        return []
    blocked = [*attribution.content, *([attribution.speaker] if attribution.speaker else [])]
    first, head = cue[0], cue[-1].lemma_.lower()
    taken: list[Token] = []
    out = []
    for t in reversed(doc[first.sent.start : first.i]):
        if t.is_space:
            continue
        if len(taken) == MAX_WORDS or t.is_punct or t.is_quote or any(s <= t.idx < e for s, e in blocked):
            break
        taken.insert(0, t)
        out.append(
            Seam("start", t.idx, ["side=start", *(f"start:{f}" for f in _start_features(head, taken, first))])
        )
    return out


def _tokens(doc: Doc, start: int, end: int) -> list[Token]:
    """The words of a character span (whitespace tokens left out)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return [t for t in span if not t.is_space] if span is not None else []


def _start_features(head: str, taken: list[Token], first: Token) -> list[str]:
    """The cue's head lemma and the words it would take in before it ("went on to | explain")."""
    words = " ".join(t.lower_ for t in taken)
    before = taken[0].doc[taken[0].i - 1] if taken[0].i > 0 else None
    return [
        f"k={len(taken)}",
        f"words={words}",
        f"head_words={head}|{words}",
        f"head={head}",
        f"first={taken[0].lower_}",
        f"first_pos={taken[0].pos_}",
        f"first_dep={taken[0].dep_}",
        f"pos={'_'.join(t.pos_ for t in taken)}",
        f"last={taken[-1].lower_}",
        f"head_last={head}|{taken[-1].lower_}",
        f"before_pos={before.pos_ if before is not None else 'none'}",
        f"cue_first={first.lower_}",
        f"attached={taken[0].head.i in (first.i, first.head.i)}",
    ]


def features(head: str, moved: list[Token], following: Token, kind: str) -> list[str]:
    """The cue's head lemma, the words that would move, alone and together."""
    words = " ".join(t.lower_ for t in moved)
    tags = "_".join(t.pos_ for t in moved)
    last = moved[-1]
    return [
        f"k={len(moved)}",
        f"words={words}",
        f"head_words={head}|{words}",
        f"head={head}",
        f"first={moved[0].lower_}",
        f"head_first={head}|{moved[0].lower_}",
        f"last={last.lower_}",
        f"last_pos={last.pos_}",
        f"last_dep={last.dep_}",
        f"pos={tags}",
        f"head_pos={head}|{tags}",
        f"next_pos={following.pos_}",
        f"kind={kind}",
    ]


# --- training -------------------------------------------------------------------------


def examples(doc: Doc, gold: Sequence[GoldAttribution]) -> list[tuple[list[str], int]]:
    """(features, label) for every seam of the attributions the extractor finds without this
    model. An end seam is right when a gold cue starts where the cue starts and ends there; a
    start seam when a gold cue holding the cue's last character starts there."""
    from quotes.extract import extract_attributions
    from quotes.extract.cuemodel import using

    with using(None, role=ROLE):
        found = extract_attributions(doc)
    cues = [(g.cue[0][0], g.cue[-1][1]) for g in gold if g.cue]
    out = []
    for attribution in found:
        if attribution.cue is None:
            continue
        start, end = attribution.cue
        head = end - 1  # a gold cue holding the cue's last character is the same cue
        for seam in end_seams(doc, attribution):
            out.append((seam.features, int((start, seam.offset) in cues)))
        for seam in start_seams(doc, attribution):
            out.append((seam.features, int(any(s == seam.offset and s <= head < e for s, e in cues))))
    return out


def train_from_split(
    gold_dir: Path | str, *, models: str | None = None, parses: Path | None = None, c: float = 0.3
) -> CueModel:
    """Train the model on a PolNeAR-layout split (`cuemodel.train_on_split`)."""
    return train_on_split(
        gold_dir,
        examples,
        role=ROLE,
        models=models,
        parses=parses,
        c=c,
        thresholds=(0.15, 0.2, 0.3, 0.4, 0.5),
    )


def main(argv: list[str] | None = None) -> None:
    """Train the boundary model on a PolNeAR-layout split and write it as JSON."""
    training_main(argv, "quotes.extract.boundary", main.__doc__, train_from_split, MODEL_FILE)


if __name__ == "__main__":
    # run the package's copy (see quotes.extract.cuemodel): `using` must reach the extractor
    from quotes.extract import boundary

    boundary.main()
