"""The resolve stage: link each quotation's speaker mention to one speaker of its article.

Requires: the parsed Doc and the `Attribution`s of one article.
Adds: `Quote` records with `speaker_id`, `speaker_name` and `speaker_type`, and the article's
`Speaker` records (names, roles and aliases seen for each).

How a mention finds its speaker, all from the text itself:

- names: the article's proper names are collected first; a shorter name ("Al Thani",
  "Sheikh Mohammed", "Ansari") belongs to the earlier, longer name it is part of
  (honorifics and particles such as "Sheikh", "al-", "bin" aside) — citron's "earliest,
  longest matching name" rule;
- roles: an apposition ("Qatar's Prime Minister, Sheikh Mohammed …") or a title before a
  name ("Israeli Prime Minister Benjamin Netanyahu", "Foreign ministry spokesperson Majed
  al-Ansari") teaches the article that the person holds the role; role mentions ("the
  Qatari prime minister", "Qatar PM") then link to that person. Role phrases are
  normalised with general data files (titles and their abbreviations, demonyms);
- pronouns: the antecedent is ranked, not simply the nearest name: speakers of the recent
  discourse and subjects of recent sentences come first, recency decides among equals,
  and mentions inside quotations never count ("he said" after a sentence naming someone
  in passing still belongs to the speaker of the paragraph before);
- definite descriptions ("the source") link to the latest speaker with the same head noun.

A mention that links to nothing becomes a speaker of its own, named by the mention; a
role-only speaker keeps its role, so corpus-wide linking can join it to a named person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING

from quotes.extract.lexicon import RESOURCES, read_word_list
from quotes.extract.marks import quote_regions
from quotes.model import Quote, Speaker, stable_id

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from quotes.extract import Attribution

__all__ = ["link_corpus", "normalise_role", "resolve_speakers", "slug"]

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


# ---------------------------------------------------------------------------- data files


@cache
def _word_set(name: str) -> frozenset[str]:
    return frozenset(w.lower() for row in read_word_list(name) for w in row)


@cache
def _titles() -> dict[str, str]:
    """Every title variant (lower case) → its canonical title."""
    out: dict[str, str] = {}
    for line in (RESOURCES / "titles.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        canonical, _, variants = line.partition("=")
        canonical = canonical.strip()
        out[canonical] = canonical
        for variant in variants.split(","):
            if variant.strip():
                out[variant.strip()] = canonical
    return out


@cache
def _countries() -> dict[str, str]:
    """Country names, demonyms and other names (lower case) → the country name."""
    out: dict[str, str] = {}
    for line in (RESOURCES / "demonyms.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        country, _, others = line.partition("\t")
        out[country.lower()] = country
        for other in others.split(","):
            if other.strip():
                out[other.strip().lower()] = country
    return out


@cache
def _speaker_words() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in read_word_list("speaker_words.txt"):
        for word in row[1:]:
            out.setdefault(word, row[0])
    return out


# ---------------------------------------------------------------------------- normalising


def slug(text: str) -> str:
    """A lower-case ASCII id made of the words of `text`.

    Examples:
        >>> slug("Majed al-Ansari")
        'majed-al-ansari'
        >>> slug("Qatar’s prime minister")
        'qatar-s-prime-minister'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def _words(text: str) -> list[str]:
    """Lower-case words with hyphens and apostrophes split off ("al-Ansari" → al, ansari)."""
    return re.findall(r"[^\W_]+\.?", text.lower())


def name_core(text: str) -> tuple[str, ...]:
    """The words that identify a person: honorifics, particles and role titles left out.

    Examples:
        >>> name_core("Sheikh Mohammed bin Abdulrahman Al Thani")
        ('mohammed', 'abdulrahman', 'thani')
    """
    skip = _word_set("honorifics.txt") | _word_set("name_particles.txt")
    titles = {w for t in _titles() for w in t.split()}
    return tuple(w.rstrip(".") for w in _words(text) if w not in skip and w.rstrip(".") not in titles)


def normalise_role(text: str) -> tuple[str, str] | None:
    """Turn a role phrase into (title, country), or None when it holds no known title.

    Examples:
        >>> normalise_role("the Qatari PM")
        ('prime minister', 'Qatar')
        >>> normalise_role("Qatar's Prime Minister")
        ('prime minister', 'Qatar')
        >>> normalise_role("Prime Minister of Qatar")
        ('prime minister', 'Qatar')
        >>> normalise_role("Foreign ministry spokesperson")
        ('spokesperson', '')
    """
    words = [w.rstrip(".") if w not in _titles() else w for w in _words(text)]
    words = [w for w in words if w not in ("s", "the", "a", "an", "of", "for")]
    countries = _countries()
    titles = _titles()
    country = ""
    title = ""
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i : i + n])
            if not country and phrase in countries:
                country = countries[phrase]
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i : i + n])
            if phrase in titles and (not title or len(titles[phrase]) > len(title)):
                title = titles[phrase]
        if title:
            break
    if not title:
        return None
    return title, country


def role_label(role: tuple[str, str]) -> str:
    """A readable role: ("prime minister", "Qatar") → "prime minister of Qatar"."""
    title, country = role
    return f"{title} of {country}" if country else title


# ---------------------------------------------------------------------------- entities


@dataclass(slots=True)
class _Entity:
    """A speaker of one article while it is being resolved."""

    names: list[str] = field(default_factory=list)
    roles: list[tuple[str, str]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    type: str = "person"
    head: str = ""  # head noun of a description ("source")
    label: str = ""  # the name used when there is no proper name

    @property
    def name(self) -> str:
        if self.names:
            return max(self.names, key=lambda n: (len(name_core(n)), len(n)))
        return self.label

    @property
    def id(self) -> str:
        if self.names:
            return slug(self.name)
        if self.roles:
            return "role-" + slug(role_label(self.roles[0]))
        return slug(self.label) or "unknown"


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
        self.sent_index = {}
        for k, sent in enumerate(doc.sents):
            for t in sent:
                self.sent_index[t.i] = k

    def quoted(self, token: Token) -> bool:
        return any(r.start < token.idx < r.end - 1 for r in self.regions)

    def paragraph(self, token: Token) -> int:
        return next((k for k, (s, e) in enumerate(self.paragraphs) if s <= token.idx < e), 0)

    def in_content(self, token: Token) -> bool:
        return any(s <= token.idx < e for s, e in self.contents)

    def add_mention(self, entity: _Entity, token: Token, *, speaker: bool = False) -> None:
        # the subject of a reported clause is talked about, not talking
        subject = token.dep_.startswith("nsubj") and not self.in_content(token)
        self.mentions.append(
            _Mention(entity, token.i, self.sent_index.get(token.i, 0), self.paragraph(token), speaker, subject)
        )

    # names ------------------------------------------------------------------------------

    def entity_for_name(self, name: str, *, create: bool = True) -> _Entity | None:
        """The entity a proper name refers to: same core words, or a subset of a longer name."""
        core = set(name_core(name))
        if not core:
            return None
        candidates = []
        for entity in self.entities:
            cores = [set(name_core(known)) for known in entity.names]
            if any(core <= known for known in cores):
                candidates.append(entity)  # "Al Thani" after "Sheikh Mohammed … Al Thani"
            elif cores and all(known < core for known in cores):
                candidates.append(entity)  # the full name after a short one
        best = self._latest(candidates) if candidates else None
        if best is not None:
            if name not in best.names:
                best.names.append(name)
            return best
        if not create:
            return None
        entity = _Entity(names=[name], type=_name_type(name))
        self.entities.append(entity)
        return entity

    def entity_for_role(self, role: tuple[str, str], text: str) -> _Entity:
        """The person holding `role` in this article, or a new role-only speaker."""
        title, country = role
        holders = [e for e in self.entities if role in e.roles]
        if not country:  # "the prime minister": whoever in this article holds that title
            holders = holders or [e for e in self.entities if any(r[0] == title for r in e.roles)]
        if holders:
            entity = self._latest(holders)
            if role not in entity.roles and country:
                entity.roles.append(role)
            return entity
        entity = _Entity(roles=[role], type="person", label=text)
        self.entities.append(entity)
        return entity

    def _latest(self, entities: Sequence[_Entity]) -> _Entity:
        order = {id(m.entity): k for k, m in enumerate(self.mentions)}
        return max(entities, key=lambda e: order.get(id(e), -1))


def _name_type(name: str) -> str:
    words = _words(name)
    if any(w in _countries() for w in [" ".join(words)]):
        return "organization"
    kinds = _speaker_words()
    if words and kinds.get(words[-1]) == "organization":
        return "organization"
    return "person"


# ---------------------------------------------------------------------------- the article scan


def _name_runs(doc: Doc) -> list[Span]:
    """Maximal runs of proper-noun tokens (with name particles inside), outside quotations."""
    particles = _word_set("name_particles.txt")
    runs = []
    i = 0
    while i < len(doc):
        if doc[i].pos_ == "PROPN":
            j = i
            while j + 1 < len(doc) and (
                doc[j + 1].pos_ == "PROPN"
                or (doc[j + 1].lower_ in particles and j + 2 < len(doc) and doc[j + 2].pos_ == "PROPN")
                or (doc[j + 1].text == "-" and j + 2 < len(doc) and doc[j + 2].pos_ == "PROPN" and not doc[j].whitespace_)
            ):
                j += 1
            runs.append(doc[i : j + 1])
            i = j + 1
        else:
            i += 1
    return runs


def _title_words() -> frozenset[str]:
    return frozenset(w for title in _titles() for w in title.split())


def _split_title(run: Span) -> tuple[str, str]:
    """Split "Israeli Prime Minister Benjamin Netanyahu" into role words and the name.

    The role is the longest prefix that ends in a title word and holds only title and
    country words; "Mediator Qatar" is the role "Mediator" and the name "Qatar".
    """
    titles = _title_words()
    countries = _countries()
    words = [t.text.lower().rstrip(".") if t.text.lower() not in titles else t.text.lower() for t in run]
    cut = 0
    for k, word in enumerate(words):
        if word in titles or word + "." in titles:
            cut = k + 1
        elif word not in countries:
            break
    role = " ".join(t.text for t in run[:cut])
    name = run.doc.text[run[cut].idx : run[-1].idx + len(run[-1].text)] if cut < len(run) else ""
    return role, name


def _headline(text: str) -> bool:
    """A title-case line ("Qatar Says Negotiations ‘Ongoing’ For Gaza Truce"): its capitals are no names."""
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _scan(article: _Article) -> None:
    """Collect the article's people and their roles before any mention is resolved."""
    doc = article.doc
    headlines = [(s, e) for s, e in article.paragraphs if _headline(doc.text[s:e])]
    for run in _name_runs(doc):
        if article.quoted(run[0]) or any(s <= run[0].idx < e for s, e in headlines):
            continue
        role_text, name = _split_title(run)
        left = _words_before(run)
        if left and normalise_role(f"{left} {role_text}"):
            role_text = f"{left} {role_text}".strip()
        if not name or not name_core(name):
            continue
        entity = article.entity_for_name(name)
        if entity is None:
            continue
        role = normalise_role(role_text) if role_text else None
        if role is not None and role not in entity.roles:
            entity.roles.append(role)
            entity.aliases.append(role_text)
        article.add_mention(entity, run.root if run.root.i >= run[0].i else run[-1])
    # appositions: "Qatar's Prime Minister, Sheikh Mohammed …" / "Ismail Haniyeh, the … leader"
    for token in doc:
        if token.dep_ != "appos" or article.quoted(token):
            continue
        first, second = token.head, token
        for role_side, name_side in ((first, second), (second, first)):
            role_text = _phrase_text(role_side, stop=name_side)
            name = _proper_name(name_side)
            role = normalise_role(role_text) if role_text else None
            if name and role:
                entity = article.entity_for_name(name)
                if entity is not None and role not in entity.roles:
                    entity.roles.append(role)
                    entity.aliases.append(role_text)


def _words_before(run: Span) -> str:
    """The adjective and noun words just before a name: "Foreign ministry spokesperson", "Israeli"."""
    doc = run.doc
    k = run.start - 1
    words: list[str] = []
    while k >= 0 and doc[k].pos_ in ("NOUN", "ADJ", "PROPN") and not doc[k].is_punct and len(words) < 4:
        words.insert(0, doc[k].text)
        k -= 1
    return " ".join(words)


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
    parts = [token] + [t for c in token.children if c.dep_ in ("flat", "flat:name", "compound") for t in c.subtree]
    parts = [t for t in parts if t.pos_ == "PROPN" or t.lower_ in _word_set("name_particles.txt")]
    parts.sort(key=lambda t: t.i)
    if not parts:
        return ""
    text = token.doc.text[parts[0].idx : parts[-1].idx + len(parts[-1].text)]
    role, name = _split_title(token.doc[parts[0].i : parts[-1].i + 1])
    return name or text


# ---------------------------------------------------------------------------- mentions


_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december".split()
)


def _mention_name(span: Span, head: Token) -> str:
    """The proper name of a speaker mention: the name its head belongs to, or an apposed name.

    "Netanyahu’s staff" has no name of its own (its head is "staff"); a name cut short by a
    garbled text ("Sheikh Mohammed bin Abdulrahman bin confirmed on Monday Jassim al Thani")
    is completed by the name that follows in the sentence.
    """
    runs = [r for r in _name_runs(span.doc) if r.start >= span.start and r.end <= span.end]
    name = ""
    for run in runs:
        if run.start <= head.i < run.end:
            name = _split_title(run)[1]
    if not name:
        apposed = [
            c
            for c in head.children
            if c.dep_ in ("appos", "flat", "compound") and c.pos_ == "PROPN" and c.lower_ not in _countries()
        ]
        for child in apposed:
            for run in runs:
                if run.start <= child.i < run.end and _split_title(run)[1]:
                    name = _split_title(run)[1]
    if not name:
        return ""
    particles = _word_set("name_particles.txt")
    if _words(name)[-1] in particles:
        sent = span.sent
        after = [r for r in _name_runs(span.doc) if r.start >= span.end and r.end <= sent.end]
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
    if len(span) == 1 and head.lower_ in PRONOUNS:
        # distance counts from where the statement starts: “A. B,” he said
        start = doc.char_span(attribution.start, attribution.start + 1, alignment_mode="expand")
        anchor = min(head.i, start.start) if start is not None else head.i
        return _antecedent(article, head, anchor=anchor)
    name = _mention_name(span, head)
    role_text = text if not name else text.replace(name, " ").strip(" ,")
    # a role names one person: its head is a singular title ("the prime minister", "Qatar PM")
    is_title = head.lower_ in _title_words() or head.lemma_.lower() in _titles()
    singular_title = is_title and head.tag_ not in ("NNS", "NNPS")
    role = normalise_role(role_text) if role_text and (singular_title or (name and head.pos_ == "PROPN")) else None
    if name and role is not None and " ".join(_words(name)) in _countries():
        name = ""  # "Qatar PM": the prime minister of Qatar, not Qatar
        role = normalise_role(text)
    if name:
        entity = article.entity_for_name(name)
        if entity is not None:
            if role and role not in entity.roles:
                entity.roles.append(role)
            return entity
    if role is not None:
        return article.entity_for_role(role, _description(span))
    return _description_entity(article, span, head)


def _description(span: Span) -> str:
    tokens = [t for t in span if not t.is_punct or t.text in ("’", "'")]
    return span.doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)] if tokens else span.text


def _description_entity(article: _Article, span: Span, head: Token) -> _Entity:
    """A speaker named by a description: "Palestinian health officials", "a source briefed …"."""
    lemma = head.lemma_.lower()
    definite = any(t.lower_ in ("the", "this", "that") for t in span if t.i < head.i)
    kinds = _speaker_words()
    kind = kinds.get(lemma, kinds.get(head.lower_, "group" if head.tag_ in ("NNS", "NNPS") else "unknown"))
    if head.pos_ == "PROPN":
        kind = _name_type(span.text)
    if definite:
        same = [e for e in article.entities if e.head == lemma]
        if same:
            return article._latest(same)
    label = _description(span)
    entity = _Entity(type=kind, head=lemma, label=label)
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
    for mention in article.mentions:
        if mention.token >= anchor or sentence - mention.sentence > 8:
            continue
        entity = mention.entity
        if not _agrees(entity, wanted):
            continue
        distance = sentence - mention.sentence
        score = (1.0 + 2.0 * mention.speaker + 1.5 * mention.subject + 0.5 * (mention.paragraph == paragraph)) / (
            1.0 + distance
        )
        if id(entity) not in scores or score > scores[id(entity)][0]:
            scores[id(entity)] = (score, entity)
    if not scores:
        return None
    return max(scores.values(), key=lambda pair: pair[0])[1]


def _agrees(entity: _Entity, wanted: str) -> bool:
    if wanted == "person":
        return entity.type == "person"
    if wanted == "organization":
        return entity.type in ("organization",)
    if wanted == "plural":
        return entity.type in ("organization", "group", "anonymous")
    return True


# ---------------------------------------------------------------------------- the stage


def resolve_speakers(doc: Doc, attributions: Sequence[Attribution], *, doc_id: str) -> tuple[list[Quote], list[Speaker]]:
    """Resolve the speakers of one article's attributions and build its `Quote` records.

    Returns the quotes in document order and one `Speaker` per speaker quoted.
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
            mention_text = doc.text[attribution.speaker[0] : attribution.speaker[1]] if attribution.speaker else ""
            if mention_text and mention_text.lower() not in PRONOUNS and mention_text not in entity.aliases:
                entity.aliases.append(mention_text)
        resolved.append((attribution, entity))
    quotes = [_quote(doc, doc_id, a, e) for a, e in resolved]
    return quotes, _speakers(quotes, resolved)


def _quote(doc: Doc, doc_id: str, a: Attribution, entity: _Entity | None) -> Quote:
    text = doc.text
    start, end = a.content[0][0], a.content[-1][1]
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
        speaker_mention=text[a.speaker[0] : a.speaker[1]] if a.speaker else None,
        speaker_start=a.speaker[0] if a.speaker else None,
        speaker_end=a.speaker[1] if a.speaker else None,
        speaker_id=entity.id if entity else None,
        speaker_name=entity.name if entity else None,
        speaker_type=entity.type if entity else None,
    )


def _speakers(quotes: list[Quote], resolved: list[tuple[Attribution, _Entity | None]]) -> list[Speaker]:
    by_id: dict[str, Speaker] = {}
    for quote, (_, entity) in zip(quotes, resolved, strict=True):
        if entity is None:
            continue
        known = by_id.get(entity.id)
        aliases = sorted({*entity.names, *entity.aliases} - {""})
        roles = sorted({role_label(r) for r in entity.roles})
        by_id[entity.id] = Speaker(
            id=entity.id,
            name=entity.name,
            type=entity.type,
            aliases=tuple(aliases),
            roles=tuple(roles),
            quotes=(known.quotes if known else 0) + 1,
            articles=1,
        )
    return list(by_id.values())


# ---------------------------------------------------------------------------- across articles


def link_corpus(quotes: Sequence[Quote], speakers: Sequence[Speaker]) -> tuple[list[Quote], list[Speaker]]:
    """Join the per-article speakers of a corpus into canonical speakers.

    - a role-only speaker ("Qatar’s prime minister" in an article that never names him)
      joins the one named person whom other articles give that role, learned from their
      appositions and titles; with several holders it stays as it is;
    - a name that is part of exactly one longer name of the corpus ("Netanyahu") joins it.
    """
    named = {s.id: s for s in speakers if not s.id.startswith("role-") and s.type == "person"}
    holders: dict[str, set[str]] = {}
    for s in speakers:  # one person's roles may come from several articles
        if s.id not in named:
            continue
        for role in s.roles:
            holders.setdefault(role, set()).add(s.id)
    cores = {sid: set(name_core(s.name)) for sid, s in named.items()}
    mapping: dict[str, str] = {}
    for s in speakers:
        if s.id.startswith("role-"):
            found = {h for role in s.roles for h in holders.get(role, ())}
            if len(found) == 1:
                mapping[s.id] = found.pop()
        elif s.id in named and cores[s.id]:
            longer = [o for o, core in cores.items() if o != s.id and cores[s.id] < core]
            if len(longer) == 1:
                mapping[s.id] = longer[0]
    if not mapping:
        return list(quotes), list(speakers)
    by_id: dict[str, Speaker] = {}
    for s in speakers:
        target = mapping.get(s.id, s.id)
        base = by_id.get(target) or next((x for x in speakers if x.id == target), s)
        by_id[target] = Speaker(
            id=target,
            name=base.name,
            type=base.type,
            aliases=tuple(sorted({*base.aliases, *s.aliases, s.name} - {base.name})),
            roles=tuple(sorted({*base.roles, *s.roles})),
            quotes=base.quotes + (s.quotes if s is not base else 0),
            articles=1,
        )
    names = {sid: s.name for sid, s in by_id.items()}
    linked = [
        replace(q, speaker_id=mapping[q.speaker_id], speaker_name=names[mapping[q.speaker_id]])
        if q.speaker_id in mapping
        else q
        for q in quotes
    ]
    return linked, list(by_id.values())
