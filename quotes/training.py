"""Train the project's own English Stanza pipeline from UD English-EWT and GUM.

Stanza's official models cannot be downloaded where `quotes` is built, so the project
ships a compact pipeline (tokenize, mwt, pos, lemma, depparse; no pretrained word
vectors, no charlm, no transformer) that this module trains with Stanza's own
training entry points. The recipe follows the bootstrap model documented in
``shared/models/stanza-en/README.md`` and adds what its "known weaknesses" ask for:

* the tagger trains longer and then gets a second, lower-learning-rate stage;
* the parser is first trained on gold tags (in parallel with the tagger, so no core
  sits idle) and then fine-tuned on train/dev data **re-tagged by the new tagger**,
  as Stanza's ``prepare_depparse_treebank`` does, so that it learns to live with
  predicted tags;
* the tokenizer gets more steps.

Every Stanza run is a subprocess (``python -m stanza.models.<module> ARGS``) with its
own thread count and the glibc malloc settings from the README, logging to one file
per run. Two runs share the two cores, one thread each.

The public entry points are `prepare_data`, `train_component`, `train_pipeline`,
`evaluate_pipeline` and `write_model_card`; `TrainingConfig` holds every knob.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quotes.errors import ModelError

__all__ = [
    "COMPONENTS",
    "SCORE_METRICS",
    "PreparedData",
    "RunResult",
    "TrainingConfig",
    "TrainingReport",
    "clean_conllu",
    "clean_conllu_file",
    "continue_training",
    "count_sentences",
    "dedup_lemma_sentences",
    "depparse_args",
    "evaluate_pipeline",
    "lemma_args",
    "mwt_args",
    "pos_args",
    "prepare_data",
    "retag_parser_data",
    "strip_optimizer_state",
    "tokenize_args",
    "train_component",
    "train_pipeline",
    "write_model_card",
    "write_scores_json",
]

logger = logging.getLogger(__name__)

COMPONENTS: tuple[str, ...] = ("tokenize", "mwt", "pos", "lemma", "depparse")
"""The processors of the shipped pipeline, in the order Stanza runs them."""

SHORTHAND = "en_combined"
"""Stanza's name for the EWT+GUM "combined" English treebank."""

GLIBC_TUNABLES = (
    "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=8589934592"
    ":glibc.malloc.top_pad=268435456:glibc.malloc.hugetlb=1"
)
"""Stops glibc from mmap/munmap-ing every large tensor; the README measured the tagger at
>13 s/step without it and 5.3 s/step with it."""

TOKENIZER_FEAT_FUNCS = (
    "space_before,capitalized,numeric,end_of_para,start_of_para,labeled_field,phone_id,date_pattern,currency"
)
"""The English default feature list of Stanza's ``run_tokenizer``."""

SCORE_METRICS: tuple[str, ...] = (
    "Tokens",
    "Sentences",
    "Words",
    "UPOS",
    "XPOS",
    "UFeats",
    "AllTags",
    "Lemmas",
    "UAS",
    "LAS",
    "CLAS",
    "MLAS",
    "BLEX",
)
"""The CoNLL 2018 metrics `evaluate_pipeline` reports (F1, in percent)."""

SCORES_FILE = "scores.json"
"""The machine-readable twin of the model card, written next to it by `write_model_card`."""

# Final layout, as in shared/models/stanza-en: processor -> Stanza package name.
_PACKAGES: dict[str, str] = {
    "tokenize": "combined",
    "mwt": "combined",
    "pos": "combined_nocharlm",
    "lemma": "combined_nocharlm",
    "depparse": "combined_nocharlm",
}

# Raw training outputs under WORK_DIR/models.
_MODEL_FILES: dict[str, str] = {
    "tokenize": "tokenize/en_combined_tokenizer.pt",
    "mwt": "mwt/en_combined_mwt_expander.pt",
    "pos-stage1": "pos/en_combined_nocharlm_tagger_stage1.pt",
    "pos": "pos/en_combined_nocharlm_tagger.pt",
    "lemma": "lemma/en_combined_nocharlm_lemmatizer.pt",
    "depparse-gold": "depparse/en_combined_nocharlm_parser_gold.pt",
    "depparse": "depparse/en_combined_nocharlm_parser.pt",
}

_KEPT_COMMENT = re.compile(r"^#\s*(sent_id|text|newdoc|newpar)\b")
_DEV_SCORE = re.compile(r"dev_score = ([0-9.]+)")
_TOKENIZER_DEV_SCORE = re.compile(r"Dev score:\s*([0-9.]+)")
_TAGGER_SCORE = re.compile(r"POS Tagger score: \S+ ([0-9.]+)")


# --------------------------------------------------------------------------- config


@dataclass(frozen=True, kw_only=True)
class TrainingConfig:
    """Every knob of the recipe. Build one with `default()` or `quick()`.

    Step counts are optimizer updates (the tokenizer's batch is 32 paragraphs of
    ``max_seqlen`` characters, the tagger's 250 sentences, the parser's 5,000 tokens);
    epochs are passes over the data. Use `dataclasses.replace` to change a field.

    Attributes:
        components: Which processors to train. ``depparse`` needs ``pos`` as well
            when ``depparse_retagged_steps > 0``, since its data is re-tagged by it.
        seed: Random seed passed to every Stanza run and used for data augmentation.
        threads: Torch/OpenMP threads per Stanza run. Two 1-thread runs side by
            side do more work on 2 cores than one 2-thread run.
        max_train_sentences: Keep only the first N sentences of each train file
            (EWT and GUM) - for smoke tests; ``None`` uses everything.
        max_dev_sentences: Keep only the first N sentences of the dev/test files used
            while training - for smoke tests; ``None`` uses everything.
        tokenize_steps: Tokenizer updates.
        tokenize_eval_steps: Tokenizer dev evaluation interval (best model is kept).
        tokenize_hidden_dim: Tokenizer BiLSTM size (Stanza default 64).
        tokenize_emb_dim: Tokenizer character embedding size (Stanza default 32).
        mwt_epochs: MWT seq2seq epochs (the dictionary covers most English MWTs).
        lemma_epochs: Lemmatizer seq2seq epochs over the deduplicated (form, UPOS) list.
        lemma_hidden_dim: Lemmatizer seq2seq size (Stanza default 200).
        pos_steps: Tagger updates in stage 1 (``pos_lr``).
        pos_second_steps: Tagger updates in stage 2, restarted from the best stage-1
            model with a fresh Adam at ``pos_second_lr``; 0 skips stage 2.
        pos_lr: Stage-1 Adam learning rate.
        pos_second_lr: Stage-2 Adam learning rate.
        pos_eval_interval: Stage-1 dev evaluation interval.
        pos_second_eval_interval: Stage-2 dev evaluation interval.
        pos_hidden_dim: Tagger word BiLSTM size.
        pos_char_hidden_dim: Tagger character LSTM size.
        pos_deep_biaff_hidden_dim: Tagger biaffine classifier size.
        pos_composite_deep_biaff_hidden_dim: Tagger biaffine size for composite
            tags (XPOS, FEATS).
        pos_word_cutoff: Minimum count for a word to get its own embedding.
        depparse_steps: Parser updates on gold tags (stage 1).
        depparse_second_optim_step: Stage-1 step at which the parser reloads its best
            model and switches to Adam at ``depparse_second_lr``.
        depparse_retagged_steps: Parser updates on re-tagged data (stage 2), starting
            from the best stage-1 model; 0 ships the gold-tag parser.
        depparse_lr: Stage-1 first-optimizer Adam learning rate.
        depparse_second_lr: Stage-1 second-optimizer Adam learning rate.
        depparse_retagged_lr: Stage-2 Adam learning rate.
        depparse_eval_interval: Parser dev evaluation interval (both stages).
        depparse_hidden_dim: Parser BiLSTM size.
        depparse_num_layers: Parser BiLSTM layers.
        depparse_deep_biaff_hidden_dim: Parser biaffine size.
        depparse_char_hidden_dim: Parser character LSTM size.
        depparse_word_cutoff: Minimum count for a word to get its own embedding.
        log_step: How often Stanza logs the training loss.
    """

    components: tuple[str, ...] = COMPONENTS
    seed: int = 1234
    threads: int = 1
    max_train_sentences: int | None = None
    max_dev_sentences: int | None = None

    tokenize_steps: int = 8000
    tokenize_eval_steps: int = 500
    tokenize_hidden_dim: int = 64
    tokenize_emb_dim: int = 32

    mwt_epochs: int = 10

    lemma_epochs: int = 8
    lemma_hidden_dim: int = 200

    pos_steps: int = 1000
    pos_second_steps: int = 200
    pos_lr: float = 3e-3
    pos_second_lr: float = 6e-4
    pos_eval_interval: int = 100
    pos_second_eval_interval: int = 50
    pos_hidden_dim: int = 200
    pos_char_hidden_dim: int = 200
    pos_deep_biaff_hidden_dim: int = 200
    pos_composite_deep_biaff_hidden_dim: int = 100
    pos_word_cutoff: int = 2

    depparse_steps: int = 1100
    depparse_second_optim_step: int = 800
    depparse_retagged_steps: int = 400
    depparse_lr: float = 3e-3
    depparse_second_lr: float = 3e-4
    depparse_retagged_lr: float = 3e-4
    depparse_eval_interval: int = 100
    depparse_hidden_dim: int = 200
    depparse_num_layers: int = 2
    depparse_deep_biaff_hidden_dim: int = 200
    depparse_char_hidden_dim: int = 100
    depparse_word_cutoff: int = 2

    log_step: int = 20

    def __post_init__(self) -> None:
        unknown = set(self.components) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown components {sorted(unknown)}; choose from {list(COMPONENTS)}")
        if self.threads < 1:
            raise ValueError("threads must be at least 1")

    @classmethod
    def default(cls) -> TrainingConfig:
        """The real recipe, sized for about 2.5 hours wall-clock on 2 CPU cores.

        Timings measured for the bootstrap model on this kind of machine, dev evals
        included, with two 1-thread jobs side by side: tagger ~5.7 s/step, parser
        ~4.65 s/step, tokenizer ~0.12 s/step. The two lanes of `train_pipeline` are then:

        * tagger 1,000 + 200 steps (~95 + ~20 min), then re-tagging (~2.5 min);
        * tokenizer 8,000 steps (~16 min), mwt (~2 min), lemma (~12 min), then the
          gold-tag parser, 1,100 steps (~85 min);

        so both lanes end after ~115-120 min; the parser is then fine-tuned (1 thread,
        ~4.5 s/step) for 400 steps on re-tagged data (~30 min): about 2 h 30 min in
        all (data preparation takes seconds). 1,500 parser steps in total.
        """
        return cls()

    @classmethod
    def quick(cls) -> TrainingConfig:
        """A tiny recipe for smoke tests and CI: minutes, and useless models.

        It trains on the first 300 sentences of each train file with small networks
        and a handful of steps, but goes through every stage of the real recipe
        (including the second tagger stage and the re-tagged parser stage).
        """
        return cls(
            max_train_sentences=300,
            max_dev_sentences=200,
            tokenize_steps=100,
            tokenize_eval_steps=50,
            tokenize_hidden_dim=16,
            tokenize_emb_dim=16,
            mwt_epochs=1,
            lemma_epochs=1,
            lemma_hidden_dim=32,
            pos_steps=16,
            pos_second_steps=8,
            pos_eval_interval=8,
            pos_second_eval_interval=4,
            pos_hidden_dim=32,
            pos_char_hidden_dim=32,
            pos_deep_biaff_hidden_dim=32,
            pos_composite_deep_biaff_hidden_dim=16,
            depparse_steps=16,
            depparse_second_optim_step=12,
            depparse_retagged_steps=8,
            depparse_eval_interval=4,
            depparse_hidden_dim=32,
            depparse_num_layers=1,
            depparse_deep_biaff_hidden_dim=32,
            depparse_char_hidden_dim=32,
            log_step=4,
        )


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class PreparedData:
    """The files `prepare_data` wrote, all under ``work_dir/data``.

    Attributes:
        work_dir: The training work folder.
        combined_train: Cleaned EWT train followed by cleaned GUM train (gold tags).
        dev: Cleaned EWT dev, the dev set of every model (gold tags).
        tokenize_dir: Stanza tokenizer data: ``en_combined.{train,dev,test}.txt``,
            ``*.gold.conllu``, ``*.toklabels`` and ``*-mwt.json`` (train is
            punctuation-augmented).
        tokenize_max_seqlen: ``max_seqlen`` computed as Stanza's ``run_tokenizer`` does.
        mwt_train: MWT train input (the combined train, not augmented).
        mwt_dev_in: EWT dev with MWTs contracted to their surface tokens.
        mwt_max_dec_len: ``max_dec_len`` computed as Stanza's ``run_mwt`` does.
        lemma_train: One one-word sentence per (form, UPOS) with its majority lemma.
        retagged_train: Where `retag_parser_data` writes the re-tagged combined train.
        retagged_dev: Where `retag_parser_data` writes the re-tagged dev.
        counts: Sentence/entry counts of the prepared files, for the model card.
    """

    work_dir: Path
    combined_train: Path
    dev: Path
    tokenize_dir: Path
    tokenize_max_seqlen: int
    mwt_train: Path
    mwt_dev_in: Path
    mwt_max_dec_len: int
    lemma_train: Path
    retagged_train: Path
    retagged_dev: Path
    counts: dict[str, int] = field(default_factory=dict)

    def tokenize_file(self, name: str) -> Path:
        """Return a file of the tokenizer data folder, e.g. ``"train.txt"``."""
        if name.endswith(".toklabels") or name.endswith("-mwt.json"):
            return self.tokenize_dir / f"{SHORTHAND}-ud-{name}"
        return self.tokenize_dir / f"{SHORTHAND}.{name}"


@dataclass(frozen=True)
class RunResult:
    """One Stanza run (a training stage or the re-tagging step).

    Attributes:
        name: ``tokenize``, ``mwt``, ``lemma``, ``pos-stage1``, ``pos-stage2``,
            ``retag``, ``depparse-gold`` or ``depparse-retagged``.
        module: The Stanza module run, e.g. ``stanza.models.tagger``.
        argv: Its arguments.
        seconds: Wall-clock time.
        threads: Threads it was given.
        dev_score: Best dev score in percent as Stanza logged it (see the model card
            for what each component's score means), or ``None``.
        log: Its log file.
        started_from: The model it continued from (see `continue_training`), if any.
    """

    name: str
    module: str
    argv: tuple[str, ...]
    seconds: float
    threads: int
    dev_score: float | None
    log: Path
    started_from: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-able dict (paths as strings)."""
        data = dataclasses.asdict(self)
        data["log"] = str(self.log)
        data["argv"] = list(self.argv)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunResult:
        """Rebuild a result written by `to_json`."""
        return cls(**{**data, "log": Path(data["log"]), "argv": tuple(data["argv"])})


@dataclass(frozen=True)
class TrainingReport:
    """What `train_pipeline` did, for the model card.

    Attributes:
        config: The configuration used.
        out_dir: The loadable model folder (``resources.json`` + ``en/...``).
        work_dir: Data, raw models, logs.
        runs: Every Stanza run, in the order they finished.
        seconds: Total wall-clock time, data preparation included.
        files: Size in bytes of each shipped model file, relative to ``out_dir``.
        counts: Data counts from `PreparedData.counts`.
    """

    config: TrainingConfig
    out_dir: Path
    work_dir: Path
    runs: tuple[RunResult, ...]
    seconds: float
    files: dict[str, int]
    counts: dict[str, int]

    @property
    def total_bytes(self) -> int:
        """Total size of the shipped model files."""
        return sum(self.files.values())


# --------------------------------------------------------------------------- data preparation


def clean_conllu(text: str, *, max_sentences: int | None = None) -> str:
    """Clean CoNLL-U text the way the bootstrap model's data was cleaned.

    * keeps only ``# sent_id``, ``# text``, ``# newdoc`` and ``# newpar`` comments
      (``# newpar_block`` and GUM's other comments are dropped);
    * drops empty nodes (IDs such as ``8.1``);
    * sets DEPS to ``_``;
    * reduces MISC to ``SpaceAfter=No`` or ``_`` (GUM's Entity=/Discourse=/XML=...,
      EWT's CorrectForm=...).

    Stanza's tokenizer-data scripts read MISC, and its trainers read every column, so
    stray annotations would otherwise leak into labels and vocabularies.

    Args:
        text: CoNLL-U content.
        max_sentences: Keep only the first N sentences.

    Returns:
        The cleaned CoNLL-U, each sentence followed by one blank line.
    """
    sentences = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        lines = [_clean_line(line) for line in block.splitlines()]
        lines = [line for line in lines if line is not None]
        if any(not line.startswith("#") for line in lines):
            sentences.append("\n".join(lines) + "\n\n")
        if max_sentences is not None and len(sentences) >= max_sentences:
            break
    return "".join(sentences)


def _clean_line(line: str) -> str | None:
    """Clean one CoNLL-U line; ``None`` means drop it."""
    line = line.rstrip("\r\n")
    if line.startswith("#"):
        return line if _KEPT_COMMENT.match(line) else None
    columns = line.split("\t")
    if len(columns) != 10:
        raise ValueError(f"not a 10-column CoNLL-U line: {line!r}")
    if "." in columns[0]:
        return None
    columns[8] = "_"
    columns[9] = "SpaceAfter=No" if "SpaceAfter=No" in columns[9].split("|") else "_"
    return "\t".join(columns)


def clean_conllu_file(source: Path, target: Path, *, max_sentences: int | None = None) -> int:
    """Write the cleaned `source` to `target` and return its number of sentences."""
    cleaned = clean_conllu(source.read_text(encoding="utf-8"), max_sentences=max_sentences)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(cleaned, encoding="utf-8")
    return count_sentences(target)


def count_sentences(path: Path) -> int:
    """Count the sentences of a CoNLL-U file (its blocks with at least one word line)."""
    count = 0
    in_sentence = False
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip() == "":
                in_sentence = False
            elif not line.startswith("#") and not in_sentence:
                in_sentence = True
                count += 1
    return count


def dedup_lemma_sentences(conllu: str) -> list[str]:
    """Turn CoNLL-U text into one one-word sentence per (form, UPOS) for the lemmatizer.

    Stanza's lemmatizer has no sentence context, so each (form, UPOS) pair only needs
    to be seen once; training on types instead of tokens cuts its time several-fold.
    Each pair keeps its most frequent lemma (ties: the first seen), with the XPOS and
    FEATS of the first word that had that lemma. Multi-word-token range lines are
    skipped; their words are kept.

    Args:
        conllu: Cleaned CoNLL-U content.

    Returns:
        Sentences as CoNLL-U blocks ``1 form lemma UPOS XPOS FEATS 0 root _ _``, in
        order of first appearance, each ending with a blank line.
    """
    lemmas: dict[tuple[str, str], Counter[str]] = {}
    tags: dict[tuple[str, str, str], tuple[str, str]] = {}
    for line in conllu.splitlines():
        columns = line.split("\t")
        if len(columns) != 10 or not columns[0].isdigit():
            continue
        form, lemma, upos, xpos, feats = columns[1], columns[2], columns[3], columns[4], columns[5]
        lemmas.setdefault((form, upos), Counter())[lemma] += 1
        tags.setdefault((form, upos, lemma), (xpos, feats))
    sentences = []
    for (form, upos), counter in lemmas.items():
        lemma = counter.most_common(1)[0][0]
        xpos, feats = tags[(form, upos, lemma)]
        sentences.append(f"1\t{form}\t{lemma}\t{upos}\t{xpos}\t{feats}\t0\troot\t_\t_\n\n")
    return sentences


def prepare_data(ud_dir: Path, work_dir: Path, *, config: TrainingConfig) -> PreparedData:
    """Write every dataset the recipe trains on under ``work_dir/data``.

    Steps (README "Data preparation"):

    1. clean EWT and GUM train/dev/test (`clean_conllu`), keeping the first
       ``config.max_train_sentences`` of each train file and the first
       ``config.max_dev_sentences`` of dev/test when those are set;
    2. combined train = EWT train + GUM train; dev = EWT dev for every model;
    3. tokenizer data: train is ``augment_punct(combined train)`` seeded like Stanza's
       combined English treebank; ``.txt``, ``.toklabels`` and ``-mwt.json`` files
       by Stanza's own ``convert_conllu_to_txt`` / ``prepare_tokenizer_treebank_labels``;
    4. MWT data: the combined train as is, and EWT dev contracted by ``contract_mwt``;
    5. lemma data deduplicated by `dedup_lemma_sentences`.

    Re-tagging the parser's data needs the trained tagger, so it is a separate step,
    `retag_parser_data`, which `train_pipeline` runs once the tagger is done.

    Args:
        ud_dir: Folder with ``en_{ewt,gum}-ud-{train,dev,test}.conllu``.
        work_dir: Training work folder; ``data/`` inside it is (re)written.
        config: The training configuration.

    Returns:
        The paths and counts of the prepared data.
    """
    data_dir = work_dir / "data"
    clean_dir = data_dir / "clean"
    counts: dict[str, int] = {}
    for treebank in ("ewt", "gum"):
        for split in ("train", "dev", "test"):
            limit = config.max_train_sentences if split == "train" else config.max_dev_sentences
            source = _ud_file(ud_dir, treebank, split)
            counts[f"{treebank}.{split}"] = clean_conllu_file(
                source, clean_dir / f"{treebank}.{split}.conllu", max_sentences=limit
            )

    combined_train = data_dir / "combined.train.conllu"
    _concatenate([clean_dir / "ewt.train.conllu", clean_dir / "gum.train.conllu"], combined_train)
    counts["combined.train"] = counts["ewt.train"] + counts["gum.train"]
    dev = clean_dir / "ewt.dev.conllu"

    tokenize_dir = data_dir / "tokenize"
    max_seqlen, mwt_max_dec_len = _prepare_tokenizer_data(
        combined_train, dev, clean_dir / "ewt.test.conllu", tokenize_dir, seed=config.seed
    )

    mwt_dir = data_dir / "mwt"
    mwt_dir.mkdir(parents=True, exist_ok=True)
    mwt_train = mwt_dir / f"{SHORTHAND}.train.in.conllu"
    shutil.copyfile(combined_train, mwt_train)
    mwt_dev_in = mwt_dir / f"{SHORTHAND}.dev.in.conllu"
    from stanza.utils.datasets.contract_mwt import contract_mwt

    contract_mwt(str(dev), str(mwt_dev_in))

    lemma_train = data_dir / "lemma" / f"{SHORTHAND}.train.dedup.conllu"
    lemma_train.parent.mkdir(parents=True, exist_ok=True)
    lemma_sentences = dedup_lemma_sentences(combined_train.read_text(encoding="utf-8"))
    lemma_train.write_text("".join(lemma_sentences), encoding="utf-8")
    counts["lemma.train"] = len(lemma_sentences)

    depparse_dir = data_dir / "depparse"
    depparse_dir.mkdir(parents=True, exist_ok=True)
    return PreparedData(
        work_dir=work_dir,
        combined_train=combined_train,
        dev=dev,
        tokenize_dir=tokenize_dir,
        tokenize_max_seqlen=max_seqlen,
        mwt_train=mwt_train,
        mwt_dev_in=mwt_dev_in,
        mwt_max_dec_len=mwt_max_dec_len,
        lemma_train=lemma_train,
        retagged_train=depparse_dir / f"{SHORTHAND}.train.retagged.conllu",
        retagged_dev=depparse_dir / f"{SHORTHAND}.dev.retagged.conllu",
        counts=counts,
    )


def _ud_file(ud_dir: Path, treebank: str, split: str) -> Path:
    """Return ``ud_dir/en_<treebank>-ud-<split>.conllu``, or raise if it is missing."""
    path = ud_dir / f"en_{treebank}-ud-{split}.conllu"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: UD file not found (expected EWT and GUM train/dev/test)")
    return path


def _concatenate(sources: Sequence[Path], target: Path) -> None:
    """Write the concatenation of `sources` (cleaned CoNLL-U files) to `target`."""
    with target.open("w", encoding="utf-8") as out:
        for source in sources:
            out.write(source.read_text(encoding="utf-8"))


def _prepare_tokenizer_data(
    train: Path, dev: Path, test: Path, tokenize_dir: Path, *, seed: int
) -> tuple[int, int]:
    """Write Stanza's tokenizer data files and return ``(max_seqlen, mwt max_dec_len)``.

    The train file is punctuation-augmented (apostrophes, quotes, ellipses, brackets)
    exactly as Stanza's combined English treebank, with ``random.seed`` set first.
    """
    from stanza.utils.avg_sent_len import avg_sent_len
    from stanza.utils.datasets import common
    from stanza.utils.datasets.prepare_tokenizer_treebank import augment_punct
    from stanza.utils.max_mwt_length import max_mwt_length

    tokenize_dir.mkdir(parents=True, exist_ok=True)
    random.seed(seed)
    sentences = augment_punct(common.read_sentences_from_conllu(str(train)))
    folder = str(tokenize_dir)
    common.write_sentences_to_conllu(common.tokenizer_conllu_name(folder, SHORTHAND, "train"), sentences)
    shutil.copyfile(dev, common.tokenizer_conllu_name(folder, SHORTHAND, "dev"))
    shutil.copyfile(test, common.tokenizer_conllu_name(folder, SHORTHAND, "test"))
    common.convert_conllu_to_txt(str(tokenize_dir), SHORTHAND)
    common.prepare_tokenizer_treebank_labels(str(tokenize_dir), SHORTHAND)

    labels = tokenize_dir / f"{SHORTHAND}-ud-train.toklabels"
    max_seqlen = math.ceil(avg_sent_len(str(labels)) * 3 / 100) * 100
    mwt_jsons = [str(common.mwt_name(str(tokenize_dir), SHORTHAND, split)) for split in ("train", "dev")]
    max_dec_len = math.ceil(max_mwt_length(mwt_jsons) * 1.1 + 1)
    return max_seqlen, max_dec_len


def retag_parser_data(prepared: PreparedData, tagger: Path, *, threads: int, log: Path) -> RunResult:
    """Re-tag the parser's train and dev data with a trained tagger.

    This is what Stanza's ``prepare_depparse_treebank`` does by default: the parser
    then trains on the UPOS/XPOS/FEATS it will see at run time instead of gold tags
    (the bootstrap parser lost ~8 LAS to that mismatch). Words, lemmas, heads and
    relations stay gold. The tagger runs in ``--mode predict`` in a subprocess.

    Args:
        prepared: The prepared data; writes ``retagged_train`` and ``retagged_dev``.
        tagger: The trained tagger ``.pt``.
        threads: Threads for the tagger.
        log: Log file (appended to).

    Returns:
        The run, with the tagger's dev score (AllTags) as ``dev_score``.
    """
    started = time.monotonic()
    argv: list[str] = []
    pairs = ((prepared.combined_train, prepared.retagged_train), (prepared.dev, prepared.retagged_dev))
    for source, target in pairs:
        # fmt: off
        argv = [
            "--mode", "predict", "--eval_file", str(source), "--output_file", str(target),
            "--lang", "en", "--shorthand", SHORTHAND, "--no_pretrain",
            "--save_dir", str(tagger.parent), "--save_name", tagger.name,
        ]
        # fmt: on
        _run_stanza("stanza.models.tagger", argv, log=log, threads=threads)
    scores = _TAGGER_SCORE.findall(log.read_text(encoding="utf-8"))
    return RunResult(
        name="retag",
        module="stanza.models.tagger",
        argv=tuple(argv),
        seconds=time.monotonic() - started,
        threads=threads,
        dev_score=float(scores[-1]) if scores else None,
        log=log,
    )


# --------------------------------------------------------------------------- running Stanza


def _run_stanza(
    module: str,
    argv: Sequence[str],
    *,
    log: Path,
    threads: int,
    continue_from: Path | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run one Stanza training/prediction entry point in a subprocess.

    A subprocess keeps each run's threads and memory to itself, and lets two runs
    share the cores. The environment pins OpenMP/MKL threads and sets the README's
    glibc malloc tunables. Output (Stanza logs to stderr) is appended to `log`.

    Args:
        module: ``stanza.models.<name>``.
        argv: Its arguments.
        log: Log file.
        threads: Threads for torch/OpenMP/MKL.
        continue_from: Start from this model instead of from scratch, through
            `continue_training` (Stanza's own ``--continue_from`` is not safe for us).
        stop: When set by another thread, the subprocess is terminated.

    Raises:
        ModelError: The run exited with a non-zero status or was stopped.
    """
    if continue_from is None:
        command = [sys.executable, "-m", module, *argv]
    else:
        code = (
            "import sys; from quotes.training import continue_training; "
            "continue_training(sys.argv[1], sys.argv[2], sys.argv[3:])"
        )
        command = [sys.executable, "-c", code, module, str(continue_from), *argv]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=_stanza_env(threads))
        while True:
            try:
                returncode = process.wait(timeout=2)
                break
            except subprocess.TimeoutExpired:
                if stop is not None and stop.is_set():
                    process.terminate()
                    process.wait()
                    raise ModelError(f"{module} stopped: another training run failed; see {log}") from None
    if returncode != 0:
        raise ModelError(f"{module} failed with exit status {returncode}; see {log}")


def _stanza_env(threads: int) -> dict[str, str]:
    """Environment for a Stanza subprocess: thread pins, malloc tunables, import path."""
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(threads)
    env["MKL_NUM_THREADS"] = str(threads)
    env["GLIBC_TUNABLES"] = GLIBC_TUNABLES
    # `continue_training` runs `quotes.training` in the child, installed or not.
    repo_root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (repo_root, env.get("PYTHONPATH", "")) if p)
    return env


def continue_training(module: str, model: str, argv: list[str]) -> None:
    """Run a Stanza trainer starting from an existing model (runs in the subprocess).

    Two Stanza 1.15 gaps make this necessary:

    * the tagger (``stanza.models.tagger``) has no resume/continue option, so its
      ``Trainer`` is replaced by one that loads `model` (same vocabulary asserted)
      and then builds a fresh optimizer from the new ``--lr``;
    * the parser's ``--continue_from`` keeps the model's vocabulary but maps the new
      training data with a vocabulary rebuilt from that data. Tag vocabularies are
      ordered by frequency, so re-tagged data gets different tag ids and the model
      would silently read wrong tags. Its ``DataLoader`` is therefore made to reuse
      the model's vocabulary.

    Args:
        module: ``stanza.models.tagger`` or ``stanza.models.parser``.
        model: The ``.pt`` to start from.
        argv: Arguments for the module's ``main``.
    """
    if module == "stanza.models.tagger":
        _continue_tagger(model, argv)
    elif module == "stanza.models.parser":
        _continue_parser(model, argv)
    else:
        raise ValueError(f"cannot continue training {module}")


def _continue_tagger(model: str, argv: list[str]) -> None:
    """Run ``stanza.models.tagger.main(argv)`` with its Trainer initialised from `model`."""
    from stanza.models import tagger
    from stanza.models.pos.trainer import Trainer

    def trainer_from_model(
        args, vocab=None, pretrain=None, model_file=None, device=None, foundation_cache=None
    ):
        if model_file is not None:
            return Trainer(
                args, vocab, pretrain, model_file, device=device, foundation_cache=foundation_cache
            )
        trainer = Trainer(
            args, pretrain=pretrain, model_file=model, device=device, foundation_cache=foundation_cache
        )
        if trainer.vocab.state_dict() != vocab.state_dict():
            raise ValueError(f"{model} was trained with a different vocabulary than the current data")
        return trainer

    tagger.Trainer = trainer_from_model
    tagger.main(argv)


def _continue_parser(model: str, argv: list[str]) -> None:
    """Run ``stanza.models.parser.main(argv + --continue_from model)`` with `model`'s vocabulary."""
    import torch
    from stanza.models import parser
    from stanza.models.pos.vocab import MultiVocab

    checkpoint = torch.load(model, map_location="cpu", weights_only=True)
    model_vocab = MultiVocab.load_state_dict(checkpoint["vocab"])
    original_loader = parser.DataLoader

    def loader_with_model_vocab(doc, batch_size, args, pretrain, vocab=None, **kwargs):
        return original_loader(doc, batch_size, args, pretrain, vocab=vocab or model_vocab, **kwargs)

    parser.DataLoader = loader_with_model_vocab
    parser.main([*argv, "--continue_from", model])


def _best_dev_score(log: Path, *, since: int = 0) -> float | None:
    """Return the best dev score (percent) Stanza logged in `log` after offset `since`."""
    text = log.read_text(encoding="utf-8")[since:]
    scores = [float(x) * 100 for x in _DEV_SCORE.findall(text)]
    scores += [float(x) for x in _TOKENIZER_DEV_SCORE.findall(text)]
    return max(scores) if scores else None


def _timed_run(
    name: str,
    module: str,
    argv: list[str],
    *,
    log: Path,
    threads: int,
    continue_from: Path | None = None,
    stop: threading.Event | None = None,
) -> RunResult:
    """Run `_run_stanza` and return its `RunResult` with time and best dev score."""
    offset = log.stat().st_size if log.exists() else 0
    started = time.monotonic()
    _run_stanza(module, argv, log=log, threads=threads, continue_from=continue_from, stop=stop)
    return RunResult(
        name=name,
        module=module,
        argv=tuple(argv),
        seconds=time.monotonic() - started,
        threads=threads,
        dev_score=_best_dev_score(log, since=offset),
        log=log,
        started_from=str(continue_from) if continue_from is not None else None,
    )


# --------------------------------------------------------------------------- argument lists


def tokenize_args(prepared: PreparedData, models_dir: Path, config: TrainingConfig) -> list[str]:
    """Arguments for ``stanza.models.tokenizer`` (README "tokenize")."""
    model = models_dir / _MODEL_FILES["tokenize"]
    # fmt: off
    return [
        "--mode", "train",
        "--label_file", str(prepared.tokenize_file("train.toklabels")),
        "--txt_file", str(prepared.tokenize_file("train.txt")),
        "--lang", "en", "--shorthand", SHORTHAND,
        "--max_seqlen", str(prepared.tokenize_max_seqlen),
        "--mwt_json_file", str(prepared.tokenize_file("dev-mwt.json")),
        "--dev_txt_file", str(prepared.tokenize_file("dev.txt")),
        "--dev_label_file", str(prepared.tokenize_file("dev.toklabels")),
        "--dev_conll_gold", str(prepared.tokenize_file("dev.gold.conllu")),
        "--feat_funcs", TOKENIZER_FEAT_FUNCS,
        "--emb_dim", str(config.tokenize_emb_dim), "--hidden_dim", str(config.tokenize_hidden_dim),
        "--steps", str(config.tokenize_steps), "--eval_steps", str(config.tokenize_eval_steps),
        "--report_steps", str(max(config.log_step, 1) * 5),
        "--seed", str(config.seed),
        "--save_dir", str(model.parent), "--save_name", model.name,
    ]
    # fmt: on


def mwt_args(prepared: PreparedData, models_dir: Path, config: TrainingConfig) -> list[str]:
    """Arguments for ``stanza.models.mwt_expander`` (README "mwt").

    Like Stanza's ``run_mwt``, only the dictionary is trained when the dev data has no
    MWTs to choose a seq2seq model with.
    """
    model = models_dir / _MODEL_FILES["mwt"]
    # fmt: off
    argv = [
        "--mode", "train",
        "--train_file", str(prepared.mwt_train), "--eval_file", str(prepared.mwt_dev_in),
        "--gold_file", str(prepared.dev),
        "--lang", "en", "--shorthand", SHORTHAND,
        "--max_dec_len", str(prepared.mwt_max_dec_len), "--num_epoch", str(config.mwt_epochs),
        "--log_step", str(config.log_step * 5), "--seed", str(config.seed),
        "--save_dir", str(model.parent), "--save_name", model.name,
    ]
    # fmt: on
    if not _has_mwt(prepared.dev):
        argv.append("--dict_only")
    return argv


def _has_mwt(conllu: Path) -> bool:
    """Whether a CoNLL-U file has any multi-word-token range line."""
    with conllu.open(encoding="utf-8") as lines:
        return any(re.match(r"^\d+-\d+\t", line) for line in lines)


def lemma_args(prepared: PreparedData, models_dir: Path, config: TrainingConfig) -> list[str]:
    """Arguments for ``stanza.models.lemmatizer`` (README "lemma"): dictionary + seq2seq."""
    model = models_dir / _MODEL_FILES["lemma"]
    # fmt: off
    return [
        "--mode", "train",
        "--train_file", str(prepared.lemma_train), "--eval_file", str(prepared.dev),
        "--shorthand", SHORTHAND,
        "--num_epoch", str(config.lemma_epochs), "--batch_size", "50",
        "--hidden_dim", str(config.lemma_hidden_dim),
        "--log_step", str(config.log_step * 5), "--seed", str(config.seed),
        "--save_dir", str(model.parent), "--save_name", model.name,
    ]
    # fmt: on


def pos_args(prepared: PreparedData, models_dir: Path, config: TrainingConfig, *, stage: int) -> list[str]:
    """Arguments for ``stanza.models.tagger`` (README "pos"), stage 1 or 2.

    Stage 2 has the same architecture, a lower learning rate and its own step count;
    it is started from the best stage-1 model by `continue_training`.
    """
    model = models_dir / _MODEL_FILES["pos-stage1" if stage == 1 else "pos"]
    steps, lr, interval = (
        (config.pos_steps, config.pos_lr, config.pos_eval_interval)
        if stage == 1
        else (config.pos_second_steps, config.pos_second_lr, config.pos_second_eval_interval)
    )
    # fmt: off
    return [
        "--train_file", str(prepared.combined_train), "--eval_file", str(prepared.dev),
        "--lang", "en", "--shorthand", SHORTHAND, "--no_pretrain",
        "--word_cutoff", str(config.pos_word_cutoff),
        "--hidden_dim", str(config.pos_hidden_dim),
        "--char_hidden_dim", str(config.pos_char_hidden_dim),
        "--deep_biaff_hidden_dim", str(config.pos_deep_biaff_hidden_dim),
        "--composite_deep_biaff_hidden_dim", str(config.pos_composite_deep_biaff_hidden_dim),
        "--lr", str(lr), "--max_steps", str(steps),
        "--eval_interval", str(interval), "--fix_eval_interval",
        "--max_steps_before_stop", "3000",
        "--log_step", str(config.log_step), "--seed", str(config.seed),
        "--save_dir", str(model.parent), "--save_name", model.name,
    ]
    # fmt: on


def depparse_args(
    prepared: PreparedData, models_dir: Path, config: TrainingConfig, *, retagged: bool
) -> list[str]:
    """Arguments for ``stanza.models.parser`` (README "depparse").

    Gold stage: Adam at ``depparse_lr``, switching to Adam at ``depparse_second_lr`` at
    ``depparse_second_optim_step``. Re-tagged stage: trained on the re-tagged data,
    starting from the best gold-stage model (see `continue_training`), Adam at
    ``depparse_retagged_lr`` with no further switch. Each stage checkpoints (with
    optimizer) next to its model and resumes from that checkpoint if rerun.
    """
    if retagged:
        model = models_dir / _MODEL_FILES["depparse"]
        train, dev = prepared.retagged_train, prepared.retagged_dev
        # fmt: off
        schedule = [
            "--optim", "adam", "--lr", str(config.depparse_retagged_lr), "--no_second_optim",
            "--max_steps", str(config.depparse_retagged_steps),
        ]
        # fmt: on
    else:
        model = models_dir / _MODEL_FILES["depparse-gold"]
        train, dev = prepared.combined_train, prepared.dev
        # fmt: off
        schedule = [
            "--optim", "adam", "--lr", str(config.depparse_lr),
            "--second_optim", "adam", "--second_lr", str(config.depparse_second_lr),
            "--second_optim_start_step", str(config.depparse_second_optim_step),
            "--second_warmup_steps", str(min(50, config.depparse_second_optim_step)),
            "--max_steps", str(config.depparse_steps),
        ]
        # fmt: on
    # fmt: off
    return [
        "--train_file", str(train), "--eval_file", str(dev),
        "--lang", "en", "--shorthand", SHORTHAND, "--no_pretrain",
        "--hidden_dim", str(config.depparse_hidden_dim),
        "--num_layers", str(config.depparse_num_layers),
        "--deep_biaff_hidden_dim", str(config.depparse_deep_biaff_hidden_dim),
        "--char_hidden_dim", str(config.depparse_char_hidden_dim),
        "--word_cutoff", str(config.depparse_word_cutoff),
        "--beta2", "0.95",
        *schedule,
        "--eval_interval", str(config.depparse_eval_interval),
        "--log_step", str(config.log_step), "--seed", str(config.seed),
        "--save_dir", str(model.parent), "--save_name", model.name,
    ]
    # fmt: on


# --------------------------------------------------------------------------- training stages

# Each stage is one job of `train_pipeline`'s schedule: stage -> stages it needs.
# The gold-tag parser has no dependency so that it trains while the tagger does.
_STAGE_DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "pos": (),
    "tokenize": (),
    "mwt": (),
    "lemma": (),
    "depparse-gold": (),
    "depparse": ("pos", "depparse-gold"),
}


def _stages_for(components: Iterable[str], config: TrainingConfig) -> list[str]:
    """Return the stages to run for `components`, in scheduling priority order.

    The tagger goes first because the tagger -> re-tag -> parser chain is the
    critical path; the small models then fill the other core before the gold parser.
    """
    wanted = set(components)
    stages = [name for name in ("pos", "tokenize", "mwt", "lemma") if name in wanted]
    if "depparse" in wanted:
        stages.append("depparse-gold")
        if config.depparse_retagged_steps > 0:
            if "pos" not in wanted:
                raise ValueError("training depparse on re-tagged data needs pos in the same run")
            stages.append("depparse")
    return stages


def _run_stage(
    stage: str,
    prepared: PreparedData,
    models_dir: Path,
    *,
    config: TrainingConfig,
    threads: int,
    stop: threading.Event | None = None,
) -> list[RunResult]:
    """Run one stage of the recipe and return its Stanza runs."""
    logs = prepared.work_dir / "logs"
    if stage == "tokenize":
        argv = tokenize_args(prepared, models_dir, config)
        return [
            _timed_run(
                "tokenize",
                "stanza.models.tokenizer",
                argv,
                log=logs / "tokenize.log",
                threads=threads,
                stop=stop,
            )
        ]
    if stage == "mwt":
        argv = mwt_args(prepared, models_dir, config)
        return [
            _timed_run(
                "mwt", "stanza.models.mwt_expander", argv, log=logs / "mwt.log", threads=threads, stop=stop
            )
        ]
    if stage == "lemma":
        argv = lemma_args(prepared, models_dir, config)
        return [
            _timed_run(
                "lemma", "stanza.models.lemmatizer", argv, log=logs / "lemma.log", threads=threads, stop=stop
            )
        ]
    if stage == "pos":
        return _train_tagger(prepared, models_dir, config=config, threads=threads, stop=stop)
    if stage == "depparse-gold":
        argv = depparse_args(prepared, models_dir, config, retagged=False)
        return [
            _timed_run(
                "depparse-gold",
                "stanza.models.parser",
                argv,
                log=logs / "depparse-gold.log",
                threads=threads,
                stop=stop,
            )
        ]
    if stage == "depparse":
        return _train_retagged_parser(prepared, models_dir, config=config, threads=threads, stop=stop)
    raise ValueError(f"unknown stage {stage!r}")


def _train_tagger(
    prepared: PreparedData,
    models_dir: Path,
    *,
    config: TrainingConfig,
    threads: int,
    stop: threading.Event | None,
) -> list[RunResult]:
    """Train the tagger in two stages and keep the better of the two as the final model.

    The stage-2 trick is the README's: a fresh Adam at a lower learning rate, started
    from the best stage-1 model, gained 2.3 AllTags on dev within 45 steps.
    """
    log = prepared.work_dir / "logs" / "pos.log"
    stage1 = models_dir / _MODEL_FILES["pos-stage1"]
    final = models_dir / _MODEL_FILES["pos"]
    runs = [
        _timed_run(
            "pos-stage1",
            "stanza.models.tagger",
            pos_args(prepared, models_dir, config, stage=1),
            log=log,
            threads=threads,
            stop=stop,
        )
    ]
    if config.pos_second_steps > 0:
        runs.append(
            _timed_run(
                "pos-stage2",
                "stanza.models.tagger",
                pos_args(prepared, models_dir, config, stage=2),
                log=log,
                threads=threads,
                continue_from=stage1,
                stop=stop,
            )
        )
    stage2_better = len(runs) == 2 and (runs[1].dev_score or 0.0) >= (runs[0].dev_score or 0.0)
    if not stage2_better:
        shutil.copyfile(stage1, final)
    return runs


def _train_retagged_parser(
    prepared: PreparedData,
    models_dir: Path,
    *,
    config: TrainingConfig,
    threads: int,
    stop: threading.Event | None,
) -> list[RunResult]:
    """Re-tag the parser's data with the new tagger, then fine-tune the gold-stage parser on it."""
    logs = prepared.work_dir / "logs"
    tagger = models_dir / _MODEL_FILES["pos"]
    gold_parser = models_dir / _MODEL_FILES["depparse-gold"]
    for needed in (tagger, gold_parser):
        if not needed.is_file():
            raise ModelError(f"{needed}: train pos and the gold-tag parser first")
    retag = retag_parser_data(prepared, tagger, threads=threads, log=logs / "retag.log")
    argv = depparse_args(prepared, models_dir, config, retagged=True)
    parser = _timed_run(
        "depparse-retagged",
        "stanza.models.parser",
        argv,
        log=logs / "depparse.log",
        threads=threads,
        continue_from=gold_parser,
        stop=stop,
    )
    return [retag, parser]


def train_component(
    name: str, prepared: PreparedData, out_dir: Path, *, config: TrainingConfig
) -> list[RunResult]:
    """Train one component with Stanza's own trainer, in the foreground.

    ``depparse`` runs the gold-tag stage and then, if ``depparse_retagged_steps > 0``,
    re-tags the data with the tagger already in `out_dir` and fine-tunes on it.
    `train_pipeline` runs the same stages, but two at a time.

    Args:
        name: One of `COMPONENTS`.
        prepared: Data from `prepare_data`; logs go to ``prepared.work_dir/logs``.
        out_dir: Folder of raw trained models (``<component>/*.pt``), usually
            ``work_dir/models``.
        config: The training configuration (``config.threads`` threads).

    Returns:
        The Stanza runs made.
    """
    if name not in COMPONENTS:
        raise ValueError(f"unknown component {name!r}; choose from {list(COMPONENTS)}")
    stages = [name]
    if name == "depparse":
        stages = ["depparse-gold", "depparse"] if config.depparse_retagged_steps > 0 else ["depparse-gold"]
    runs: list[RunResult] = []
    for stage in stages:
        runs += _run_stage(stage, prepared, out_dir, config=config, threads=config.threads)
    if name == "depparse" and config.depparse_retagged_steps == 0:
        shutil.copyfile(out_dir / _MODEL_FILES["depparse-gold"], out_dir / _MODEL_FILES["depparse"])
    return runs


# --------------------------------------------------------------------------- the whole recipe


def train_pipeline(
    ud_dir: Path,
    out_dir: Path,
    *,
    config: TrainingConfig,
    components: Sequence[str] | None = None,
    jobs: int = 2,
    work_dir: Path | None = None,
    resume: bool = False,
) -> TrainingReport:
    """Run the whole recipe and write a Stanza model folder that loads offline.

    Order: data preparation; then the stages below, up to `jobs` at a time, each
    with ``config.threads`` threads:

    * ``pos`` (two stages), ``tokenize``, ``mwt``, ``lemma`` and the gold-tag parser
      are independent;
    * the final parser stage (re-tag with the new tagger, fine-tune) needs both ``pos``
      and the gold-tag parser.

    Finally the models are copied, without optimizer state, to
    ``out_dir/en/<processor>/<package>.pt`` with a ``resources.json``, the layout of
    ``shared/models/stanza-en``, so that ``stanza.Pipeline("en", dir=out_dir,
    download_method=None)`` loads them.

    Args:
        ud_dir: Folder with ``en_{ewt,gum}-ud-{train,dev,test}.conllu``.
        out_dir: The model folder to write.
        config: The training configuration.
        components: Components to train (default ``config.components``).
        jobs: Stages run at the same time.
        work_dir: Data, raw models and logs; default ``<out_dir>-work`` next to
            `out_dir`, so the model folder holds only what is shipped.
        resume: Keep the models and logs of an interrupted run in `work_dir` and skip
            the stages that finished (the parser also resumes from its checkpoint);
            otherwise they are deleted first.

    Returns:
        What was trained, how long it took, the dev scores and the shipped sizes.
    """
    started = time.monotonic()
    wanted = tuple(components) if components is not None else config.components
    config = dataclasses.replace(config, components=wanted)
    work_dir = work_dir if work_dir is not None else out_dir.with_name(out_dir.name + "-work")
    models_dir = work_dir / "models"
    if not resume:
        for folder in (models_dir, work_dir / "logs"):
            shutil.rmtree(folder, ignore_errors=True)
    models_dir.mkdir(parents=True, exist_ok=True)

    logger.info("preparing data in %s", work_dir / "data")
    prepared = prepare_data(ud_dir, work_dir, config=config)
    stages = _stages_for(wanted, config)
    runs = _run_schedule(stages, prepared, models_dir, config=config, jobs=jobs)
    if "depparse" in wanted and config.depparse_retagged_steps == 0:
        shutil.copyfile(models_dir / _MODEL_FILES["depparse-gold"], models_dir / _MODEL_FILES["depparse"])

    files = _write_model_folder(models_dir, out_dir, wanted)
    report = TrainingReport(
        config=config,
        out_dir=out_dir,
        work_dir=work_dir,
        runs=tuple(runs),
        seconds=time.monotonic() - started,
        files=files,
        counts=dict(prepared.counts),
    )
    if report.total_bytes > 80 * 1024 * 1024:
        logger.warning("the model files take %.1f MB, more than 80 MB", report.total_bytes / 1e6)
    return report


def _run_schedule(
    stages: list[str], prepared: PreparedData, models_dir: Path, *, config: TrainingConfig, jobs: int
) -> list[RunResult]:
    """Run `stages` respecting `_STAGE_DEPENDENCIES`, at most `jobs` at a time.

    A stage whose ``<stage>.done`` marker exists in `models_dir` (from an interrupted
    run, with ``resume``) is not run again. If a stage fails, the running ones are
    stopped and the error is raised.
    """
    pending = list(stages)
    done: set[str] = set()
    runs: list[RunResult] = []
    for stage in stages:
        marker = models_dir / f"{stage}.done"
        if marker.is_file():
            runs += [RunResult.from_json(x) for x in json.loads(marker.read_text(encoding="utf-8"))]
            done.add(stage)
            pending.remove(stage)
            logger.info("%s: already trained, skipped", stage)

    stop = threading.Event()
    running: dict[Future[list[RunResult]], str] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        try:
            while pending or running:
                for stage in _ready(pending, done, free=jobs - len(running)):
                    pending.remove(stage)
                    logger.info("%s: started", stage)
                    threads = config.threads
                    future = pool.submit(
                        _run_stage, stage, prepared, models_dir, config=config, threads=threads, stop=stop
                    )
                    running[future] = stage
                if not running:
                    raise ValueError(f"stages {pending} wait for stages that are not scheduled")
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    stage = running.pop(future)
                    stage_runs = future.result()
                    runs += stage_runs
                    done.add(stage)
                    marker = models_dir / f"{stage}.done"
                    marker.write_text(json.dumps([r.to_json() for r in stage_runs]), encoding="utf-8")
                    logger.info("%s: done in %.0f s", stage, sum(r.seconds for r in stage_runs))
        except BaseException:
            stop.set()
            raise
    return runs


def _ready(pending: list[str], done: set[str], *, free: int) -> list[str]:
    """Return up to `free` pending stages whose dependencies are done, in priority order."""
    ready = [stage for stage in pending if all(dep in done for dep in _STAGE_DEPENDENCIES[stage])]
    return ready[: max(free, 0)]


def _write_model_folder(models_dir: Path, out_dir: Path, components: Sequence[str]) -> dict[str, int]:
    """Copy the trained models into Stanza's resources layout and write ``resources.json``.

    Models of processors not trained in this run but already in `out_dir` (from an
    earlier run) are kept and listed, so that retraining one component leaves a
    complete pipeline.

    Returns:
        Size in bytes of each model file listed, keyed by its path relative to `out_dir`.
    """
    files: dict[str, int] = {}
    md5s: dict[str, str] = {}
    for processor in COMPONENTS:
        relative = f"en/{processor}/{_PACKAGES[processor]}.pt"
        target = out_dir / relative
        if processor in components:
            target.parent.mkdir(parents=True, exist_ok=True)
            strip_optimizer_state(models_dir / _MODEL_FILES[processor], target)
        if target.is_file():
            files[relative] = target.stat().st_size
            md5s[processor] = hashlib.md5(target.read_bytes()).hexdigest()
    resources = _resources_json(md5s)
    (out_dir / "resources.json").write_text(json.dumps(resources, indent=2) + "\n", encoding="utf-8")
    return files


def _resources_json(md5s: dict[str, str]) -> dict[str, Any]:
    """Build the ``resources.json`` of ``shared/models/stanza-en`` for the given processors."""
    packages = {p: _PACKAGES[p] for p in md5s}
    english: dict[str, Any] = {"lang_name": "English"}
    for processor, md5 in md5s.items():
        english[processor] = {_PACKAGES[processor]: {"md5": md5}}
    english["packages"] = {"default": dict(packages), "compact": dict(packages)}
    english["default_processors"] = dict(packages)
    return {"en": english, "english": {"alias": "en"}}


def strip_optimizer_state(source: Path, target: Path) -> None:
    """Copy a Stanza model file, dropping any optimizer/scheduler state.

    Stanza 1.15's best-model files hold no optimizer state (only the parser's
    ``*_checkpoint.pt`` files do), so this is usually a plain copy; a file that has
    such keys is loaded and saved again without them, in Stanza's own legacy format.
    """
    import torch

    checkpoint = torch.load(source, map_location="cpu", weights_only=True)
    dropped = [k for k in checkpoint if "optimizer" in k or "scheduler" in k]
    if not dropped:
        shutil.copyfile(source, target)
        return
    for key in dropped:
        del checkpoint[key]
    torch.save(checkpoint, target, _use_new_zipfile_serialization=False)


# --------------------------------------------------------------------------- evaluation


def evaluate_pipeline(
    model_dir: Path,
    ud_dir: Path,
    *,
    treebanks: Sequence[str] = ("ewt", "gum"),
    max_sentences: int | None = None,
    threads: int = 2,
    work_dir: Path | None = None,
) -> dict[str, dict[str, float]]:
    """Score the full pipeline end to end on raw test text with the CoNLL 2018 scorer.

    For each treebank the gold test file is cleaned (`clean_conllu`) and turned into
    raw text by Stanza's ``conllu_to_text`` (paragraphs separated by blank lines, lines
    wrapped at 80 characters); the pipeline parses that text, tokens that Stanza
    replaced by ``<UNK>`` (longer than the tokenizer's ``max_seqlen``) get their raw
    text back, and ``udtools.udeval`` (Stanza 1.15's CoNLL 2018 scorer) compares the
    output with the gold file.

    Args:
        model_dir: Folder written by `train_pipeline`.
        ud_dir: Folder with ``en_<treebank>-ud-test.conllu``.
        treebanks: Which test sets.
        max_sentences: Score only the first N test sentences (for smoke tests).
        threads: Torch threads while parsing (the speed is measured with these).
        work_dir: Where the gold, text and system files are written; default a
            temporary folder that is removed.

    Returns:
        ``{treebank: {metric: F1 in percent, ..., "words": n, "seconds": s,
        "words_per_second": w}}`` with the metrics of `SCORE_METRICS`.
    """
    import tempfile

    import stanza
    import torch

    nlp = stanza.Pipeline(
        "en",
        dir=str(model_dir),
        download_method=None,
        processors=",".join(COMPONENTS),
        use_gpu=False,
        logging_level="WARN",
    )
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = work_dir if work_dir is not None else Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            return {
                name: _evaluate_treebank(
                    nlp, _ud_file(ud_dir, name, "test"), folder / name, max_sentences=max_sentences
                )
                for name in treebanks
            }
    finally:
        torch.set_num_threads(previous_threads)


def _evaluate_treebank(
    nlp: Any, gold_source: Path, folder: Path, *, max_sentences: int | None
) -> dict[str, float]:
    """Parse one test set's raw text with `nlp` and score it against the cleaned gold file."""
    from stanza.utils.conll import CoNLL
    from stanza.utils.datasets.conllu_to_text import convert_text
    from udtools import udeval

    folder.mkdir(parents=True, exist_ok=True)
    gold, raw, system = folder / "gold.conllu", folder / "raw.txt", folder / "system.conllu"
    clean_conllu_file(gold_source, gold, max_sentences=max_sentences)
    convert_text(str(gold), str(raw))
    text = raw.read_text(encoding="utf-8")

    nlp(text[:2000])  # warm-up, so that one-time initialisation is not timed
    started = time.perf_counter()
    doc = nlp(text)
    seconds = time.perf_counter() - started
    _restore_raw_token_text(doc, text)
    CoNLL.write_doc2conll(doc, str(system))

    evaluation = udeval.evaluate(udeval.load_conllu_file(str(gold)), udeval.load_conllu_file(str(system)))
    scores = {metric: 100 * evaluation[metric].f1 for metric in SCORE_METRICS}
    scores["words"] = float(doc.num_words)
    scores["seconds"] = seconds
    scores["words_per_second"] = doc.num_words / seconds if seconds > 0 else 0.0
    return scores


def _restore_raw_token_text(doc: Any, text: str) -> None:
    """Give back their raw text to tokens Stanza renamed (``<UNK>`` for over-long tokens).

    The scorer requires the system tokens to spell the gold text; ``start_char`` and
    ``end_char`` still point at the raw text. Line breaks inside a token (a weak
    tokenizer can make one across a wrapped line) become spaces, since a CoNLL-U line
    cannot hold them and the scorer ignores spaces.
    """
    for sentence in doc.sentences:
        for token in sentence.tokens:
            raw = re.sub(r"\s", " ", text[token.start_char : token.end_char])
            if token.text != raw:
                token.text = raw
                if len(token.words) == 1:
                    token.words[0].text = raw


# --------------------------------------------------------------------------- model card


def write_model_card(report: TrainingReport, scores: dict[str, dict[str, float]], path: Path) -> None:
    """Write a markdown model card: data, arguments, time per run, scores, size, speed.

    Args:
        report: From `train_pipeline`.
        scores: From `evaluate_pipeline`.
        path: The markdown file to write (e.g. ``<out_dir>/README.md``); ``scores.json``
            (`write_scores_json`) is written next to it.
    """
    path.write_text("\n".join(_model_card_lines(report, scores)) + "\n", encoding="utf-8")
    write_scores_json(report, scores, path.with_name(SCORES_FILE))


def write_scores_json(report: TrainingReport, scores: dict[str, dict[str, float]], path: Path) -> None:
    """Write the model card's figures as JSON, for `quotes models info` and the project's report.

    The file holds ``scores`` (as returned by `evaluate_pipeline`) and ``training``: total
    seconds, every Stanza run (arguments, time, best dev score), the configuration, data
    counts, the shipped files with their sizes, and the Stanza and torch versions.

    Args:
        report: From `train_pipeline`.
        scores: From `evaluate_pipeline`.
        path: The JSON file to write (usually ``<out_dir>/scores.json``).
    """
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("stanza", "torch"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    training = {
        "seconds": report.seconds,
        "runs": [run.to_json() for run in report.runs],
        "config": dataclasses.asdict(report.config),
        "counts": dict(report.counts),
        "files": dict(report.files),
        "total_bytes": report.total_bytes,
        "versions": versions,
    }
    data = {"scores": scores, "training": training}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _model_card_lines(report: TrainingReport, scores: dict[str, dict[str, float]]) -> list[str]:
    """Return the model card as markdown lines."""
    counts = report.counts
    lines = [
        "# English Stanza pipeline for `quotes` (EWT+GUM combined, no pretrained vectors)",
        "",
        "Trained by `quotes.training.train_pipeline` with Stanza's own trainers "
        "(tokenize, mwt, pos, lemma, depparse); no pretrained word vectors, no charlm, no transformer.",
        "",
        "```python",
        "import stanza",
        f'nlp = stanza.Pipeline("en", dir="{report.out_dir}", download_method=None)',
        "```",
        "",
        "## Data",
        "",
        f"- train: UD English-EWT train ({counts.get('ewt.train', 0):,} sentences) + "
        f"GUM train ({counts.get('gum.train', 0):,}) = {counts.get('combined.train', 0):,} sentences;",
        f"- dev (model selection for every component): EWT dev ({counts.get('ewt.dev', 0):,} sentences);",
        f"- lemmatizer: {counts.get('lemma.train', 0):,} deduplicated (form, UPOS) entries;",
        "- cleaning: only `sent_id`/`text`/`newdoc`/`newpar` comments, no empty nodes, DEPS `_`, "
        "MISC reduced to `SpaceAfter=No`;",
        "- tokenizer train data punctuation-augmented (`augment_punct`); the parser is fine-tuned on "
        "train/dev re-tagged by the trained tagger.",
        "",
        "## Training runs",
        "",
        f"Total wall-clock: {report.seconds / 60:.1f} min (data preparation included); the runs "
        f"below add up to {sum(r.seconds for r in report.runs) / 60:.1f} min, as up to `jobs` of "
        "them run side by side. A run resumed with `--resume` counts only what ran after the "
        "interruption: the stages that had finished keep their recorded times, and a parser "
        "resumed from its checkpoint counts only the steps after it.",
        "",
        "| run | module | threads | minutes | best dev |",
        "|---|---|---:|---:|---:|",
    ]
    for run in report.runs:
        dev = f"{run.dev_score:.2f}" if run.dev_score is not None else "–"
        lines.append(f"| {run.name} | `{run.module}` | {run.threads} | {run.seconds / 60:.1f} | {dev} |")
    lines += [
        "",
        "Dev scores are Stanza's own: tokenizer score, MWT/lemma F1, tagger AllTags, parser LAS "
        "(gold tags for `depparse-gold`, re-tagged dev for `depparse-retagged`); `retag` is the "
        "tagger's AllTags on EWT dev.",
        "",
        "### Arguments",
        "",
    ]
    for run in report.runs:
        how = f"`python -m {run.module}`"
        if run.started_from:
            how += f", started from `{run.started_from}` by `quotes.training.continue_training`"
        lines += [f"`{run.name}`: {how}", "```", " ".join(run.argv), "```", ""]
    lines += _score_lines(scores)
    lines += ["", "## Size", "", "| file | bytes |", "|---|---:|"]
    lines += [f"| `{name}` | {size:,} |" for name, size in report.files.items()]
    lines += [f"| total | {report.total_bytes:,} ({report.total_bytes / 2**20:.1f} MiB) |", ""]
    lines += ["## Configuration", "", "```", json.dumps(dataclasses.asdict(report.config), indent=1), "```"]
    return lines


def _score_lines(scores: dict[str, dict[str, float]]) -> list[str]:
    """Return the end-to-end score and speed tables of the model card."""
    treebanks = list(scores)
    lines = [
        "## Scores (raw text → full pipeline, CoNLL 2018 scorer, F1)",
        "",
        "| metric | " + " | ".join(f"{t.upper()} test" for t in treebanks) + " |",
        "|---|" + "---:|" * len(treebanks),
    ]
    for metric in SCORE_METRICS:
        lines.append(f"| {metric} | " + " | ".join(f"{scores[t][metric]:.2f}" for t in treebanks) + " |")
    lines += ["", "## Speed (CPU, 2 threads)", "", "| test set | words | seconds | words/s |"]
    lines.append("|---|---:|---:|---:|")
    for t in treebanks:
        words, seconds, speed = scores[t]["words"], scores[t]["seconds"], scores[t]["words_per_second"]
        lines.append(f"| {t.upper()} | {words:,.0f} | {seconds:.1f} | {speed:,.0f} |")
    return lines
