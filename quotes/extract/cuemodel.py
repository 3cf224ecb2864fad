"""A learned reporting-cue detector for verbs the lexicon does not list.

The lexicon (`quotes.extract.lexicon`) holds the verbs that report in most of their uses:
"say", "tell", "claim", and the ones mined from annotated news. Annotators of news
attribution also mark a long tail of verbs that report only in some contexts: a senator
"attacked" a plan, a campaign "wants" a debate, a governor "plans" to veto a bill. Whether
such a verb reports depends on its context (a named subject, an object or an infinitive, a
quotation nearby), which is what a classifier can weigh and a word list cannot.

The model is a logistic regression over sparse features of the dependency parse of each
verb outside quotations (its lemma, tag, relation, the relations of its children, the kind
of its subject, the verb it depends on). It is trained on gold cues of a PolNeAR-layout
split, and stored as plain JSON (feature → weight) in ``resources/cue_model.json``: readable,
diffable, no pickle, and no scikit-learn needed to use it. Train it again with

    python -m quotes.extract.cuemodel ../shared/data/polnear/train --models DIR

A verb the lexicon already lists is never scored: the model only adds cues, and a cue it
adds is treated like a lexicon verb that reports its object (see `quotes.extract.indirect`).
Set ``QUOTES_CUE_MODEL`` to another file, or to an empty string to turn the model off.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from quotes.extract.lexicon import RESOURCES, reporting_verbs
from quotes.extract.marks import inside_quotation
from quotes.extract.syntax import describing_participle, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from quotes.evaluate import GoldAttribution, GoldDocument
    from quotes.extract.marks import QuoteRegion

__all__ = ["CueModel", "cue_model", "features", "train_cue_model"]

MODEL_FILE = RESOURCES / "cue_model.json"
_VERBISH = ("VERB", "AUX")
_CHILD_DEPS = frozenset(
    {"nsubj", "nsubj:pass", "obj", "iobj", "ccomp", "xcomp", "obl", "advcl", "mark", "aux", "aux:pass", "neg"}
)


def candidate(token: Token, regions: Sequence[QuoteRegion]) -> bool:
    """A verb outside quotations that the lexicon does not list: what the model scores."""
    return verb_outside_quotations(token, regions) and token.lemma_.lower() not in reporting_verbs()


def verb_outside_quotations(token: Token, regions: Sequence[QuoteRegion]) -> bool:
    """A content verb outside quotations that does not describe a noun: what can report."""
    if token.pos_ not in _VERBISH or not token.is_alpha or token.dep_ in ("aux", "cop"):
        return False
    if describing_participle(token):
        return False  # "a source briefed on the talks": a description of the speaker, not a report
    return not inside_quotation(token.idx, regions)


def features(token: Token, subject: Token | None) -> list[str]:
    """Sparse features of one verb: its own, its children's, its subject's (`subject_of`,
    passed in because the caller has it) and its head's."""
    lemma = token.lemma_.lower()
    out = [f"lemma={lemma}", f"tag={token.tag_}", f"dep={token.dep_}", f"lemma_dep={lemma}|{token.dep_}"]
    deps = set()
    for child in token.children:
        dep = child.dep_
        if dep not in _CHILD_DEPS:
            continue
        deps.add(dep)
        if dep == "obl":
            case = next((c.lower_ for c in child.children if c.dep_ == "case"), "")
            out.append(f"obl_case={case}")
            out.append(f"lemma_obl={lemma}|{case}")
        if dep == "mark" or dep == "aux":
            out.append(f"{dep}={child.lower_}")
    for dep in sorted(deps):
        out.append(f"child={dep}")
        if dep in ("obj", "ccomp", "xcomp", "obl"):
            out.append(f"lemma_child={lemma}|{dep}")
    if not deps & {"obj", "ccomp", "xcomp", "obl"}:
        out.append("no_complement")
    if subject is None:
        out.append("subj=none")
    else:
        out.append(f"subj={subject.pos_}")
        if subject.pos_ == "PRON":
            out.append(f"subj_pron={subject.lower_}")
    kind = _subject_kind(subject)
    out += [f"subj_kind={kind}", f"lemma_subj_kind={lemma}|{kind}"]
    if subject is not None and kind == "noun":
        out.append(f"subj_lemma={subject.lemma_.lower()}")
    out += _argument_features(token, lemma)
    if token.head is not token and token.dep_ in ("xcomp", "ccomp", "advcl", "conj", "acl", "acl:relcl"):
        out.append(f"head_lemma={token.head.lemma_.lower()}")
        out.append(f"head_reports={token.head.lemma_.lower() in reporting_verbs()}")
    out.append(f"head_pos={token.head.pos_}")
    doc = token.doc
    before = doc[token.i - 1].lower_ if token.i > 0 else "<s>"
    after = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else "</s>"
    out += [f"prev={before}", f"next={after}", f"lemma_next={lemma}|{after}"]
    sent = token.sent
    out.append(f"sent_quote={any(t.is_quote for t in sent)}")
    others = (t for t in sent if t.i != token.i and t.pos_ == "VERB")
    out.append(f"sent_reports={any(t.lemma_.lower() in reporting_verbs() for t in others)}")
    return out


def _subject_kind(subject: Token | None) -> str:
    """What kind of subject a verb has: who can state something is a name, a personal
    pronoun or a speaker word ("officials", "senator"); anything else is a plain noun."""
    if subject is None:
        return "none"
    if subject.pos_ == "PROPN":
        return "name"
    if subject.pos_ == "PRON":
        return f"pron_{subject.lower_}"
    return "speaker_word" if _speaker_word(subject) else "noun"


def _argument_features(token: Token, lemma: str) -> list[str]:
    """The heads of the verb's arguments: "backs the senator" (a name as object), "wants to
    debate" (an infinitive of a reporting verb) report; "includes three phases" does not."""
    out = []
    for child in token.children:
        dep = child.dep_
        if dep not in ("obj", "obl", "xcomp", "ccomp", "advcl"):
            continue
        out += [
            f"{dep}_head={child.lemma_.lower()}",
            f"{dep}_pos={child.pos_}",
            f"lemma_{dep}_pos={lemma}|{child.pos_}",
        ]
        if dep == "xcomp":
            out.append(f"lemma_xcomp={lemma}|{child.lemma_.lower()}")
            out.append(f"xcomp_reports={child.lemma_.lower() in reporting_verbs()}")
    return out


@dataclass(frozen=True, slots=True)
class CueModel:
    """Feature weights of a logistic regression, a bias and the decision threshold.

    Attributes:
        weights: Feature → weight.
        bias: The intercept.
        threshold: The probability from which a verb is a cue.
        meta: How the model was trained and how it scored (for the model card).
    """

    weights: dict[str, float]
    bias: float
    threshold: float
    meta: dict[str, object]

    def probability_of(self, feats: Iterable[str]) -> float:
        """The probability for a verb with these features."""
        z = self.bias + sum(self.weights.get(f, 0.0) for f in set(feats))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> str:
        weights = {k: round(v, 5) for k, v in sorted(self.weights.items()) if abs(v) >= 1e-4}
        data = {"bias": round(self.bias, 5), "threshold": self.threshold, "meta": self.meta}
        data["weights"] = weights
        return json.dumps(data, indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CueModel:
        data = json.loads(text)
        return cls(
            weights={str(k): float(v) for k, v in data["weights"].items()},
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            meta=dict(data.get("meta", {})),
        )


_ACTIVE: dict[str, list[CueModel | None]] = {}
"""Models set by `using`, per role (training tries candidate models on held-out articles)."""


@contextmanager
def using(model: CueModel | None, *, role: str = "cue") -> Iterator[None]:
    """Extract with `model` instead of the shipped one inside the block (None: no model).

    `role` says which model it stands in for: "cue" (this module's), "argument"
    (`quotes.extract.arguments`) or "boundary" (`quotes.extract.boundary`).
    """
    stack = _ACTIVE.setdefault(role, [])
    stack.append(model)
    try:
        yield
    finally:
        stack.pop()


def model_in_use(role: str, shipped: Callable[[], CueModel | None]) -> CueModel | None:
    """The model for `role`: one set by `using`, else what `shipped` returns."""
    stack = _ACTIVE.get(role)
    return stack[-1] if stack else shipped()


def cue_model() -> CueModel | None:
    """The model in use: one set by `using`, else the shipped one."""
    return model_in_use("cue", shipped_cue_model)


@cache
def shipped_cue_model() -> CueModel | None:
    """The shipped model (or ``QUOTES_CUE_MODEL``); None when it is absent or turned off."""
    return read_model(MODEL_FILE, env="QUOTES_CUE_MODEL")


def read_model(default: Path, *, env: str) -> CueModel | None:
    """A model file: the one the environment variable `env` names, else `default`; None when
    the variable is set to an empty string (the model turned off) or the file is absent."""
    override = os.environ.get(env)
    path = Path(override) if override else default
    if override == "" or not path.is_file():
        return None
    return CueModel.from_json(path.read_text(encoding="utf-8"))


def learned_cue_probability(token: Token, regions: Sequence[QuoteRegion]) -> float | None:
    """The learned model's probability for a verb outside the lexicon that it calls a cue, and
    whose subject can be a speaker ("The proposal includes three phases" reports nothing);
    None for any other token."""
    model = cue_model()
    if model is None or not candidate(token, regions):
        return None
    subject = subject_of(token)
    if not plausible_speaker(subject):
        return None
    probability = model.probability_of(features(token, subject))
    return probability if probability >= model.threshold else None


_PERSONAL = frozenset({"i", "we", "you", "he", "she", "they", "who"})


def plausible_speaker(subject: Token | None) -> bool:
    """A name, a personal pronoun, or a noun the speaker word lists know ("officials",
    "ministry", "senator"): who can state something, as opposed to a thing or an idea."""
    if subject is None:
        return False
    if subject.pos_ == "PROPN":
        return True
    if subject.pos_ == "PRON":
        return subject.lower_ in _PERSONAL
    return _speaker_word(subject)


def _speaker_word(noun: Token) -> bool:
    """A noun the speaker word lists know ("officials", "ministry", "senator")."""
    from quotes.names import speaker_words, title_words

    return any(w in speaker_words() or w in title_words() for w in (noun.lemma_.lower(), noun.lower_))


# --- training -------------------------------------------------------------------------


def examples(doc: Doc, cues: Iterable[tuple[int, int]]) -> list[tuple[list[str], int]]:
    """(features, label) for every candidate verb of a parsed article; label 1 inside a gold cue."""
    from quotes.extract.marks import quote_regions
    from quotes.parse import paragraph_spans

    spans = list(cues)
    paragraphs = doc.user_data.get("paragraphs") or paragraph_spans(doc.text)
    regions = quote_regions(doc.text, paragraphs)
    out = []
    for token in doc:
        if not token.has_dep() or not candidate(token, regions):
            continue
        label = int(any(s <= token.idx < e for s, e in spans))
        out.append((features(token, subject_of(token)), label))
    return out


def folds_of(n: int, folds: int, seed: int = 13) -> list[set[int]]:
    """Split article indexes 0..n-1 into `folds` held-out sets, shuffled reproducibly."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [{i for k, i in enumerate(order) if k % folds == fold} for fold in range(folds)]


def fit(rows: Sequence[tuple[list[str], int]], *, c: float, threshold: float = 0.5) -> CueModel:
    """Fit a logistic regression on (features, label) rows.

    Raises:
        ImportError: scikit-learn is needed to train (not to use) the model.
    """
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    x = vec.fit_transform([dict.fromkeys(f, 1) for f, _ in rows])
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(x, [y for _, y in rows])
    weights = {str(n): float(w) for n, w in zip(vec.get_feature_names_out(), model.coef_[0], strict=True)}
    return CueModel(weights=weights, bias=float(model.intercept_[0]), threshold=threshold, meta={})


def train_cue_model(
    data: Sequence[list[tuple[list[str], int]]],
    *,
    c: float = 0.3,
    folds: int = 5,
    seed: int = 13,
) -> CueModel:
    """Fit the model on per-article examples, with the threshold that gives the best F1 of
    cue detection on held-out articles (folds of `data`), so that nothing is tuned on the
    evaluation split. `select_threshold` picks it by attribution scores instead.
    """
    scored: list[tuple[float, int]] = []
    for held in folds_of(len(data), folds, seed):
        model = fit([row for i, doc in enumerate(data) if i not in held for row in doc], c=c)
        for i in sorted(held):
            scored += [(model.probability_of(f), y) for f, y in data[i]]
    threshold, best = _best_threshold(scored)
    model = fit([row for doc in data for row in doc], c=c, threshold=threshold)
    positives = sum(y for doc in data for _, y in doc)
    meta = {
        "articles": len(data),
        "candidates": sum(len(doc) for doc in data),
        "positives": positives,
        "C": c,
        "cv_folds": folds,
        "cv_precision": round(best[0], 4),
        "cv_recall": round(best[1], 4),
        "cv_f1": round(best[2], 4),
    }
    return replace(model, meta=meta)


THRESHOLDS = (0.25, 0.35, 0.45, 0.55, 0.65)


def select_threshold(
    data: Sequence[list[tuple[list[str], int]]],
    docs: Sequence[Doc],
    gold: Mapping[str, GoldDocument],
    ids: Sequence[str],
    *,
    c: float = 0.3,
    folds: int = 5,
    seed: int = 13,
    thresholds: Sequence[float] = THRESHOLDS,
    role: str = "cue",
) -> tuple[float, dict[float, dict[str, float]]]:
    """The threshold whose attributions score best on held-out articles of the training split.

    Each fold's model (trained on the other folds) extracts the attributions of its
    held-out articles at every threshold; the threshold with the best mean of five F1
    scores over all held-out articles wins (content lenient, content+source, exact content,
    cue and source; ties: the higher threshold). What matters to users is attributions, not
    cue tokens, and the rules decide what a cue adds, so the choice is made on what the
    whole extractor finds; no single figure decides, because a looser threshold buys
    lenient recall with exact precision. `role` names the model being trained (see
    `using`): the cue, argument or boundary model.

    Returns:
        The threshold, and per threshold the held-out scores (content lenient,
        content+source, content exact, cue exact, source exact F1).
    """
    from quotes.evaluate import TARGET_METRICS, score
    from quotes.extract import extract_attributions
    from quotes.resolve import resolve_speakers

    predictions: dict[float, list[dict[str, object]]] = {t: [] for t in thresholds}
    for held in folds_of(len(data), folds, seed):
        model = fit([row for i, doc in enumerate(data) if i not in held for row in doc], c=c)
        for threshold in thresholds:
            with using(replace(model, threshold=threshold), role=role):
                for i in sorted(held):
                    found = extract_attributions(docs[i])
                    quotes, _ = resolve_speakers(docs[i], found, doc_id=ids[i])
                    predictions[threshold] += [q.to_dict() for q in quotes]
    table: dict[float, dict[str, float]] = {}
    for threshold in thresholds:
        flat = score(gold, predictions[threshold]).flatten()
        table[threshold] = {key: round(float(flat[f"all.{key}.f1"]), 4) for key in TARGET_METRICS}
    best = max(thresholds, key=lambda t: (sum(table[t].values()), t))
    return best, table


def _best_threshold(scored: list[tuple[float, int]]) -> tuple[float, tuple[float, float, float]]:
    """The probability cut with the best F1 on held-out predictions, and its P, R, F1."""
    total = sum(y for _, y in scored)
    best = (0.5, (0.0, 0.0, 0.0))
    for threshold in [t / 100 for t in range(20, 91, 5)]:
        tp = sum(1 for p, y in scored if p >= threshold and y)
        fp = sum(1 for p, y in scored if p >= threshold and not y)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / total if total else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best[1][2]:
            best = (threshold, (precision, recall, f1))
    return best


def train_from_split(
    gold_dir: Path | str,
    *,
    models: str | None = None,
    parses: Path | None = None,
    c: float = 0.3,
) -> CueModel:
    """Parse a PolNeAR-layout split (or read its cached parses), train the model on its gold
    cues and choose its threshold by `select_threshold`.

    Args:
        gold_dir: The split (``text/`` and ``attributions/``), e.g. PolNeAR train.
        models: Stanza models to parse with (as `quotes.parse.find_models` takes them).
        parses: A spaCy DocBin file of the split's parsed texts: read when it exists,
            written after parsing when it does not (parsing PolNeAR train takes minutes).
        c: Inverse regularisation strength of the logistic regression.
    """
    from quotes.evaluate import load_gold

    gold_dir = Path(gold_dir)
    gold = load_gold(gold_dir)
    ids = sorted(gold)
    parsed = parsed_split(gold, ids, models=models, parses=parses)
    data = []
    for doc_id, doc in zip(ids, parsed, strict=True):
        cues = [span for a in gold[doc_id].attributions for span in (a.cue or [])]
        data.append(examples(doc, cues))
    model = train_cue_model(data, c=c)
    threshold, table = select_threshold(data, parsed, {i: gold[i] for i in ids}, ids, c=c)
    meta = {
        **model.meta,
        "split": gold_dir.name,
        "threshold_by": "mean of five F1 scores on held-out folds of the split",
        "cue_cv_threshold": model.threshold,
        "held_out_scores": {str(t): row for t, row in table.items()},
    }
    return replace(model, threshold=threshold, meta=meta)


def train_on_split(
    gold_dir: Path | str,
    examples_of: Callable[[Doc, Sequence[GoldAttribution]], list[tuple[list[str], int]]],
    *,
    role: str,
    models: str | None = None,
    parses: Path | None = None,
    c: float = 0.3,
    thresholds: Sequence[float] = THRESHOLDS,
) -> CueModel:
    """Train a model that the extractor consults in `role` (see `using`) on a PolNeAR-layout
    split: `examples_of` gives each parsed article's (features, label) rows from its gold
    attributions; the threshold is `select_threshold`'s (folds of the split, mean of five F1).
    The argument and boundary models are trained this way."""
    from quotes.evaluate import load_gold

    gold_dir = Path(gold_dir)
    gold = load_gold(gold_dir)
    ids = sorted(gold)
    parsed = parsed_split(gold, ids, models=models, parses=parses)
    data = [examples_of(doc, gold[i].attributions) for i, doc in zip(ids, parsed, strict=True)]
    threshold, table = select_threshold(
        data, parsed, {i: gold[i] for i in ids}, ids, c=c, role=role, thresholds=thresholds
    )
    model = fit([row for doc in data for row in doc], c=c, threshold=threshold)
    meta = {
        "split": gold_dir.name,
        "articles": len(data),
        "candidates": sum(len(doc) for doc in data),
        "positives": sum(y for doc in data for _, y in doc),
        "C": c,
        "threshold_by": "mean of five F1 scores on held-out folds of the split",
        "held_out_scores": {str(t): row for t, row in table.items()},
    }
    return replace(model, meta=meta)


def parsed_split(
    gold: Mapping[str, GoldDocument], ids: Sequence[str], *, models: str | None, parses: Path | None
) -> list[Doc]:
    """The parsed texts of a split's articles `ids`, read from the DocBin `parses` when it
    exists, else parsed (unpruned) and written there (parsing PolNeAR train takes minutes)."""
    from spacy.tokens import DocBin

    from quotes.parse import StanzaParser, english_vocab

    if parses is not None and parses.is_file():
        by_text = {d.text: d for d in DocBin().from_disk(parses).get_docs(english_vocab())}
        return [by_text[gold[i].text] for i in ids]
    parsed = list(StanzaParser(models, prune=False).pipe(gold[i].text for i in ids))
    if parses is not None:
        cache_bin = DocBin(store_user_data=True)
        for doc in parsed:
            cache_bin.add(doc)
        cache_bin.to_disk(parses)
    return parsed


def main(argv: list[str] | None = None) -> None:
    """Train the cue model on a PolNeAR-layout split and write it as JSON."""
    training_main(argv, "quotes.extract.cuemodel", main.__doc__, train_from_split, MODEL_FILE)


def training_main(
    argv: list[str] | None,
    module: str,
    description: str | None,
    train: Callable[..., CueModel],
    model_file: Path,
) -> None:
    """The command line of a learned model's module (``python -m MODULE SPLIT``): train it
    with `train` (a ``train_from_split``) and write it as JSON to ``--out`` or `model_file`."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=description)
    parser.add_argument("gold_dir", type=Path, help="PolNeAR-layout split, e.g. polnear/train")
    parser.add_argument("--models", default=None, help="Stanza models (default: as the pipeline finds them)")
    parser.add_argument("--parses", type=Path, default=None, help="DocBin cache of the parsed texts")
    parser.add_argument("--out", type=Path, default=model_file)
    parser.add_argument("--c", type=float, default=0.3, help="inverse regularisation strength")
    args = parser.parse_args(argv)
    model = train(args.gold_dir, models=args.models, parses=args.parses, c=args.c)
    args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"{len(model.weights)} features, threshold {model.threshold} → {args.out}; {model.meta}")


if __name__ == "__main__":
    # run the package's copy of this module: under ``python -m`` this file is also loaded a
    # second time as ``__main__``, and `using` must set the model the extractor reads
    from quotes.extract import cuemodel

    cuemodel.main()
