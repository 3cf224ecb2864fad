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

from quotes.extract.cuemodel import learned_cue_probability
from quotes.extract.lexicon import according_cues, experiencer_verbs, nominal_cues, reporting_verbs
from quotes.extract.marks import QuoteRegion, inside_quotation
from quotes.extract.syntax import (
    Attribution,
    adjacent_subject,
    bare_noun,
    char_offsets,
    describing_participle,
    fragments,
    fronted_subject,
    mention_tokens,
    subject_of,
    trim,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["according_to_attributions", "take_in_passive_subject", "verb_attributions"]

_CLAUSE_DEPS = ("ccomp", "csubj")
_VERBISH = ("VERB", "AUX")


def is_cue(token: Token, regions: list[QuoteRegion]) -> bool:
    """A reporting verb outside quotations, and not a participle describing a noun ("a source
    briefed on the talks", "figures reported by the ministry")."""
    lemma = token.lemma_.lower()
    if describing_participle(token):
        return False
    return token.pos_ in _VERBISH and lemma in reporting_verbs() and not inside_quotation(token.idx, regions)


def cue_span(verb: Token) -> tuple[int, int]:
    """The cue's characters: the verb with its particle ("point out"), and the auxiliaries and
    adverbs right before it ("has also said", "repeatedly claimed")."""
    tokens = [verb] + [c for c in verb.children if c.dep_ == "compound:prt"]
    tokens += [
        c for c in verb.children if c.dep_ in ("aux", "aux:pass") and c.i < verb.i and verb.i - c.i <= 2
    ]
    tokens += _adverbs_before(verb)
    governor = verb.head
    if verb.dep_ == "xcomp" and governor.i == verb.i - 2 and verb.doc[verb.i - 1].lower_ == "to":
        tokens.append(governor)  # "continues to insist", "refused to say"
    lo = min(t.idx for t in tokens)
    hi = max(t.idx + len(t.text) for t in tokens)
    return lo, hi


def _adverbs_before(verb: Token) -> list[Token]:
    """The verb's adverbs in the run of adverbs and auxiliaries right before it. A wh-adverb
    opens a clause rather than qualifying the report: "when asked" has the cue "asked"."""
    doc = verb.doc
    out = []
    i = verb.i - 1
    while i >= verb.sent.start and doc[i].head.i == verb.i and doc[i].dep_ in ("advmod", "aux", "aux:pass"):
        if doc[i].dep_ == "advmod" and doc[i].pos_ in ("ADV", "PART") and doc[i].tag_ != "WRB":
            out.append(doc[i])
        i -= 1
    return out


def speaker_of(verb: Token, rule: str) -> tuple[tuple[int, int] | None, int | None]:
    """The speaker mention's characters and head index for a cue of `rule`: the verb's
    subject, unless an object rule's subject fails `_plausible_subject`."""
    subject = subject_of(verb)
    if subject is None or (rule in _OBJECT_RULES and not _plausible_subject(verb, subject)):
        return None, None
    tokens = mention_tokens(subject) or [subject]
    tokens += _stranded_modifier(verb, tokens)
    span = char_offsets(tokens)
    return span, subject.i


def _stranded_modifier(verb: Token, mention: list[Token]) -> list[Token]:
    """A modifier of the speaker that the parser hung on the verb: in "Officials familiar with
    the plan said …" "familiar with the plan" may come out as the verb's complement. It is the
    phrase filling the gap between the mention and the verb, headed by an adjective or a
    participle without a subject of its own."""
    doc = verb.doc
    start = mention[-1].i + 1
    if start >= verb.i:
        return []
    for child in verb.children:
        if not (child.left_edge.i == start and child.right_edge.i == verb.i - 1):
            continue
        if child.dep_ in ("ccomp", "xcomp", "advcl", "dep") and (child.pos_ == "ADJ" or child.tag_ == "VBN"):
            if not any(c.dep_.startswith("nsubj") for c in child.children):
                return [t for t in doc[start : verb.i] if not (t.i == verb.i - 1 and t.is_punct)]
    return []


_OBJECT_RULES = ("object", "prep-object", "xcomp")
"""Rules whose verbs also describe plain actions: their speaker must be well evidenced."""


def _plausible_subject(verb: Token, subject: Token) -> bool:
    """Whether a noun-phrase-object report ("criticized X") keeps the subject found for it.

    Such verbs also describe plain actions, so the evidence must be good: the subject is the
    verb's own (or shared through "to"-infinitives), and not a bare singular common noun
    ("war … has criticized"), which in news is a misparse, not a speaker.
    """
    if subject.head.i == verb.i or (subject.head.head.i == verb.i and subject.head.dep_.startswith("nsubj")):
        own = True  # its own subject, or one found past a sentence opener ("Meanwhile, Jane Doe …")
    else:  # inherited through a conjunct or a misparse: no other noun phrase may sit right before the verb
        adjacent = adjacent_subject(verb)
        own = adjacent is None or adjacent.i == subject.i
    bare = subject.tag_ in ("NN",) and not any(
        c.dep_ in ("det", "nmod:poss", "compound", "amod") for c in subject.children
    )
    return own and not bare


def _content_of(
    verb: Token, regions: list[QuoteRegion], *, learned: bool = False
) -> tuple[list[Token], set[int], str] | None:
    """The content tokens of a reporting verb, the tokens to leave out, and the rule name.

    A `learned` cue (`quotes.extract.cuemodel`) reports its object like a lexicon verb
    flagged ``object``, but never the rest of a sentence.
    """
    doc = verb.doc
    lemma = verb.lemma_.lower()
    lexicon = reporting_verbs()
    with_object = learned or lemma in lexicon.with_object
    subject = subject_of(verb)
    exclude = {verb.i}
    if subject is not None and subject.i != verb.head.i:
        exclude.update(t.i for t in subject.subtree)
    children = list(verb.children)
    # 1. a clausal complement; when there is one on each side, the one after the verb
    clauses = [c for c in children if c.dep_ in _CLAUSE_DEPS and c is not subject]
    clauses += [c for c in children if c.dep_ in ("advcl", "acl", "conj") and _mark(c) == "that"]
    clauses = [
        c
        for c in clauses
        if not _clause_of_noun(verb, c) and not _participle(c) and not relative_clause(c) and not bare_noun(c)
    ]
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
            tokens = _with_tail(tokens, verb)
            return [t for t in tokens if t.i not in exclude], exclude, "ccomp-medial"
        tokens = [t for t in tokens if (t.i > verb.i) == bool(after)]
        if after:
            tokens = _split_off_subject(verb, after[0]) + tokens
        fronted = fronted_subject(verb)
        if fronted is not None:
            tokens = [t for t in fronted.subtree if t.i < verb.i] + tokens
        elif after and subject is not None:
            tokens = _fronted_phrase(verb, subject, tokens) + tokens
        return tokens, exclude, "ccomp"
    # 2. a clause introduced by a colon or a quotation after the verb, parsed as parataxis
    for child in children:
        if child.dep_ in ("parataxis", "obj", "xcomp", "dep") and child.i > verb.i:
            between = doc[verb.i + 1 : child.left_edge.i]
            opens_quote = any(t.is_quote for t in doc[verb.i + 1 : child.i + 1]) or _starts_region(
                child, regions
            )
            if child.dep_ == "parataxis" and (any(t.text == ":" for t in between) or opens_quote):
                if any(_reports_for(t, verb, regions) for t in between):
                    continue  # "posted a comment, saying, “…”": the participle reports it
                return _split_off_subject(verb, child) + list(child.subtree), exclude, "parataxis-after"
            if child.dep_ in ("obj", "xcomp", "dep") and opens_quote and _covers_region(child, regions):
                return list(child.subtree), exclude, "quoted-object"
    # 2b. "…, saying, “…”": the parser hung the quotation beside the participle, on its head
    clause = _sibling_statement(verb, regions)
    if clause is not None:
        return list(clause.subtree), exclude, "parataxis-after"
    # 3. "…, he said": the cue hangs on the content clause, which comes before it
    head = verb.head
    if verb.dep_ == "parataxis" and head is not verb and head.i < verb.i:
        exclude.update(t.i for t in verb.subtree)
        tokens = [t for t in head.subtree if t.i not in exclude and t.i < verb.i]
        tail = _tail(verb)
        exclude.difference_update(t.i for t in tail)
        return tokens + tail, exclude, "parataxis-before"
    # 3b. "The museum, the senator said, will open in May": the cue splits its content
    if verb.dep_ == "parataxis" and head is not verb and head.i > verb.i and head.left_edge.i < verb.i:
        exclude.update(t.i for t in verb.subtree)
        tokens = [t for t in head.subtree if t.i not in exclude]
        return tokens, exclude, "parataxis-medial"
    # 3c. "the resolution, which he said had no impact": the parser hung the reported clause
    #     beside the verb, as a second relative clause of the same noun
    sibling = _next_word(verb)
    if (
        verb.dep_ == "acl:relcl"
        and subject is not None
        and sibling is not None
        and sibling.pos_ in _VERBISH
        and sibling.head.i == head.i
        and sibling.dep_ == verb.dep_
    ):
        return [t for t in sibling.subtree if t.i >= sibling.i], exclude, "relative-sibling"
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
        if clause is not None and lemma in lexicon.recipient and _told_clause(child, clause):
            return list(clause.subtree), exclude, "object-clause"
        if clause is not None or with_object:
            return _before_cue(_with_infinitive(child, verb), verb), exclude, "object"
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
        if any(c.lower_ == "to" for c in child.children) or with_object:
            return list(child.subtree), exclude, "xcomp"
    # 6. "Ruritania says <clause the parser broke up>": the rest of the sentence, if it is a clause
    if subject is not None and not with_object:
        rest = [t for t in verb.sent if t.i > verb.i]
        finite = [
            t
            for t in rest
            if t.pos_ in _VERBISH and any(c.dep_ in ("nsubj", "nsubj:pass") for c in t.children)
        ]
        if finite and not any(
            c.dep_ == "ccomp" or (c.dep_ == "xcomp" and c.pos_ in _VERBISH) for c in children
        ):
            return _from_complementizer(rest), exclude, "rest-of-sentence"
    return None


def _reports_for(token: Token, head: Token, regions: list[QuoteRegion]) -> bool:
    """Whether `token` is a reporting participle hung on `head` whose statement the parser
    put beside it: "posted a comment, saying, “…”" (`_sibling_statement`)."""
    return token.head.i == head.i and _sibling_statement(token, regions) is not None


def _sibling_statement(verb: Token, regions: list[QuoteRegion]) -> Token | None:
    """The statement of a reporting participle with no complement of its own, when the
    parser hung it on the participle's head: "…, saying, “We are ready.”" The statement must
    follow the participle with only punctuation between."""
    if verb.tag_ != "VBG" or verb.dep_ not in ("advcl", "xcomp", "conj") or verb.head is verb:
        return None
    if any(c.dep_ in (*_CLAUSE_DEPS, "obj", "xcomp", "parataxis") for c in verb.children):
        return None
    if not is_cue(verb, regions):
        return None
    for sibling in verb.head.children:
        if sibling.dep_ != "parataxis" or sibling.i <= verb.i:
            continue
        between = verb.doc[verb.i + 1 : sibling.left_edge.i]
        if all(t.is_punct or t.is_space for t in between):
            return sibling
    return None


# Subordinators that open a reported statement or question.
_COMPLEMENTIZERS = frozenset({"that", "if", "whether"})


def _from_complementizer(rest: list[Token]) -> list[Token]:
    """The rest of a sentence from the word that opens its reported clause, when the parser did
    not tie the clause to its verb: in "said in a telephone interview that …" or "asked the
    minister whether …" what comes before "that"/"whether" is where, when or to whom it was
    said. Only a subordinator the parse marks as one (not the "that" of a relative clause),
    after a lead-in with no verb and no quotation mark."""
    for k, token in enumerate(rest):
        if token.lower_ in _COMPLEMENTIZERS and token.dep_ == "mark":
            return rest[k:] if k < len(rest) - 1 else rest
        if token.pos_ in _VERBISH or token.is_quote:
            return rest
    return rest


def _split_off_subject(verb: Token, clause: Token) -> list[Token]:
    """The subject of a reported clause that the parser hung on the verb: in "She said praise
    from the senator would not matter" "praise …" may come out as the object of "said" (or as
    a second subject, or, for "using a private server was improper", as a clause of its own)
    and "would not matter" as a complement without a subject. Only a phrase right before the
    clause, after the verb. A clause with a subject of its own can still have lost the gerund
    that opens it (`_stranded_gerund`)."""
    if any(c.dep_ in ("nsubj", "nsubj:pass", "csubj", "expl") for c in clause.children):
        return _stranded_gerund(verb, clause)
    doc = verb.doc
    start = clause.left_edge.i
    while start > verb.i + 1 and doc[start - 1].is_space:
        start -= 1
    spoken = any(  # a subject before the verb, not one inside a quotation that ends before it
        c.dep_ in ("nsubj", "nsubj:pass") and c.i < verb.i and not any(t.is_quote for t in doc[c.i : verb.i])
        for c in verb.children
    )
    for child in verb.children:
        if child.i <= verb.i or child.i == clause.i or child.dep_ not in _SUBJECT_ON_VERB:
            continue
        if child.dep_ == "nsubj" and not spoken:
            continue  # "“…,” said the chairman, …": the subject after the verb is the speaker
        if child.right_edge.i + 1 == start and child.left_edge.i > verb.i:
            return list(child.subtree)
    return []


def _stranded_gerund(verb: Token, clause: Token) -> list[Token]:
    """A gerund that opens the clause's subject, hung on the verb: in "He argued accepting
    these terms would leave the group intact" the parser makes "accepting" a complement of
    "argued" and "these terms" the subject of "leave". Only a bare gerund right before the
    clause."""
    for child in verb.children:
        if (
            child.dep_ == "xcomp"
            and child.tag_ == "VBG"
            and verb.i < child.i
            and child.i + 1 == clause.left_edge.i
            and child.n_lefts + child.n_rights == 0
        ):
            return [child]
    return []


# How the parser may hang the subject of a reported clause on the reporting verb.
_SUBJECT_ON_VERB = frozenset({"obj", "nsubj", "csubj", "xcomp", "ccomp"})


def _fronted_phrase(verb: Token, subject: Token, content: list[Token]) -> list[Token]:
    """The opening of a statement that a cue set off by commas interrupts: in "At the time, she
    said, the plant was profitable" the parser hangs "At the time" on "said", yet it belongs to
    what she said. Only a phrase that opens the sentence, hangs on the verb, holds no quotation,
    and is followed by "<speaker> <verb>," with an unquoted clause after."""
    doc = verb.doc
    mention = mention_tokens(subject) or [subject]
    comma = mention[0].i - 1
    start = verb.sent.start
    while start < comma and doc[start].is_space:
        start += 1
    after_cue = _past_modifiers(verb)
    if comma <= start or doc[comma].text != "," or after_cue >= len(doc) or doc[after_cue].text != ",":
        return []
    if not content or content[0].is_quote or mention[-1].i >= verb.i:
        return []
    phrase = [t for t in doc[start:comma] if not t.is_space]
    inside = {t.i for t in phrase}
    if any(t.is_quote or (t.head.i not in inside and t.head.i != verb.i) for t in phrase):
        return []
    if any(t.dep_.startswith(("nsubj", "csubj")) and t.head.i == verb.i for t in phrase):
        return []
    return phrase


_TAIL_SKIP = ("advmod", "obl:tmod", "obl", "nmod:tmod", "compound:prt")


def _past_modifiers(verb: Token, *, most: int | None = None) -> int:
    """The index of the first token after the verb that is not one of its modifiers right after
    it ("said today", "pointed out"), skipping at most `most` of them."""
    doc = verb.doc
    i = verb.i + 1
    while i < verb.sent.end and doc[i].dep_ in _TAIL_SKIP and doc[i].head.i == verb.i:
        if most is not None and i - verb.i > most:
            break
        i += 1
    return i


def _tail(verb: Token) -> list[Token]:
    """The rest of the sentence after a cue set off by commas: in "The plant was profitable, the
    manager said, until it closed in 1999" the parser often hangs "until …" on the cue, yet it
    continues the statement. Nothing when a quotation, a participle ("…, adding that") or less
    than three words follow."""
    doc = verb.doc
    end = verb.sent.end
    i = _past_modifiers(verb, most=2)
    if i + 1 >= end or doc[i].text != ",":
        return []
    tail = [t for t in doc[i + 1 : end] if not t.is_space]
    if not tail or tail[0].is_quote or tail[0].tag_ == "VBG" or sum(t.is_alpha for t in tail) < 3:
        return []
    return tail


def _with_tail(tokens: list[Token], verb: Token) -> list[Token]:
    seen = {t.i for t in tokens}
    return tokens + [t for t in _tail(verb) if t.i not in seen]


def _next_word(token: Token) -> Token | None:
    """The first non-space token after `token` in its sentence."""
    for t in token.doc[token.i + 1 : token.sent.end]:
        if not t.is_space:
            return t
    return None


def _with_infinitive(obj: Token, verb: Token) -> list[Token]:
    """The object's phrase, with a "to" infinitive right after it that the parser hung on the
    verb: "announced plans to visit Cairo" reports the plans to visit Cairo."""
    tokens = list(obj.subtree)
    after = obj.right_edge.i + 1
    for child in verb.children:
        if child.dep_ == "xcomp" and child.left_edge.i == after and child.left_edge.lower_ == "to":
            tokens += list(child.subtree)
    return tokens


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


def _told_clause(listener: Token, clause: Token) -> bool:
    """Whether a clause the parser hung on a listener is what was told: "told reporters that …",
    and also "told reporters he would run", where the parser took the unmarked clause for a
    relative clause of "reporters". Not a real relative clause ("told reporters who had
    gathered outside …")."""
    if _mark(clause) == "that":
        return True
    subjects = [c for c in clause.children if c.dep_ in ("nsubj", "nsubj:pass") and c.i < clause.i]
    return (
        bool(subjects)
        and clause.left_edge.i > listener.i
        and subjects[0].lower_ not in ("who", "which", "that", "whom")
    )


def relative_clause(clause: Token) -> bool:
    """A relative clause misparsed as a complement: "said Jane Doe, who stressed that …",
    "replied Jane Doe, whose criticism of the plan has sharpened"."""
    subjects = [c for c in clause.children if c.dep_.startswith("nsubj")]
    return any(c.lower_ in ("who", "which") or any(g.lower_ == "whose" for g in c.children) for c in subjects)


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
        probability = None
        if not is_cue(token, regions):
            probability = learned_cue_probability(token, regions)
            if probability is None:
                continue
        learned = probability is not None
        found = _content_of(token, regions, learned=learned)
        if found is None and not learned:
            found = _postposed_content(token)
        if found is None:
            continue
        tokens, exclude, rule = found
        raised = _raised_subject(token, tokens)
        if raised:
            tokens = raised + tokens
            exclude = exclude - {t.i for t in raised}
        content = fragments(doc, tokens, exclude=exclude)
        content = [span for span in content if _has_word(doc.text, span)]
        if not content:
            continue
        cue = cue_span(token)
        if rule == "prep-object":
            case = _prep_object(token)[1]  # type: ignore[index]
            cue = (cue[0], max(cue[1], case.idx + len(case.text)))
        speaker, root = speaker_of(token, rule) if not raised else (None, None)
        leading = _leading_quotation(doc, content, cue, regions)
        if leading is not None:
            # "“…,” Jane Doe, the minister, said": the parser hung the name on the quotation
            content, named = leading
            if named is not None and (root is None or root > token.i):
                speaker, root = named
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
                extra={
                    "lemma": token.lemma_.lower(),
                    "learned": learned,
                    "raising": bool(raised),
                    **({"probability": round(probability, 3)} if probability is not None else {}),
                },
            )
        )
    return out


def _raised_subject(verb: Token, content: list[Token]) -> list[Token]:
    """The subject of a raising verb, which the content takes in and which is no speaker: "the
    plan seems to fail" says nothing of who holds the view, and the content is "the plan … to
    fail". Nothing for other verbs, or when the content does not follow the verb."""
    if verb.lemma_.lower() not in reporting_verbs().raising or not content or content[0].i < verb.i:
        return []
    subject = subject_of(verb)
    if subject is None or subject.i > verb.i or subject.head.i != verb.i:
        return []
    return [t for t in subject.subtree if t.i < verb.i]


def take_in_passive_subject(doc: Doc, attribution: Attribution) -> None:
    """Give a speakerless report on a passive its subject, the way news annotators read it.

    An agentless passive names no speaker; its subject is what the statement is about, and
    belongs to the content as a fragment before the cue: "the talks | are expected | to
    resume", "the city | is known as | a backwater", "Roof | was charged with | murder". An
    experiencer verb's subject is the exception: "voters are worried that …" reports the
    voters' view, so they become the speaker (see ``resources/experiencer_verbs.txt``).
    A raising verb's subject is never the speaker, also when a learned stage gave it one
    ("this | seems like | a fair idea"). Nothing changes for an expletive "it" ("it was
    reported that …"), another report with a speaker, or a content that does not follow the
    cue."""
    if attribution.cue is None or attribution.cue_token is None:
        return
    if attribution.kind in ("direct", "according_to") or attribution.start < attribution.cue[1]:
        return
    verb = doc[attribution.cue_token]
    subject = _passive_subject(verb)
    lemma = verb.lemma_.lower()
    if subject is None or lemma in reporting_verbs().recipient:
        return  # "he was asked about …": the listener, neither speaker nor content
    if attribution.speaker is not None:
        if attribution.speaker_root != subject.i or lemma not in reporting_verbs().raising:
            return
        attribution.speaker = attribution.speaker_root = None  # a learned report of "X seems Y"
    if _experiencer(verb):
        tokens = mention_tokens(subject) or [subject]
        attribution.speaker = char_offsets(tokens)
        attribution.speaker_root = subject.i
        return
    tokens = [t for t in doc[subject.left_edge.i : verb.i] if t.i <= subject.right_edge.i]
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space):
        tokens.pop()
    if not tokens:
        return
    fragment = char_offsets(tokens)
    if fragment[1] <= attribution.cue[0]:
        attribution.content = [fragment, *attribution.content]


def _experiencer(verb: Token) -> bool:
    """Whether the verb is an experiencer verb, also when tagged as an adjective that keeps its
    participle as lemma ("pleased", "enamored")."""
    verbs = experiencer_verbs()
    word = verb.lower_
    stems = (word[:-2], word[:-1]) if word.endswith("ed") else ()
    return verb.lemma_.lower() in verbs or any(stem in verbs for stem in stems)


def _passive_subject(verb: Token) -> Token | None:
    """The subject before an agentless passive ("the talks are expected"), an adjectival
    participle ("he is best known for") or a raising verb ("the plan seems to"); not "it"."""
    if any(c.dep_ == "obl:agent" for c in verb.children):
        return None
    if any(c.dep_ == "aux:pass" and c.lower_ in ("'s", "’s") for c in verb.children):
        return None  # "he's said": "has" as often as "is"
    passive = any(c.dep_ == "aux:pass" for c in verb.children) or (
        verb.tag_ == "VBN" and any(c.dep_ == "cop" for c in verb.children)
    )
    raising = verb.lemma_.lower() in reporting_verbs().raising
    for child in verb.children:
        if child.i > verb.i or child.lower_ == "it":
            continue
        if child.dep_ == "nsubj:pass" or (child.dep_ == "nsubj" and (passive or raising)):
            return child
    return None


def _leading_quotation(
    doc: Doc, content: list[tuple[int, int]], cue: tuple[int, int], regions: list[QuoteRegion]
) -> tuple[list[tuple[int, int]], tuple[tuple[int, int], int] | None] | None:
    """Content that opens with a quotation and runs on past its closing mark up to the cue.

    Returns the content cut at the closing mark, and the noun phrase found between the mark
    and the cue (span and head index), which is the speaker the parser folded into the clause.
    """
    if not content or content[-1][1] > cue[0]:
        return None
    region = next((r for r in regions if r.closed and abs(r.start - content[0][0]) <= 1), None)
    if region is None or region.end >= content[-1][1] or region.end > cue[0]:
        return None
    rest = doc.char_span(region.end, cue[0], alignment_mode="contract")
    if rest is None or not any(t.is_alpha for t in rest):
        return None
    cut = [(s, min(e, region.end)) for s, e in content if s < region.end]
    heads = [t for t in rest if t.head.i < rest.start or t.head.i >= rest.end]
    head = next((t for t in heads if t.pos_ in ("PROPN", "NOUN")), None)
    if head is None:
        return cut, None
    tokens = [t for t in mention_tokens(head) if rest.start <= t.i < rest.end]
    if not tokens:
        return cut, None
    return cut, (char_offsets(tokens), head.i)


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


# Tags that end the noun phrase of an "according to" source when it is read from the tags.
_PHRASE_BREAKS = frozenset({"ADP", "SCONJ", "CCONJ", "AUX", "PART"})


def according_to_attributions(doc: Doc, regions: list[QuoteRegion]) -> list[Attribution]:
    """ "…, according to X" and "as reported by X": X said the clause the phrase attaches to."""
    out = []
    lowered = [t.lower_ for t in doc]
    for i in range(len(doc)):
        for phrase in according_cues():
            if tuple(lowered[i : i + len(phrase)]) != phrase:
                continue
            cue_end = i + len(phrase) - 1
            if inside_quotation(doc[i].idx, regions) or cue_end + 1 >= len(doc):
                break
            source = _phrase_object(doc, cue_end)
            if source is not None:
                source_tokens = _source_mention(source, after=cue_end)
            else:
                source_tokens = _tagged_noun_phrase(doc, cue_end)
                if not source_tokens:
                    break
                source = source_tokens[-1]
            sent = doc[i].sent
            end = max(_hole_end(doc, source, sent.end), source_tokens[-1].i)
            if _runs_on_after_source(doc, i, end):
                end = sent.end - 1
            hole = set(range(i, end + 1))
            content = fragments(doc, [t for t in sent if t.i not in hole], exclude=hole)
            content = [span for span in content if any(ch.isalnum() for ch in doc.text[span[0] : span[1]])]
            if content:
                out.append(
                    Attribution(
                        kind="according_to",
                        content=content,
                        cue=(doc[i].idx, doc[cue_end].idx + len(doc[cue_end].text)),
                        speaker=char_offsets(source_tokens),
                        speaker_root=source.i,
                        rule="according-to",
                        cue_token=i,
                    )
                )
            break
    return out


# Words that open the reported question of "Asked whether …", "When asked why …".
_QUESTION_WORDS = frozenset({"whether", "if", "what", "why", "how", "who", "which", "where", "when"})


def question_attributions(doc: Doc, regions: list[QuoteRegion]) -> list[Attribution]:
    """ "Asked whether the plan would pass, the mayor said …" and "…, she said when asked why":
    the participle reports the question put to the speaker. Its content is the question, up
    to the comma that ends the participle's clause (or the sentence's end, after "when
    asked"); its asker is not named. The parser often takes "Asked" for the main verb and
    scatters the question, so this reads the words in order."""
    out = []
    for sent in doc.sents:
        words = [t for t in sent if not t.is_space]
        if len(words) < 4:
            continue
        for k in _asked_positions(words):
            verb = words[k]
            if any(c.dep_.startswith("nsubj") for c in verb.children) or inside_quotation(verb.idx, regions):
                continue
            start = next(
                (t for t in words[k + 1 : k + 10] if t.lower_ in _QUESTION_WORDS or t.is_punct),
                None,
            )
            if start is None or start.is_punct:
                continue
            end = _question_end(doc, start.i, sent.end, fronted=k <= 1)
            if end is None or not any(ch.isalnum() for ch in doc.text[start.idx + len(start.text) : end]):
                continue
            out.append(
                Attribution(
                    kind="indirect",
                    content=[(start.idx, end)],
                    cue=(verb.idx, verb.idx + len(verb.text)),
                    rule="question",
                    cue_token=verb.i,
                    extra={"lemma": "ask", "learned": False, "raising": False},
                )
            )
    return out


def _asked_positions(words: list[Token]) -> list[int]:
    """Where "asked" opens a question clause: at the start of a sentence ("Asked whether …,",
    "When asked why …,") or after "when" inside it ("…, he said when asked whether …")."""
    return [
        k
        for k, word in enumerate(words)
        if word.lower_ == "asked" and (k == 0 or words[k - 1].lower_ == "when")
    ]


def _question_end(doc: Doc, start: int, sent_end: int, *, fronted: bool = True) -> int | None:
    """The character offset where a question ends: at the first comma outside a quotation, or
    after the closing mark of a quotation that ends in a comma (“…,”); a question that is not
    fronted may also run to the end of its sentence."""
    open_quote = False
    last = None
    for token in doc[start:sent_end]:
        if token.is_quote:
            if open_quote and token.i > start and doc[token.i - 1].text == ",":
                return token.idx + len(token.text)
            open_quote = not open_quote
            continue
        if token.text == "," and not open_quote:
            return token.idx
        if not (token.is_punct or token.is_space):
            last = token
    if fronted or last is None or open_quote:
        return None
    return last.idx + len(last.text)


def _runs_on_after_source(doc: Doc, cue: int, end: int) -> bool:
    """Whether the words after an "according to X" phrase that ends a statement still belong
    to X: "…, according to a poll released Thursday", "… according to an interview she gave
    to ITV". The parser cut the source short; with no punctuation after it, what follows is
    not the statement resuming ("…, according to the poll, is …" has a comma)."""
    sent = doc[cue].sent
    if not any(t.is_alpha for t in doc[sent.start : cue]):
        return False  # "According to X …" opens the sentence: the statement follows
    following = next((t for t in doc[end + 1 : sent.end] if not t.is_space), None)
    return following is not None and not (following.is_punct or following.is_quote)


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


def _tagged_noun_phrase(doc: Doc, last: int) -> list[Token]:
    """The noun phrase right after a cue phrase ending at token `last`, read from the tags alone.

    The parser sometimes takes the phrase for a clause: in "according to exit polls" or
    "according to media buying sources" it tags the first word a verb and hangs the rest on
    it. The words up to the last noun of the phrase (which ends at punctuation, a
    preposition, a conjunction or a function word) still name the source. Empty when the
    phrase has no noun.
    """
    sent_end = doc[last].sent.end
    run: list[Token] = []
    for token in doc[last + 1 : sent_end]:
        if token.is_space and not run:
            continue
        if token.is_punct or token.is_space or token.pos_ in _PHRASE_BREAKS:
            break
        if run and token.pos_ in ("DET", "PRON"):
            break
        run.append(token)
    nouns = [k for k, token in enumerate(run) if token.pos_ in ("NOUN", "PROPN")]
    return run[: nouns[-1] + 1] if nouns else []


def sentence_of(doc: Doc, char: int) -> Span:
    """The sentence that holds character offset `char`."""
    return doc.char_span(char, char + 1, alignment_mode="expand").sent  # type: ignore[union-attr]


__all__ += ["is_cue", "sentence_of", "trim"]
