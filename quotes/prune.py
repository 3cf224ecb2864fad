"""Decide, without a parser, which sentences of an article need a full parse.

A Stanza parse is the expensive part of the pipeline: tokenizing costs about a tenth of it,
tagging, lemmas and dependencies the rest. Most sentences of a news article hold no
attribution, so `quotes.parse.StanzaParser` (with ``prune=True``) tokenizes every sentence
but tags and parses only those this module selects. The others keep their tokens (the Doc
still covers the whole text, offsets exact) and get no tags and a flat tree, so no rule
fires on them.

A sentence is parsed when it can hold an attribution:

- it touches a quotation mark or a quoted region (`quotes.extract.marks`), or
- it holds a reporting cue in any inflection: a reporting verb (``said``, ``tells``,
  ``warning``), a nominal cue (``claims``, ``statement``) or an "according to" phrase,
  all read from the lexicon files the rules use (`quotes.extract.lexicon`); a cue word
  capitalised inside a sentence is part of a name ("United States", "The Post") and does
  not count, except in a title-case headline;

and also when speaker resolution (`quotes.resolve`) reads it:

- the ``context`` sentences before each attribution sentence, where a pronoun's
  antecedent usually is ("Jane Doe arrived on Monday. “…,” she said.");
- for each capitalised word or title word of an attribution sentence, the first sentence
  of the article that holds it: that is where a person is introduced with a full name and
  role ("Jane Doe, the finance minister, …"), which a later "Doe said" or "the minister
  said" needs.

The selection never looks at a model, so it costs microseconds per sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from quotes.extract.lexicon import RESOURCES, according_cues, nominal_cues, read_word_list, reporting_verbs
from quotes.extract.marks import DOUBLE_MARKS, quote_regions, single_quote_regions

__all__ = ["cue_words", "inflections", "select_sentences"]

_WORD_RE = re.compile(r"[^\W\d_]+")
_CAPITALISED_RE = re.compile(r"(?<![^\W\d_])[A-Z][^\W\d_]+")
_VOWELS = frozenset("aeiou")


def inflections(lemma: str, irregular: Sequence[str] = ()) -> set[str]:
    """Every form of an English verb or noun `lemma`: -s, -ed, -ing forms and the given irregular ones.

    Over-generating is harmless here (an extra form only costs a parse), missing a form
    would lose an attribution, so both spellings of a doubled consonant are produced.

    Examples:
        >>> sorted(inflections("say", ["said"]))
        ['said', 'say', 'sayed', 'saying', 'says']
        >>> {"denied", "denies", "denying"} <= inflections("deny")
        True
        >>> {"admitted", "admits", "admitting"} <= inflections("admit")
        True
    """
    word = lemma.lower()
    forms = {word, *irregular}
    if word.endswith(("s", "sh", "ch", "x", "z", "o")):
        forms.add(word + "es")
    forms.add(word + "s")
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        forms.update({word[:-1] + "ies", word[:-1] + "ied"})
    if word.endswith("e"):
        forms.update({word + "d", word[:-1] + "ing"})
        if word.endswith("ie"):
            forms.add(word[:-2] + "ying")
    else:
        forms.update({word + "ed", word + "ing"})
    if len(word) > 2 and word[-1] not in _VOWELS | {"w", "x", "y"} and word[-2] in _VOWELS:
        forms.update({word + word[-1] + "ed", word + word[-1] + "ing"})  # admit → admitted
    return forms


@cache
def _irregular_forms() -> dict[str, tuple[str, ...]]:
    """Irregular forms by base form, from `resources/irregular_verbs.txt`."""
    rows = read_word_list("irregular_verbs.txt")
    return {row[0].lower(): tuple(w.lower() for w in row[1:]) for row in rows}


@cache
def cue_words() -> frozenset[str]:
    """Every lower-case word form of the reporting verbs and nominal cues of the lexicon.

    Examples:
        >>> {"said", "told", "claims", "warning"} <= cue_words()
        True
    """
    irregular = _irregular_forms()
    words: set[str] = set()
    for lemma in reporting_verbs().lemmas:
        for part in lemma.split():
            words |= inflections(part, irregular.get(part, ()))
    for noun in nominal_cues():
        for part in noun.split():
            words |= inflections(part)
    return frozenset(words)


@cache
def _according_re() -> re.Pattern[str] | None:
    phrases = [r"\s+".join(re.escape(w) for w in phrase) for phrase in according_cues() if phrase]
    if not phrases:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)", re.IGNORECASE)


@cache
def _title_words() -> frozenset[str]:
    """The words of the role titles resolution knows ("minister", "spokesperson", "pm")."""
    text = (RESOURCES / "titles.txt").read_text(encoding="utf-8")
    words = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        words.update(w.rstrip(".") for w in _WORD_RE.findall(line.lower()))
    return frozenset(words)


@cache
def _stop_words() -> frozenset[str]:
    """Function words that are capitalised only at a sentence start ("The", "But")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _is_attribution(text: str, start: int, end: int, marked: Sequence[tuple[int, int]]) -> bool:
    """Whether the sentence text[start:end] can hold an attribution (see the module docstring)."""
    if any(s < end and start < e for s, e in marked):
        return True
    chunk = text[start:end]
    if any(ch in DOUBLE_MARKS for ch in chunk):
        return True
    cues = cue_words()
    words = _WORD_RE.findall(chunk)
    # a capitalised cue word mid-sentence is a name ("United States", "The Post"), except in headlines
    headline = _headline(words)
    if any(w.lower() in cues and (k == 0 or headline or not w[0].isupper()) for k, w in enumerate(words)):
        return True
    according = _according_re()
    return according is not None and according.search(chunk) is not None


def _headline(words: Sequence[str]) -> bool:
    """A title-case line ("Minister Says Talks Are Ongoing"): most of its longer words capitalised."""
    long = [w for w in words if len(w) > 3]
    return len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.7 * len(long)


def _name_words(chunk: str) -> set[str]:
    """The capitalised words of a sentence that may be (part of) a name, lower-cased."""
    stop = _stop_words()
    return {w.lower() for w in _CAPITALISED_RE.findall(chunk) if w.lower() not in stop}


def select_sentences(
    text: str,
    sentences: Sequence[tuple[int, int]],
    paragraphs: Sequence[tuple[int, int]],
    *,
    context: int = 1,
) -> list[bool]:
    """Say which sentences of an article to parse in full.

    Args:
        text: The article text.
        sentences: (start, end) character offsets of its sentences, in order.
        paragraphs: (start, end) offsets of its paragraphs (quotations are paired per paragraph).
        context: How many sentences before each attribution sentence to parse as well.

    Returns:
        One flag per sentence: True to parse it in full.

    Examples:
        >>> t = "Markets fell. Jane Doe arrived. She said prices would rise. Rain is due."
        >>> spans = [(0, 13), (14, 31), (32, 59), (60, 72)]
        >>> select_sentences(t, spans, [(0, len(t))])
        [False, True, True, False]
    """
    marked = [(r.start, r.end) for r in quote_regions(text, list(paragraphs))]
    marked += [(r.start, r.end) for r in single_quote_regions(text, list(paragraphs))]
    keep = [_is_attribution(text, s, e, marked) for s, e in sentences]
    anchors = [k for k, flag in enumerate(keep) if flag]
    for k in anchors:
        for j in range(max(0, k - context), k):
            keep[j] = True
    # where the names and titles of the attribution sentences are first introduced
    titles = _title_words()
    wanted: set[str] = set()
    for k in anchors:
        s, e = sentences[k]
        chunk = text[s:e]
        wanted |= _name_words(chunk)
        wanted |= {w for w in _WORD_RE.findall(chunk.lower()) if w in titles}
    if wanted:
        for k, (s, e) in enumerate(sentences):
            chunk = text[s:e]
            found = (_name_words(chunk) | set(_WORD_RE.findall(chunk.lower()))) & wanted
            if found:
                keep[k] = True
                wanted -= found
                if not wanted:
                    break
    return keep
