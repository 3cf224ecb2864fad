"""Named-entity training data from GUM's entity annotations, for Stanza's NER trainer.

`quotes` types speakers (person, organization, ...) from name shapes and word lists
(`quotes.resolve`). A named-entity model would type proper names those lists do not
cover ("Acme said", "the Workers' Party reported"). UD English-GUM annotates every entity
mention in its MISC column (``Entity=``, the CorefUD format) with an entity type
(person, organization, place, ...) and a *minimal span* (the words that name it), so
it can be turned into NER training data:

* a mention is *named* when its syntactic head (the word of the span whose head lies
  outside it) is a proper noun (UPOS ``PROPN``): GUM also marks common-noun and
  pronoun mentions ("the minister", "she"), which NER must not tag;
* the NER span is the name inside the mention, not the whole noun phrase: from the
  head outwards over the minimal-span words, crossing only connecting words ("of",
  "the", "&", a hyphen) between them - so "the National Library of the Netherlands"
  gives "National Library of the Netherlands", "Byron 's" gives "Byron", and
  "John FitzGibbon , 2nd Earl of Clare — ..." gives "John FitzGibbon";
* only the types in `TYPE_LABELS` are kept (person → PER, organization → ORG,
  place → LOC); a named mention overlapping a kept one ("Chicago" in "University of
  Chicago") is dropped: outer mentions are considered first;
* labels go on surface tokens (a multi-word token such as "Freedonia's" is one token, as
  Stanza's NER processor sees it), in the BIO scheme, which Stanza's
  ``stanza.models.ner_tagger`` reads from JSON (``[[{"text": ..., "ner": ...}]]``)
  and converts to BIOES itself.

Nothing here trains a model; `prepare_ner_data` writes the train/dev/test files and
returns their counts. Training would then be ``python -m stanza.models.ner_tagger
--mode train --train_file en_gum.train.json --eval_file en_gum.dev.json --lang en
--shorthand en_gum --no_pretrain --save_dir DIR --save_name en_gum_nertagger.pt``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "TYPE_LABELS",
    "Mention",
    "gum_to_bio",
    "name_span",
    "parse_entity_field",
    "prepare_ner_data",
    "sentence_mentions",
    "write_ner_json",
]

TYPE_LABELS: Mapping[str, str] = {"person": "PER", "organization": "ORG", "place": "LOC"}
"""GUM entity types kept for speaker typing, and their NER labels."""

_ENTITY_PART = re.compile(r"\((?P<open>[^()]*)(?P<single>\))?|(?P<close>\d+)\)")
_CONNECTORS = {"ADP", "DET", "CCONJ", "PART"}
_JOINING_PUNCT = {"-", "–", "&", "."}


@dataclass(frozen=True)
class Mention:
    """One entity mention of a sentence, over word indices (0-based, end inclusive).

    Attributes:
        start: First word.
        end: Last word.
        etype: GUM entity type (``person``, ``organization``, ``place``, ...).
        minspan: Word indices of GUM's minimal span (absolute, sorted).
        identity: GUM's Wikipedia identity (``Durham_University``), or ``""``.
    """

    start: int
    end: int
    etype: str
    minspan: tuple[int, ...] = ()
    identity: str = ""


def parse_entity_field(value: str) -> list[tuple[str, list[str]]]:
    """Split one word's ``Entity=`` value into its brackets, in order.

    GUM's format is CorefUD's: ``(ID-etype-infstat-salience-centering-minspan-link[-identity]``
    opens a mention, a ``)`` right after it closes it on the same word, and ``ID)``
    closes a mention opened earlier. Parentheses inside identities are escaped.

    Returns:
        ``(kind, fields)`` pairs; kind is ``open``, ``single`` or ``close``; fields are
        the dash-separated fields of an opening (at most 8), or ``[id]`` for a closing.

    Examples:
        >>> parse_entity_field("(3-person-new-nnnnn-cf1-1,2-coref-Jane_Doe)2)")
        [('single', ['3', 'person', 'new', 'nnnnn', 'cf1', '1,2', 'coref', 'Jane_Doe']), ('close', ['2'])]
    """
    parts: list[tuple[str, list[str]]] = []
    for match in _ENTITY_PART.finditer(value):
        if match.group("close") is not None:
            parts.append(("close", [match.group("close")]))
        else:
            kind = "single" if match.group("single") else "open"
            parts.append((kind, match.group("open").split("-", 7)))
    return parts


def sentence_mentions(misc: list[str]) -> list[Mention]:
    """Return the mentions of one sentence from its words' MISC values (in word order).

    Mentions come sorted outer first: by start, then longest first.

    Raises:
        ValueError: A mention is closed that was never opened, or one is left open.
    """
    mentions = []
    opened: dict[str, list[tuple[int, list[str]]]] = {}
    for index, value in enumerate(misc):
        entity = next((f[len("Entity=") :] for f in value.split("|") if f.startswith("Entity=")), "")
        for kind, fields in parse_entity_field(entity):
            if kind == "single":
                mentions.append(_mention(index, index, fields))
            elif kind == "open":
                opened.setdefault(fields[0], []).append((index, fields))
            else:
                if not opened.get(fields[0]):
                    raise ValueError(f"entity {fields[0]} closed at word {index + 1} but never opened")
                start, opening = opened[fields[0]].pop()
                mentions.append(_mention(start, index, opening))
    left = [ident for ident, stack in opened.items() if stack]
    if left:
        raise ValueError(f"entities {left} are opened but not closed in the sentence")
    return sorted(mentions, key=lambda m: (m.start, -m.end))


def _mention(start: int, end: int, fields: list[str]) -> Mention:
    minspan = []
    if len(fields) > 5:
        for piece in fields[5].split(","):
            if piece.isdigit() and start <= start + int(piece) - 1 <= end:
                minspan.append(start + int(piece) - 1)
    return Mention(
        start=start,
        end=end,
        etype=fields[1] if len(fields) > 1 else "",
        minspan=tuple(sorted(set(minspan))),
        identity=fields[7] if len(fields) > 7 else "",
    )


def name_span(
    words: list[list[str]], mention: Mention, position: Mapping[str, int]
) -> tuple[int, int] | None:
    """Return the (start, end) words of the name inside a mention, or None if it is not named.

    Args:
        words: The sentence's word lines as CoNLL-U columns (no MWT ranges).
        mention: The mention.
        position: Word id (column 1) → index in `words`.
    """
    head = _syntactic_head(words, mention, position)
    if words[head][3] != "PROPN":
        return None
    core = set(mention.minspan) | {head}
    low = high = head
    for step in (-1, 1):
        edge = head
        candidates = sorted((p for p in core if (p - head) * step > 0), key=lambda p: abs(p - head))
        for p in candidates:
            between = range(min(edge, p) + 1, max(edge, p))
            if all(_connects(words[k]) for k in between):
                edge = p
            else:
                break
        low, high = (edge, high) if step < 0 else (low, edge)
    return low, high


def _connects(word: list[str]) -> bool:
    """Whether a word may sit inside a name between two of its words ("of", "the", a hyphen)."""
    return word[3] in _CONNECTORS or (word[3] == "PUNCT" and word[1] in _JOINING_PUNCT)


def _syntactic_head(words: list[list[str]], mention: Mention, position: Mapping[str, int]) -> int:
    """The first word of the span whose head lies outside it."""
    for i in range(mention.start, mention.end + 1):
        head = position.get(words[i][6])
        if head is None or not mention.start <= head <= mention.end:
            return i
    return mention.start


def gum_to_bio(
    conllu: str, *, types: Mapping[str, str] = TYPE_LABELS, named_only: bool = True
) -> list[list[tuple[str, str]]]:
    """Turn GUM CoNLL-U text into NER sentences: (surface token, BIO tag) pairs.

    Args:
        conllu: GUM CoNLL-U content (with ``Entity=`` in MISC).
        types: GUM entity type → NER label; other types are ``O``.
        named_only: Keep only names (see the module docstring); False tags every
            mention of the wanted types over its whole span (for counting).

    Returns:
        One list per sentence, one ``(token, tag)`` per surface token.
    """
    return [_sentence_bio(rows, types=types, named_only=named_only) for rows in _sentences(conllu)]


def _sentences(conllu: str) -> Iterator[list[list[str]]]:
    """Yield each sentence's token and word lines as column lists (no comments, no empty nodes)."""
    rows: list[list[str]] = []
    for line in [*conllu.splitlines(), ""]:
        if not line.strip():
            if rows:
                yield rows
            rows = []
        elif not line.startswith("#"):
            columns = line.rstrip("\r\n").split("\t")
            if len(columns) != 10:
                raise ValueError(f"not a 10-column CoNLL-U line: {line!r}")
            if "." not in columns[0]:
                rows.append(columns)


def _sentence_bio(
    rows: list[list[str]], *, types: Mapping[str, str], named_only: bool
) -> list[tuple[str, str]]:
    words = [r for r in rows if "-" not in r[0]]
    position = {r[0]: i for i, r in enumerate(words)}
    kept: list[tuple[int, int, str]] = []
    for mention in sentence_mentions([r[9] for r in words]):
        label = types.get(mention.etype)
        if label is None:
            continue
        span = name_span(words, mention, position) if named_only else (mention.start, mention.end)
        if span is None or any(s <= span[1] and span[0] <= e for s, e, _ in kept):
            continue
        kept.append((span[0], span[1], label))
    word_tags = ["O"] * len(words)
    for start, end, label in kept:
        word_tags[start] = f"B-{label}"
        for i in range(start + 1, end + 1):
            word_tags[i] = f"I-{label}"
    tokens: list[tuple[str, str]] = []
    covered_until = 0
    for row in rows:
        if "-" in row[0]:
            first, last = (int(x) for x in row[0].split("-"))
            tags = [word_tags[position[str(k)]] for k in range(first, last + 1) if str(k) in position]
            tag = next((t for t in tags if t.startswith("B-")), next((t for t in tags if t != "O"), "O"))
            tokens.append((row[1], tag))
            covered_until = last
        elif int(row[0]) > covered_until:
            tokens.append((row[1], word_tags[position[row[0]]]))
    return _repair_bio(tokens)


def _repair_bio(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Turn an ``I-X`` that does not continue an ``X`` into ``B-X``.

    That happens when a name starts on the second word of a multi-word token.
    """
    repaired: list[tuple[str, str]] = []
    previous = "O"
    for text, tag in tokens:
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        repaired.append((text, tag))
        previous = tag
    return repaired


def write_ner_json(sentences: list[list[tuple[str, str]]], path: Path) -> None:
    """Write NER sentences in the JSON format Stanza's NER trainer reads."""
    data = [[{"text": text, "ner": tag} for text, tag in sentence] for sentence in sentences]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def prepare_ner_data(ud_dir: Path, out_dir: Path) -> dict[str, dict[str, int]]:
    """Write ``en_gum.{train,dev,test}.json`` NER files from UD English-GUM.

    Args:
        ud_dir: Folder with ``en_gum-ud-{train,dev,test}.conllu``.
        out_dir: Where to write the JSON files.

    Returns:
        ``{split: {"sentences": n, "tokens": n, "PER": names, "ORG": ..., "LOC": ...}}``.

    Raises:
        FileNotFoundError: A GUM file is missing.
    """
    counts: dict[str, dict[str, int]] = {}
    for split in ("train", "dev", "test"):
        source = ud_dir / f"en_gum-ud-{split}.conllu"
        if not source.is_file():
            raise FileNotFoundError(f"{source}: UD English-GUM file not found")
        sentences = gum_to_bio(source.read_text(encoding="utf-8"))
        write_ner_json(sentences, out_dir / f"en_gum.{split}.json")
        labels = Counter(tag[2:] for sentence in sentences for _, tag in sentence if tag.startswith("B-"))
        counts[split] = {
            "sentences": len(sentences),
            "tokens": sum(len(s) for s in sentences),
            **{label: labels.get(label, 0) for label in TYPE_LABELS.values()},
        }
    return counts
