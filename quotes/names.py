"""Names, roles and places, normalised so that two ways of writing them compare equal.

Used by both halves of the resolve stage (one article in `quotes.resolve`, the corpus in
`quotes.link`), by the speaker registry and by queries. Everything here is general
language data read from the editable files in `quotes/resources/`: honorifics, name
particles, spelling variants of name words, role titles and their abbreviations, demonyms
and capitals. No particular person is known to the code.

- a *name* compares by its core words: "Dr. Jane van der Berg-Smith", "jane Berg Smith" and
  "Berg-Smith" share the words ("jane",) "berg", "smith", after leading honorifics and
  titles, particles ("van", "der", "al", "bin"), case, accents and apostrophes are set aside
  and spelling variants are read as one ("Mohamed" = "Muhammad");
- a *role* is a (title, country) pair: "the Freedonian PM", "Freedonia's prime minister" and
  "Prime Minister of Freedonia" are all ("prime minister", "Freedonia") when Freedonia is
  listed in `demonyms.tsv`;
- a *place* quoted as a speaker, a country or its capital ("Paris said …"), is the country's
  government (`place_country`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from quotes.extract.lexicon import RESOURCES, read_word_list

__all__ = [
    "anonymity_markers",
    "core_fits",
    "countries",
    "fold",
    "name_core",
    "name_key",
    "normalise_role",
    "normalize_name",
    "place_country",
    "role_label",
    "slug",
    "speaker_words",
    "spellings",
    "title_words",
    "titles",
    "word_set",
    "words",
]

_APOSTROPHES = "'’ʼ‘`´"
_SEPARATORS = r"[\s\-_'‘’ʼ`.]+"
"""What `normalize_name` turns into one space: whitespace, hyphens, underscores, apostrophes, periods."""
_POSSESSIVE = re.compile(r"['’ʼ]s?$|['’ʼ]s(?=\W)")


# ---------------------------------------------------------------------------- data files


@cache
def word_set(name: str) -> frozenset[str]:
    """Every word of a resource word list, lower case."""
    return frozenset(w.lower() for row in read_word_list(name) for w in row)


@cache
def titles() -> dict[str, str]:
    """Every title variant (lower case) → its canonical title ("pm" → "prime minister")."""
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
def title_words() -> frozenset[str]:
    """The words that titles are made of ("prime", "minister", "pm", …)."""
    return frozenset(w for title in titles() for w in title.split())


def _country_rows() -> list[tuple[str, list[str], list[str]]]:
    rows = []
    for line in (RESOURCES / "demonyms.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        country, *columns = line.split("\t")
        demonyms = [w.strip() for w in (columns[0] if columns else "").split(",") if w.strip()]
        others = [w.strip() for w in (columns[1] if len(columns) > 1 else "").split(",") if w.strip()]
        rows.append((country.strip(), demonyms, others))
    return rows


def _place_key(text: str) -> str:
    """Folded words without periods: "U.S." and "u. s." are "u s", "Sana'a" is "sanaa"."""
    return " ".join(w.rstrip(".") for w in words(fold(text)))


@cache
def countries() -> dict[str, str]:
    """Country names, demonyms and other names (`_place_key` form) → the country name."""
    out: dict[str, str] = {}
    for country, demonyms, others in _country_rows():
        for word in (country, *demonyms, *others):
            out[_place_key(word)] = country
    return out


@cache
def _places() -> dict[str, str]:
    """Names that can stand for a country's government (folded) → the country.

    The country's names ("France", "UK") and its capitals, not its demonyms: "French" is
    no speaker.
    """
    out: dict[str, str] = {}
    for country, _, others in _country_rows():
        for word in (country, *others):
            out[_place_key(word)] = country
    for line in (RESOURCES / "capitals.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        capital, _, country = line.partition("\t")
        out[_place_key(capital)] = country.strip()
    return out


@cache
def speaker_words() -> dict[str, str]:
    """Head nouns (lower case) → the speaker type they tell (`speaker_words.txt`)."""
    out: dict[str, str] = {}
    for row in read_word_list("speaker_words.txt"):
        for word in row[1:]:
            out.setdefault(word.lower(), row[0])
    return out


@cache
def anonymity_markers() -> tuple[tuple[str, ...], ...]:
    """Phrases that withhold a speaker's identity ("familiar with", "asked not to be named")."""
    rows = read_word_list("anonymity_markers.txt")
    return tuple(tuple(words(" ".join(row))) for row in rows)


@cache
def _name_variants() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    variants: dict[str, str] = {}
    suffixes: list[tuple[str, str]] = []
    for row in read_word_list("name_variants.txt"):
        if row[0] == "suffix:" and len(row) == 3:
            suffixes.append((row[1].lower(), row[2].lower()))
            continue
        canonical = fold(row[0])
        for word in row:
            variants[fold(word)] = canonical
    return variants, tuple(sorted(suffixes, key=lambda s: -len(s[0])))


# ---------------------------------------------------------------------------- text


def fold(text: str) -> str:
    """Lower case, accents and apostrophes removed: the form names are compared in.

    Examples:
        >>> fold("Zoë O’Neill")
        'zoe oneill'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c) and c not in _APOSTROPHES)
    return text.lower()


def slug(text: str) -> str:
    """A lower-case ASCII id made of the words of `text`.

    Examples:
        >>> slug("Jane van der Berg-Smith")
        'jane-van-der-berg-smith'
        >>> slug("Freedonia’s prime minister")
        'freedonias-prime-minister'
    """
    ascii_text = fold(text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))


def normalize_name(name: str) -> str:
    """Lower-case `name`, turn separators into single spaces and strip it, for matching text.

    Examples:
        >>> normalize_name("  Jane   van-der Berg ")
        'jane van der berg'
        >>> normalize_name("O’Brien_Jr.")
        'o brien jr'
    """
    return re.sub(_SEPARATORS, " ", name.lower()).strip()


def words(text: str) -> list[str]:
    """Lower-case words, hyphens split off and apostrophes kept out ("al-Amin's" → al, amin, s).

    A period stays on the word it ends ("dr.", "u.s."), so that abbreviations can be
    looked up in the data files.
    """
    return re.findall(r"[^\W_]+\.?", text.lower())


# ---------------------------------------------------------------------------- names


def name_core(text: str) -> tuple[str, ...]:
    """The words that identify a person or body, in order; see the module docstring.

    Leading honorifics and titles are dropped ("Sheikh", "President", "Dr."), particles
    anywhere ("bin", "al", "van"), and a possessive "s"; words are folded
    (`fold`) and spelling variants read as one.

    Examples:
        >>> name_core("Dr. Jane van der Berg-Smith")
        ('jane', 'berg', 'smith')
        >>> name_core("President Mohamed bin Ali al-Amin")
        ('muhammad', 'ali', 'amin')
    """
    skip_leading = word_set("honorifics.txt") | title_words()
    particles = word_set("name_particles.txt")
    variants, suffixes = _name_variants()
    tokens = words(fold(_POSSESSIVE.sub("", text)))
    known_countries = countries()
    while tokens:
        first = tokens[0].rstrip(".")
        if tokens[0] in skip_leading or first in skip_leading:
            tokens = tokens[1:]
        elif first in known_countries and len(tokens) > 2 and tokens[1].rstrip(".") in skip_leading:
            tokens = tokens[1:]  # "French President Jane Doe"
        else:
            break
    out = []
    for token in tokens:
        token = token.rstrip(".")
        if not token or token in particles:
            continue
        token = variants.get(token, token)
        for ending, replacement in suffixes:
            if token.endswith(ending) and len(token) > len(ending) + 2:
                token = token[: -len(ending)] + replacement
                break
        out.append(token)
    return tuple(out)


def spellings(word: str) -> set[str]:
    """Ways a name word (as `name_core` gives it) may be written, folded, for a text search.

    Examples:
        >>> sorted(spellings("ahmad"))
        ['ahmad', 'ahmed']
    """
    variants, suffixes = _name_variants()
    out = {word} | {spelling for spelling, canonical in variants.items() if canonical == word}
    for ending, replacement in suffixes:
        if word.endswith(replacement):
            out.add(word[: -len(replacement)] + ending)
    return out


def core_fits(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Whether the name words `short` appear in `long`, in order; a one-letter word is an initial.

    Examples:
        >>> core_fits(("j", "doe"), ("jane", "van", "doe")), core_fits(("doe", "jane"), ("jane", "doe"))
        (True, False)
    """
    k = 0
    for word in short:
        while k < len(long) and not (long[k] == word or (len(word) == 1 and long[k].startswith(word))):
            k += 1
        if k == len(long):
            return False
        k += 1
    return True


def name_key(text: str) -> str:
    """One string per name for exact comparison: the core words joined by spaces."""
    return " ".join(name_core(text))


def place_country(text: str) -> str | None:
    """The country a place name stands for when quoted as a speaker, else None.

    Examples:
        >>> place_country("Paris"), place_country("the U.K."), place_country("French")
        ('France', 'United Kingdom', None)
    """
    key = _place_key(text)
    return _places().get(key.removeprefix("the "))


# ---------------------------------------------------------------------------- roles


def normalise_role(text: str) -> tuple[str, str] | None:
    """Turn a role phrase into (title, country), or None when it holds no known title.

    Examples:
        >>> normalise_role("the French PM")
        ('prime minister', 'France')
        >>> normalise_role("France's Prime Minister")
        ('prime minister', 'France')
        >>> normalise_role("Prime Minister of France")
        ('prime minister', 'France')
        >>> normalise_role("Foreign ministry spokesperson")
        ('spokesperson', '')
        >>> normalise_role("the former secretary of State")
        ('secretary of state', '')
    """
    known_titles = titles()
    tokens = [w for w in words(fold(_POSSESSIVE.sub("", text))) if w not in ("the", "a", "an")]
    tokens = [w.rstrip(".") if w not in known_titles else w for w in tokens]  # titles keep "of"
    plain = [w for w in tokens if w not in ("of", "for")]
    # "Freedonia-based": where someone works, not whose official they are
    plain = [w for k, w in enumerate(plain) if not (k + 1 < len(plain) and plain[k + 1] == "based")]
    known_countries = countries()
    country = ""
    title = ""
    for n in (3, 2, 1):
        for i in range(len(plain) - n + 1):
            phrase = " ".join(plain[i : i + n])
            if not country and phrase in known_countries:
                country = known_countries[phrase]
    for n in (4, 3, 2, 1):
        for i in range(len(tokens) - n + 1):
            phrase = " ".join(tokens[i : i + n])
            if phrase in known_titles and (not title or len(known_titles[phrase]) > len(title)):
                title = known_titles[phrase]
        if title:
            break
    if not title:
        return None
    return title, country


def role_label(role: tuple[str, str]) -> str:
    """A readable role: ("prime minister", "France") → "prime minister of France"."""
    title, country = role
    return f"{title} of {country}" if country else title
