"""Dependency-tree helpers shared by the attribution rules.

The parse is Universal Dependencies from Stanza, carried on a spaCy `Doc`: labels are UD
(`nsubj:pass`, `obl:agent`, `flat`, `acl:relcl`) and the root's label is ``ROOT``. The
helpers here answer the questions every rule asks: who is the subject of this verb, what
is the noun phrase of this speaker, which character spans does this clause cover.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = [
    "Attribution",
    "bare_noun",
    "char_offsets",
    "describing_participle",
    "fragments",
    "fronted_subject",
    "mention_tokens",
    "source_phrase",
    "subject_of",
    "trim",
]

Span = tuple[int, int]

SUBJECTS = ("nsubj", "csubj")
# Children that are not part of a speaker's name or description.
_NOT_IN_MENTION = frozenset(
    {
        "acl",
        "acl:relcl",
        "advcl",
        "parataxis",
        "ccomp",
        "xcomp",
        "punct",
        "dep",
        "discourse",
        "cc",
        "case",
        "mark",
    }
)
# Punctuation that never starts or ends a content span; quotation marks are kept.
_TRIM = set(" \t\r\n\u00a0,;:.-–—|")


@dataclass(slots=True)
class Attribution:
    """A quotation found by a rule, before speakers are resolved.

    Attributes:
        kind: direct, indirect, mixed or according_to.
        content: Content fragments as character spans, in order.
        cue: The cue's character span, if any.
        speaker: The speaker mention's character span, if any.
        speaker_root: Token index of the speaker mention's head.
        rule: Which rule found it (for debugging and evaluation by rule).
        source: The whole phrase naming the speaker, as written at the cue: the mention
            with its appositions and relative clauses ("Jane Doe, a professor of law who
            advised the committee"); set by `source_phrase` once the attribution is final.
    """

    kind: str
    content: list[Span]
    cue: Span | None = None
    speaker: Span | None = None
    speaker_root: int | None = None
    rule: str = ""
    inherited: bool = False
    cue_token: int | None = None
    extra: dict[str, object] = field(default_factory=dict)
    source: Span | None = None

    @property
    def start(self) -> int:
        return self.content[0][0]

    @property
    def end(self) -> int:
        return self.content[-1][1]


def subject_of(verb: Token, *, depth: int = 0) -> Token | None:
    """The token that says who performs `verb`, following UD's ways of sharing subjects.

    - the verb's own `nsubj`/`csubj` (inverted order "stated Jane Doe" included);
    - a passive's agent ("it was reported by the BBC");
    - a relative pronoun subject ("the source, who said") gives the noun it modifies;
    - a subjectless participle, infinitive or conjunct ("expressed optimism, stating …",
      "went on to say") takes the subject of the verb it depends on;
    - a reporting verb misparsed as modifying a noun ("…, Minister X confirmed") takes that noun.
    """
    fronted = fronted_subject(verb)
    for child in verb.children:
        if fronted is not None and child.i == fronted.i:
            continue
        if child.dep_ in SUBJECTS or _misread_passive(child, verb):
            child = _past_opener(child)
            if child.tag_ in ("WP", "WDT") or child.lower_ in ("who", "that", "which"):
                if verb.dep_.startswith("acl") and verb.head is not verb:
                    return verb.head
            if depth == 0 and _across_quote(child, verb):
                # "“Anyone who …,” the senator added": a subject inside the quotation is a
                # misparse; the name next to the verb is the speaker
                return adjacent_subject(verb) or child
            return child
    for child in verb.children:
        if child.dep_ == "obl:agent" or (
            child.dep_ == "obl" and any(c.lower_ == "by" for c in child.children)
        ):
            if any(c.dep_ == "nsubj:pass" for c in verb.children) or verb.tag_ == "VBN":
                return child
    if any(child.dep_ in ("nsubj:pass", "expl") for child in verb.children):
        return None
    if depth < 2 and verb.head is not verb:
        if verb.dep_ in ("xcomp", "advcl", "conj", "advcl:relcl") and verb.head.pos_ in ("VERB", "AUX"):
            if (
                any(c.dep_ == "mark" and c.lower_ not in ("to",) for c in verb.children)
                and verb.dep_ == "advcl"
            ):
                return None  # "after he said", "because X claimed": the advcl has its own subject
            return subject_of(verb.head, depth=depth + 1)
        if verb.dep_ in ("acl", "appos") and verb.head.pos_ in ("PROPN", "NOUN") and verb.head.i < verb.i:
            if verb.tag_ != "VBN":
                return verb.head
    if depth == 0:
        return adjacent_subject(verb)
    return None


def fronted_subject(verb: Token) -> Token | None:
    """The reported clause's subject when the parser gave it to the reporting verb: in "Many of
    the closures, he said, have involved public courses" and "The rising cost of tuition is
    partly due to cuts, experts say" both "Many" and "he" ("cost" and "experts") come out as
    subjects of the verb. The speaker is the subject next to the verb, set off by a comma from
    the farther one, which belongs to a clausal complement of the verb that has no subject."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubj:pass") and c.i < verb.i]
    if len(subjects) < 2:
        return None
    far, near = subjects[0], subjects[-1]
    doc = verb.doc
    before_near = near.left_edge.i - 1
    # A misparse can make a lone quotation mark a subject: its subtree has no words.
    far_end = max((t.i for t in far.subtree if not t.is_punct), default=far.i)
    if before_near <= far_end or doc[before_near].text != ",":
        return None
    for clause in verb.children:
        if clause.dep_ in ("ccomp", "parataxis") and not any(
            c.dep_ in ("nsubj", "nsubj:pass", "csubj", "expl") for c in clause.children
        ):
            if clause.i > verb.i or far.i < clause.left_edge.i:
                return far
    return None


def describing_participle(token: Token) -> bool:
    """A past participle right after the noun it modifies, with no subject of its own: "a
    source briefed on the talks" describes the source, it reports nothing. (A misparsed
    "…, Jane Doe confirmed" has a name, not its head noun, before the participle.)"""
    if token.tag_ != "VBN" or not token.dep_.startswith("acl") or token.head.i >= token.i:
        return False
    if any(c.dep_.startswith("nsubj") for c in token.children):
        return False
    before = token.i - 1
    while before > token.head.i and token.doc[before].is_space:
        before -= 1
    return before == token.head.i


def _misread_passive(child: Token, verb: Token) -> bool:
    """A "passive subject" of a verb with no passive auxiliary, right before it: in "…, the
    minister confirmed on Monday" the parser may read "confirmed" as a participle
    ("the minister [who was] confirmed"), but nothing makes it passive."""
    return (
        child.dep_ == "nsubj:pass"
        and child.i < verb.i
        and verb.tag_ in ("VBD", "VBN")
        and not any(c.dep_ in ("aux:pass", "aux", "cop") for c in verb.children)
    )


def _past_opener(subject: Token) -> Token:
    """The real subject when a sentence opener was parsed as one: in "Meanwhile, Jane Doe, the
    party leader, announced …" the parser may make "Meanwhile" the subject and the name its
    conjunct. A one-word subject that opens the sentence, is followed by a comma, and has a
    proper-noun conjunct without "and"/"or" is such an opener."""
    if subject.i != subject.sent.start or len(list(subject.subtree)) < 3:
        return subject
    doc = subject.doc
    if subject.i + 1 >= len(doc) or doc[subject.i + 1].text != ",":
        return subject
    if any(c.dep_ in ("det", "amod", "compound", "nmod:poss") for c in subject.children):
        return subject
    conj = [c for c in subject.children if c.dep_ in ("conj", "appos") and c.pos_ == "PROPN"]
    if not conj or any(g.dep_ == "cc" for c in conj for g in c.children):
        return subject
    return conj[0]


def _across_quote(subject: Token, verb: Token) -> bool:
    """True when a quotation mark separates the subject's phrase from its verb."""
    if subject.i < verb.i:
        between = subject.doc[subject.i + 1 : verb.i]
    else:
        between = subject.doc[verb.i + 1 : subject.left_edge.i]
    return any(t.is_quote for t in between)


_NAME_DEPS = ("flat", "flat:name", "compound", "nmod:poss", "amod", "det", "nummod")


def adjacent_subject(verb: Token) -> Token | None:
    """A speaker the parser failed to attach: the noun phrase right before the verb, or, after a
    quotation ("“…,” stated Jane Doe"), the name right after it."""
    doc = verb.doc
    sent = verb.sent
    left = verb.i - 1
    while left >= sent.start and (
        doc[left].is_space or doc[left].pos_ == "ADV" or doc[left].dep_ in ("aux", "advmod")
    ):
        left -= 1
    if left >= sent.start and doc[left].text in (",", '"', "”", "’") or left < sent.start:
        right = verb.i + 1
        if right < sent.end and doc[right].pos_ == "PROPN":
            return _phrase_head(doc[right], lo=verb.i + 1, hi=sent.end)
        if left < sent.start or doc[left].is_quote:
            return None
        left -= 1
        while left >= sent.start and (doc[left].is_space or doc[left].is_punct):
            left -= 1
    if left >= sent.start and doc[left].pos_ in ("NOUN", "PROPN", "PRON") and not doc[left].is_quote:
        return _phrase_head(doc[left], lo=sent.start, hi=verb.i)
    return None


def _phrase_head(token: Token, *, lo: int, hi: int) -> Token:
    """Climb from a token of a noun phrase to its head, staying within tokens lo..hi-1."""
    while (
        token.head is not token
        and lo <= token.head.i < hi
        and token.dep_ in _NAME_DEPS
        and token.head.pos_ in ("NOUN", "PROPN")
    ):
        token = token.head
    return token


def mention_tokens(token: Token) -> list[Token]:
    """The tokens of the noun phrase headed by `token`, relative clauses and the like left out.

    Appositions stay ("Ruritania's Prime Minister, Jane Doe …"): they name the speaker.
    """
    opener = token.head
    if token.dep_ in ("conj", "appos") and opener.i != token.i and _past_opener(opener).i == token.i:
        # "Meanwhile, Jane Doe, the party leader, …": the opener's phrase without the opener
        run = [t for t in mention_tokens(opener) if t.i > opener.i + 1]
        if token.i in {t.i for t in run}:
            return run
    keep = {token.i}
    for child in token.children:
        if child.dep_ not in _NOT_IN_MENTION or _name_part(token, child):
            keep.update(t.i for t in child.subtree)
    doc = token.doc
    lo = hi = token.i
    while lo - 1 >= 0 and (lo - 1 in keep or _filler(doc[lo - 1])) and doc[lo - 1].sent_start is not True:
        if lo - 1 not in keep and not any(i in keep for i in range(lo - 2, max(lo - 4, -1), -1)):
            break
        lo -= 1
    while hi + 1 < len(doc) and (hi + 1 in keep or _filler(doc[hi + 1])) and not doc[hi + 1].is_sent_start:
        if hi + 1 not in keep and not any(i in keep for i in range(hi + 2, min(hi + 4, len(doc)))):
            break
        hi += 1
    run = [doc[i] for i in range(lo, hi + 1)]
    while run and _filler(run[0]) and run[0].i != token.i:
        run.pop(0)
    while run and _filler(run[-1]) and run[-1].i != token.i:
        run.pop()
    split = _split_subject(token, run)
    return run + split if split else run


def _split_subject(token: Token, run: list[Token]) -> list[Token]:
    """The rest of a subject the parser split in two: in "said news host Jane Doe" or "said
    the union's leader Jane Doe" the name may come out as a second subject (or an oblique) of
    the verb, right after the first part with nothing between."""
    if not run or not token.dep_.startswith("nsubj") or token.head.i == token.i:
        return []
    verb = token.head
    nxt = run[-1].i + 1
    if nxt >= len(token.doc) or token.doc[nxt].is_punct or token.doc[nxt].is_space:
        return []
    for sibling in verb.children:
        if (
            sibling.i != token.i
            and sibling.left_edge.i == nxt
            and sibling.dep_ in ("nsubj", "nsubj:pass", "obl", "appos", "dep")
            and sibling.pos_ in ("PROPN", "NOUN")
            and (sibling.i < verb.i) == (token.i < verb.i)
            and not any(t.is_quote for t in sibling.subtree)
        ):
            return [t for t in sibling.subtree if t.i >= nxt]
    return []


# Children of a speaker's head that introduce it rather than describe it.
_NOT_IN_SOURCE = frozenset({"case", "mark", "cc", "punct", "advmod", "discourse", "cop", "aux"})
_RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})


def source_phrase(doc: Doc, attribution: Attribution) -> Span | None:
    """The character span of the phrase that names the speaker at the cue.

    The mention (`Attribution.speaker`) is what the resolver reads: a name, a title, a
    pronoun. The source is the whole noun phrase around it, as annotators of attribution
    mark it and as a reader needs it for provenance: appositions, prepositional modifiers
    and relative clauses stay ("Jane Doe, a professor of law at Freedonia University, who
    advised the committee"), while what belongs to the sentence stays out: a preposition
    before it ("according to"), a participle clause after a comma ("…, summing up the
    talks"), a clause of its own, the cue and the content. A speaker that is the subject of
    a relative clause ("the ministry, which said …") is that relative pronoun.
    """
    if attribution.speaker is None:
        return None
    span = doc.char_span(*attribution.speaker, alignment_mode="expand")
    if span is None or len(span) == 0:
        return attribution.speaker
    root = doc[attribution.speaker_root] if attribution.speaker_root is not None else span.root
    cue = doc[attribution.cue_token] if attribution.cue_token is not None else None
    if cue is not None and cue.dep_.startswith("acl") and cue.head.i == root.i:
        pronoun = next(
            (c for c in cue.children if c.dep_.startswith("nsubj") and c.lower_ in _RELATIVE_PRONOUNS), None
        )
        if pronoun is not None:
            return pronoun.idx, pronoun.idx + len(pronoun.text)
    if root.pos_ == "PRON":
        return attribution.speaker
    content = {i for s, e in attribution.content for i in range(s, e)}
    blocked = {t.i for t in span}
    keep = set(blocked)
    for child in root.children:
        subtree = list(child.subtree)
        if child.i in blocked or _outside_source(root, child, subtree, cue, content):
            continue
        if child.i < span.start and any(t.is_punct for t in doc[child.right_edge.i + 1 : span.start]):
            continue  # "The museum, Jane Doe said, …": a phrase set off before the name is not hers
        keep.update(t.i for t in subtree if not t.is_space)
    lo, hi = span.start, span.end - 1
    while lo - 1 in keep:
        lo -= 1
    while hi + 1 in keep:
        hi += 1
    stray = _stray_apposition(doc, root, hi, cue, content)
    if stray is not None:
        hi = stray
    while hi > span.end - 1 and _loose_end(doc, lo, hi):
        hi -= 1
    end = doc[hi].idx + len(doc[hi].text)
    return min(doc[lo].idx, attribution.speaker[0]), max(end, attribution.speaker[1])


def _outside_source(
    root: Token, child: Token, subtree: list[Token], cue: Token | None, content: set[int]
) -> bool:
    """Whether a child of the speaker's head is not part of the source phrase."""
    if child.dep_ in _NOT_IN_SOURCE and (child.i < root.i or child.dep_ != "punct"):
        return True
    if cue is not None and any(t.i == cue.i for t in subtree):
        return True  # the cue's own clause, hung on the speaker by the parse
    if any(t.idx in content for t in subtree):
        return True
    if child.pos_ in ("VERB", "AUX") and child.dep_ not in ("acl", "acl:relcl"):
        return True  # a clause of its own ("Jane Doe, …, poked fun at …") misparsed as a modifier
    # a participle after a comma describes the act, not the speaker ("…, summing up the talks")
    return child.dep_ == "acl" and child.tag_ == "VBG" and child.i > root.i + 1


def _stray_apposition(doc: Doc, root: Token, hi: int, cue: Token | None, content: set[int]) -> int | None:
    """The last token of an apposition the parser made a second argument of the cue: in
    "…,” said Jane Doe, an expert on trade" the title often comes out as another `nsubj` of
    "said", not as an apposition of the name."""
    if cue is None or root.head.i != cue.i or hi + 2 >= len(doc):
        return None
    comma = hi if doc[hi].text == "," else hi + 1
    if doc[comma].text != ",":
        return None
    sibling = next(
        (
            c
            for c in cue.children
            if c.left_edge.i in (comma, comma + 1)
            and c.i != root.i
            and (c.dep_ in ("nsubj", "appos", "obj", "dep") or bare_noun(c))
        ),
        None,
    )
    if sibling is None or sibling.pos_ not in ("NOUN", "PROPN"):
        return None
    if any(t.idx in content or t.i == cue.i for t in sibling.subtree):
        return None
    return sibling.right_edge.i


def bare_noun(clause: Token) -> bool:
    """A "clause" that is a noun phrase: no subject, no copula. In "…,” said Jane Doe, a
    scholar at the institute" the parser may label the apposition a clausal complement."""
    return clause.pos_ in ("NOUN", "PROPN") and not any(
        c.dep_ in ("nsubj", "nsubj:pass", "csubj", "cop", "expl") for c in clause.children
    )


def _loose_end(doc: Doc, lo: int, hi: int) -> bool:
    """Whether the last token of doc[lo..hi] is punctuation a phrase does not end with (a
    closing bracket ends it when the phrase opened one)."""
    last = doc[hi]
    if last.is_space:
        return True
    if last.text == ")":
        return sum(t.text == "(" for t in doc[lo:hi]) <= sum(t.text == ")" for t in doc[lo:hi])
    return last.is_punct


def _name_part(head: Token, child: Token) -> bool:
    """A proper noun right after the head that the parser labelled as a clause: in "ministry
    spokesperson Jane al-Doe said", "Jane" may be tagged NNP yet parsed as a verb (`acl`)."""
    return child.tag_ in ("NNP", "NNPS") and child.i == head.i + 1 and child.dep_ in ("acl", "dep")


def _filler(token: Token) -> bool:
    return token.is_space or (token.is_punct and not token.is_quote and token.text not in ("(", ")"))


def fragments(doc: Doc, tokens: Iterable[Token], *, exclude: set[int] | None = None) -> list[Span]:
    """Character spans of `tokens` (minus `exclude`), joining runs split only by space or punctuation."""
    keep = sorted({t.i for t in tokens} - (exclude or set()))
    spans: list[list[int]] = []
    for i in keep:
        if spans and _only_filler(doc, spans[-1][1] + 1, i, exclude or set()):
            spans[-1][1] = i
        else:
            spans.append([i, i])
    out = []
    for lo, hi in spans:
        span = trim(doc.text, doc[lo].idx, doc[hi].idx + len(doc[hi].text))
        if span[1] > span[0]:
            out.append(span)
    return out


def _only_filler(doc: Doc, lo: int, hi: int, exclude: set[int]) -> bool:
    """True when tokens lo..hi-1 are whitespace, or punctuation that is not excluded."""
    return all(doc[i].is_space or (doc[i].is_punct and i not in exclude) for i in range(lo, hi))


def char_offsets(tokens: Sequence[Token]) -> Span:
    """The character span from the first token's start to the last token's end.

    The tokens are in document order; whatever lies between them (words, spaces) is inside
    the span, so a speaker "Jane Doe , the minister" is one span, not four.
    """
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def trim(text: str, start: int, end: int) -> Span:
    """Shrink a span past surrounding whitespace and light punctuation (not quotation marks).

    Examples:
        >>> trim(", that the talks are ongoing. ", 0, 30)
        (2, 28)
    """
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end
