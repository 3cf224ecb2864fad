"""Claims: one statement across many outlets, its wordings, and the figures sources give.

A fact-checker wants claims, not sentences: who said what, where it first appeared, who
repeated it, whether the words changed on the way, and which numbers different sources give
for the same thing. This module turns the quotes of a store into *claims*:

1. **Statement clusters.** Quotes are blocked by canonical speaker (`speaker_id`; an
   anonymous speaker never leaves its article, a quote without a speaker stays alone) and
   compared on their *content terms*: lower-cased words less stop words, Snowball-stemmed,
   negations kept ("not", "never"), and near-identical quotes of opposite polarity are
   never linked ("is not a superpower" is not "is a superpower"). Candidate pairs come from all pairs of a
   small block, or from MinHash LSH (datasketch) in a large one, so that the work grows
   with the number of near-duplicates, not with the square of a prolific speaker's quotes.
   A candidate pair is linked when:

   - the term sets are equal (two terms or more), or overlap enough (Jaccard ≥ `ClusterParams.jaccard`, the
     smaller set having at least `min_jaccard_terms` terms), or
   - the smaller set is nearly contained in the larger (≥ `containment` of at least
     `min_contained` terms): an indirect paraphrase or an excerpt of a longer statement, or
   - a quoted fragment of one ("good progress" in a mixed quote, a short direct quote)
     occurs, term for term, in the other (a fragment of capitalised words only, a name
     such as "Mr. Doe's", does not count).

   Linked quotes are joined by union-find; a cluster's membership does not depend on the
   order of the quotes.

   The stop words are those of `resources/claim_stop_words.txt` (spaCy's English list less
   the words that change what a claim says: negations, quantities, "yet", "first"), which
   the user can edit.

2. **Wording.** Inside a cluster, each direct quotation (and each quoted fragment of two or
   more words of a mixed one) is compared word by word with the cluster's *reference
   wording*: the direct wording that most appearances repeat (an excerpt counts for the
   wording it is cut from), the earliest on a tie. Each is ``verbatim`` (same words, after
   case, quote-mark, punctuation and whitespace normalisation), ``excerpt`` (a contiguous
   part of the reference), ``extended`` (the reference is a contiguous part of it) or
   ``variant`` (the words differ: a possible misquote or translation), with a word diff.

3. **Figures.** The numbers of the store's articles, with what they count, their source and
   their event, grouped across sources with conflicts flagged: see `quotes.figures`. A claim
   lists the figures its quotations hold, each with the group it belongs to.

The first appearance is the earliest by the article's ``published`` date when known,
otherwise by store order (article id, then offset). A claim's id hashes its speaker and its
first appearance's quote id, so it stays the same when later articles repeat the claim.
"""

from __future__ import annotations

import difflib
import math
import re
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from quotes.errors import QueryError
from quotes.figures import Figure, FigureGroup, group_figures, store_figures
from quotes.model import stable_id
from quotes.store import atomic_write, read_articles, read_quotes, read_speakers

__all__ = [
    "Appearance",
    "Claim",
    "ClaimSet",
    "ClusterParams",
    "Variant",
    "build_claims",
    "claim_record",
    "claim_records",
    "claimreview",
    "claims_frame",
    "claims_table",
    "cluster_statements",
    "content_terms",
    "figures_table",
    "keep_quotes",
    "parse_published",
    "quote_content",
    "quoted_fragments",
    "same_as",
    "wording_words",
    "write_claims",
]

ClaimFormat = Literal["jsonl", "parquet", "claimreview"]


@dataclass(frozen=True, slots=True)
class ClusterParams:
    """The thresholds of statement clustering (see the module docstring).

    Attributes:
        jaccard: Link two quotes whose term sets have at least this Jaccard similarity ...
        min_jaccard_terms: ... when the smaller set has at least this many terms (two
            one-word quotes that share their word are not one statement; equal term sets
            of two or more terms always link).
        containment: Link when this share of the smaller term set is in the larger one ...
        min_contained: ... and the smaller set has at least this many terms ...
        containment_jaccard: ... and the two sets still share this Jaccard similarity (a
            few words of a long statement are not a paraphrase of it).
        fragment_min, fragment_max: A quoted fragment links when it has this many content
            terms (inclusive) and they occur contiguously in the other quote.
        exhaustive_block: Blocks up to this size are compared pair by pair; larger blocks
            get their candidates from MinHash LSH.
        lsh_threshold: The Jaccard threshold the LSH bands are tuned for (below `jaccard`,
            so that pairs linked by containment are found too).
        num_perm: MinHash permutations.
    """

    jaccard: float = 0.5
    min_jaccard_terms: int = 3
    containment: float = 0.75
    min_contained: int = 4
    containment_jaccard: float = 0.2
    fragment_min: int = 2
    fragment_max: int = 6
    exhaustive_block: int = 64
    lsh_threshold: float = 0.25
    num_perm: int = 128


DEFAULT_PARAMS = ClusterParams()

# --- normalisation -----------------------------------------------------------------------------

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_NEGATIONS = frozenset({"not", "no", "never", "nor", "nothing", "none", "nobody", "neither", "cannot"})
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"|(?<![\w’'])‘([^’]+)’(?![\w])|«([^»]+)»")


RESOURCES = Path(__file__).resolve().parent / "resources"


@cache
def _stop_words() -> frozenset[str]:
    """The function words of `resources/claim_stop_words.txt` (or QUOTES_CLAIM_STOP_WORDS).

    Derived from spaCy's English stop words, less the words that change what a claim says
    (negations, quantities, "yet", "first"), which stay content terms.
    """
    import os

    path = os.environ.get("QUOTES_CLAIM_STOP_WORDS") or RESOURCES / "claim_stop_words.txt"
    words: set[str] = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        words.update(w.lower().translate(_APOSTROPHES) for w in line.split("#", 1)[0].split())
    return frozenset(words - _NEGATIONS)


@cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@cache
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def wording_words(text: str) -> tuple[str, ...]:
    """The words of a quotation as compared for wording: lower-case, no punctuation or quote marks.

    Examples:
        >>> wording_words("“We’re ready,” she said")
        ("we're", 'ready', 'she', 'said')
    """
    return tuple(_TOKEN.findall(text.lower().translate(_APOSTROPHES)))


def content_terms(text: str) -> tuple[str, ...]:
    """The content terms of a text, in order: stems of its words less stop words.

    Negations stay (``n't`` becomes "not"), possessive ``'s`` and other clitics go, and
    numbers lose their thousands separators.

    Examples:
        >>> content_terms("We don't use the offices; 1,200 people were hoping")
        ('not', 'use', 'offic', '1200', 'peopl', 'hope')
    """
    stop = _stop_words()
    terms = []
    for word in wording_words(text):
        if word[0].isdigit():
            terms.append(word.replace(",", ""))
            continue
        if "'" in word:
            if word.endswith("n't"):
                terms.append("not")
                continue
            word = word.split("'", 1)[0]
        if word in _NEGATIONS:
            terms.append(word)
        elif word not in stop and len(word) > 1:
            terms.append(_stem(word))
    return tuple(terms)


def quoted_fragments(text: str, kind: str) -> list[str]:
    """The verbatim parts of a quotation: all of a direct quote, the quoted pieces of another.

    Examples:
        >>> quoted_fragments('the talks were “ongoing” and “close to a deal”', "mixed")
        ['ongoing', 'close to a deal']
    """
    pieces = [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(text)]
    if kind == "direct":
        inner = _strip_marks(text)
        return [inner] if inner else pieces
    return pieces


def _strip_marks(text: str) -> str:
    """A direct quotation without its outer quote marks and trailing punctuation."""
    return text.strip().strip("“”\"‘’'«» ").rstrip(",.;:!? ").strip("“”\"‘’'«» ")


# --- clustering --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    """What clustering needs to know about one quote."""

    id: str
    block: str | None
    terms: tuple[str, ...]
    term_set: frozenset[str]
    anchors: tuple[tuple[str, ...], ...]
    negations: int


def _item(
    quote_id: str, block: str | None, text: str, kind: str, params: ClusterParams = DEFAULT_PARAMS
) -> _Item:
    terms = content_terms(text)
    anchors = []
    for fragment in quoted_fragments(text, kind):
        fragment_terms = content_terms(fragment)
        if params.fragment_min <= len(fragment_terms) <= params.fragment_max and not _is_name(fragment):
            anchors.append(fragment_terms)
    negations = sum(1 for t in terms if t in _NEGATIONS)
    return _Item(quote_id, block, terms, frozenset(terms), tuple(dict.fromkeys(anchors)), negations)


def _is_name(fragment: str) -> bool:
    """Whether every content word of a quoted fragment is capitalised ("Mr. Trump's", "Top Gun").

    Such a fragment names someone or something; it is no statement, and as an anchor it
    would tie together every quote that mentions the name.
    """
    stop = _stop_words()
    words = [w for w in _TOKEN.findall(fragment.translate(_APOSTROPHES)) if w.lower() not in stop]
    return bool(words) and all(w[0].isupper() or w[0].isdigit() for w in words)


def cluster_statements(
    quotes: Iterable[tuple[str, str | None, str, str]],
    params: ClusterParams = DEFAULT_PARAMS,
    *,
    stats: dict[str, float] | None = None,
) -> list[list[str]]:
    """Cluster quotes that make the same statement; the core of `build_claims`.

    Args:
        quotes: ``(quote_id, block, text, kind)`` tuples. Quotes are compared only within a
            block (the canonical speaker); a ``None`` block keeps the quote alone. Ids must
            be unique.
        params: The thresholds.
        stats: If given, filled with counts and timings (for benchmarks): ``quotes``,
            ``blocks``, ``lsh_blocks``, ``candidate_pairs``, ``links``, ``clusters``,
            ``seconds_terms``, ``seconds_candidates_and_links``.

    Returns:
        The clusters as sorted lists of quote ids, sorted by their first id; every quote in
        exactly one cluster. Membership does not depend on the order of `quotes`.

    Examples:
        >>> cluster_statements([
        ...     ("a", "jane-doe", "“We will cut the tax on bread,” she said.", "direct"),
        ...     ("b", "jane-doe", "that the government would cut the bread tax", "indirect"),
        ...     ("c", "jane-doe", "“The budget is balanced,”", "direct"),
        ... ])
        [['a', 'b'], ['c']]
    """
    started = time.perf_counter()
    items = sorted((_item(q, b, t, k, params) for q, b, t, k in quotes), key=lambda it: it.id)
    counts: Counter[str] = Counter()
    linked_at = time.perf_counter()
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # Near-duplicate wordings join freely; a part (an excerpt, a short paraphrase, a quoted
    # fragment) joins only the one statement it fits best, so that it cannot bridge two.
    best: dict[int, tuple[float, int]] = {}
    for link in _links(items, params, counts, _idf(items)):
        if link.part is None:
            union(link.a, link.b)
            continue
        whole = link.b if link.part == link.a else link.a
        current = best.get(link.part)
        if current is None or (link.score, -whole) > (current[0], -current[1]):
            best[link.part] = (link.score, whole)
    for part, (_, whole) in best.items():
        union(part, whole)
    clusters: dict[int, list[str]] = defaultdict(list)
    for i, item in enumerate(items):
        clusters[find(i)].append(item.id)
    if stats is not None:
        stats.update(counts)
        stats.update(
            quotes=len(items),
            clusters=len(clusters),
            seconds_terms=linked_at - started,
            seconds_candidates_and_links=time.perf_counter() - linked_at,
        )
    return sorted(clusters.values(), key=lambda ids: ids[0])


def _idf(items: Sequence[_Item]) -> dict[str, float]:
    """Inverse document frequency of every term over all the quotes clustered together.

    ``log((N + 1) / (df + 1)) + 1``: a term every quote uses (a speaker's constant subject, a
    name in the news) weighs about 1, a rare word up to ``log(N) + 1``.
    """
    df: Counter[str] = Counter()
    for item in items:
        df.update(item.term_set)
    n = len(items)
    return {term: math.log((n + 1) / (count + 1)) + 1 for term, count in df.items()}


@dataclass(frozen=True, slots=True)
class _Link:
    """A verified link: `part` is None for near-duplicates, else the item that is the part."""

    a: int
    b: int
    part: int | None = None
    score: float = 1.0


def _links(
    items: Sequence[_Item], params: ClusterParams, counts: Counter[str], idf: dict[str, float]
) -> Iterable[_Link]:
    """The verified links between items, block by block (`counts` gets what was done)."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        if item.block is not None and item.terms:
            blocks[item.block].append(i)
    counts["blocks"] = len(blocks)
    for block in sorted(blocks):
        members = blocks[block]
        if len(members) < 2:
            continue
        if len(members) <= params.exhaustive_block:
            candidates: Iterable[tuple[int, int]] = list(combinations(members, 2))
        else:
            counts["lsh_blocks"] += 1
            candidates = sorted(_lsh_candidates(items, members, params) | _anchor_candidates(items, members))
        for a, b in candidates:
            counts["candidate_pairs"] += 1
            link = _link(a, b, items, params, idf)
            if link is not None:
                counts["links"] += 1
                yield link


def _link(
    a: int, b: int, items: Sequence[_Item], params: ClusterParams, idf: dict[str, float]
) -> _Link | None:
    """The link between items `a` and `b`, if they make the same statement, else None."""
    kind = _linked(items[a], items[b], params, idf)
    if kind is None:
        return None
    if kind == "same":
        return _Link(a, b)
    first, second = items[a], items[b]
    if kind == "anchor":
        a_in_b = any(_contains_run(second.terms, anchor) for anchor in first.anchors)
        part = a if a_in_b else b
    else:
        weight_a, weight_b = (sum(idf[t] for t in it.term_set) for it in (first, second))
        part = a if (weight_a, a) < (weight_b, b) else b
    whole = b if part == a else a
    shared = items[part].term_set & items[whole].term_set
    score = sum(idf[t] for t in shared) / sum(idf[t] for t in items[part].term_set)
    return _Link(a, b, part, score)


def _linked(a: _Item, b: _Item, params: ClusterParams, idf: dict[str, float]) -> str | None:
    """Whether two quotes of one speaker make the same statement (see the module docstring).

    Returns "same" for near-duplicate wordings (equal term sets, or Jaccard over the
    threshold), "contained" when the smaller is a part of the larger, "anchor" when a
    quoted fragment of one occurs in the other, and None when they are not linked.

    Containment is measured with terms weighted by `idf`, so that a short quote is not
    "contained" in a long one just because both name the people every quote names (an
    unweighted containment chains unrelated statements of a prolific speaker together).

    Quotes that say nearly the same words with opposite polarity (an odd number of
    negations in one, an even number in the other, and at most `_POLARITY_SLACK` other
    terms that differ) are never linked: "is a superpower" and "is not a superpower" are
    two claims. A longer report that adds a negated sentence of its own is not affected.
    """
    shared = len(a.term_set & b.term_set)
    if shared == 0:
        return None
    if a.negations % 2 != b.negations % 2 and len((a.term_set ^ b.term_set) - _NEGATIONS) <= _POLARITY_SLACK:
        return None
    if a.term_set == b.term_set and len(a.term_set) >= 2:
        return "same"
    jaccard = shared / len(a.term_set | b.term_set)
    smaller = min(len(a.term_set), len(b.term_set))
    if smaller >= params.min_jaccard_terms and jaccard >= params.jaccard:
        return "same"
    common = sum(idf[t] for t in a.term_set & b.term_set)
    weight_a, weight_b = sum(idf[t] for t in a.term_set), sum(idf[t] for t in b.term_set)
    if (
        smaller >= params.min_contained
        and common / min(weight_a, weight_b) >= params.containment
        and jaccard >= params.containment_jaccard
    ):
        return "contained"
    if any(_contains_run(b.terms, anchor) for anchor in a.anchors) or any(
        _contains_run(a.terms, anchor) for anchor in b.anchors
    ):
        return "anchor"
    return None


_POLARITY_SLACK = 2
"""How many non-negation terms two quotes of opposite polarity may differ by and still be kept apart."""


def _contains_run(terms: tuple[str, ...], run: tuple[str, ...]) -> bool:
    """Whether `run` occurs contiguously in `terms`."""
    n = len(run)
    first = run[0]
    return any(terms[i] == first and terms[i : i + n] == run for i in range(len(terms) - n + 1))


_PRIME = np.uint64(4_294_967_291)
"""The largest prime below 2**32: MinHash values are (a·h + b) mod _PRIME of 32-bit term hashes."""
_CHUNK = 2048
"""Quotes whose signatures are computed in one numpy operation (bounds the memory used)."""


@cache
def _permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) coefficients of the MinHash permutations, fixed by `seed` for determinism."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, int(_PRIME), size=num_perm, dtype=np.uint64)
    b = rng.integers(0, int(_PRIME), size=num_perm, dtype=np.uint64)
    return a, b


@cache
def _term_hash(term: str) -> int:
    """A 32-bit hash of a term (CRC-32: stable across runs and machines, unlike hash())."""
    return zlib.crc32(term.encode("utf-8"))


def _signatures(term_sets: list[frozenset[str]], num_perm: int) -> np.ndarray:
    """MinHash signatures of term sets, one row each, computed with numpy in chunks.

    Row i holds, for each permutation (a, b), the minimum of (a·h + b) mod _PRIME over the
    32-bit hashes h of set i: the standard MinHash of universal hashing, the same estimator
    as `datasketch.MinHash`, vectorised over many sets at once.
    """
    a, b = _permutations(num_perm)
    out = np.empty((len(term_sets), num_perm), dtype=np.uint64)
    for first in range(0, len(term_sets), _CHUNK):
        chunk = term_sets[first : first + _CHUNK]
        lengths = np.fromiter((len(s) for s in chunk), dtype=np.int64, count=len(chunk))
        hashes = np.fromiter((_term_hash(t) for s in chunk for t in sorted(s)), dtype=np.uint64)
        values = (hashes[:, None] * a + b) % _PRIME
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        out[first : first + len(chunk)] = np.minimum.reduceat(values, offsets, axis=0)
    return out


@cache
def _lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The (bands, rows) datasketch chooses for `threshold`, computed once (it integrates)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def _lsh_candidates(
    items: Sequence[_Item], members: list[int], params: ClusterParams
) -> set[tuple[int, int]]:
    """Candidate pairs of one large block from MinHash LSH (datasketch) over the term sets."""
    from datasketch import LeanMinHash, MinHashLSH

    signatures = _signatures([items[i].term_set for i in members], params.num_perm)
    bands = _lsh_bands(params.lsh_threshold, params.num_perm)
    lsh = MinHashLSH(threshold=params.lsh_threshold, num_perm=params.num_perm, params=bands)
    sketches = [LeanMinHash(seed=1, hashvalues=row, scheme="affine32") for row in signatures]
    with lsh.insertion_session() as session:
        for i, sketch in zip(members, sketches, strict=True):
            session.insert(i, sketch, check_duplication=False)
    pairs = set()
    for i, sketch in zip(members, sketches, strict=True):
        for j in lsh.query(sketch):
            if i < j:
                pairs.add((i, j))
    return pairs


def _anchor_candidates(items: Sequence[_Item], members: list[int]) -> set[tuple[int, int]]:
    """Candidate pairs of one large block where one quote may hold another's quoted fragment.

    An inverted index on the first two terms of every fragment finds the quotes holding
    that bigram, so only plausible pairs are checked.
    """
    wanted: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in members:
        for anchor in items[i].anchors:
            wanted[anchor[:2]].append(i)
    pairs = set()
    if not wanted:
        return pairs
    for j in members:
        terms = items[j].terms
        for bigram in set(zip(terms, terms[1:], strict=False)):
            for i in wanted.get(bigram, ()):
                if i != j:
                    pairs.add((min(i, j), max(i, j)))
    return pairs


# --- claims ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Appearance:
    """One quotation of a claim, with its article's provenance.

    Attributes:
        quote_id, doc_id, kind, text: The quotation (see `quotes.model.Quote`).
        content: Its reported words: the content fragments without the cue between them.
        content_start, content_end, content_fragments: Its offsets in the article text.
        cue, speaker_mention: How the article attributes it.
        outlet, url, published, title: The article's metadata (None when unknown).
        wording: For direct and mixed quotations, how their words compare with the claim's
            reference wording (verbatim, excerpt, extended, variant); None otherwise.
    """

    quote_id: str
    doc_id: str
    kind: str
    text: str
    content: str
    content_start: int
    content_end: int
    content_fragments: tuple[tuple[int, int], ...]
    cue: str | None
    speaker_mention: str | None
    outlet: str | None
    url: str | None
    published: str | None
    title: str | None
    wording: str | None = None

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["content_fragments"] = [list(f) for f in self.content_fragments]
        return row


@dataclass(frozen=True, slots=True, kw_only=True)
class Variant:
    """How one quoted wording of a claim differs from the reference wording.

    Attributes:
        quote_id, doc_id, outlet: Where the wording appears.
        wording: "excerpt", "extended" or "variant" (verbatim ones are not listed).
        text: The quoted words as written.
        similarity: difflib's ratio between the two word sequences (1.0: identical).
        diff: The differing stretches: ``{"op": "replace"|"delete"|"insert", "reference":
            "...", "quote": "..."}``.
        inline: The quote's words with ``[-reference words-]{+quote words+}`` marks (for
            an excerpt, "…" where reference words are left out).
    """

    quote_id: str
    doc_id: str
    outlet: str | None
    wording: str
    text: str
    similarity: float
    diff: tuple[dict[str, str], ...]
    inline: str

    @property
    def variant(self) -> bool:
        """True for a wording whose words differ: a possible misquote or translation."""
        return self.wording == "variant"

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["diff"] = [dict(d) for d in self.diff]
        row["variant"] = self.variant
        return row


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One statement of one speaker, with every appearance, its wordings and its figures.

    Attributes:
        id: Stable id (speaker and first appearance).
        speaker_id, speaker_name, speaker_type: The canonical speaker (None when unknown).
        speaker_roles: The speaker's roles from the speakers table.
        speaker_same_as: External identifiers (URLs) of the speaker, when the store has them.
        text: The representative wording: the reference direct wording, unless it is a
            fragment much shorter than the claim (then, as without a direct quotation, the
            appearance most similar to the others), without quote marks or a leading "that".
        representative_quote_id: The quote `text` comes from.
        first_appearance: The earliest appearance (see the module docstring).
        appearances: Every appearance, earliest first.
        reference_quote_id: The quote holding the reference wording, if any.
        variants: Non-verbatim wordings, with their diffs.
        figures: The figures in the claim's quotations.
        member_ids: The quote ids of the cluster, sorted.
    """

    id: str
    speaker_id: str | None
    speaker_name: str | None
    speaker_type: str | None
    speaker_roles: tuple[str, ...]
    speaker_same_as: tuple[str, ...]
    text: str
    representative_quote_id: str
    first_appearance: Appearance
    appearances: tuple[Appearance, ...]
    reference_quote_id: str | None
    variants: tuple[Variant, ...]
    figures: tuple[Figure, ...]
    member_ids: tuple[str, ...]

    @property
    def articles(self) -> tuple[str, ...]:
        """The distinct article ids, in order of appearance."""
        return tuple(dict.fromkeys(a.doc_id for a in self.appearances))

    @property
    def outlets(self) -> tuple[str, ...]:
        """The distinct known outlets, in order of appearance."""
        return tuple(dict.fromkeys(a.outlet for a in self.appearances if a.outlet))

    @property
    def has_variant(self) -> bool:
        return any(v.variant for v in self.variants)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimSet:
    """The claims of a store and the figure groups of its articles."""

    claims: tuple[Claim, ...]
    figure_groups: tuple[FigureGroup, ...] = field(default_factory=tuple)
    _groups: dict[str, FigureGroup] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_groups", {g.id: g for g in self.figure_groups})

    def group(self, group_id: str | None) -> FigureGroup | None:
        """The figure group with this id, or None."""
        return self._groups.get(group_id or "")


def build_claims(
    store_dir: str | Path,
    *,
    speaker: str | None = None,
    min_articles: int = 1,
    figures: bool = True,
    params: ClusterParams = DEFAULT_PARAMS,
) -> ClaimSet:
    """Build the claims of a store: statement clusters, wordings and figures.

    Args:
        store_dir: A store written by `quotes extract`.
        speaker: Keep only the claims of speakers matching this name, alias or role (as
            `quotes.query.match_speakers` matches).
        min_articles: Keep only claims that appear in at least this many articles.
        figures: Also find and group the figures of the store's articles.
        params: Clustering thresholds.

    Returns:
        The claims, most widely repeated first (then by first appearance), and every figure
        group of the store (figure groups are not filtered by `speaker`: a conflict needs the
        other sources).

    Raises:
        StoreError: If the store cannot be read.
        QueryError: If `speaker` is empty, or `min_articles` is below 1.
    """
    if min_articles < 1:
        raise QueryError(f"--min-articles must be at least 1, not {min_articles}")
    quotes = read_quotes(store_dir)
    articles = read_articles(store_dir)
    speakers = read_speakers(store_dir)
    wanted: set[str] | None = None
    if speaker is not None:
        from quotes.query import match_speakers

        wanted = set(match_speakers(store_dir, speaker)["id"])
    groups: list[FigureGroup] = []
    by_quote: dict[str, list[Figure]] = defaultdict(list)
    order = _article_order(articles)
    if figures:
        groups = group_figures(store_figures(articles, quotes), order=order)
        for group in groups:
            for figure in group.figures:
                if figure.quote_id is not None:
                    by_quote[figure.quote_id].append(figure)
    # Cluster every quote, then filter: term weights come from the whole store, so a
    # speaker's claims are the same with or without --speaker.
    claims = claims_from_frames(quotes, articles, speakers, figures_by_quote=by_quote, params=params)
    claims = [
        c for c in claims if len(c.articles) >= min_articles and (wanted is None or c.speaker_id in wanted)
    ]
    return ClaimSet(claims=tuple(claims), figure_groups=tuple(groups))


def claims_from_frames(
    quotes: pl.DataFrame,
    articles: pl.DataFrame,
    speakers: pl.DataFrame,
    *,
    figures_by_quote: dict[str, list[Figure]] | None = None,
    params: ClusterParams = DEFAULT_PARAMS,
) -> list[Claim]:
    """Cluster the quotes of a store's tables into claims (see `build_claims`)."""
    meta = {
        row["id"]: row
        for row in articles.select(
            [c for c in ("id", "outlet", "url", "published", "title") if c in articles.columns]
        ).iter_rows(named=True)
    }
    rank = _article_order(articles)
    speaker_rows = {row["id"]: row for row in speakers.iter_rows(named=True)}
    rows = {row["id"]: row for row in quotes.iter_rows(named=True)}
    clusters = cluster_statements(
        ((q["id"], _block(q), quote_content(q), q["kind"]) for q in rows.values()), params
    )
    claims = []
    for member_ids in clusters:
        members = [rows[i] for i in member_ids]
        claims.append(_claim(members, meta, rank, speaker_rows, figures_by_quote or {}, params))
    return sorted(
        claims,
        key=lambda c: (
            -len(c.articles),
            -len(c.appearances),
            _appearance_key(c.first_appearance, rank),
            c.id,
        ),
    )


def quote_content(quote: dict[str, Any]) -> str:
    """The reported words of a quote row: its content fragments joined, without the cue between.

    A quotation split by its cue ("“A,” she said. “B.”") is stored as one span from A to B;
    comparing it on that span would count "she said" as part of what was said.

    Examples:
        >>> quote_content({"text": "“A b,” she said. “C d.”", "content_start": 10,
        ...                "content_fragments": [[10, 16], [27, 33]]})
        '“A b,” “C d.”'
    """
    text, start = quote["text"], quote["content_start"]
    fragments = quote.get("content_fragments") or ()
    pieces = [text[s - start : e - start] for s, e in fragments if 0 <= s - start <= e - start <= len(text)]
    return " ".join(pieces) if pieces else text


def _block(quote: dict[str, Any]) -> str | None:
    """The clustering block of a quote: its speaker, or speaker and article when anonymous."""
    speaker = quote.get("speaker_id")
    if speaker is None:
        return None
    if quote.get("speaker_type") == "anonymous":
        return f"{speaker}\x1f{quote['doc_id']}"
    return speaker


def _article_order(articles: pl.DataFrame) -> dict[str, int]:
    """Rank articles for "first appearance": by parsed ``published`` date, then store order."""
    rows = articles.select([c for c in ("id", "published") if c in articles.columns]).to_dicts()
    keyed = [(_published_key(r.get("published")), position, r["id"]) for position, r in enumerate(rows)]
    return {doc_id: rank for rank, (_, _, doc_id) in enumerate(sorted(keyed))}


def _published_key(value: str | None) -> tuple[int, float]:
    """A sortable key for a ``published`` string: known dates first, in time order."""
    when = parse_published(value)
    return (0, when.timestamp()) if when is not None else (1, 0.0)


def parse_published(value: str | None) -> datetime | None:
    """Parse an article date (ISO 8601 or RFC 2822); naive times are taken as UTC.

    Examples:
        >>> parse_published("2024-01-29").isoformat()
        '2024-01-29T00:00:00+00:00'
        >>> parse_published("Mon, 29 Jan 2024 10:00:00 +0100").isoformat()
        '2024-01-29T10:00:00+01:00'
        >>> parse_published("last week") is None
        True
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    when = None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _appearance_key(appearance: Appearance, rank: dict[str, int]) -> tuple:
    return (
        rank.get(appearance.doc_id, math.inf),
        appearance.doc_id,
        appearance.content_start,
        appearance.quote_id,
    )


def _claim(
    members: list[dict[str, Any]],
    meta: dict[str, dict[str, Any]],
    rank: dict[str, int],
    speaker_rows: dict[str, dict[str, Any]],
    figures_by_quote: dict[str, list[Figure]],
    params: ClusterParams,
) -> Claim:
    """Assemble one claim from its member quote rows."""
    appearances = sorted(
        (_appearance(q, meta.get(q["doc_id"], {})) for q in members), key=lambda a: _appearance_key(a, rank)
    )
    reference, wordings, variants = _wordings(appearances)
    appearances = [
        a if a.quote_id not in wordings else replace(a, wording=wordings[a.quote_id]) for a in appearances
    ]
    representative = _representative(reference, appearances)
    first = appearances[0]
    quote = next(q for q in members if q["id"] == first.quote_id)
    speaker_id = quote.get("speaker_id")
    speaker_row = speaker_rows.get(speaker_id or "", {})
    text = _claim_text(representative)
    return Claim(
        id=stable_id("claim", _block(quote) or first.quote_id, first.quote_id),
        speaker_id=speaker_id,
        speaker_name=speaker_row.get("name") or quote.get("speaker_name"),
        speaker_type=speaker_row.get("type") or quote.get("speaker_type"),
        speaker_roles=tuple(speaker_row.get("roles") or ()),
        speaker_same_as=same_as(speaker_row),
        text=text,
        representative_quote_id=representative.quote_id,
        first_appearance=appearances[0],
        appearances=tuple(appearances),
        reference_quote_id=reference.quote_id if reference else None,
        variants=tuple(variants),
        figures=tuple(f for a in appearances for f in figures_by_quote.get(a.quote_id, ())),
        member_ids=tuple(sorted(q["id"] for q in members)),
    )


def _appearance(quote: dict[str, Any], article: dict[str, Any]) -> Appearance:
    return Appearance(
        quote_id=quote["id"],
        doc_id=quote["doc_id"],
        kind=quote["kind"],
        text=quote["text"],
        content=quote_content(quote),
        content_start=quote["content_start"],
        content_end=quote["content_end"],
        content_fragments=tuple(tuple(f) for f in (quote.get("content_fragments") or ())),
        cue=quote.get("cue"),
        speaker_mention=quote.get("speaker_mention"),
        outlet=article.get("outlet"),
        url=article.get("url"),
        published=article.get("published"),
        title=article.get("title"),
    )


def _wordings(
    appearances: list[Appearance],
) -> tuple[Appearance | None, dict[str, str], list[Variant]]:
    """Choose the reference wording and compare every quoted wording with it.

    Returns the appearance holding the reference (None without a direct quotation), the
    wording label of every direct or mixed appearance, and the non-verbatim wordings.
    """
    quoted: list[tuple[Appearance, str, tuple[str, ...]]] = []
    for appearance in appearances:
        if appearance.kind not in ("direct", "mixed"):
            continue
        for piece in quoted_fragments(appearance.content, appearance.kind):
            words = wording_words(piece)
            if len(words) >= (1 if appearance.kind == "direct" else 2):
                quoted.append((appearance, piece, words))
    directs = [(a, p, w) for a, p, w in quoted if a.kind == "direct"]
    if not directs:
        return None, {}, []
    support: Counter[tuple[str, ...]] = Counter()
    for _, _, candidate in directs:
        support[candidate] = sum(1 for _, _, w in quoted if _within(w, candidate))
    order = {w: i for i, (_, _, w) in reversed(list(enumerate(directs)))}
    best = max(support, key=lambda w: (support[w], len(w), -order[w]))
    reference = next(a for a, _, w in directs if w == best)
    labels: dict[str, str] = {}
    variants = []
    for appearance, piece, words in quoted:
        label, ratio, diff, inline = _compare(best, words)
        labels[appearance.quote_id] = _worse(labels.get(appearance.quote_id), label)
        if label != "verbatim":
            variants.append(
                Variant(
                    quote_id=appearance.quote_id,
                    doc_id=appearance.doc_id,
                    outlet=appearance.outlet,
                    wording=label,
                    text=piece,
                    similarity=round(ratio, 3),
                    diff=diff,
                    inline=inline,
                )
            )
    return reference, labels, variants


_SEVERITY = {"verbatim": 0, "excerpt": 1, "extended": 2, "variant": 3}


def _worse(old: str | None, new: str) -> str:
    """The more severe of two wording labels (a mixed quote has several fragments)."""
    return new if old is None or _SEVERITY[new] > _SEVERITY[old] else old


def _within(words: tuple[str, ...], reference: tuple[str, ...]) -> bool:
    """Whether `words` is `reference` or a contiguous part of it."""
    n = len(words)
    return n <= len(reference) and any(reference[i : i + n] == words for i in range(len(reference) - n + 1))


def _compare(
    reference: tuple[str, ...], words: tuple[str, ...]
) -> tuple[str, float, tuple[dict[str, str], ...], str]:
    """Label a wording against the reference and diff them word by word."""
    matcher = difflib.SequenceMatcher(a=reference, b=words, autojunk=False)
    ratio = matcher.ratio()
    if words == reference:
        return "verbatim", 1.0, (), " ".join(words)
    if _within(words, reference):
        label = "excerpt"
    elif _within(reference, words):
        label = "extended"
    else:
        label = "variant"
    diff, inline = [], []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            inline.append(" ".join(words[b0:b1]))
            continue
        old, new = " ".join(reference[a0:a1]), " ".join(words[b0:b1])
        if label == "variant":
            diff.append({"op": op, "reference": old, "quote": new})
            inline.append((f"[-{old}-]" if old else "") + (f"{{+{new}+}}" if new else ""))
        else:
            diff.append({"op": op, "reference": old, "quote": new})
            inline.append(f"{{+{new}+}}" if new else "…")
    return label, ratio, tuple(diff), " ".join(s for s in inline if s)


def _representative(reference: Appearance | None, appearances: list[Appearance]) -> Appearance:
    """The appearance whose text stands for the claim.

    The reference wording, unless it has fewer than half the content terms of the
    appearance most similar to the others (a two-word fragment does not state a claim).
    """
    medoid = _medoid(appearances)
    if reference is None:
        return medoid
    if 2 * len(set(content_terms(reference.content))) < len(set(content_terms(medoid.content))):
        return medoid
    return reference


_COMPLEMENTIZER = re.compile(r"^\s*that\s+", re.IGNORECASE)


def _claim_text(appearance: Appearance) -> str:
    """The text of a claim: a direct quote without its marks, a report without its "that"."""
    if appearance.kind == "direct":
        pieces = quoted_fragments(appearance.content, "mixed")  # “A,” she said. “B.” → A, B
        if len(pieces) > 1:
            return _strip_marks(" ".join(p.strip() for p in pieces))
        return _strip_marks(appearance.content)
    return _COMPLEMENTIZER.sub("", appearance.content).strip()


def _medoid(appearances: list[Appearance]) -> Appearance:
    """The appearance most similar to the others (ties: direct, longer, earlier)."""
    if len(appearances) == 1:
        return appearances[0]
    sets = [frozenset(content_terms(a.content)) for a in appearances]

    def score(i: int) -> tuple:
        total = sum(_jaccard(sets[i], sets[j]) for j in range(len(sets)) if j != i)
        return (round(total, 9), appearances[i].kind == "direct", len(sets[i]), -i)

    return appearances[max(range(len(appearances)), key=score)]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


# --- external ids -------------------------------------------------------------------------------

_WIKIDATA = re.compile(r"^(?:wikidata:)?(Q\d+)$", re.IGNORECASE)
_EXTERNAL_COLUMNS = ("external_ids", "same_as", "sameAs", "wikidata")


def same_as(speaker_row: dict[str, Any]) -> tuple[str, ...]:
    """External identifiers of a speaker row as URLs, for schema.org ``sameAs``.

    The speakers table carries them (from the speaker registry) in its ``external_ids``
    column as ``scheme:value`` strings; a ``same_as`` or ``wikidata`` column, a mapping
    ``{scheme: id}`` or ``{scheme, id}`` records are read too, and a store without any of
    them gives no ids. Wikidata ids ("Q42", "wikidata:Q42") and the schemes of
    `_SCHEME_URLS` ("viaf:…", "isni:…", "orcid:…") become URLs, URLs stay as they are,
    anything else is dropped.

    Examples:
        >>> same_as({"external_ids": ["wikidata:Q42", "https://example.org/jane-doe"]})
        ('https://www.wikidata.org/wiki/Q42', 'https://example.org/jane-doe')
        >>> same_as({"name": "Jane Doe"})
        ()
    """
    urls: list[str] = []
    for column in _EXTERNAL_COLUMNS:
        for value in _flatten_ids(speaker_row.get(column)):
            url = _as_url(value)
            if url:
                urls.append(url)
    return tuple(dict.fromkeys(urls))


def _flatten_ids(value: Any) -> Iterable[str]:
    if value is None:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        if "id" in value and ("scheme" in value or "source" in value or len(value) <= 3):
            scheme = value.get("scheme") or value.get("source")
            yield (
                f"{scheme}:{value['id']}"
                if scheme and not str(value["id"]).startswith("http")
                else str(value["id"])
            )
        else:
            for key, item in value.items():
                if item is not None:
                    yield from (
                        f"{key}:{v}" if not str(v).startswith("http") else str(v) for v in _flatten_ids(item)
                    )
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _flatten_ids(item)


_SCHEME_URLS = {
    "viaf": "https://viaf.org/viaf/{}",
    "isni": "https://isni.org/isni/{}",
    "orcid": "https://orcid.org/{}",
    "gnd": "https://d-nb.info/gnd/{}",
    "lccn": "https://id.loc.gov/authorities/names/{}",
}
"""URL patterns of common authority files, for ``scheme:value`` external ids."""


def _as_url(value: str) -> str | None:
    """An external id as a URL: URLs as they are, Wikidata and known schemes expanded, else None."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return value
    match = _WIKIDATA.match(value)
    if match:
        return f"https://www.wikidata.org/wiki/{match.group(1).upper()}"
    scheme, _, ident = value.partition(":")
    pattern = _SCHEME_URLS.get(scheme.strip().lower())
    if pattern and ident.strip():
        return pattern.format(ident.strip().replace(" ", ""))
    return None


# --- records and output -------------------------------------------------------------------------


def claim_record(claim: Claim, claims: ClaimSet | None = None) -> dict[str, Any]:
    """The JSON-ready record of one claim: its appearances, wordings, figures and provenance.

    Each figure carries its group's summary (the values and sources of the same quantity
    and event, and whether they conflict) when `claims` is given.
    """
    figures = []
    for figure in claim.figures:
        row = figure.to_dict()
        group = claims.group(figure.group_id) if claims is not None else None
        if group is not None:
            row["group"] = _group_summary(group)
        figures.append(row)
    return {
        "id": claim.id,
        "speaker_id": claim.speaker_id,
        "speaker_name": claim.speaker_name,
        "speaker_type": claim.speaker_type,
        "speaker_roles": list(claim.speaker_roles),
        "speaker_same_as": list(claim.speaker_same_as),
        "text": claim.text,
        "representative_quote_id": claim.representative_quote_id,
        "first_appearance": claim.first_appearance.to_dict(),
        "n_appearances": len(claim.appearances),
        "n_articles": len(claim.articles),
        "outlets": list(claim.outlets),
        "kinds": sorted({a.kind for a in claim.appearances}),
        "reference_quote_id": claim.reference_quote_id,
        "has_variant": claim.has_variant,
        "variants": [v.to_dict() for v in claim.variants],
        "figures": figures,
        "appearances": [a.to_dict() for a in claim.appearances],
        "quote_ids": list(claim.member_ids),
    }


def _group_summary(group: FigureGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "quantity": group.quantity,
        "event": group.event,
        "conflict": group.conflict,
        "reconcilable": group.reconcilable,
        "values": list(group.values),
        "sources": list(group.sources),
        "figures": [
            {
                "text": f.text, "value": f.value, "source": f.source, "source_type": f.source_type,
                "doc_id": f.doc_id, "outlet": f.outlet, "published": f.published, "quote_id": f.quote_id,
            }
            for f in group.figures
        ],
    }  # fmt: skip


def claim_records(claims: ClaimSet) -> list[dict[str, Any]]:
    """One JSON-ready record per claim (see `claim_record`)."""
    return [claim_record(c, claims) for c in claims.claims]


_AUTHOR_TYPES = {"person": "Person", "organization": "Organization", "group": "Organization"}


def claimreview(claim: Claim) -> dict[str, Any]:
    """A schema.org ClaimReview for one claim, with the rating left for the fact-checker.

    ``itemReviewed`` is a ``Claim`` whose ``author`` is the speaker (a ``Person``, or an
    ``Organization`` for organisations and groups) with ``sameAs`` when the store knows
    external ids; ``appearance`` lists every article as a ``CreativeWork`` (``url``,
    ``datePublished``, ``publisher``, ``headline``), ``firstAppearance`` the earliest.
    ``reviewRating`` is a ``Rating`` with null values, and the review's own ``author``,
    ``url`` and ``datePublished`` are null: those belong to the fact-checker.
    """
    works = []
    seen = set()
    for appearance in claim.appearances:
        if appearance.doc_id in seen:
            continue
        seen.add(appearance.doc_id)
        works.append(_creative_work(appearance))
    item: dict[str, Any] = {
        "@type": "Claim",
        "appearance": works,
        "firstAppearance": _creative_work(claim.first_appearance),
    }
    if claim.first_appearance.published:
        item["datePublished"] = _iso_date(claim.first_appearance.published)
    if claim.speaker_name:
        author: dict[str, Any] = {
            "@type": _AUTHOR_TYPES.get(claim.speaker_type or "", "Person"),
            "name": claim.speaker_name,
        }
        if claim.speaker_roles and author["@type"] == "Person":
            author["jobTitle"] = claim.speaker_roles[0]
        if claim.speaker_same_as:
            author["sameAs"] = list(claim.speaker_same_as)
        item["author"] = author
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": claim.id,
        "claimReviewed": claim.text,
        "itemReviewed": item,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": None,
            "bestRating": None,
            "worstRating": None,
            "alternateName": None,
        },
        "author": None,
        "url": None,
        "datePublished": None,
    }


def _creative_work(appearance: Appearance) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "identifier": appearance.doc_id}
    if appearance.url:
        work["url"] = appearance.url
    if appearance.title:
        work["headline"] = appearance.title
    if appearance.published:
        work["datePublished"] = _iso_date(appearance.published)
    if appearance.outlet:
        work["publisher"] = {"@type": "Organization", "name": appearance.outlet}
    return work


def _iso_date(value: str) -> str:
    """An ISO 8601 form of an article date (the input unchanged if it cannot be parsed)."""
    when = parse_published(value)
    if when is None:
        return value
    if len(value.strip()) == 10:
        return when.date().isoformat()
    return when.isoformat()


def write_claims(
    claims: ClaimSet, *, fmt: ClaimFormat, out: str | Path | None = None, figures: bool = False
) -> str | None:
    """Write claims as JSON Lines, Parquet, or schema.org ClaimReview JSON Lines.

    Args:
        claims: From `build_claims`.
        fmt: ``"jsonl"`` (one `claim_record` per line), ``"parquet"`` (one row per claim,
            nested columns) or ``"claimreview"`` (one `claimreview` object per line).
        out: The file to write atomically; None returns the text (Parquet needs a file).
        figures: Write the figure groups (one `FigureGroup.to_dict` per line or row)
            instead of the claims; not with ``"claimreview"``.

    Raises:
        QueryError: For an unknown format, or Parquet without `out`.
        StoreError: If `out` cannot be written.
    """
    import json

    if fmt not in ("jsonl", "parquet", "claimreview"):
        raise QueryError(f"unknown claims format {fmt!r}; use table, jsonl, parquet or claimreview")
    if figures and fmt == "claimreview":
        raise QueryError("figure groups have no ClaimReview form; use --format jsonl or parquet")
    if fmt == "parquet":
        if out is None:
            raise QueryError("a Parquet file is binary and needs an output file (--out FILE.parquet)")
        frame = _frame([g.to_dict() for g in claims.figure_groups]) if figures else claims_frame(claims)
        atomic_write(out, frame.write_parquet)
        return None
    if figures:
        records = [g.to_dict() for g in claims.figure_groups]
    elif fmt == "jsonl":
        records = claim_records(claims)
    else:
        records = [claimreview(c) for c in claims.claims]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if out is None:
        return text
    atomic_write(out, lambda path: Path(path).write_text(text, encoding="utf-8"))
    return None


def claims_frame(claims: ClaimSet) -> pl.DataFrame:
    """The claims as a polars frame, one row per claim, nested columns as structs and lists."""
    return _frame(claim_records(claims))


def _frame(records: list[dict[str, Any]]) -> pl.DataFrame:
    if not records:
        return pl.DataFrame(schema={"id": pl.String()})
    return pl.DataFrame(records, infer_schema_length=None)


def keep_quotes(claims: ClaimSet, quote_ids: set[str]) -> ClaimSet:
    """The claims that hold at least one of `quote_ids` (e.g. a `--contains` filter)."""
    kept = tuple(c for c in claims.claims if quote_ids.intersection(c.member_ids))
    return ClaimSet(claims=kept, figure_groups=claims.figure_groups)


def claims_table(claims: ClaimSet, *, width: int = 100) -> pl.DataFrame:
    """A one-row-per-claim summary for the terminal: who, where, how often, wording, figures."""
    rows = []
    for claim in claims.claims:
        conflicts = {f.group_id for f in claim.figures if (g := claims.group(f.group_id)) and g.conflict}
        first = claim.first_appearance
        rows.append(
            {
                "claim": claim.id,
                "speaker": claim.speaker_name or "(unknown)",
                "articles": len(claim.articles),
                "quotes": len(claim.appearances),
                "first": first.published or first.doc_id,
                "wording": _wording_summary(claim),
                "figures": _figures_summary(claim, len(conflicts)),
                "text": _shorten(claim.text, width),
            }
        )
    schema = {
        "claim": pl.String(),
        "speaker": pl.String(),
        "articles": pl.Int64(),
        "quotes": pl.Int64(),
        "first": pl.String(),
        "wording": pl.String(),
        "figures": pl.String(),
        "text": pl.String(),
    }
    return pl.DataFrame(rows, schema=schema)


def figures_table(groups: Sequence[FigureGroup], *, conflicts_only: bool = False) -> pl.DataFrame:
    """A one-row-per-figure table of figure groups: quantity, event, value, source, article."""
    rows = []
    for group in groups:
        if conflicts_only and not group.conflict:
            continue
        status = (
            "conflict" + ("" if group.reconcilable else " (irreconcilable)") if group.conflict else "agree"
        )
        for figure in group.figures:
            rows.append(
                {
                    "group": group.id,
                    "quantity": group.quantity,
                    "event": group.event,
                    "status": status,
                    "figure": figure.text,
                    "source": figure.source + (" (publication)" if figure.quote_id is None else ""),
                    "article": figure.doc_id,
                    "published": figure.published,
                }
            )
    schema = {
        c: pl.String()
        for c in ("group", "quantity", "event", "status", "figure", "source", "article", "published")
    }
    return pl.DataFrame(rows, schema=schema)


def _wording_summary(claim: Claim) -> str:
    """ "3 verbatim, 1 variant"-style counts of a claim's quoted wordings."""
    counts = Counter(a.wording for a in claim.appearances if a.wording)
    if not counts:
        return "paraphrase"
    return ", ".join(f"{counts[w]} {w}" for w in _SEVERITY if counts[w])


def _figures_summary(claim: Claim, conflicts: int) -> str:
    if not claim.figures:
        return ""
    texts = ", ".join({f"{f.text.lower()} {f.quantity}": None for f in claim.figures})
    return texts + (f" ⚠ {conflicts} conflict{'s' if conflicts > 1 else ''}" if conflicts else "")


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
