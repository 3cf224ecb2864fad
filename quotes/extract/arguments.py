"""Learned reports of a verb's argument that the rules leave out.

The rules (`quotes.extract.indirect`) take a reporting verb's clause as its content, and a
plain object or a preposition's object only for the verbs the lexicon flags for it. News
attribution is wider: a senator "took aim at the plan", a campaign "accused the governor of
lying", a report "describes the talks as stalled", an aide "is looking into whether …". The
content there is a noun phrase, an oblique or an infinitive of a verb that reports only in
some of its uses, which is what a classifier over the parse can weigh.

Every verb outside quotations that no attribution already uses as its cue is a candidate
with each of its arguments (object, oblique, infinitive, adverbial or complement clause)
whose words no attribution already holds. The content is the argument with the rest of the
verb's predicate after it ("accused [the governor of lying]"), without the preposition of an
oblique, which goes with the cue ("took aim at"); an oblique after the verb's object starts
right after the cue ("cast [himself as an outsider]"). A logistic regression, like the cue model
(`quotes.extract.cuemodel`), scores each pair; the best argument of a verb is its content
when its probability reaches the threshold.

The model is trained on the gold attributions of a PolNeAR-layout split that the rest of the
extractor misses, and stored as plain JSON in ``resources/argument_model.json``. Train it with

    python -m quotes.extract.arguments ../shared/data/polnear/train --parses FILE

Set ``QUOTES_ARGUMENT_MODEL`` to another file, or to an empty string to turn the model off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from quotes.extract.cuemodel import (
    CueModel,
    model_in_use,
    read_model,
    train_on_split,
    training_main,
    verb_outside_quotations,
)
from quotes.extract.cuemodel import (
    features as verb_features,
)
from quotes.extract.lexicon import RESOURCES, reporting_verbs
from quotes.extract.syntax import Attribution, adjacent_subject, char_offsets, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from quotes.evaluate import GoldAttribution
    from quotes.extract.marks import QuoteRegion

__all__ = ["Candidate", "argument_attributions", "argument_model", "candidates", "train_from_split"]

MODEL_FILE = RESOURCES / "argument_model.json"
ROLE = "argument"
ARGUMENT_DEPS = frozenset({"obj", "obl", "xcomp", "advcl", "ccomp", "parataxis", "dep"})
_PREDICATE_END = frozenset({"punct", "cc", "conj", "parataxis", "discourse", "vocative"})
"""Children that end a predicate: what follows them is not part of the argument's content."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A verb with one of its arguments, as the model scores it.

    Attributes:
        verb: The verb, the cue to be.
        argument: The head of the argument.
        content: The content's characters: the argument and the rest of the predicate.
        features: The model's features of the pair.
    """

    verb: Token
    argument: Token
    content: tuple[int, int]
    features: list[str]


@cache
def shipped_argument_model() -> CueModel | None:
    """The shipped model (or ``QUOTES_ARGUMENT_MODEL``); None when absent or turned off."""
    return read_model(MODEL_FILE, env="QUOTES_ARGUMENT_MODEL")


def argument_model() -> CueModel | None:
    """The model in use: one set by ``cuemodel.using(model, role="argument")``, else the shipped one."""
    return model_in_use(ROLE, shipped_argument_model)


def argument_attributions(
    doc: Doc, regions: Sequence[QuoteRegion], found: Sequence[Attribution]
) -> list[Attribution]:
    """The attributions the model adds to `found`: per verb, its best argument, when that
    argument's probability reaches the model's threshold."""
    model = argument_model()
    if model is None:
        return []
    best: dict[int, tuple[float, Candidate]] = {}
    for cand in candidates(doc, regions, found):
        p = model.probability_of(cand.features)
        if p >= model.threshold and (cand.verb.i not in best or p > best[cand.verb.i][0]):
            best[cand.verb.i] = (p, cand)
    return [_attribution(cand, p) for p, cand in best.values()]


def _attribution(cand: Candidate, probability: float) -> Attribution:
    from quotes.extract.indirect import cue_span, speaker_of

    verb = cand.verb
    lo, hi = cue_span(verb)
    case = _case(cand.argument)
    content = cand.content
    if case is not None and _attached(verb, case):
        hi = max(hi, case.idx + len(case.text))  # "is looking into", "distanced himself from"
    elif case is not None:
        content = _from_cue(verb, case, hi, content)
    speaker, root = speaker_of(verb, "argument")
    if speaker is not None and root is not None:
        inside = cand.content[0] <= speaker[0] < cand.content[1]
        subject = verb.doc[root]
        if inside or _described(verb) or _bare_singular(subject) or _passed_over(verb, subject):
            speaker = root = None
    return Attribution(
        kind="indirect",
        content=[content],
        cue=(lo, hi),
        speaker=speaker,
        speaker_root=root,
        rule="argument",
        cue_token=verb.i,
        extra={"lemma": verb.lemma_.lower(), "learned": True, "probability": round(probability, 3)},
    )


def _from_cue(verb: Token, case: Token, hi: int, content: tuple[int, int]) -> tuple[int, int]:
    """Start an oblique's content right after the cue when the verb's object comes between
    them: PolNeAR's annotators report "cast [himself as an outsider]" and "accused [the
    governor of lying]", not the oblique alone. Where they count those words as cue instead
    ("provided little clarity about"), the boundary model moves them there, as it does for
    any content that starts right after its cue. An object the subject possesses ("threw his
    support behind", "kept her focus on") belongs to the verb's own phrase and stays out."""
    gap = [t for t in verb.doc[verb.i + 1 : case.i] if t.idx >= hi]
    while gap and (gap[0].is_punct or gap[0].is_space):
        gap = gap[1:]
    if not gap or any(_possessed(t) for t in gap if t.head.i == verb.i and t.dep_ in ("obj", "iobj")):
        return content
    return (gap[0].idx, content[1])


def _possessed(noun: Token) -> bool:
    """Whether a possessive pronoun determines the noun ("his support")."""
    return any(c.dep_ == "nmod:poss" and c.pos_ == "PRON" for c in noun.children)


def _described(verb: Token) -> bool:
    """A participle describing the noun it hangs on ("hostages believed to be held"): that
    noun is what is reported on, not who reports."""
    return verb.tag_ == "VBN" and verb.dep_.startswith("acl")


def _bare_singular(subject: Token) -> bool:
    """A singular common noun without a determiner or modifier ("war … has criticized"): in
    news a misparse, not a speaker, unless a speaker word ("spokesman")."""
    from quotes.extract.cuemodel import plausible_speaker

    return (
        subject.tag_ == "NN"
        and not any(c.dep_ in ("det", "nmod:poss", "compound", "amod") for c in subject.children)
        and not plausible_speaker(subject)
    )


def _passed_over(verb: Token, subject: Token) -> bool:
    """Whether a conjunct's subject, shared from the first verb, skips a noun phrase right
    before it: in "Jane Doe faced pressure as members of her party have called for a vote"
    a misparse makes "called" a conjunct of "faced", yet the members called for it."""
    if verb.dep_ != "conj" or subject.head.i == verb.i or verb.doc[verb.i - 1].text == ",":
        return False
    adjacent = adjacent_subject(verb)
    return adjacent is not None and adjacent.i != subject.i


def _attached(verb: Token, case: Token) -> bool:
    """Whether an oblique's preposition belongs to the cue: only the verb's particles, adverbs
    and a pronoun object come between them ("distanced himself from", "regarded it as");
    after a noun object it opens the content ("framed the tax as a gift")."""
    between = verb.doc[verb.i + 1 : case.i]
    if not 0 < case.i - verb.i <= 3:
        return False
    return all(
        t.head.i == verb.i
        and (t.dep_ in ("compound:prt", "advmod") or (t.dep_ == "obj" and t.pos_ == "PRON"))
        for t in between
    )


def candidates(doc: Doc, regions: Sequence[QuoteRegion], found: Sequence[Attribution]) -> list[Candidate]:
    """Every (verb, argument) pair the attributions `found` leave out: the verb is outside
    quotations and no attribution's cue, and at most half of the content's characters are
    already another attribution's content."""
    cues = [a.cue for a in found if a.cue is not None]
    held = {i for a in found for s, e in a.content for i in range(s, e)}
    out = []
    for verb in doc:
        if not verb_outside_quotations(verb, regions) or any(s <= verb.idx < e for s, e in cues):
            continue
        base: list[str] | None = None  # the verb's own features, computed once it has a candidate
        for argument in verb.children:
            if argument.dep_ not in ARGUMENT_DEPS:
                continue
            content = content_span(verb, argument)
            if content is None or sum(1 for i in range(*content) if i in held) * 2 >= content[1] - content[0]:
                continue
            if base is None:
                subject = subject_of(verb)
                inside = any(s <= verb.idx < e for a in found for s, e in a.content)
                base = [*verb_features(verb, subject), f"in_content={inside}"]
            out.append(Candidate(verb, argument, content, base + pair_features(verb, argument)))
    return out


def content_span(verb: Token, argument: Token) -> tuple[int, int] | None:
    """The content an argument gives: from its first word (after an oblique's preposition) to
    the end of the verb's predicate after it ("urged [conservatives to obey the ruling]"), or
    the argument alone when it comes before the verb; surrounding punctuation left out."""
    doc = verb.doc
    start = argument.left_edge.i
    case = _case(argument)
    if case is not None:
        start = max(start, case.i + 1)
    end = argument.right_edge.i
    if argument.i > verb.i:
        for child in verb.children:
            if child.i > argument.i and child.dep_ not in _PREDICATE_END:
                end = max(end, child.right_edge.i)
    tokens = [t for t in doc[start : end + 1] if t.i != verb.i]
    while tokens and (tokens[0].is_punct or tokens[0].is_space):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space):
        tokens = tokens[:-1]
    if not tokens:
        return None
    return char_offsets(tokens)


def _case(argument: Token) -> Token | None:
    """An oblique's preposition ("at" in "took aim at the plan")."""
    if not argument.dep_.startswith("obl"):
        return None
    cases = [c for c in argument.children if c.dep_ == "case" and c.i < argument.i]
    return cases[-1] if cases else None


def pair_features(verb: Token, argument: Token) -> list[str]:
    """Features of the argument, alone and with the verb's lemma."""
    lemma = verb.lemma_.lower()
    dep = argument.dep_
    case = _case(argument)
    preposition = case.lower_ if case is not None else ""
    mark = next((c.lower_ for c in argument.children if c.dep_ == "mark" and c.i < argument.i), "")
    width = argument.right_edge.i - argument.left_edge.i + 1
    lexicon = reporting_verbs()
    return [
        f"a_dep={dep}",
        f"lemma_adep={lemma}|{dep}",
        f"a_head={argument.lemma_.lower()}",
        f"a_pos={argument.pos_}",
        f"a_tag={argument.tag_}",
        f"a_posdep={argument.pos_}|{dep}",
        f"a_case={dep}|{preposition}",
        f"lemma_acase={lemma}|{dep}|{preposition}",
        f"a_mark={mark}",
        f"a_width={min(width, 20) // 4}",
        f"a_after={argument.i > verb.i}",
        f"a_clausal={any(c.dep_.startswith('nsubj') for c in argument.children)}",
        f"a_quote={any(t.is_quote for t in argument.subtree)}",
        f"reports={lemma in lexicon}",
        f"with_object={lemma in lexicon.with_object}",
        f"dep_reports={dep}|{lemma in lexicon}",
    ]


# --- training -------------------------------------------------------------------------


def examples(doc: Doc, gold: Sequence[GoldAttribution]) -> list[tuple[list[str], int]]:
    """(features, label) for every candidate pair of a parsed article, against what the rest
    of the extractor finds there; label 1 when a gold attribution's cue holds the verb and its
    content overlaps the pair's content by at least half of the shorter one."""
    from quotes.extract import extract_attributions
    from quotes.extract.cuemodel import using
    from quotes.extract.marks import quote_regions
    from quotes.parse import paragraph_spans

    with using(None, role=ROLE), using(None, role="boundary"):
        found = extract_attributions(doc)  # as the model sees them: before the boundary model
    paragraphs = doc.user_data.get("paragraphs") or paragraph_spans(doc.text)
    regions = quote_regions(doc.text, paragraphs)
    out = []
    for cand in candidates(doc, regions, found):
        label = int(any(_matches(cand, g) for g in gold))
        out.append((cand.features, label))
    return out


def _matches(cand: Candidate, gold: GoldAttribution) -> bool:
    if not gold.cue or not any(s <= cand.verb.idx < e for s, e in gold.cue):
        return False
    lo, hi = cand.content
    overlap = sum(max(0, min(hi, e) - max(lo, s)) for s, e in gold.content)
    shorter = min(hi - lo, sum(e - s for s, e in gold.content))
    return overlap > 0 and overlap * 2 >= shorter


def train_from_split(
    gold_dir: Path | str, *, models: str | None = None, parses: Path | None = None, c: float = 0.3
) -> CueModel:
    """Train the model on a PolNeAR-layout split (`cuemodel.train_on_split`)."""
    return train_on_split(gold_dir, examples, role=ROLE, models=models, parses=parses, c=c)


def main(argv: list[str] | None = None) -> None:
    """Train the argument model on a PolNeAR-layout split and write it as JSON."""
    training_main(argv, "quotes.extract.arguments", main.__doc__, train_from_split, MODEL_FILE)


if __name__ == "__main__":
    # run the package's copy (see quotes.extract.cuemodel): `using` must reach the extractor
    from quotes.extract import arguments

    arguments.main()
