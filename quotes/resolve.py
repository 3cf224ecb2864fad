"""The resolve stage, one article at a time: link each speaker mention to a speaker of the article.

Requires: the parsed Doc and the `Attribution`s of one article.
Adds: `Quote` records with `speaker_id`, `speaker_name` and `speaker_type`, and the article's
`Speaker` records (names, roles, aliases and type of each). `quotes.link.link_corpus` then
joins the speakers of every article into canonical speakers.

How a mention finds its speaker, all from the text itself:

- names: the article's proper names are collected first; a shorter name ("Doe", "Dr Jane")
  belongs to the earlier, longer name it is part of (honorifics and particles such as
  "Dr", "van", "al-", "bin" aside) — citron's "earliest, longest matching name" rule;
- roles: an apposition ("Freedonia's Finance Minister, Jane Doe, …") or a title before a
  name ("Freedonian Finance Minister Jane Doe", "Foreign ministry spokesperson John Roe")
  teaches the article that the person holds the role; role mentions ("the Freedonian
  finance minister", "Freedonia's FM") then link to that person. Role phrases are
  normalised with general data files (titles and their abbreviations, demonyms);
- pronouns: the antecedent is ranked, not simply the nearest name: speakers of the recent
  discourse and subjects of recent sentences come first, recency decides among equals,
  and mentions inside quotations never count ("he said" after a sentence naming someone
  in passing still belongs to the speaker of the paragraph before);
- definite descriptions ("the source") link to the latest speaker with the same head noun.

Speaker types, from the text and the word lists of `quotes/resources/`:

- person: a name with a title, an honorific, a first and a last name, or a he/she pronoun;
- organization: a name ending in an organisation noun ("… Ministry", "… Party"), an acronym,
  a name in apposition with an organisation noun ("X, the militant group"), or a country or
  capital quoted as a speaker ("Paris said …"): the metonymy stands for the government and
  the speaker is the country (`capitals.tsv`, `demonyms.tsv`);
- group: a plural common-noun description ("health officials", "the families");
- anonymous: a source whose identity is withheld ("a source briefed on the talks", "officials
  familiar with the plan", "a senior official who asked not to be named",
  `anonymity_markers.txt`), or one unnamed person ("a diplomat");
- unknown: a one-word name with no other evidence; corpus linking may type it from another
  article.

A mention that links to nothing becomes a speaker of its own, named by the mention; a
role-only speaker keeps its role, so corpus-wide linking can join it to a named person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from quotes.extract.lexicon import read_word_list
from quotes.extract.marks import inside_quotation, quote_regions
from quotes.link import link_corpus
from quotes.model import Quote, Speaker, stable_id
from quotes.names import (
    anonymity_markers,
    countries,
    fold,
    name_core,
    normalise_role,
    place_country,
    role_label,
    slug,
    speaker_words,
    title_words,
    titles,
    word_set,
    words,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from quotes.extract import Attribution

__all__ = ["link_corpus", "name_core", "normalise_role", "resolve_speakers", "role_label", "slug"]

PRONOUNS = {
    "he": "person",
    "she": "person",
    "him": "person",
    "her": "person",
    "they": "plural",
    "them": "plural",
    "it": "organization",
    "who": "any",
    "i": "any",
    "we": "plural",
}

_FUNCTION_POS = frozenset({"ADP", "SCONJ", "CCONJ", "DET", "PART", "ADV", "AUX", "PRON"})
_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f"}
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_INDEFINITE = frozenset({"a", "an", "one", "another", "some", "several", "two", "three", "many"})


# ---------------------------------------------------------------------------- entities


@dataclass(slots=True)
class _Entity:
    """A speaker of one article while it is being resolved.

    `type` starts as what the name or description tells by itself; `typed` says whether
    that is evidence (a title, an honorific, an organisation noun, a pronoun) or only a guess
    (two name words look like a person), so that evidence met later can overrule a guess.
    """

    names: list[str] = field(default_factory=list)
    roles: list[tuple[str, str]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    type: str = "unknown"
    typed: bool = False
    head: str = ""  # head noun of a description ("source")
    label: str = ""  # the name used when there is no proper name
    place: str = ""  # the country a place name stands for ("Paris" → "France")
    gender: str = ""  # "m" or "f" once a pronoun or an honorific tells it

    @property
    def name(self) -> str:
        if self.place:
            return self.place
        if self.names:
            return max(self.names, key=lambda n: (len(name_core(n)), len(n)))
        return self.label

    @property
    def id(self) -> str:
        if self.place or self.names:
            return slug(self.name)
        if self.roles:
            return "role-" + slug(role_label(self.roles[0]))
        return slug(self.label) or "unknown"

    def evidence(self, kind: str) -> None:
        """Take `kind` as the type unless earlier evidence already said otherwise."""
        if self.place or (self.typed and self.type != "unknown"):
            return
        self.type = kind
        self.typed = True


@dataclass(slots=True)
class _Mention:
    """A place where an entity is mentioned, with what the pronoun ranking needs."""

    entity: _Entity
    token: int  # token index of the mention's head
    sentence: int
    paragraph: int
    speaker: bool = False
    subject: bool = False


class _Article:
    """The resolution state of one article: its entities and where they are mentioned."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.entities: list[_Entity] = []
        self.mentions: list[_Mention] = []
        self.contents: list[tuple[int, int]] = []
        paragraphs = doc.user_data.get("paragraphs") or [(0, len(doc.text))]
        self.paragraphs = paragraphs
        self.regions = quote_regions(doc.text, paragraphs)
        self.name_runs = _name_runs(doc)
        self.sent_index = {}
        for k, sent in enumerate(doc.sents):
            for t in sent:
                self.sent_index[t.i] = k

    def quoted(self, token: Token) -> bool:
        return inside_quotation(token.idx, self.regions)

    def paragraph(self, token: Token) -> int:
        return next((k for k, (s, e) in enumerate(self.paragraphs) if s <= token.idx < e), 0)

    def in_content(self, token: Token) -> bool:
        return any(s <= token.idx < e for s, e in self.contents)

    def add_mention(self, entity: _Entity, token: Token, *, speaker: bool = False) -> None:
        # the subject of a reported clause is talked about, not talking
        subject = token.dep_.startswith("nsubj") and not self.in_content(token)
        sentence = self.sent_index.get(token.i, 0)
        self.mentions.append(_Mention(entity, token.i, sentence, self.paragraph(token), speaker, subject))

    # names ------------------------------------------------------------------------------

    def entity_for_name(self, name: str, *, create: bool = True) -> _Entity | None:
        """The entity a proper name refers to: same core words, or a subset of a longer name.

        A country or capital ("Paris", "France") is the country's government: one entity
        per country, whichever of its names the article uses.
        """
        place = place_country(name)
        if place:
            found = next((e for e in self.entities if e.place == place), None)
            if found is None and create:
                found = _Entity(names=[name], type="organization", typed=True, place=place)
                self.entities.append(found)
            if found is not None and name not in found.names:
                found.names.append(name)
            return found
        core = set(name_core(name))
        if not core or core <= _CALENDAR:
            return None  # "Monday", "September" are no one
        candidates = []
        for entity in self.entities:
            if entity.place:
                continue
            cores = [set(name_core(known)) for known in entity.names]
            if any(core <= known for known in cores):
                candidates.append(entity)  # "Doe" after "Jane Doe"
            elif cores and all(known < core for known in cores):
                candidates.append(entity)  # the full name after a short one
        best = self._prominent(candidates) if candidates else None
        if best is not None:
            if name not in best.names:
                best.names.append(name)
            best.gender = best.gender or _name_gender(name)
            kind, typed = _name_type(name)
            if typed:
                best.evidence(kind)
            elif best.type == "unknown" and kind != "unknown":
                best.type = kind
            return best
        if not create:
            return None
        kind, typed = _name_type(name)
        entity = _Entity(names=[name], type=kind, typed=typed, gender=_name_gender(name))
        self.entities.append(entity)
        return entity

    def entity_for_role(self, role: tuple[str, str], text: str) -> _Entity:
        """The person holding `role` in this article, or a new role-only speaker."""
        title, country = role
        holders = [e for e in self.entities if role in e.roles]
        if not country:  # "the finance minister": whoever in this article holds that title
            holders = holders or [e for e in self.entities if any(r[0] == title for r in e.roles)]
        alias = _without_determiner(text)
        if holders:
            entity = self._latest(holders)
            if role not in entity.roles and country:
                entity.roles.append(role)
        else:
            entity = _Entity(roles=[role], type="person", typed=True, label=text)
            self.entities.append(entity)
        if alias and alias not in entity.aliases:
            entity.aliases.append(alias)
        return entity

    def _prominent(self, entities: Sequence[_Entity]) -> _Entity:
        """The entity a short name means when it fits several: the first introduced, as news
        style has it ("Doe" after "Jane Doe" and then "John Doe" is Jane), then the most mentioned."""
        counts: dict[int, int] = {}
        first: dict[int, int] = {}
        for k, mention in enumerate(self.mentions):
            counts[id(mention.entity)] = counts.get(id(mention.entity), 0) + 1
            first.setdefault(id(mention.entity), k)
        return max(entities, key=lambda e: (-first.get(id(e), len(self.mentions)), counts.get(id(e), 0)))

    def _latest(self, entities: Sequence[_Entity]) -> _Entity:
        order = {id(m.entity): k for k, m in enumerate(self.mentions)}
        return max(entities, key=lambda e: order.get(id(e), -1))


def _name_type(name: str) -> tuple[str, bool]:
    """The type a proper name tells by itself, and whether that is evidence or a guess.

    Examples: "Paris" (a capital), "Freedonia Finance Ministry" (an organisation noun) and
    "ACME" (an acronym) are organizations; "Dr Jane" (an honorific) is a person; "Jane Doe"
    is probably a person (a guess); "Roe" alone is unknown.
    """
    if place_country(name):
        return "organization", True
    tokens = [w.rstrip(".") for w in words(name)]
    if tokens and speaker_words().get(tokens[-1]) == "organization":
        return "organization", True
    letters = "".join(c for c in name if c.isalnum())
    if len(tokens) == 1 and letters.isupper() and 2 <= len(letters) <= 6:
        return "organization", True  # an acronym
    if tokens and tokens[0] in word_set("honorifics.txt"):
        return "person", True
    if len(name_core(name)) >= 2:
        return "person", False
    return "unknown", False


@cache
def _gendered() -> dict[str, str]:
    """Gendered honorifics and given names (`honorific_gender.txt`) → "m" or "f"."""
    return {word: row[0] for row in read_word_list("honorific_gender.txt") for word in row[1:]}


def _name_gender(name: str) -> str:
    """ "m" or "f" when a name starts with a gendered honorific or given name ("Mrs Doe",
    "Jane Doe", "Dr. Jane Doe"), else ""."""
    skip = word_set("honorifics.txt") | title_words()
    for word in words(name):
        found = _gendered().get(word) or _gendered().get(word.rstrip("."))
        if found:
            return found
        if word not in skip and word.rstrip(".") not in skip:
            return ""
    return ""


def _without_determiner(text: str) -> str:
    """A role or description as an alias: "the finance minister" → "finance minister"."""
    parts = text.split(maxsplit=1)
    if len(parts) == 2 and parts[0].lower() in ("the", "a", "an"):
        return parts[1]
    return text


# ---------------------------------------------------------------------------- the article scan


def _name_runs(doc: Doc) -> list[Span]:
    """Maximal runs of proper-noun tokens (with name particles inside), outside quotations.

    A particle joins two names only when it is not used as an English function word ("bin",
    "al", "van" do; "at" in "Doe at Harvard" does not). Leading words that are no part of a
    name are left out: sentence adverbs and conjunctions tagged as names ("Meanwhile Doe",
    "Nonetheless,") and a capitalised first word of a sentence that the article also writes
    in lower case ("Rival Jane Doe").
    """
    particles = word_set("name_particles.txt")
    lower = {t.text for t in doc if t.text.islower()}
    runs = []
    i = 0
    while i < len(doc):
        if _proper(doc[i]):
            j = i
            while j + 1 < len(doc) and (
                _proper(doc[j + 1])
                or _glued(doc[j], doc[j + 1])  # one word split in two by the tokenizer
                or (
                    doc[j + 1].lower_ in particles
                    and doc[j + 1].pos_ not in _FUNCTION_POS
                    and j + 2 < len(doc)
                    and _proper(doc[j + 2])
                )
                or (
                    doc[j + 1].text == "-"
                    and j + 2 < len(doc)
                    and _proper(doc[j + 2])
                    and not doc[j].whitespace_
                )
            ):
                j += 1
            start = i
            while start > 0 and _mistagged_name(doc[start - 1], lower):
                start -= 1  # "Donald" tagged as an adjective before "Doe"
            while start <= j and (
                doc[start].dep_ in ("advmod", "cc", "discourse", "mark", "det", "case")
                or doc[start].lower_ in _CALENDAR  # "on Monday Jane Doe said", garbled or not
                or (doc[start].is_sent_start and start < j and doc[start].text.lower() in lower)
            ):
                start += 1
            end = j
            while end > start and doc[end].dep_ == "advmod":  # "Doe further said"
                end -= 1
            if start <= end:
                runs.append(doc[start : end + 1])
            i = j + 1
        else:
            i += 1
    return runs


def _proper(token: Token) -> bool:
    """A proper noun by either tag: Stanza predicts UPOS and XPOS apart, and a name the UPOS
    tagger takes for a verb ("Jane" in "spokesperson Jane al-Doe said") keeps XPOS NNP."""
    return token.pos_ == "PROPN" or (token.tag_ in ("NNP", "NNPS") and token.text[:1].isupper())


def _mistagged_name(token: Token, lower: set[str]) -> bool:
    """A capitalised word before a name that the tagger took for an adjective or a noun, and
    that the article never writes in lower case: a first name ("Jane" in "Jane Doe")."""
    text = token.text
    return (
        token.pos_ in ("ADJ", "NOUN")
        and text[:1].isupper()
        and text[1:].islower()
        and bool(token.whitespace_)
        and text.lower() not in lower
        and _place_key_free(text)
    )


def _place_key_free(text: str) -> bool:
    """Whether a word is neither a country word nor a title ("Israeli", "President")."""
    word = text.lower()
    return word not in countries() and word not in title_words() and word not in word_set("honorifics.txt")


def _glued(token: Token, following: Token) -> bool:
    """Whether two tokens are one written word ("Don" + "na" of "Donna"): letters, no space."""
    return not token.whitespace_ and token.text[-1:].isalpha() and following.text[:1].isalpha()


def _split_title(run: Span) -> tuple[str, str]:
    """Split "Freedonian Finance Minister Jane Doe" into role words and the name.

    The role is the longest prefix that ends in a title word and holds only title and
    country words ("Mediator Freedonia" is the role "Mediator" and the name "Freedonia"),
    or, after a place ("North Province Gov. Jane Doe"), ends in the last title word that
    a name still follows ("King" in "Jane King Jr." is no title: only a suffix follows).
    """
    known_titles = title_words()
    known_countries = countries()
    tokens = [
        t.text.lower().rstrip(".") if t.text.lower() not in known_titles else t.text.lower() for t in run
    ]
    is_title = [w in known_titles or w + "." in known_titles for w in tokens]
    cut = 0
    for k, word in enumerate(tokens):
        if is_title[k]:
            cut = k + 1
        elif word not in known_countries:
            break
    later = [
        k + 1
        for k in range(cut, len(tokens) - 1)
        if is_title[k] and any(w not in _SUFFIXES and not is_title[j] for j, w in enumerate(tokens) if j > k)
    ]
    if later:
        cut = later[-1]
    role = " ".join(t.text for t in run[:cut])
    name = run.doc.text[run[cut].idx : run[-1].idx + len(run[-1].text)] if cut < len(run) else ""
    return role, name


def _headline(text: str) -> bool:
    """A title-case line ("Minister Says Talks ‘Ongoing’ For Truce"): its capitals are no names."""
    found = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 3]
    return len(found) >= 3 and sum(w[0].isupper() for w in found) >= 0.7 * len(found)


def _scan(article: _Article) -> None:
    """Collect the article's people and bodies, their roles and types, before any mention is resolved."""
    doc = article.doc
    headlines = [(s, e) for s, e in article.paragraphs if _headline(doc.text[s:e])]
    for run in article.name_runs:
        if article.quoted(run[0]) or any(s <= run[0].idx < e for s, e in headlines):
            continue
        if run.root.dep_ in ("compound", "amod") and run.root.head.pos_ == "NOUN":
            continue  # a modifier, not someone: "the X-Y war", "the X-run territory"
        role_text, name = _split_title(run)
        left = _words_before(run)
        if left and normalise_role(f"{left} {role_text}"):
            role_text = f"{left} {role_text}".strip()
        if not name or not name_core(name):
            continue
        entity = article.entity_for_name(name)
        if entity is None:
            continue
        if len(run) == 1 and run[0].tag_ == "NNPS" and run[0].lemma_.lower() != run[0].lower_:
            entity.evidence("group")  # "Democrats" (lemma "Democrat"), not "Xs" (lemma "Xs")
        role = normalise_role(role_text) if role_text else None
        if role is not None and not entity.place:
            entity.evidence("person")
            if role not in entity.roles:
                entity.roles.append(role)
                entity.aliases.append(role_text)
        elif left and speaker_words().get(words(left)[-1]) == "organization":
            entity.evidence("organization")  # "the militant group X", "the ruling party X"
        article.add_mention(entity, run.root if run.root.i >= run[0].i else run[-1])
    # appositions: "Freedonia's Finance Minister, Jane Doe, …" / "X, the ruling party, …"
    for token in doc:
        if token.dep_ != "appos" or article.quoted(token):
            continue
        first, second = token.head, token
        conjuncts = [c for c in first.children if c.dep_ == "conj" and c.i < second.i]
        if conjuncts:  # "X and Y, the ruling party": the apposition is Y's, not X's
            first = max(conjuncts, key=lambda c: c.i)
        for role_side, name_side in ((first, second), (second, first)):
            name = _proper_name(name_side)
            if not name:
                continue
            role_text = _phrase_text(role_side, stop=name_side)
            role = normalise_role(role_text) if role_text and role_side.pos_ != "PROPN" else None
            if role is not None:
                entity = article.entity_for_name(name)
                if entity is not None and not entity.place:
                    entity.evidence("person")
                    if role not in entity.roles:
                        entity.roles.append(role)
                        if len(role_text.split()) <= 6:  # a role, not a clause the parse put in
                            entity.aliases.append(_without_determiner(role_text))
            elif role_side.pos_ == "NOUN" and speaker_words().get(role_side.lemma_.lower()) == "organization":
                entity = article.entity_for_name(name)
                if entity is not None:
                    entity.evidence("organization")


def _words_before(run: Span) -> str:
    """The adjective and noun words just before a name: "Foreign ministry spokesperson", "French"."""
    doc = run.doc
    k = run.start - 1
    found: list[str] = []
    while k >= 0 and doc[k].pos_ in ("NOUN", "ADJ", "PROPN") and not doc[k].is_punct and len(found) < 4:
        found.insert(0, doc[k].text)
        k -= 1
    return " ".join(found)


def _phrase_text(token: Token, *, stop: Token) -> str:
    """The text of a noun phrase without the other side of an apposition and without clauses."""
    skip = {t.i for t in stop.subtree}
    tokens = [
        t
        for t in token.subtree
        if t.i not in skip and not t.is_punct and t.dep_ not in ("acl", "acl:relcl") and not t.is_space
    ]
    relcl = {t.i for c in token.children if c.dep_ in ("acl:relcl", "acl") for t in c.subtree}
    tokens = [t for t in tokens if t.i not in relcl]
    return " ".join(t.text for t in tokens)


def _proper_name(token: Token) -> str:
    """The proper name headed by `token` (its flat/compound name parts), or ""."""
    if token.pos_ != "PROPN":
        return ""
    particles = word_set("name_particles.txt")
    parts = [token] + [
        t for c in token.children if c.dep_ in ("flat", "flat:name", "compound") for t in c.subtree
    ]
    parts = [t for t in parts if t.pos_ == "PROPN" or t.lower_ in particles]
    parts.sort(key=lambda t: t.i)
    if not parts:
        return ""
    text = token.doc.text[parts[0].idx : parts[-1].idx + len(parts[-1].text)]
    _, name = _split_title(token.doc[parts[0].i : parts[-1].i + 1])
    return name or text


# ---------------------------------------------------------------------------- mentions


_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december".split()
)


def _mention_name(span: Span, head: Token, name_runs: Sequence[Span]) -> str:
    """The proper name of a speaker mention: the name its head belongs to, or an apposed name.

    "Doe’s staff" has no name of its own (its head is "staff"); a name cut short by a
    garbled text ("Jane bin confirmed on Monday Doe", a particle then other words) is
    completed by the name that follows in the sentence.
    """
    runs = [r for r in name_runs if r.start >= span.start and r.end <= span.end]
    name = ""
    for run in runs:
        if run.start <= head.i < run.end:
            name = _split_title(run)[1]
    if not name:
        known_countries = countries()
        # an apposed name, or name words after the head; a proper noun before a common-noun
        # head is a modifier ("the North Province businessman"), not the speaker's name
        apposed = [
            c
            for c in head.children
            if c.pos_ == "PROPN"
            and c.lower_ not in known_countries
            and (
                c.dep_ == "appos"
                or (c.dep_ in ("flat", "compound") and (c.i > head.i or head.pos_ == "PROPN"))
            )
        ]
        for child in apposed:
            for run in runs:
                if run.start <= child.i < run.end and _split_title(run)[1]:
                    name = _split_title(run)[1]
    if not name or not words(name):
        return ""
    if words(name)[-1] in word_set("name_particles.txt"):
        sent = span.sent
        after = [r for r in name_runs if r.start >= span.end and r.end <= sent.end]
        if after:
            rest = [t for t in after[-1] if t.lower_ not in _CALENDAR]
            if rest:
                name = f"{name} {span.doc.text[rest[0].idx : rest[-1].idx + len(rest[-1].text)]}"
    return name


def _resolve_mention(article: _Article, attribution: Attribution) -> _Entity | None:
    doc = article.doc
    if attribution.speaker is None:
        return None
    span = doc.char_span(*attribution.speaker, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    head = doc[attribution.speaker_root] if attribution.speaker_root is not None else span.root
    text = span.text
    if len(span) == 1 and head.lower_ == "i" and not article.quoted(head):
        return _author(article)  # "I" in the narration is whoever wrote the article
    if len(span) == 1 and head.lower_ in PRONOUNS:
        # distance counts from where the statement starts: “A. B,” he said
        start = doc.char_span(attribution.start, attribution.start + 1, alignment_mode="expand")
        anchor = min(head.i, start.start) if start is not None else head.i
        entity = _antecedent(article, head, anchor=anchor)
        if entity is not None and PRONOUNS[head.lower_] in ("person", "organization"):
            entity.evidence(PRONOUNS[head.lower_])
            entity.gender = entity.gender or _GENDER.get(head.lower_, "")
        return entity
    name = _mention_name(span, head, article.name_runs)
    if not name and (_indefinite(span, head) or _marked_anonymous(span, head)):
        return _description_entity(article, span, head)  # "a senior official", "officials familiar with …"
    role_text = text if not name else text.replace(name, " ").strip(" ,")
    # a role names one person: its head is a singular title ("the finance minister", "Freedonia FM")
    is_title = head.lower_ in title_words() or head.lemma_.lower() in titles()
    singular_title = is_title and head.tag_ not in ("NNS", "NNPS")
    role = (
        normalise_role(role_text)
        if role_text and (singular_title or (name and head.pos_ == "PROPN"))
        else None
    )
    if name and place_country(name) and normalise_role(text[text.find(name) + len(name) :]):
        name = (
            ""  # "Freedonia FM": the foreign minister of Freedonia, not Freedonia ("Mediator Freedonia" is)
        )
        role = normalise_role(text)
    if name:
        entity = article.entity_for_name(name)
        if entity is not None:
            if role and not entity.place:
                entity.evidence("person")
                if role not in entity.roles:
                    entity.roles.append(role)
            return entity
    if role is not None:
        return article.entity_for_role(role, _description(span))
    return _description_entity(article, span, head)


def _author(article: _Article) -> _Entity:
    """The article's author, the speaker of a first person outside quotation marks."""
    found = next((e for e in article.entities if e.head == "author" and not e.names), None)
    if found is None:
        found = _Entity(type="person", typed=True, head="author", label="the author")
        article.entities.append(found)
    return found


def _description(span: Span) -> str:
    tokens = [t for t in span if not t.is_punct or t.text in ("’", "'")]
    return span.doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)] if tokens else span.text


def _indefinite(span: Span, head: Token) -> bool:
    """Whether a description is indefinite ("a source", "two officials"): it names no one known."""
    return head.pos_ != "PROPN" and any(t.lower_ in _INDEFINITE for t in span if t.i < head.i)


def _marked_anonymous(span: Span, head: Token) -> bool:
    """Whether a description, with its modifiers and clauses, withholds who speaks.

    "a source briefed on the talks", "a senior official, who asked not to be named": the
    phrases of `anonymity_markers.txt` in the mention or in the head's own subtree (within
    its sentence and a few words after the mention).
    """
    if head.pos_ == "PROPN":
        return False
    sent = head.sent
    limit = min(sent.end, span.end + 15)
    indices = {t.i for t in head.subtree if sent.start <= t.i < limit} | set(range(span.start, span.end))
    tokens = [w.rstrip(".") for i in sorted(indices) for w in words(fold(span.doc[i].text))]
    for marker in anonymity_markers():
        n = len(marker)
        if any(tuple(tokens[k : k + n]) == marker for k in range(len(tokens) - n + 1)):
            return True
    return False


def _description_type(span: Span, head: Token) -> str:
    """The type of a speaker named by a description; see the module docstring."""
    kinds = speaker_words()
    lemma = head.lemma_.lower()
    kind = kinds.get(lemma) or kinds.get(head.lower_)
    plural = head.tag_ in ("NNS", "NNPS")
    if kind == "organization":
        return kind
    if kind == "anonymous" or _marked_anonymous(span, head):
        return "anonymous"
    if kind == "person" or head.lower_ in title_words() or lemma in titles():
        return "group" if plural else "anonymous"  # "health officials", "a diplomat"
    if kind == "group":
        return kind
    return "group" if plural else "unknown"


def _description_entity(article: _Article, span: Span, head: Token) -> _Entity:
    """A speaker named by a description: "health officials", "a source briefed …"."""
    lemma = head.lemma_.lower()
    definite = any(t.lower_ in ("the", "this", "that") for t in span if t.i < head.i)
    if head.pos_ == "PROPN":
        kind, _ = _name_type(span.text)
    else:
        kind = _description_type(span, head)
    if definite:
        same = [e for e in article.entities if e.head == lemma]
        if same:
            return article._latest(same)
    label = _description(span)
    entity = _Entity(type=kind, typed=True, head=lemma, label=label)
    article.entities.append(entity)
    return entity


def _antecedent(article: _Article, pronoun: Token, *, anchor: int) -> _Entity | None:
    """Rank the entities mentioned before a pronoun; see the module docstring."""
    wanted = PRONOUNS[pronoun.lower_]
    if wanted == "any" and pronoun.lower_ == "who" and pronoun.head is not pronoun:
        return None
    sentence = article.sent_index.get(anchor, 0)
    paragraph = article.paragraph(pronoun)
    scores: dict[int, tuple[float, _Entity]] = {}
    active = {id(m.entity) for m in article.mentions if (m.speaker or m.subject) and m.token < anchor}
    for mention in article.mentions:
        if mention.token >= anchor or sentence - mention.sentence > 8:
            continue
        entity = mention.entity
        if not _agrees(entity, wanted, active=id(entity) in active) or (
            entity.gender and _GENDER.get(pronoun.lower_, entity.gender) != entity.gender
        ):
            continue
        distance = sentence - mention.sentence
        weight = 1.0 + 2.0 * mention.speaker + 1.5 * mention.subject + 0.5 * (mention.paragraph == paragraph)
        score = weight / (1.0 + distance)
        if id(entity) not in scores or score > scores[id(entity)][0]:
            scores[id(entity)] = (score, entity)
    if not scores:
        return None
    return max(scores.values(), key=lambda pair: pair[0])[1]


def _agrees(entity: _Entity, wanted: str, *, active: bool = True) -> bool:
    """Whether a pronoun can stand for `entity`.

    A one-word name of unknown type fits he, she and it once it has been a speaker or a
    subject ("Roe said … he added"); a name only met as a place or an object ("in
    Springfield") does not.
    """
    if entity.head == "author" and not entity.names:
        return False  # the author is "I", never "he", "she" or "they"
    unknown_name = entity.type == "unknown" and bool(entity.names) and active
    if wanted == "person":
        return entity.type == "person" or unknown_name
    if wanted == "organization":
        return entity.type == "organization" or unknown_name
    if wanted == "plural":
        return entity.type in ("organization", "group", "anonymous")
    return True


# ---------------------------------------------------------------------------- the stage


def resolve_speakers(
    doc: Doc, attributions: Sequence[Attribution], *, doc_id: str
) -> tuple[list[Quote], list[Speaker]]:
    """Resolve the speakers of one article's attributions and build its `Quote` records.

    Returns the quotes in document order and the article's `Speaker` records: one per
    speaker quoted, and one (with ``quotes=0``) per other person or body the article names,
    whose names, roles and type teach corpus linking (`quotes.link.link_corpus`). Every
    record has ``doc_ids=(doc_id,)``.
    """
    article = _Article(doc)
    article.contents = [span for a in attributions for span in a.content]
    _scan(article)
    resolved: list[tuple[Attribution, _Entity | None]] = []
    for attribution in attributions:
        entity = _resolve_mention(article, attribution)
        if attribution.inherited and resolved:
            entity = next((e for a, e in reversed(resolved) if e is not None), entity)
        if entity is not None and attribution.speaker_root is not None:
            article.add_mention(entity, doc[attribution.speaker_root], speaker=True)
        resolved.append((attribution, entity))
    quotes = [_quote(doc, doc_id, a, e) for a, e in resolved]
    return quotes, _speakers(article, [e for _, e in resolved], doc_id)


def _quote(doc: Doc, doc_id: str, a: Attribution, entity: _Entity | None) -> Quote:
    text = doc.text
    start, end = a.content[0][0], a.content[-1][1]
    source = a.source or a.speaker  # the whole phrase naming the speaker, as written
    return Quote(
        id=stable_id(doc_id, stable_id(text), start, end),
        doc_id=doc_id,
        kind=a.kind,
        text=text[start:end],
        content_start=start,
        content_end=end,
        content_fragments=tuple((s, e) for s, e in a.content),
        cue=text[a.cue[0] : a.cue[1]] if a.cue else None,
        cue_start=a.cue[0] if a.cue else None,
        cue_end=a.cue[1] if a.cue else None,
        speaker_mention=text[source[0] : source[1]] if source else None,
        speaker_start=source[0] if source else None,
        speaker_end=source[1] if source else None,
        speaker_id=entity.id if entity else None,
        speaker_name=entity.name if entity else None,
        speaker_type=entity.type if entity else None,
        rule=a.rule or None,
        probability=_probability(a),
    )


def _probability(attribution: Attribution) -> float | None:
    """The learned model's probability recorded on an attribution, if a model decided it."""
    value = attribution.extra.get("probability")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _speakers(article: _Article, quoted: list[_Entity | None], doc_id: str) -> list[Speaker]:
    """One record per speaker id of the article: the quoted ones, then the other named ones."""
    counts: dict[int, int] = {}
    for entity in quoted:
        if entity is not None:
            counts[id(entity)] = counts.get(id(entity), 0) + 1
    named = [e for e in article.entities if e.names and not e.place]
    by_id: dict[str, Speaker] = {}
    seen: set[int] = set()
    for entity in [e for e in quoted if e is not None] + named:
        if id(entity) in seen:
            continue
        seen.add(id(entity))
        n = counts.get(id(entity), 0)
        known = by_id.get(entity.id)
        particles = word_set("name_particles.txt")
        names = [n for n in entity.names if words(n) and words(n)[-1] not in particles]  # not cut off
        aliases = {*names, *entity.aliases, *(known.aliases if known else ())} - {"", entity.name}
        roles = {role_label(r) for r in entity.roles} | set(known.roles if known else ())
        by_id[entity.id] = Speaker(
            id=entity.id,
            name=known.name if known else entity.name,
            type=entity.type if not known or known.type == "unknown" else known.type,
            aliases=tuple(sorted(aliases)),
            roles=tuple(sorted(roles)),
            quotes=(known.quotes if known else 0) + n,
            articles=1 if n or (known and known.articles) else 0,
            doc_ids=(doc_id,),
        )
    return list(by_id.values())
