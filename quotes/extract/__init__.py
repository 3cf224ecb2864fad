"""The extract stage: every quotation of a parsed article, with its cue and speaker mention.

Requires: a Doc from `quotes.parse` (tokens, POS, lemmas, UD dependencies, sentences, and
`doc.user_data["paragraphs"]`; without them only the paragraph split is recomputed).
Adds nothing to the Doc; returns `Attribution`s in document order, speakers unresolved
(see `quotes.resolve`).

Kinds: *direct* when the content is a quotation, *mixed* when a reported clause embeds a
quoted phrase ("said the talks were “ongoing”"), *indirect* for a reported clause without
quotation marks, *according_to* for "according to X" and "as reported by X".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quotes.extract.arguments import argument_attributions
from quotes.extract.boundary import move_seams
from quotes.extract.direct import attribute_regions, take_in_plain_words, to_listener
from quotes.extract.extent import extend_contents
from quotes.extract.indirect import (
    according_to_attributions,
    question_attributions,
    take_in_passive_subject,
    verb_attributions,
)
from quotes.extract.labels import label_attributions, signature_attributions
from quotes.extract.lexicon import reporting_verbs
from quotes.extract.marks import QuoteRegion, quote_regions, single_quote_regions
from quotes.extract.syntax import Attribution, source_phrase

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["Attribution", "QuoteRegion", "extract_attributions", "quote_regions"]


def extract_attributions(doc: Doc, *, extend: bool = True) -> list[Attribution]:
    """Find the attributions of one article.

    With `extend`, the learned extent model (`quotes.extract.extent`) lets a reported
    statement take in the phrases the parser cut off after it; its training turns it off to
    see the rules' own contents. Last, the learned argument model
    (`quotes.extract.arguments`) adds the verbs whose object or oblique reports what the
    rest left out; a quotation takes in the plain words of its sentence around it ('said the
    plan was “dead” from the start'); and the boundary model (`quotes.extract.boundary`)
    moves each cue's edges where news annotators draw them ("called on", "went on to
    explain"). A speakerless passive then takes its subject into the content ("the talks |
    are expected | to resume"), a content ends at a quotation closed by a comma when only
    plain words follow its cue, fragments that only punctuation keeps apart are joined, and
    a noun-phrase content leaves out the ", which …" clause that ends it.

    Never raises on odd text: unbalanced quotation marks, no parse or no quotation at all
    give fewer (or no) attributions, not an error.
    """
    from quotes.parse import paragraph_spans

    if len(doc) == 0 or not doc.has_annotation("DEP"):
        return []
    paragraphs = doc.user_data.get("paragraphs") or paragraph_spans(doc.text)
    regions = quote_regions(doc.text, paragraphs)
    singles = single_quote_regions(doc.text, paragraphs)
    found = verb_attributions(doc, regions)
    questions = question_attributions(doc, regions)
    found = _one_per_content([a for a in found if not any(_asks(q, a) for q in questions)] + questions)
    according = according_to_attributions(doc, regions)
    found = _drop_weak_nested(_merge(found, according))
    found += [
        a
        for a in label_attributions(doc, paragraphs) + signature_attributions(doc, regions)
        if not any(s < a.end and a.start < e for b in found for s, e in b.content)
    ]
    if extend:
        extend_contents(doc, found)
    for attribution in found:
        _classify(doc.text, attribution, regions, singles)
    found = [a for a in found if a.content]  # snapping to a mark-only quotation can empty one
    found.sort(key=lambda a: a.start)
    found += attribute_regions(doc, regions, found, paragraphs)
    added = argument_attributions(doc, regions, found)
    if added:
        if extend:
            extend_contents(doc, added, stops=found)
        for attribution in added:
            _classify(doc.text, attribution, regions, singles)
        found += added
    for attribution in found:
        take_in_plain_words(doc, attribution)
    move_seams(doc, found)
    for attribution in found:
        take_in_passive_subject(doc, attribution)
        attribution.content = _joined(doc.text, _end_at_comma_quote(doc.text, attribution.content))
        _drop_describing_clause(doc, attribution)
        _start_at_quotation(doc, attribution)
        _end_before_participle_report(doc, attribution)
        _drop_question_context(doc, attribution)
    found = _drop_inner_repeats(doc, _one_per_content(found))
    found.sort(key=lambda a: a.start)
    for attribution in found:
        attribution.source = source_phrase(doc, attribution)
    return found


def _classify(
    text: str, attribution: Attribution, regions: list[QuoteRegion], singles: list[QuoteRegion]
) -> None:
    """Set direct / mixed / indirect from how much of the content is inside quotation marks."""
    words = 0
    quoted = 0
    inside: list[QuoteRegion] = []
    for start, end in attribution.content:
        for region in regions:
            if region.start < end and start < region.end:
                inside.append(region)
        position = start
        for word in text[start:end].split():
            offset = text.index(word, position)
            position = offset + len(word)
            if not any(ch.isalnum() for ch in word):
                continue
            words += 1
            if any(r.start <= offset < r.end for r in regions):
                quoted += 1
    if attribution.kind == "according_to":
        return
    whole = bool(inside) and all(_contained(text, r, attribution.content) for r in inside)
    # a speaker label's content is its own line, also inside a quoted transcript whose
    # quotation runs over every turn ("“DOE: … ¶ “SMITH: …”)
    snap = attribution.rule != "label"
    if words and quoted == words or (quoted >= 0.85 * words and not whole):
        attribution.kind = "direct"
        if snap:
            attribution.content = _snap(text, attribution.content, inside)
    elif (
        words and quoted >= 0.5 * words and not any(_contained(text, r, attribution.content) for r in inside)
    ):
        # the parser cut a quotation short (a sentence break inside it): take all of it
        attribution.kind = "direct"
        if snap:
            attribution.content = _snap(text, attribution.content, inside)
    elif quoted or any(r.start >= s and r.end <= e for r in singles for s, e in attribution.content):
        attribution.kind = "mixed"


def _contained(text: str, region: QuoteRegion, content: list[tuple[int, int]]) -> bool:
    """Whether one content fragment holds the region's words; the closing mark and the
    punctuation before it may be left out ("said the plan was “dead.”" ends at "dead")."""
    inner = text[region.start : region.end]
    words = [i for i, ch in enumerate(inner) if ch.isalnum()]
    if not words:
        return False
    first, last = region.start + words[0], region.start + words[-1]
    return any(s <= first and last < e for s, e in content)


def _snap(text: str, content: list[tuple[int, int]], regions: list[QuoteRegion]) -> list[tuple[int, int]]:
    """Direct content is exactly its quoted regions, marks included, and the "that" that
    introduces them: in 'said that “…”' the complementizer is part of what was reported, as
    news annotators mark it, and the rest of the lead-in is not."""
    spans = sorted({(r.start, r.end) for r in regions})
    if not spans:
        return content
    lead = text[content[0][0] : spans[0][0]]
    if lead.strip().lower() == "that":
        spans[0] = (content[0][0] + lead.lower().index("that"), spans[0][1])
    return spans


_WEAK_RULES = ("object", "prep-object", "xcomp", "rest-of-sentence", "postposed")


def _drop_weak_nested(found: list[Attribution]) -> list[Attribution]:
    """Drop an attribution whose cue lies inside another's content when its own evidence is weak.

    "The finance minister said the union had demanded a pay rise" is the
    minister's statement, not the union's; a clausal report inside a report ("which he said had
    no impact") is kept.
    """
    from quotes.extract.lexicon import reporting_verbs

    weak = reporting_verbs().weak
    out = []
    for a in found:
        if _unattributed(a):
            continue
        if a.rule in _WEAK_RULES and any(
            b is not a
            and b.rule not in _WEAK_RULES
            and b.cue is not None
            and any(s <= b.cue[0] < e for s, e in a.content)
            for b in found
        ):
            continue  # "responded to X, claiming that …": the inner cue is the real one
        if a.cue is not None and a.cue_token is not None:
            nested = any(
                b is not a
                and not _unattributed(b)  # dropped itself
                and _inside(a.cue, b)
                and b.cue != a.cue
                and not (b.cue is not None and _inside(b.cue, a) and _length(a) > _length(b))
                for b in found
            )  # when each holds the other's cue (a misparse), the longer statement is the outer one
            lemma = str(a.extra.get("lemma", ""))
            if nested and (a.rule in _WEAK_RULES or lemma in weak):
                continue
        out.append(a)
    return out


def _unattributed(attribution: Attribution) -> bool:
    """Weak evidence and nobody to attribute it to; a raising verb ("the plan seems to fail")
    has nobody by design."""
    return (
        attribution.rule in _WEAK_RULES
        and attribution.speaker is None
        and not attribution.extra.get("raising")
    )


def _inside(cue: tuple[int, int], attribution: Attribution) -> bool:
    return any(s <= cue[0] < e for s, e in attribution.content)


def _length(attribution: Attribution) -> int:
    return sum(e - s for s, e in attribution.content)


def _joined(text: str, content: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join content fragments that only punctuation or space keeps apart: stages that add to a
    content (a statement's next sentence, a phrase the parse cut off) leave the ". " or ", "
    between the pieces out, but nothing of the statement is missing there. A quotation mark in
    the gap stays a boundary: two quotations side by side are two fragments."""
    out = content[:1]
    for start, end in content[1:]:
        gap = text[out[-1][1] : start]
        if not any(ch.isalnum() or ch in _MARKS for ch in gap):  # touching pieces join too
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


_MARKS = "\"'“”‘’«»„‟‹›"


_CLOSING_MARKS = ("”", '"', "''", "’")


def _end_at_comma_quote(text: str, content: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """End a content at a quotation closed by a comma (or ? or !) when only plain words follow.

    '“We need to do more,” the senator told reporters, responding to news that …': the
    quotation is the statement and the words after its cue are the narrator's, though the
    parser often hangs them on the quoted clause. On PolNeAR train this ends 55 contents
    where the annotators do and 2 where they do not. A later quotation keeps the fragments:
    '“A,” he said, “B.”' is one statement.
    """
    for i, (start, end) in enumerate(content[:-1]):
        piece = text[start:end].rstrip()
        mark = next((m for m in _CLOSING_MARKS if piece.endswith(m)), None)
        if mark is None or not piece[: -len(mark)].rstrip("'").endswith((",", "?", "!")):
            continue
        rest = "".join(text[s:e] for s, e in content[i + 1 :])
        if not any(m in rest for m in ("“", "”", '"', "''")):
            return content[: i + 1]
    return content


_OPENING_MARKS = ("“", '"', "''", "‘")


def _start_at_quotation(doc: Doc, attribution: Attribution) -> None:
    """Start a content at its quotation when a verbless phrase and a colon, or a listener and
    a comma, come before it: 'had one message: “Dump him”', 'telling the crowd, “…”'.

    The phrase is what the statement is called or who heard it, not what was said. With a
    comma after other phrases ('In past campaigns, “we felt …”') or a dash, PolNeAR's
    annotators keep it, and so does this. On train: 8 contents wrong->right, none lost.
    """
    start, end = attribution.content[0]
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return
    mark = None
    for token in span:
        if token.is_quote or token.text in _OPENING_MARKS:
            mark = token
            break
        if token.pos_ in ("VERB", "AUX"):
            return
    if mark is None or mark.i <= span.start + 1:
        return
    before = doc[mark.i - 1].text
    if before != ":" and not (before == "," and to_listener(doc, attribution)):
        return
    attribution.content[0] = (mark.idx, end)


def _end_before_participle_report(doc: Doc, attribution: Attribution) -> None:
    """End a content before a reporting participle that closes it: 'said the plan would fail,
    citing low turnout'. The participle reports a statement of its own, which annotators do
    not fold into the first. A participle with a quotation after it stays ('…, calling it a
    “special place”'): there they are split. On PolNeAR train: 26 contents wrong->right, 4
    lost."""
    start, end = attribution.content[-1]
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return
    words = [t for t in span if not (t.is_punct or t.is_space)]
    for token in span[1:]:
        if token.tag_ != "VBG" or doc[token.i - 1].text != "," or token.i - 1 <= span.start:
            continue
        if token.lemma_.lower() not in reporting_verbs() or token.right_edge.i < words[-1].i:
            continue
        if not any(t.is_quote for t in doc[token.i : span.end]):
            attribution.content[-1] = (start, doc[token.i - 1].idx)
        return


def _drop_question_context(doc: Doc, attribution: Attribution) -> None:
    """Drop the question a quoted answer follows: 'Asked whether the plan would pass, the mayor
    said, “…”'. The parser hangs the fronted participle on the answer; it reports the
    question, not what the speaker said. On PolNeAR train: 9 contents wrong->right, none
    lost."""
    cue = attribution.cue
    if cue is None or len(attribution.content) < 2:
        return
    for k in range(1, len(attribution.content)):
        before, after = attribution.content[k - 1], attribution.content[k]
        if not (before[1] <= cue[0] < after[0]):
            continue
        if not doc.text[after[0] : after[1]].lstrip().startswith(_OPENING_MARKS):
            return
        span = doc.char_span(attribution.content[0][0], before[1], alignment_mode="expand")
        if span is None or any(t.is_quote for t in span):
            return
        first = next((t for t in span if t.is_alpha and t.lower_ != "when"), None)
        if first is None or first.lemma_.lower() not in reporting_verbs():
            return
        # a participle ("Asked …"), which the tagger may take for a past tense without a subject
        if first.tag_ in ("VBN", "VBD") and not any(c.dep_.startswith("nsubj") for c in first.children):
            attribution.content = attribution.content[k:]
        return


def _drop_describing_clause(doc: Doc, attribution: Attribution) -> None:
    """Leave out a ", which …" (", who …", ", where …") clause that ends a noun-phrase content.

    'criticized the bill, which passed the House on Monday': the clause tells the reader what
    the bill is; it is the narrator's, not part of what the speaker said about it. On PolNeAR
    train this ends 49 contents where the annotators do and 19 where they do not. A reported
    clause ('said the bill would fail, which …') keeps it, as does a clause with a quotation
    in it or one that does not run to the end of the content.
    """
    start, end = attribution.content[-1]
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return
    for token in reversed(span):
        if token.lower_ not in _DESCRIBING or token.i == 0 or doc[token.i - 1].text != ",":
            continue
        comma = doc[token.i - 1]
        if comma.i <= span.start or any(t.is_quote for t in doc[token.i : span.end]):
            return
        clause = next((t for t in token.ancestors if t.dep_ == "acl:relcl"), None)
        words = [t for t in span if not (t.is_punct or t.is_space)]
        if clause is None or clause.head.i >= comma.i or clause.right_edge.i < words[-1].i:
            return  # not a clause on a noun of the content that runs to its end
        if doc[span.start : comma.i].root.pos_ in ("NOUN", "PROPN", "PRON", "NUM"):
            attribution.content[-1] = (start, comma.idx)
        return


# Relative pronouns that open a clause describing a noun after a comma.
_DESCRIBING = frozenset({"which", "who", "where"})


def _asks(question: Attribution, other: Attribution) -> bool:
    """Whether `other` is a reading of a fronted question that `question` reports: the same
    "Asked", or a content that lies within "Asked whether …," (the parser took the question
    for the statement of the sentence's verb)."""
    assert question.cue is not None
    return other.cue_token == question.cue_token or (
        bool(other.content) and question.cue[0] <= other.start and other.end <= question.end + 1
    )


def _one_per_content(found: list[Attribution]) -> list[Attribution]:
    """Keep one attribution per content. Two verbs can report one clause (a nested report), and
    once every stage has run, a moved seam can make two attributions identical ("refusing | to
    call X" found both as an object and as an xcomp report) or a later stage find a content an
    earlier one holds; a reader should see one statement once. The one kept has a speaker if
    any has, then the stronger rule, then comes first."""
    best: dict[tuple[tuple[int, int], ...], Attribution] = {}
    for a in found:
        key = tuple(a.content)
        if key not in best or _rank(a) > _rank(best[key]):
            best[key] = a
    kept = {id(a) for a in best.values()}
    return [a for a in found if id(a) in kept]


def _drop_inner_repeats(doc: Doc, found: list[Attribution]) -> list[Attribution]:
    """Drop a weak attribution that only repeats the end of another one whose content opens
    with its cue: in "refused [to disclose the records]" the object rule also reports
    "disclose [the records]". A reader should see that statement once, and PolNeAR's
    annotators mostly draw it as the outer one ("sought | to ease", not "sought to | ease").
    A cue deeper in the other content is a nested report of its own and stays."""
    out = []
    for a in found:
        verb = doc[a.cue_token].idx if a.cue_token is not None else None
        if a.rule in _WEAK_RULES and verb is not None and any(
            b is not a
            and any(s <= verb < e for s, e in b.content)
            and len(doc.text[b.content[0][0] : verb].split()) <= 2
            and b.content[-1][1] == a.content[-1][1]
            and all(any(s <= start and end <= e for s, e in b.content) for start, end in a.content)
            for b in found
        ):
            continue
        out.append(a)
    return out


def _rank(attribution: Attribution) -> tuple[bool, bool]:
    """Which of two attributions of one content to keep: one with a speaker, then a strong rule."""
    return attribution.speaker is not None, attribution.rule not in _WEAK_RULES


def _merge(verbal: list[Attribution], according: list[Attribution]) -> list[Attribution]:
    """An "according to" attribution wins over a verbal one whose cue it contains."""
    out = list(according)
    for a in verbal:
        if a.cue is not None and any(
            b.cue is not None and b.cue[0] <= a.cue[0] < b.cue[1] for b in according
        ):
            continue
        out.append(a)
    return out
