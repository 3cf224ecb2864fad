"""Direct quotations: quoted regions, their speakers, split and floating quotations.

Most direct quotations are found by the reporting-verb rules, because the quotation is the
verb's complement. This module handles the rest of the quoted regions:

- textacy's `direct_quotations` is asked first (contained: run per paragraph when the
  document has an odd number of marks, and only trusted for regions we found too);
- else the nearest reporting verb outside quotations in the region's sentences, with a
  subject, is the cue;
- “A,” he said, “B.” — a region right after an attributed quotation, separated only by its
  cue, becomes the second fragment of that quotation;
- a paragraph that is entirely a quotation, with no cue, continues the speaker of the
  quotation before it (the "floating" quotation of news style);
- the plain words of a sentence that a quoted phrase sits in belong to what was reported:
  'said the plan was “dead on arrival”', 'is seeking “new ideas” for the shelter'.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from quotes.extract.indirect import is_cue, relative_clause
from quotes.extract.lexicon import reporting_verbs
from quotes.extract.marks import QuoteRegion
from quotes.extract.syntax import Attribution, char_offsets, mention_tokens, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["attribute_regions", "take_in_plain_words", "textacy_triples", "to_listener"]

log = logging.getLogger(__name__)

# Words between two fragments of one quotation: a cue with a long source ("said Jane Doe, who …,").
_MAX_SPLIT_GAP = 40
# Characters that end a lead-in: punctuation between a cue and its quotation ('said: “…”',
# 'said, “…”') or another quotation leaves the words before it to the narrator.
_LEAD_STOPS = frozenset(",:;—–()[].!?\"'“”‘’«»")
# Characters that end the plain words after a quotation's closing mark.
_TAIL_STOPS = frozenset(",.;:!?\n\"“”‘’«»()—–")
_MARKS = frozenset("\"'“”‘’«»")


def textacy_triples(doc: Doc, paragraphs: list[tuple[int, int]]) -> dict[int, tuple[Token, Token]]:
    """Run textacy's direct-quotation finder; map each quotation's start offset to (speaker, cue).

    textacy raises on a document with an odd number of quote marks; then each paragraph is
    tried on its own and only the unbalanced ones are skipped.
    """
    from textacy.extract.triples import direct_quotations

    found: dict[int, tuple[Token, Token]] = {}
    try:
        triples = list(direct_quotations(doc))
        pieces = [(doc, 0)]
    except ValueError:
        triples = []
        pieces = []
        for start, end in paragraphs:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None and any(t.is_quote for t in span):
                pieces.append((span.as_doc(), span.start))
    for piece, offset in pieces:
        if piece is not doc:
            try:
                triples = list(direct_quotations(piece))
            except ValueError as exc:
                log.debug("textacy skipped an unbalanced paragraph: %s", exc)
                continue
        for speaker, cue, content in triples:
            head = min(speaker, key=lambda t: t.i)
            found[doc[content.start + offset].idx] = (doc[head.i + offset], doc[cue[0].i + offset])
    return found


def _region_tokens(doc: Doc, region: QuoteRegion) -> tuple[int, int]:
    span = doc.char_span(region.start, region.end, alignment_mode="expand")
    assert span is not None
    return span.start, span.end


def _nearest_cue(doc: Doc, region: QuoteRegion, regions: list[QuoteRegion]) -> Token | None:
    """The closest reporting verb with a subject in the sentences the region touches."""
    first, last = _region_tokens(doc, region)
    sentences = {doc[first].sent.start: doc[first].sent, doc[last - 1].sent.start: doc[last - 1].sent}
    candidates = [
        t
        for sent in sentences.values()
        for t in sent
        if is_cue(t, regions) and subject_of(t) is not None and not (first <= t.i < last)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda t: min(abs(t.i - first), abs(t.i - last)))


def _words(text: str) -> int:
    return sum(1 for w in text.split() if any(ch.isalnum() for ch in w))


def attribute_regions(
    doc: Doc,
    regions: list[QuoteRegion],
    attributions: list[Attribution],
    paragraphs: list[tuple[int, int]],
) -> list[Attribution]:
    """Attributions for the quoted regions that no rule has claimed yet."""
    claimed = [
        r for r in regions if any(s < r.end and r.start < e for a in attributions for s, e in a.content)
    ]
    free = [r for r in regions if r not in claimed]
    if not free:
        return []
    triples = textacy_triples(doc, paragraphs)
    out: list[Attribution] = []
    for region in free:
        text = doc.text[region.start : region.end]
        if _words(text) < 2:
            continue
        previous = _previous(attributions + out, region.start)
        if previous is not None and _in_speakers_clause(doc, previous, region):
            continue
        if previous is not None and _continues(doc, previous, region):
            previous.content.append((region.start, region.end))
            continue
        cue = _nearest_cue(doc, region, regions)
        speaker: Token | None = subject_of(cue) if cue is not None else None
        rule = "nearest-cue"
        if region.start in triples and not (
            cue is not None
            and _paragraph(paragraphs, triples[region.start][1].idx) != _paragraph(paragraphs, region.start)
        ):
            # textacy may reach back into an earlier paragraph for a cue; a reporting verb
            # in the quotation's own sentences wins then
            speaker, cue = triples[region.start]
            speaker = subject_of(cue) or speaker
            rule = "textacy"
        same_cue = next((a for a in attributions + out if cue is not None and a.cue_token == cue.i), None)
        if same_cue is not None:
            # another quoted piece of a statement already found: “ongoing,” and “no development …”
            same_cue.content = sorted(same_cue.content + [(region.start, region.end)])
            if same_cue.kind == "indirect":
                same_cue.kind = "mixed"
            continue
        if cue is not None and speaker is not None:
            mention = mention_tokens(speaker)
            out.append(
                Attribution(
                    kind="direct",
                    content=[(region.start, region.end)],
                    cue=(cue.idx, cue.idx + len(cue.text)),
                    speaker=char_offsets(mention),
                    speaker_root=speaker.i,
                    rule=rule,
                    cue_token=cue.i,
                )
            )
        elif previous is not None and _is_floating(doc.text, region, paragraphs, previous):
            out.append(
                Attribution(
                    kind="direct",
                    content=[(region.start, region.end)],
                    speaker=previous.speaker,
                    speaker_root=previous.speaker_root,
                    rule="floating",
                    inherited=True,
                )
            )
    return out


def _paragraph(paragraphs: list[tuple[int, int]], char: int) -> int | None:
    """The index of the paragraph that holds character offset `char`."""
    return next((i for i, (start, end) in enumerate(paragraphs) if start <= char < end), None)


def _previous(attributions: list[Attribution], start: int) -> Attribution | None:
    before = [a for a in attributions if a.end <= start]
    return max(before, key=lambda a: a.end) if before else None


def _continues(doc: Doc, previous: Attribution, region: QuoteRegion) -> bool:
    """True for the second half of “A,” he said, “B.”: only the cue lies between them."""
    if previous.kind not in ("direct", "mixed") or previous.cue is None:
        return False
    if not (previous.end <= previous.cue[0] and previous.cue[1] <= region.start):
        return False
    between = doc.char_span(previous.end, region.start, alignment_mode="expand")
    if between is None:
        return False
    if "\n" in between.text:
        return False
    words = [t for t in between if not (t.is_punct or t.is_space)]
    return len(words) <= _MAX_SPLIT_GAP and not _runs_on(doc.text, region)


def _in_speakers_clause(doc: Doc, previous: Attribution, region: QuoteRegion) -> bool:
    """Whether a quoted region lies in a relative clause that describes the speaker, which the
    parser may hang on the verb: “A,” said Jane Doe, who hosts the show “Morning Talk.” The
    title is neither a quotation nor the second half of A."""
    if previous.cue_token is None:
        return False
    span = doc.char_span(region.start, region.end, alignment_mode="expand")
    if span is None:
        return False
    cue = doc[previous.cue_token]
    return any(
        clause.head.i == cue.i and relative_clause(clause) for clause in [span.root, *span.root.ancestors]
    )


def _runs_on(text: str, region: QuoteRegion) -> bool:
    """Whether the sentence runs on past a quoted piece: a title (“A,” he told “Morning Joe”
    on Sunday) or a phrase the writer goes on from (“A,” he said. “B” for the rich). The
    second half of a split quotation ends its sentence, inside its marks or right after them."""
    quoted = text[region.start : region.end].rstrip("\"'”’ ")
    after = text[region.end : region.end + 2].strip()
    return not quoted.endswith((".", "?", "!")) and after[:1] not in ("", ".", ",")


def _is_floating(
    text: str, region: QuoteRegion, paragraphs: list[tuple[int, int]], previous: Attribution
) -> bool:
    """A whole paragraph in quotation marks, right after a paragraph with an attributed speaker."""
    index = _paragraph(paragraphs, region.start)
    if index is None or previous.speaker is None:
        return False
    p_start, p_end = paragraphs[index]
    whole = text[p_start : region.start].strip() == "" and text[region.end : p_end].strip(" .,") == ""
    if not whole:
        return False
    prev_index = next((i for i, (s, e) in enumerate(paragraphs) if s <= previous.end <= e), None)
    return prev_index is not None and index - prev_index <= 2 and _words(text[region.start : region.end]) >= 4


def take_in_plain_words(doc: Doc, attribution: Attribution) -> None:
    """Let a quotation take in the plain words of its sentence that continue it.

    News quotes a phrase inside a reported sentence: 'called on leaders “not to give in”',
    'called the plan “a disaster”', 'is seeking “new ideas” for the shelter'. The
    quoted-region rules attribute the quotation alone, a mostly quoted clause is snapped to
    its marks, and a quoted predicate leaves its object out, but the unquoted words are part
    of what was reported, and news annotators mark them so. A direct or mixed content then
    starts at the first word after the cue (`_lead`), except after a verb whose object is
    the listener ('told reporters he was “ready”'); a direct one also ends where the words
    after its closing mark stop (`_tail`). A direct quotation that took in words is mixed.
    """
    if attribution.cue is None or not attribution.content or attribution.kind not in ("direct", "mixed"):
        return
    direct = attribution.kind == "direct"
    lead = None
    if direct or not to_listener(doc, attribution):
        lead = _lead(doc, attribution.cue[1], attribution.content[0][0])
    tail = _tail(doc, attribution) if direct else None
    if lead is not None:
        attribution.content[0] = (lead, attribution.content[0][1])
    if tail is not None:
        attribution.content[-1] = (attribution.content[-1][0], tail)
    if direct and (tail is not None or (lead is not None and _words_before(doc.text, lead) > 1)):
        attribution.kind = "mixed"  # a "that" alone before the quotation keeps it direct


def to_listener(doc: Doc, attribution: Attribution) -> bool:
    """Whether the cue is a verb whose object is the listener ("told", "warned", "urged")."""
    if attribution.cue_token is None:
        return False
    return doc[attribution.cue_token].lemma_.lower() in reporting_verbs().recipient


def _lead(doc: Doc, cue_end: int, start: int) -> int | None:
    """Where the content starts when only plain words lie between the cue and it (on PolNeAR
    train 138 such lead-ins of a direct quotation are content against 12 left out): at the
    first of them, or at a "that" among them ('told reporters that he was “ready”'). A comma,
    colon or other mark after the cue ('said, “…”') leaves the words to the narrator, and a
    content that starts with its own "that" keeps it: None."""
    gap = doc.text[cue_end:start]
    if doc.text[start : start + 5].lower() == "that ":
        return None
    if cue_end > start or not gap.strip() or "\n" in gap or _stopped(gap):
        return None
    words = [t for t in _tokens(doc, cue_end, start) if not t.is_space]
    if not words:
        return None
    marks = [t for t in words if t.lower_ == "that" and t.dep_ == "mark"]
    return (marks[-1] if marks else words[0]).idx


def _stopped(gap: str) -> bool:
    """Whether punctuation or a quotation mark lies in the words between a cue and its content;
    an apostrophe after a letter ("the state’s", "voters'") is part of a word."""
    return any(
        ch in _LEAD_STOPS and not (ch in "'’" and i > 0 and gap[i - 1].isalnum()) for i, ch in enumerate(gap)
    )


def _words_before(text: str, start: int) -> int:
    """How many words lie between `start` and the first quotation mark after it."""
    end = start
    while end < len(text) and text[end] not in _MARKS:
        end += 1
    return len(text[start:end].split())


def _tail(doc: Doc, attribution: Attribution) -> int | None:
    """Where the content ends when the sentence runs on past the closing mark in plain words
    ('is seeking “new ideas” for the shelter', '“should have seen” it coming'): at the next
    punctuation, quotation mark or clause-joining "and"/"but" before a verb. None when the
    quotation ends on punctuation of its own ('“…,” she said'), the sentence ends there, the
    next word hangs on the reporting verb, not on the quoted phrase, or the cue or speaker
    comes next."""
    text = doc.text
    end = attribution.content[-1][1]
    inner = end
    while inner > 0 and text[inner - 1] in _MARKS:
        inner -= 1
    if inner == end or inner == 0 or not (text[inner - 1].isalnum() or text[inner - 1] in ")]"):
        return None
    after = end + len(text[end:]) - len(text[end:].lstrip(" \t"))
    if after == end or not text[after : after + 1].isalnum():
        return None
    last, following = _token_at(doc, inner - 1), _token_at(doc, after)
    if last is None or following is None or last.sent.start != following.sent.start:
        return None
    if not _continues_quotation(doc, attribution.content[-1][0], inner, following):
        return None
    stop = after
    while stop < len(text) and text[stop] not in _TAIL_STOPS:
        stop += 1
    for span in (attribution.cue, attribution.speaker):
        if span is not None and end <= span[0] < stop:
            return None
    for token in doc[following.i :]:
        if token.idx >= stop:
            break
        if token.dep_ == "cc" and token.head.pos_ in ("VERB", "AUX"):
            stop = token.idx  # '“…” and declared …': the next statement, not this one
            break
    while stop > end and text[stop - 1].isspace():
        stop -= 1
    return stop if stop > end else None


def _continues_quotation(doc: Doc, start: int, end: int, following: Token) -> bool:
    """Whether the word after a quotation belongs to the quoted phrase's own syntax: it hangs
    in the phrase's subtree ('“new ideas” for the shelter') or the phrase hangs on it ('the
    “Choose Life” plates'). A phrase on the reporting verb ('reported “progress” after the
    meeting') is the narrator's."""
    quoted = {t.i for t in _tokens(doc, start, end) if not t.is_punct}
    if not quoted:
        return False
    if any(a.i in quoted for a in [following, *following.ancestors]):
        return True
    return any(following in doc[i].ancestors for i in quoted)


def _tokens(doc: Doc, start: int, end: int) -> list[Token]:
    """The tokens that start inside a character span."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return [t for t in span if start <= t.idx < end] if span is not None else []


def _token_at(doc: Doc, char: int) -> Token | None:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None
