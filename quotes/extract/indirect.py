"""Attributions found from the dependency parse: reporting verbs and "according to".

The rules, in the words of Universal Dependencies:

- a reporting verb's clausal complement is its content: "He said (that) talks are ongoing"
  (`ccomp`), also when the clause comes first: "“We hope …,” the prime minister said";
- "…, he said" hangs the verb on the content clause as `parataxis`: the content is that
  clause without the cue's own subtree; a colon or quotation after the verb is its content;
- some verbs report a plain object ("confirmed consideration of a truce", "expressed hopes
  to present the proposal"), or an object carrying a clause ("reiterated his stance that …");
- "according to X" and "as reported by X" attribute the clause they attach to to X;
- a reporting verb stranded after a clause by a bad parse ("The parties discussed a deal,
  the minister confirmed on Monday.") still attributes the clause before the comma.

The speaker is the verb's subject (see `syntax.subject_of`). Cues inside quotations are
not cues: "“I believe we have moved …”" is content, not an attribution of "we".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quotes.extract.lexicon import according_cues, nominal_cues, reporting_verbs
from quotes.extract.marks import QuoteRegion
from quotes.extract.syntax import Attribution, adjacent_subject, fragments, mention_tokens, subject_of, trim

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["according_to_attributions", "verb_attributions"]

_CLAUSE_DEPS = ("ccomp", "csubj")
_VERBISH = ("VERB", "AUX")


def _in_regions(token: Token, regions: list[QuoteRegion]) -> bool:
    return any(r.start < token.idx < r.end - 1 for r in regions)


def is_cue(token: Token, regions: list[QuoteRegion]) -> bool:
    """A reporting verb outside quotations."""
    lemma = token.lemma_.lower()
    return token.pos_ in _VERBISH and lemma in reporting_verbs() and not _in_regions(token, regions)


def _cue_span(verb: Token) -> tuple[int, int]:
    """The cue's characters: the verb with its particle ("point out") and auxiliaries next to it."""
    tokens = [verb] + [c for c in verb.children if c.dep_ == "compound:prt"]
    tokens += [
        c for c in verb.children if c.dep_ in ("aux", "aux:pass") and c.i < verb.i and verb.i - c.i <= 2
    ]
    lo = min(t.idx for t in tokens)
    hi = max(t.idx + len(t.text) for t in tokens)
    return lo, hi


def _speaker(verb: Token, rule: str) -> tuple[tuple[int, int] | None, int | None]:
    subject = subject_of(verb)
    if subject is None or (rule in _OBJECT_RULES and not _plausible_subject(verb, subject)):
        return None, None
    tokens = mention_tokens(subject)
    span = (tokens[0].idx, tokens[-1].idx + len(tokens[-1].text))
    return span, subject.i


_OBJECT_RULES = ("object", "prep-object", "xcomp")


def _plausible_subject(verb: Token, subject: Token) -> bool:
    """Whether a noun-phrase-object report ("criticized X") keeps the subject found for it.

    Such verbs also describe plain actions, so the evidence must be good: the subject is the
    verb's own (or shared through "to"-infinitives), and not a bare singular common noun
    ("war … has criticized"), which in news is a misparse, not a speaker.
    """
    if subject.head.i == verb.i:
        own = True
    else:  # inherited through a conjunct or a misparse: no other noun phrase may sit right before the verb
        adjacent = adjacent_subject(verb)
        own = adjacent is None or adjacent.i == subject.i
    bare = subject.tag_ in ("NN",) and not any(
        c.dep_ in ("det", "nmod:poss", "compound", "amod") for c in subject.children
    )
    return own and not bare


def _content_of(verb: Token, regions: list[QuoteRegion]) -> tuple[list[Token], set[int], str] | None:
    """The content tokens of a reporting verb, the tokens to leave out, and the rule name."""
    doc = verb.doc
    lemma = verb.lemma_.lower()
    lexicon = reporting_verbs()
    subject = subject_of(verb)
    exclude = {verb.i}
    if subject is not None and subject.i != verb.head.i:
        exclude.update(t.i for t in subject.subtree)
    children = list(verb.children)
    # 1. a clausal complement; when there is one on each side, the one after the verb
    clauses = [c for c in children if c.dep_ in _CLAUSE_DEPS and c is not subject]
    clauses += [c for c in children if c.dep_ in ("advcl", "acl") and _mark(c) == "that"]
    clauses = [c for c in clauses if not _clause_of_noun(verb, c) and not _participle(c)]
    if clauses:
        after = [c for c in clauses if c.i > verb.i]
        tokens = [t for c in (after or clauses) for t in c.subtree]
        # the content lies on one side of its cue ("“…,” he said, referring to …")
        medial = (
            after
            and after[0].left_edge.i < verb.i
            and subject is not None
            and after[0].left_edge.i < subject.i
        )
        if medial:
            # "The museum, the senator said, will open in May": the cue splits its content
            return [t for t in tokens if t.i not in exclude], exclude, "ccomp-medial"
        tokens = [t for t in tokens if (t.i > verb.i) == bool(after)]
        return tokens, exclude, "ccomp"
    # 2. a clause introduced by a colon or a quotation after the verb, parsed as parataxis
    for child in children:
        if child.dep_ in ("parataxis", "obj", "xcomp", "dep") and child.i > verb.i:
            between = doc[verb.i + 1 : child.left_edge.i]
            opens_quote = any(t.is_quote for t in doc[verb.i + 1 : child.i + 1]) or _starts_region(
                child, regions
            )
            if child.dep_ == "parataxis" and (any(t.text == ":" for t in between) or opens_quote):
                return list(child.subtree), exclude, "parataxis-after"
            if child.dep_ in ("obj", "xcomp", "dep") and opens_quote and _covers_region(child, regions):
                return list(child.subtree), exclude, "quoted-object"
    # 3. "…, he said": the cue hangs on the content clause, which comes before it
    head = verb.head
    if verb.dep_ == "parataxis" and head is not verb and head.i < verb.i:
        exclude.update(t.i for t in verb.subtree)
        tokens = [t for t in head.subtree if t.i not in exclude and t.i < verb.i]
        return tokens, exclude, "parataxis-before"
    # 3b. "The museum, the senator said, will open in May": the cue splits its content
    if verb.dep_ == "parataxis" and head is not verb and head.i > verb.i and head.left_edge.i < verb.i:
        exclude.update(t.i for t in verb.subtree)
        tokens = [t for t in head.subtree if t.i not in exclude]
        return tokens, exclude, "parataxis-medial"
    if lemma in lexicon.weak:
        return None
    # 4. an object that carries a clause, or a plain object for verbs that report one;
    #    "told reporters that …" reports the clause, not the listener
    for child in children:
        if child.dep_ != "obj" or child.pos_ == "PRON":
            continue
        clause = next(
            (c for c in child.children if c.dep_ in ("acl", "ccomp", "acl:relcl") and c.pos_ in _VERBISH),
            None,
        )
        if clause is not None and _mark(clause) == "that" and lemma in lexicon.recipient:
            return list(clause.subtree), exclude, "object-clause"
        if clause is not None or lemma in lexicon.with_object:
            return _before_cue(list(child.subtree), verb), exclude, "object"
    # 4b. "called for a ban", "boasted of …": the object of a preposition the verb takes
    found = _prep_object(verb)
    if found is not None:
        exclude.add(found[1].i)
        tokens = [t for t in found[0].subtree if t.i != found[1].i]
        return _before_cue(tokens, verb), exclude, "prep-object"
    # 5. "vowed to …", "urged X to …", "expressed hopes to …"
    for child in children:
        if child.dep_ != "xcomp" or lemma == "continue":
            continue
        if any(c.lower_ == "to" for c in child.children) or lemma in lexicon.with_object:
            return list(child.subtree), exclude, "xcomp"
    # 6. "Ruritania says <clause the parser broke up>": the rest of the sentence, if it is a clause
    if subject is not None and lemma not in lexicon.with_object:
        rest = [t for t in verb.sent if t.i > verb.i]
        finite = [
            t
            for t in rest
            if t.pos_ in _VERBISH and any(c.dep_ in ("nsubj", "nsubj:pass") for c in t.children)
        ]
        if finite and not any(c.dep_ in ("ccomp", "xcomp") for c in children):
            return rest, exclude, "rest-of-sentence"
    return None


def _before_cue(tokens: list[Token], verb: Token) -> list[Token]:
    """Cut a noun-phrase content before another reporting verb with its own speaker: in "The
    parties discussed a deal that …, the minister confirmed", a misparse hangs the postposed
    "the minister confirmed" inside the object; it is a statement of its own."""
    lexicon = reporting_verbs()
    for t in tokens:
        if t.i <= verb.i + 1 or t.pos_ not in _VERBISH or t.lemma_.lower() not in lexicon:
            continue
        subject = subject_of(t)
        if subject is not None:
            first = min(mention_tokens(subject)[0].i, t.i)
            return [u for u in tokens if u.i < first and not (u.i == first - 1 and u.is_punct)]
    return tokens


def _prep_object(verb: Token) -> tuple[Token, Token] | None:
    """The oblique after the verb whose preposition the lexicon lists for it, and that preposition."""
    allowed = reporting_verbs().prepositions.get(verb.lemma_.lower())
    if not allowed:
        return None
    for child in verb.children:
        if child.i < verb.i or not child.dep_.startswith("obl"):
            continue
        case = next((c for c in child.children if c.dep_ == "case" and c.i < child.i), None)
        if case is not None and case.lower_ in allowed and case.i - verb.i <= 3:
            return child, case
    return None


def _participle(clause: Token) -> bool:
    """A subjectless -ing clause ("…,” he said, referring to …) is an adjunct, not content."""
    return clause.tag_ == "VBG" and not any(c.dep_.startswith("nsubj") for c in clause.children)


def _clause_of_noun(verb: Token, clause: Token) -> bool:
    """True when a "that" clause follows a nominal cue between it and the verb: in "Responding to
    claims by the senator that the mayor failed …" the clause is the claim's content, not the verb's."""
    lo, hi = sorted((verb.i, clause.left_edge.i))
    nouns = nominal_cues()
    return any(t.pos_ == "NOUN" and t.lemma_.lower() in nouns for t in verb.doc[lo + 1 : hi])


def _mark(clause: Token) -> str | None:
    """The subordinating word of a clause ("that", "whether"), lower-cased."""
    marks = [c for c in clause.children if c.dep_ == "mark" and c.i < clause.i]
    return marks[0].lower_ if marks else None


def _starts_region(token: Token, regions: list[QuoteRegion]) -> bool:
    left = token.left_edge.idx
    return any(abs(r.start - left) <= 1 for r in regions)


def _covers_region(token: Token, regions: list[QuoteRegion]) -> bool:
    lo, hi = token.left_edge.idx, token.right_edge.idx + len(token.right_edge.text)
    return any(lo <= r.start + 1 and r.end - 1 <= hi for r in regions)


def verb_attributions(doc: Doc, regions: list[QuoteRegion]) -> list[Attribution]:
    """Attributions headed by a reporting verb with its complement as content."""
    out = []
    for token in doc:
        if not is_cue(token, regions):
            continue
        found = _content_of(token, regions)
        if found is None:
            found = _postposed_content(token)
        if found is None:
            continue
        tokens, exclude, rule = found
        content = fragments(doc, tokens, exclude=exclude)
        content = [span for span in content if _has_word(doc.text, span)]
        if not content:
            continue
        cue = _cue_span(token)
        if rule == "prep-object":
            case = _prep_object(token)[1]  # type: ignore[index]
            cue = (cue[0], max(cue[1], case.idx + len(case.text)))
        speaker, root = _speaker(token, rule)
        if speaker is not None and any(s <= speaker[0] < e for s, e in content):
            # the speaker sits inside the content span: cut the content around it
            content = _cut(content, speaker)
        out.append(
            Attribution(
                kind="indirect",
                content=content,
                cue=cue,
                speaker=speaker,
                speaker_root=root,
                rule=rule,
                cue_token=token.i,
                extra={"lemma": token.lemma_.lower()},
            )
        )
    return out


def _postposed_content(verb: Token) -> tuple[list[Token], set[int], str] | None:
    """ "<clause>, <speaker> <verb> …" when the parser did not link verb and clause."""
    if reporting_verbs().weak.__contains__(verb.lemma_.lower()):
        return None
    subject = subject_of(verb)
    if subject is None or any(c.dep_ in ("obj",) for c in verb.children):
        return None
    sent = verb.sent
    first = mention_tokens(subject)[0].i
    comma = first - 1
    while comma > sent.start and (sent.doc[comma].is_space):
        comma -= 1
    if comma <= sent.start or sent.doc[comma].text not in (",", "”", '"'):
        return None
    clause = [t for t in sent.doc[sent.start : comma] if not t.is_space]
    if not any(t.pos_ in _VERBISH and t.dep_ in ("ROOT", "ccomp", "parataxis") for t in clause):
        return None
    if len([t for t in clause if t.is_alpha]) < 3:
        return None
    return clause, {verb.i}, "postposed"


def _has_word(text: str, span: tuple[int, int]) -> bool:
    return any(ch.isalnum() for ch in text[span[0] : span[1]])


def _cut(content: list[tuple[int, int]], hole: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    for s, e in content:
        if hole[1] <= s or e <= hole[0]:
            out.append((s, e))
            continue
        if s < hole[0]:
            out.append((s, hole[0]))
        if hole[1] < e:
            out.append((hole[1], e))
    return [span for span in out if span[1] > span[0]]


def according_to_attributions(doc: Doc, regions: list[QuoteRegion]) -> list[Attribution]:
    """ "…, according to X" and "as reported by X": X said the clause the phrase attaches to."""
    out = []
    lowered = [t.lower_ for t in doc]
    for i in range(len(doc)):
        for phrase in according_cues():
            if tuple(lowered[i : i + len(phrase)]) != phrase:
                continue
            cue_end = i + len(phrase) - 1
            if _in_regions(doc[i], regions) or cue_end + 1 >= len(doc):
                break
            source = _phrase_object(doc, cue_end)
            if source is None:
                break
            sent = doc[i].sent
            source_tokens = _source_mention(source, after=cue_end)
            hole = set(range(i, max(_hole_end(doc, source, sent.end), source_tokens[-1].i) + 1))
            content = fragments(doc, [t for t in sent if t.i not in hole], exclude=hole)
            content = [span for span in content if any(ch.isalnum() for ch in doc.text[span[0] : span[1]])]
            if content:
                out.append(
                    Attribution(
                        kind="according_to",
                        content=content,
                        cue=(doc[i].idx, doc[cue_end].idx + len(doc[cue_end].text)),
                        speaker=(source_tokens[0].idx, source_tokens[-1].idx + len(source_tokens[-1].text)),
                        speaker_root=source.i,
                        rule="according-to",
                        cue_token=i,
                    )
                )
            break
    return out


def _source_mention(source: Token, *, after: int) -> list[Token]:
    """The source's noun phrase, ending at the first comma: in "According to the union, the mayor and
    his government are …" the parser may coordinate the source with the clause's subject."""
    tokens = [t for t in mention_tokens(source) if t.i > after]
    for k, t in enumerate(tokens):
        if t.text in (",", ";", ":") and k > 0:
            return tokens[:k]
    return tokens or [source]


def _hole_end(doc: Doc, source: Token, sent_end: int) -> int:
    """Where the "according to X" phrase ends: X's subtree, cut at the first comma after X's
    head ("According to a source briefed on the talks, “…”"); a relative clause after that
    comma ("the source, who spoke on condition of anonymity,") still belongs to the phrase."""
    end = source.i
    for k in range(source.i + 1, min(source.right_edge.i, sent_end - 1) + 1):
        if doc[k].text in (",", ";", ":") or doc[k].is_quote:
            break
        end = k
    k = end + 1
    while k < sent_end and (doc[k].is_space or doc[k].text == ","):
        k += 1
    if k < sent_end and doc[k].lower_ in ("who", "which", "whose"):
        while k < sent_end and doc[k].text not in (",", ";", "."):
            k += 1
        return k - 1
    while end > source.i and (doc[end].is_space or doc[end].is_punct):
        end -= 1
    return end


def _phrase_object(doc: Doc, last: int) -> Token | None:
    """The head noun of the noun phrase right after a cue phrase ending at token `last`."""
    sent_end = doc[last].sent.end
    start = last + 1
    while start < sent_end and doc[start].is_space:
        start += 1
    if start >= sent_end:
        return None
    token = doc[start]
    # climb to the head of the noun phrase while staying after the phrase
    while (
        token.head is not token
        and token.head.i > last
        and token.head.i < sent_end
        and token.dep_ not in ("obl", "nmod", "obl:agent", "ROOT")
        and token.head.pos_ in ("NOUN", "PROPN", "PRON", "NUM", "ADJ")
    ):
        token = token.head
    if token.pos_ not in ("NOUN", "PROPN", "PRON", "NUM", "X", "ADJ"):
        return None
    return token


def sentence_of(doc: Doc, char: int) -> Span:
    """The sentence that holds character offset `char`."""
    return doc.char_span(char, char + 1, alignment_mode="expand").sent  # type: ignore[union-attr]


__all__ += ["is_cue", "sentence_of", "trim"]
