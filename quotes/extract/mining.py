"""Mine reporting cues from gold attributions: which verbs news annotators call cues.

The hand-written list in ``resources/reporting_verbs.txt`` holds the verbs every quote tool
knows ("say", "tell", "claim"). Annotated news (PolNeAR's train split) shows many more: a
politician "criticized", "endorsed", "called for", "declined to" something, and the object is
the attributed content. This module counts, for every verb lemma, how often one of its forms is
(part of) a gold cue and how often the forms occur at all, and keeps the lemmas that are cues
often enough. The result is a plain word list (``resources/reporting_verbs_mined.txt``) that
`quotes.extract.lexicon` reads next to the hand list, so it can be inspected, edited or
regenerated:

    python -m quotes.extract.mining ../shared/data/polnear/train ../shared/data/ud

Lemmas come from the verb forms of the Universal Dependencies treebanks (the same data the
parser is trained on), so no lemmatiser is needed here.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quotes.evaluate import GoldAttribution, annotation_files, load_gold
from quotes.extract.lexicon import RESOURCES

__all__ = ["MinedCue", "mine_cues", "verb_lemmas", "write_mined"]

_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
_PREPOSITIONS = frozenset({"about", "against", "for", "of", "on", "to", "with", "over", "at"})


@dataclass(frozen=True, slots=True)
class MinedCue:
    """One mined reporting lemma.

    Attributes:
        lemma: The verb lemma.
        cues: Gold cues (in the mined split) that contain one of its forms.
        occurrences: Occurrences of its forms in the split's texts.
        prepositions: Prepositions that follow it inside gold cues often enough to be part of
            the cue ("call for", "speak about"): their object is the content.
        straddled: Gold cues of the lemma whose content lies on both sides of the cue. For
            most verbs that is a statement the cue interrupts ("The plan, she said, will
            fail"); for a raising verb it is the rule: in "the plan seems to fail" the
            content is "the plan … to fail", and the subject is not a speaker.
    """

    lemma: str
    cues: int
    occurrences: int
    prepositions: tuple[str, ...] = ()
    straddled: int = 0

    @property
    def ratio(self) -> float:
        """Share of the occurrences that are cues."""
        return self.cues / self.occurrences if self.occurrences else 0.0

    def raising(self, min_share: float) -> bool:
        """Whether the lemma's content usually straddles it (see `straddled`)."""
        return self.straddled >= max(5, min_share * self.cues)


def verb_lemmas(ud_dir: Path | str) -> tuple[dict[str, str], set[str]]:
    """Lower-case verb form → its most frequent lemma, and the set of all lemmas (any part of
    speech), from the ``*train.conllu`` files of a UD folder."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    every: set[str] = set()
    for path in sorted(Path(ud_dir).glob("*train.conllu")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                cols = line.rstrip("\n").split("\t")
                if len(cols) == 10 and cols[0].isdigit():
                    every.add(cols[2].lower())
                    if cols[3] == "VERB":
                        counts[cols[1].lower()][cols[2].lower()] += 1
    return {form: lemmas.most_common(1)[0][0] for form, lemmas in counts.items()}, every


def _guess_lemma(word: str, verbs: set[str], lemmas: set[str]) -> str | None:
    """The lemma of an inflected verb form UD has not seen as a verb ("endorsed" → "endorse"):
    an -ed/-ing form whose stem is a known lemma, or an -s form whose stem is a known verb."""
    for suffix, endings in (("ing", ("", "e")), ("ed", ("", "e")), ("es", ("", "e")), ("s", ("",))):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            lemmas = lemmas if suffix in ("ing", "ed") else verbs
            stem = word[: -len(suffix)]
            for ending in endings:
                if stem + ending in lemmas:
                    return stem + ending
            if stem[-1:] == stem[-2:-1] and stem[:-1] in lemmas:  # "planned" → "plan"
                return stem[:-1]
    return None


def _cue_spans(ann: Path) -> list[tuple[int, int]]:
    """The distinct character spans of the Cue annotations of one brat file."""
    spans = set()
    for line in ann.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) == 3 and cols[1].startswith("Cue "):
            for piece in cols[1].split(" ", 1)[1].split(";"):
                start, end = piece.split()
                spans.add((int(start), int(end)))
    return sorted(spans)


def mine_cues(
    gold_dir: Path | str,
    ud_dir: Path | str,
    *,
    min_cues: int = 6,
    min_ratio: float = 0.2,
    min_preposition_share: float = 0.08,
) -> list[MinedCue]:
    """Verb lemmas that are gold cues at least `min_cues` times and in `min_ratio` of their uses.

    Args:
        gold_dir: A PolNeAR-layout split (``text/*.txt`` and ``attributions/*.ann``); for a text
            with several annotation files the lexicographically first is read.
        ud_dir: A Universal Dependencies folder, for the form → lemma map.
    """
    gold_dir = Path(gold_dir)
    lemma_of, every = verb_lemmas(ud_dir)
    verbs = set(lemma_of.values())

    def lemma(word: str) -> str | None:
        if word not in lemma_of:
            lemma_of[word] = _guess_lemma(word, verbs, every)  # type: ignore[assignment]
        return lemma_of[word]

    cues: Counter[str] = Counter()
    uses: Counter[str] = Counter()
    preps: dict[str, Counter[str]] = defaultdict(Counter)
    straddled: Counter[str] = Counter()
    texts = {p.stem for p in (gold_dir / "text").glob("*.txt")}
    annotations = annotation_files(gold_dir / "attributions", texts)
    for gold in load_gold(gold_dir).values():
        for attribution in gold.attributions:
            if _straddles(attribution):
                cue = gold.text[attribution.cue[0][0] : attribution.cue[-1][1]]
                first = _first_verb([w.lower() for w in _WORD.findall(cue)], lemma)
                if first is not None:
                    straddled[first[1]] += 1
    for text_path in sorted((gold_dir / "text").glob("*.txt")):
        text = text_path.read_text(encoding="utf-8")
        for match in _WORD.finditer(text):
            found = lemma(match.group().lower())
            if found:
                uses[found] += 1
        if text_path.stem not in annotations:
            continue
        for start, end in _cue_spans(gold_dir / "attributions" / annotations[text_path.stem]):
            words = [w.lower() for w in _WORD.findall(text[start:end])]
            first = _first_verb(words, lemma)
            if first is None:
                continue
            i, found = first
            cues[found] += 1
            if i + 1 < len(words) and words[i + 1] in _PREPOSITIONS:
                preps[found][words[i + 1]] += 1
    mined = []
    for lemma, count in cues.items():
        if count < min_cues or not uses[lemma] or count / uses[lemma] < min_ratio:
            continue
        kept = tuple(sorted(p for p, n in preps[lemma].items() if n >= max(5, min_preposition_share * count)))
        mined.append(
            MinedCue(
                lemma=lemma,
                cues=count,
                occurrences=uses[lemma],
                prepositions=kept,
                straddled=straddled[lemma],
            )
        )
    return sorted(mined, key=lambda m: (-m.cues, m.lemma))


def _first_verb(words: list[str], lemma: Callable[[str], str | None]) -> tuple[int, str] | None:
    """The position and lemma of the first word of a cue that is a verb form: one lemma per
    cue ("has repeatedly called for" counts for "call")."""
    for i, word in enumerate(words):
        found = lemma(word)
        if found is not None:
            return i, found
    return None


def _straddles(attribution: GoldAttribution) -> bool:
    """Whether the content has words on both sides of the cue."""
    if not attribution.cue or not attribution.content:
        return False
    return (
        attribution.content[0][0] < attribution.cue[0][0]
        and attribution.content[-1][1] > attribution.cue[-1][1]
    )


def write_mined(
    mined: list[MinedCue], path: Path | str, *, source: str, min_raising_share: float = 0.4
) -> Path:
    """Write mined cues in the reporting-verb list format (lemma, then flags); a lemma whose
    content straddles it in `min_raising_share` of its cues is flagged ``raising``."""
    path = Path(path)
    lines = [
        "# Reporting verbs mined from gold attributions by `python -m quotes.extract.mining`.",
        f"# Source: {source}. Columns: lemma, flags; the counts are comments.",
        "# Flags: object (a noun-phrase object is content), prep:X (the object of a following",
        "# preposition X is content: 'call for', 'speak about'), raising (the subject is part",
        "# of the content, not a speaker: 'the plan seems to fail'). Edit or regenerate freely;",
        "# where a lemma is in both, the hand list's (reporting_verbs.txt) flags win, and the",
        "# mined prep:X flags are added to them.",
    ]
    for cue in mined:
        flags = ["object", *(f"prep:{p}" for p in cue.prepositions)]
        if cue.raising(min_raising_share):
            flags.append("raising")
        lines.append(
            f"{cue.lemma} {' '.join(flags)}  # {cue.cues} cues / {cue.occurrences} uses ({cue.ratio:.2f})"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    """Command line: mine a split and write the word list."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold_dir", type=Path, help="PolNeAR-layout split, e.g. polnear/train")
    parser.add_argument("ud_dir", type=Path, help="UD folder with *train.conllu files")
    parser.add_argument("--out", type=Path, default=RESOURCES / "reporting_verbs_mined.txt")
    parser.add_argument("--min-cues", type=int, default=6)
    parser.add_argument("--min-ratio", type=float, default=0.2)
    args = parser.parse_args(argv)
    mined = mine_cues(args.gold_dir, args.ud_dir, min_cues=args.min_cues, min_ratio=args.min_ratio)
    write_mined(
        mined,
        args.out,
        source=f"{args.gold_dir.name} split, min cues {args.min_cues}, min ratio {args.min_ratio}",
    )
    print(f"{len(mined)} lemmas → {args.out}")


if __name__ == "__main__":
    main()
