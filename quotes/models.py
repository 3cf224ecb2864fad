"""The Stanza models `quotes` parses with: train, download, describe, measure and report.

`quotes` needs an English Stanza pipeline (tokenize, mwt, pos, lemma, depparse). Which
one it loads is decided by `quotes.parse.find_models`, in this order:

1. ``--models DIR`` (a folder, or ``official``), else the ``QUOTES_MODELS`` variable;
2. the models shipped in the repository, ``data/models/stanza-en``.

``official`` means Stanza's own English models, fetched once by `download` into Stanza's
resources folder (the only step that uses the network). The shipped models are built
by `train` (the recipe in `quotes.training`), which also writes a model card
(``README.md``) and its machine-readable twin (``scores.json``) into the model folder;
`describe` reads those back, and `write_models_report` turns them into
``reports/models.md`` together with a speed measurement from `measure_speed`.

The CLI's ``quotes models`` commands are thin wrappers around these functions.
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quotes.errors import ModelError
from quotes.parse import PROCESSORS, SHIPPED_MODELS, find_models, official_models_dir

if TYPE_CHECKING:
    from quotes.parse import StanzaParser
    from quotes.training import TrainingReport

__all__ = [
    "KEY_METRICS",
    "backfill_scores_json",
    "ModelFile",
    "ModelInfo",
    "Speed",
    "TrainResult",
    "describe",
    "download",
    "format_info",
    "measure_speed",
    "model_files",
    "optimizer_keys",
    "parse_model_card",
    "read_scores",
    "train",
    "write_models_report",
]

SCORES_FILE = "scores.json"
"""Written next to the model card by `quotes.training.write_model_card`."""

CARD_FILE = "README.md"
"""The model card inside a model folder."""

KEY_METRICS: tuple[str, ...] = ("Tokens", "Sentences", "UPOS", "Lemmas", "UAS", "LAS")
"""The CoNLL 2018 scores the project's model report leads with."""

UD_FILES: tuple[str, ...] = tuple(
    f"en_{treebank}-ud-{split}.conllu" for treebank in ("ewt", "gum") for split in ("train", "dev", "test")
)
"""The Universal Dependencies files `train` needs in its data folder."""


# --------------------------------------------------------------------------- describing


@dataclass(frozen=True)
class ModelFile:
    """One model file the pipeline loads.

    Attributes:
        processor: The Stanza processor (``pos``), or the kind of dependency
            (``pretrain``, ``forward_charlm``) for files other models need.
        package: The Stanza package name (``combined_nocharlm``).
        path: The file, relative to the model folder.
        bytes: Its size, or ``None`` when the file is missing.
        needed_by: For a dependency, the processor that needs it.
    """

    processor: str
    package: str
    path: Path
    bytes: int | None
    needed_by: str | None = None


@dataclass(frozen=True)
class ModelInfo:
    """Which models `quotes` would load, and what is known about them.

    Attributes:
        dir: The model folder.
        name: ``shipped``, ``official`` or the folder as given.
        source: ``--models``, ``QUOTES_MODELS`` or ``shipped``.
        reason: Why this folder was chosen, in words.
        files: The files the pipeline loads (see `model_files`).
        scores: ``{treebank: {metric: value}}`` from ``scores.json`` or the model card;
            empty when neither has any.
        scores_from: The file the scores were read from, if any.
        training_seconds: Wall-clock training time, when the model card records it.
    """

    dir: Path
    name: str
    source: str
    reason: str
    files: tuple[ModelFile, ...]
    scores: dict[str, dict[str, float]]
    scores_from: Path | None
    training_seconds: float | None

    @property
    def total_bytes(self) -> int:
        """Total size of the files present."""
        return sum(f.bytes or 0 for f in self.files)

    @property
    def missing(self) -> list[ModelFile]:
        """Files that resources.json lists but the folder lacks."""
        return [f for f in self.files if f.bytes is None]


def describe(models: str | os.PathLike[str] | None = None) -> ModelInfo:
    """Say which models `quotes` would load for `models`, and read their files and scores.

    Nothing is loaded: only ``resources.json``, file sizes and the model card are read.

    Args:
        models: As for `quotes.parse.find_models`: a folder, ``"official"``, or None for
            ``QUOTES_MODELS`` and then the shipped models.

    Raises:
        ModelError: No model folder can be found, or the chosen one is not a Stanza
            model folder (the message says which and how to get one).
    """
    spec = find_models(models)
    if models is not None:
        source, reason = "--models", f"given with --models {models}"
    elif os.environ.get("QUOTES_MODELS"):
        source, reason = "QUOTES_MODELS", f"given by QUOTES_MODELS={os.environ['QUOTES_MODELS']}"
    else:
        source = "shipped"
        reason = f"no --models and no QUOTES_MODELS, so the models shipped in {_display(SHIPPED_MODELS)}"
    folder = spec.dir if spec.dir is not None else official_models_dir()
    if spec.name == "official":
        reason += f"; 'official' means Stanza's downloaded models in {folder}"
    scores, scores_from, seconds = read_scores(folder)
    return ModelInfo(
        dir=folder,
        name=spec.name,
        source=source,
        reason=reason,
        files=model_files(folder),
        scores=scores,
        scores_from=scores_from,
        training_seconds=seconds,
    )


def model_files(model_dir: Path) -> tuple[ModelFile, ...]:
    """List the files Stanza loads from a model folder for the processors `quotes` uses.

    The packages come from ``resources.json`` (the ``default_processors`` of English,
    as Stanza resolves them), plus the files they depend on (pretrained word vectors,
    character language models), which Stanza's official models have and ours do not.
    A processor with no package is left out when it is ``mwt`` (a model without
    multi-word tokens needs none) and listed as missing otherwise.

    Raises:
        ModelError: ``resources.json`` is missing or is not JSON.
    """
    english = _english_resources(model_dir)
    defaults = english.get("default_processors") or english.get("packages", {}).get("default", {})
    files: list[ModelFile] = []
    seen: set[Path] = set()
    for processor in PROCESSORS:
        package = defaults.get(processor)
        if package is None:
            if processor != "mwt":
                files.append(ModelFile(processor, "(none in resources.json)", Path("en", processor), None))
            continue
        files.append(_model_file(model_dir, processor, package))
        seen.add(files[-1].path)
        entry = english.get(processor, {}).get(package, {})
        for dependency in entry.get("dependencies", []) if isinstance(entry, dict) else []:
            needed = _model_file(model_dir, dependency["model"], dependency["package"], needed_by=processor)
            if needed.path not in seen:
                seen.add(needed.path)
                files.append(needed)
    return tuple(files)


def _english_resources(model_dir: Path) -> dict[str, Any]:
    path = model_dir / "resources.json"
    try:
        resources = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{model_dir} has no resources.json: it is not a Stanza model folder") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is not valid JSON: {exc}") from None
    english = resources.get("en", {})
    if "alias" in english:
        english = resources.get(english["alias"], {})
    if not english:
        raise ModelError(f"{path} has no English ('en') entry")
    return english


def _model_file(model_dir: Path, processor: str, package: str, *, needed_by: str | None = None) -> ModelFile:
    relative = Path("en", processor, f"{package}.pt")
    path = model_dir / relative
    size = path.stat().st_size if path.is_file() else None
    return ModelFile(processor, package, relative, size, needed_by)


def read_scores(model_dir: Path) -> tuple[dict[str, dict[str, float]], Path | None, float | None]:
    """Read a model folder's scores: ``scores.json`` if present, else its ``README.md``.

    ``scores.json`` is written by `quotes.training.write_model_card`; the README of a
    model folder trained before it existed (or the bootstrap model's hand-written one)
    is parsed by `parse_model_card`. A missing or unreadable file is not an error.

    Returns:
        ``(scores, file they came from, training seconds)``; ``({}, None, None)`` when
        neither file has any.
    """
    json_file = model_dir / SCORES_FILE
    if json_file.is_file():
        try:
            data = json.loads(json_file.read_text(encoding="utf-8"))
            seconds = (data.get("training") or {}).get("seconds")
            return dict(data["scores"]), json_file, seconds
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
            pass  # fall back to the card
    card = model_dir / CARD_FILE
    if card.is_file():
        scores, seconds = parse_model_card(card.read_text(encoding="utf-8", errors="replace"))
        if scores or seconds is not None:
            return scores, card, seconds
    return {}, None, None


def _training_time(model_dir: Path, seconds: float) -> str:
    """The wall-clock training time, and the sum of the runs' times when that says more:
    runs go two at a time, and a resumed run's wall clock covers only the resumed part."""
    text = f"{seconds / 3600:.2f} h wall clock"
    try:
        runs = json.loads((model_dir / SCORES_FILE).read_text(encoding="utf-8"))["training"]["runs"]
        total = sum(float(run["seconds"]) for run in runs)
    except (OSError, ValueError, KeyError, TypeError):
        return text
    if total > 1.1 * seconds:
        text += f" for the last run; its stages' runs add up to {total / 3600:.2f} h (see the model card)"
    return text


_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_WALL_CLOCK = re.compile(r"Total wall-clock:\s*([0-9.,]+)\s*min")


def parse_model_card(text: str) -> tuple[dict[str, dict[str, float]], float | None]:
    """Read the scores out of a markdown model card.

    Reads the first table whose header is ``| metric | EWT test | GUM test |`` (any
    test sets; CoNLL 2018 metric rows such as ``| LAS | 75.46 | 77.92 |``), the speed
    table ``| test set | words | seconds | words/s |`` of cards written by
    `quotes.training.write_model_card`, and its ``Total wall-clock: N min`` line.

    Returns:
        ``({treebank: {metric: value}}, training seconds or None)``; treebanks are
        lower case (``ewt``); speed rows add ``words``, ``seconds`` and
        ``words_per_second``.

    Examples:
        >>> card = "| metric | EWT test |\\n|---|---:|\\n| LAS | 75.46 |\\n"
        >>> parse_model_card(card)
        ({'ewt': {'LAS': 75.46}}, None)
    """
    from quotes.training import SCORE_METRICS

    scores: dict[str, dict[str, float]] = {}
    metrics_read = False
    for header, rows in _tables(text.splitlines()):
        first = header[0].lower()
        if first == "metric" and not metrics_read:
            metrics_read = True
            treebanks = [cell.split()[0].lower() if cell.split() else "" for cell in header[1:]]
            for row in rows:
                if row[0] in SCORE_METRICS:
                    for treebank, cell in zip(treebanks, row[1:], strict=False):
                        value = _number(cell)
                        if treebank and value is not None:
                            scores.setdefault(treebank, {})[row[0]] = value
        elif first == "test set" and [c.lower() for c in header[1:4]] == ["words", "seconds", "words/s"]:
            for row in rows:
                values = [_number(cell) for cell in row[1:4]]
                if len(values) == 3 and None not in values:
                    entry = scores.setdefault(row[0].lower(), {})
                    entry["words"], entry["seconds"], entry["words_per_second"] = values
    match = _WALL_CLOCK.search(text)
    seconds = float(match.group(1).replace(",", "")) * 60 if match else None
    return scores, seconds


def _tables(lines: Sequence[str]) -> list[tuple[list[str], list[list[str]]]]:
    """Split markdown lines into (header cells, body rows) of each pipe table."""
    tables: list[tuple[list[str], list[list[str]]]] = []
    current: list[list[str]] = []
    for line in [*lines, ""]:
        match = _ROW.match(line)
        if match:
            current.append([cell.strip().strip("*`") for cell in match.group(1).split("|")])
            continue
        if len(current) >= 2 and set("".join(current[1])) <= set("-: "):
            tables.append((current[0], current[2:]))
        current = []
    return tables


def _number(cell: str) -> float | None:
    try:
        return float(cell.replace(",", "").strip("*~ "))
    except ValueError:
        return None


def format_info(info: ModelInfo) -> list[str]:
    """Render `describe`'s answer as the lines ``quotes models info`` prints."""
    lines = [
        f"models: {info.dir}",
        f"  why: {info.reason}",
        "  order: --models DIR or QUOTES_MODELS, then the shipped data/models/stanza-en; "
        "'official' = Stanza's downloaded models",
        "",
        "files:",
    ]
    for f in info.files:
        role = f.processor if f.needed_by is None else f"{f.processor} (for {f.needed_by})"
        size = _megabytes(f.bytes) if f.bytes is not None else "MISSING"
        lines.append(f"  {role:<26} {str(f.path):<40} {size:>10}")
    total = f"{_megabytes(info.total_bytes)} ({info.total_bytes / 2**20:.1f} MiB)"
    lines.append(f"  {'total':<26} {'':<40} {total}")
    lines.append("")
    if not info.scores:
        lines.append(f"scores: none recorded ({info.dir / SCORES_FILE} and {CARD_FILE} have none)")
    else:
        lines += _score_table(info.scores, info.scores_from)
    if info.training_seconds is not None:
        lines.append(f"training time: {_training_time(info.dir, info.training_seconds)}")
    if info.missing:
        names = ", ".join(str(f.path) for f in info.missing)
        lines.append(f"warning: missing files: {names}; the pipeline will not load")
    return lines


def _score_table(scores: dict[str, dict[str, float]], source: Path | None) -> list[str]:
    from quotes.training import SCORE_METRICS

    treebanks = list(scores)
    lines = [f"scores (raw text -> full pipeline, CoNLL 2018 F1; from {source}):"]
    lines.append(f"  {'metric':<10}" + "".join(f"{t.upper() + ' test':>11}" for t in treebanks))
    for metric in SCORE_METRICS:
        if any(metric in scores[t] for t in treebanks):
            cells = "".join(
                f"{scores[t][metric]:>11.2f}" if metric in scores[t] else f"{'-':>11}" for t in treebanks
            )
            lines.append(f"  {metric:<10}{cells}")
    if any("words_per_second" in scores[t] for t in treebanks):
        cells = "".join(f"{scores[t].get('words_per_second', 0):>11,.0f}" for t in treebanks)
        lines.append(f"  {'words/s':<10}{cells}")
    return lines


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _display(path: Path) -> str:
    """`path` relative to the working folder when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- downloading


def download(model_dir: str | os.PathLike[str] | None = None) -> Path:
    """Fetch Stanza's official English models with Stanza's own ``stanza.download``.

    Downloads the default English packages of the processors `quotes` uses (tokenize,
    mwt, pos, lemma, depparse) and what they depend on (word vectors, character
    language models). This is the one place `quotes` uses the network.

    Args:
        model_dir: Where to put them; default Stanza's resources folder
            (`quotes.parse.official_models_dir`), which ``--models official`` loads.
            Any other folder is loaded with ``--models DIR``.

    Returns:
        The folder the models are in.

    Raises:
        ModelError: The download failed; a missing network is said in one line.
    """
    import stanza

    target = Path(model_dir).expanduser() if model_dir is not None else official_models_dir()
    existed = target.exists()
    try:
        stanza.download(
            "en",
            model_dir=str(target),
            package="default",
            processors=",".join(PROCESSORS),
            logging_level="WARN",
        )
    except Exception as exc:  # requests, huggingface_hub and Stanza raise many kinds
        if not existed and target.is_dir() and not any(target.iterdir()):
            target.rmdir()
        if _is_network_error(exc):
            raise ModelError(
                f"cannot download Stanza's English models: no network connection ({type(exc).__name__}). "
                "`quotes` works offline with its shipped models; use --models DIR for others."
            ) from exc
        raise ModelError(f"downloading Stanza's English models into {target} failed: {exc}") from exc
    return target


def _is_network_error(exc: BaseException) -> bool:
    """Whether `exc`, or an exception it was raised from, says the network is unreachable."""
    kinds: list[type[BaseException]] = [ConnectionError, TimeoutError, socket.gaierror]
    try:
        import requests

        kinds += [requests.exceptions.ConnectionError, requests.exceptions.Timeout]
    except ImportError:
        pass
    try:
        import httpx

        kinds.append(httpx.TransportError)
    except ImportError:
        pass
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, tuple(kinds)):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


# --------------------------------------------------------------------------- training


@dataclass(frozen=True)
class TrainResult:
    """What `train` did.

    Attributes:
        report: From `quotes.training.train_pipeline`.
        scores: From `quotes.training.evaluate_pipeline` (EWT and GUM test).
        card: The model card written into the model folder.
        scores_file: Its machine-readable twin (``scores.json``).
    """

    report: TrainingReport
    scores: dict[str, dict[str, float]]
    card: Path
    scores_file: Path


def train(
    ud_dir: Path,
    out_dir: Path,
    *,
    quick: bool = False,
    work_dir: Path | None = None,
    jobs: int = 2,
    resume: bool = False,
) -> TrainResult:
    """Train the English pipeline, score it on EWT and GUM test, and write its model card.

    Runs `quotes.training.train_pipeline` (the full recipe, or `TrainingConfig.quick`
    for a smoke test), then `quotes.training.evaluate_pipeline` and
    `quotes.training.write_model_card` (``README.md`` and ``scores.json`` in `out_dir`).

    Args:
        ud_dir: Folder with ``en_{ewt,gum}-ud-{train,dev,test}.conllu``.
        out_dir: The model folder to write (``data/models/stanza-en`` to ship it).
        quick: Train the tiny smoke-test recipe (minutes, useless models) and score it
            on the first 100 test sentences only.
        work_dir: Data, raw models and logs (default ``<out_dir>-work``).
        jobs: Stanza runs at the same time (one thread each).
        resume: Skip the stages an interrupted run in `work_dir` finished.

    Raises:
        ModelError: `ud_dir` lacks a UD file, or a Stanza run failed.
    """
    from quotes import training

    if not ud_dir.is_dir():
        raise ModelError(f"UD data folder {ud_dir} does not exist")
    missing = [name for name in UD_FILES if not (ud_dir / name).is_file()]
    if missing:
        raise ModelError(f"{ud_dir} lacks the UD English files {', '.join(missing)}")
    if jobs < 1:
        raise ModelError("--jobs must be at least 1")
    config = training.TrainingConfig.quick() if quick else training.TrainingConfig.default()
    report = training.train_pipeline(
        ud_dir, out_dir, config=config, jobs=jobs, work_dir=work_dir, resume=resume
    )
    scores = training.evaluate_pipeline(out_dir, ud_dir, max_sentences=100 if quick else None)
    card = out_dir / CARD_FILE
    training.write_model_card(report, scores, card)
    return TrainResult(report=report, scores=scores, card=card, scores_file=card.with_name(SCORES_FILE))


def backfill_scores_json(model_dir: Path, work_dir: Path) -> Path:
    """Write ``scores.json`` for a model folder whose card was written before it existed.

    Rebuilds the training summary from what the run left behind - the runs recorded in
    ``work_dir/models/*.done``, the data counts of ``work_dir/data``, the configuration
    and wall-clock time printed in the card, the files in the folder - and takes the
    scores from the card's tables (two decimals, as printed). Nothing is re-trained or
    re-scored.

    Args:
        model_dir: The model folder with its ``README.md`` card.
        work_dir: The training run's work folder (``--work-dir``).

    Returns:
        The ``scores.json`` written.

    Raises:
        ModelError: The card has no scores or configuration, or the work folder no runs.
    """
    from quotes import training

    card_path = model_dir / CARD_FILE
    if not card_path.is_file():
        raise ModelError(f"{model_dir} has no {CARD_FILE} to read the scores from")
    card = card_path.read_text(encoding="utf-8")
    scores, seconds = parse_model_card(card)
    config_block = re.search(r"## Configuration\s*```\s*(\{.*?\})\s*```", card, re.DOTALL)
    if not scores or seconds is None or config_block is None:
        raise ModelError(
            f"{card_path} is not a card written by the recipe (no scores, time or configuration)"
        )
    config_data = json.loads(config_block.group(1))
    config_data["components"] = tuple(config_data["components"])
    config = training.TrainingConfig(**config_data)
    markers = sorted((work_dir / "models").glob("*.done"), key=lambda m: m.stat().st_mtime)  # finish order
    if not markers:
        raise ModelError(f"{work_dir / 'models'} holds no finished runs (*.done)")
    runs = [
        training.RunResult.from_json(run)
        for marker in markers
        for run in json.loads(marker.read_text("utf-8"))
    ]
    clean = work_dir / "data" / "clean"
    counts = {
        f"{treebank}.{split}": training.count_sentences(clean / f"{treebank}.{split}.conllu")
        for treebank in ("ewt", "gum")
        for split in ("train", "dev", "test")
        if (clean / f"{treebank}.{split}.conllu").is_file()
    }
    counts["combined.train"] = counts.get("ewt.train", 0) + counts.get("gum.train", 0)
    lemma = work_dir / "data" / "lemma" / f"{training.SHORTHAND}.train.dedup.conllu"
    if lemma.is_file():
        counts["lemma.train"] = training.count_sentences(lemma)
    report = training.TrainingReport(
        config=config,
        out_dir=model_dir,
        work_dir=work_dir,
        runs=tuple(runs),
        seconds=seconds,
        files={str(f.path): f.bytes for f in model_files(model_dir) if f.bytes is not None},
        counts=counts,
    )
    path = model_dir / SCORES_FILE
    training.write_scores_json(report, scores, path)
    return path


# --------------------------------------------------------------------------- speed and report


@dataclass(frozen=True)
class Speed:
    """A parsing speed measurement.

    Attributes:
        words: Words (non-whitespace tokens, punctuation included) per pass.
        seconds: Median wall-clock time of one pass over the texts.
        runs: Every pass's time.
        threads: Torch threads used.
        texts: How many texts.
        machine: The machine, in words.
        load: The 1-minute load average just before measuring (other work slows the
            measurement down; on an idle machine it is near 0).
    """

    words: int
    seconds: float
    runs: tuple[float, ...]
    threads: int
    texts: int
    machine: str
    load: float = 0.0

    @property
    def words_per_second(self) -> float:
        """Words parsed per second (median pass)."""
        return self.words / self.seconds if self.seconds > 0 else 0.0


def measure_speed(
    models: str | os.PathLike[str] | StanzaParser | None,
    texts: Sequence[str],
    *,
    threads: int = 2,
    repeats: int = 3,
) -> Speed:
    """Measure how fast `quotes` parses `texts`: Stanza plus the spaCy Doc conversion.

    The parser is loaded first (not timed) and warmed up on the first text, then the
    texts are parsed `repeats` times; the median pass is reported. Measure on an
    otherwise idle machine: other busy processes slow it down.

    Args:
        models: A model folder, ``"official"``, None (resolution order), or a loaded
            `quotes.parse.StanzaParser`.
        texts: The texts, e.g. the seed articles.
        threads: Torch threads while parsing.
        repeats: Timed passes.
    """
    import torch

    from quotes.parse import StanzaParser

    if not texts:
        raise ValueError("measure_speed needs at least one text")
    parser = models if isinstance(models, StanzaParser) else StanzaParser(models)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        list(parser.pipe(texts[:1]))
        runs = []
        words = 0
        for _ in range(max(repeats, 1)):
            started = time.perf_counter()
            docs = list(parser.pipe(texts))
            runs.append(time.perf_counter() - started)
            words = sum(1 for doc in docs for token in doc if not token.is_space)
    finally:
        torch.set_num_threads(previous)
    machine = f"{os.cpu_count()} CPU cores, {platform.machine()}, {platform.processor() or platform.system()}"
    return Speed(
        words=words,
        seconds=statistics.median(runs),
        runs=tuple(runs),
        threads=threads,
        texts=len(texts),
        machine=machine,
        load=load,
    )


def write_models_report(
    model_dir: Path,
    path: Path,
    *,
    speed: Speed | None = None,
    baseline: Path | None = None,
    reproduction: Path | None = None,
    command: str = "quotes models train ../shared/data/ud --out data/models/stanza-en",
) -> str:
    """Write the project's model report (``reports/models.md``) for a model folder.

    The report leads with the figures the project tracks - tokens, sentences, UPOS,
    lemma, UAS and LAS on EWT test and GUM test, training time, size and parsing
    speed - next to a `baseline` model's scores when one is given (the bootstrap
    model), and then includes the folder's own model card (written by
    `quotes.training.write_model_card`: data, arguments of every run, dev scores,
    configuration), so that nothing is written twice.

    Args:
        model_dir: The model folder (``resources.json``, ``scores.json``/``README.md``).
        path: The markdown file to write.
        speed: From `measure_speed`, if measured.
        baseline: Another model folder to compare with (its scores only).
        reproduction: A second run of the same recipe, to show how closely it reproduces
            the scores (the recipe promises LAS within one point).
        command: How the models were trained, for the reader.

    Returns:
        The markdown written.
    """
    files = model_files(model_dir)
    scores, scores_from, seconds = read_scores(model_dir)
    base_scores = read_scores(baseline)[0] if baseline is not None else {}
    total = sum(f.bytes or 0 for f in files)
    lines = [
        "# Models: the English Stanza pipeline shipped with `quotes`",
        "",
        f"Folder: `{_display(model_dir)}` (Stanza resources layout: `resources.json` + `en/<processor>/`). "
        "`quotes` loads it offline unless `--models DIR` or `QUOTES_MODELS` names another folder.",
        "",
        f"Recipe: `{command}` (the code is `quotes/training.py`).",
        "",
        "## Summary",
        "",
    ]
    lines += _summary_table(scores, base_scores, baseline)
    lines += [""]
    if seconds is not None:
        lines.append(f"- training time: {_training_time(model_dir, seconds)}")
    leftovers = {
        str(f.path): keys
        for f in files
        if f.bytes is not None and (keys := optimizer_keys(model_dir / f.path))
    }
    state = "no optimizer state" if not leftovers else f"OPTIMIZER STATE LEFT IN {leftovers}"
    lines.append(f"- size: {total:,} bytes ({total / 2**20:.1f} MiB) in {len(files)} files, {state}")
    if speed is not None:
        lines.append(
            "- parsing speed with `quotes` (Stanza + Doc conversion): "
            f"**{speed.words_per_second:,.0f} words/s** "
            f"({speed.words:,} words in {speed.texts} texts, median of {len(speed.runs)} passes, "
            f"{speed.threads} torch threads; {speed.machine}; load average {speed.load:.1f} before)"
        )
    if scores_from is not None:
        lines.append(f"- scores read from `{_display(scores_from)}`")
    lines += ["", "| file | bytes |", "|---|---:|"]
    lines += [
        f"| `{f.path}` | {f.bytes:,} |" if f.bytes is not None else f"| `{f.path}` | missing |" for f in files
    ]
    if reproduction is not None:
        lines += [""] + reproduction_table(scores, reproduction, command)
    card = model_dir / CARD_FILE
    if card.is_file():
        lines += [
            "",
            "## Model card",
            "",
            f"The model folder's own card, `{_display(card)}`:",
            "",
        ]
        lines += _demote(card.read_text(encoding="utf-8"))
    text = "\n".join(lines).rstrip("\n") + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def optimizer_keys(path: Path) -> list[str]:
    """Return the optimizer/scheduler entries a saved Stanza model still holds (none, normally).

    `quotes.training.strip_optimizer_state` removes them when the recipe copies models
    into the model folder; the report checks each shipped file again.
    """
    import torch

    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle, zip and torch errors alike
        raise ModelError(f"{path} cannot be loaded as a Stanza model: {exc}") from exc
    if not isinstance(checkpoint, dict):
        return []
    return sorted(k for k in checkpoint if "optimizer" in k or "scheduler" in k)


def reproduction_table(scores: dict[str, dict[str, float]], rerun: Path, command: str) -> list[str]:
    """A report section comparing the models' scores with those of a second run of the recipe."""
    again, _, seconds = read_scores(rerun)
    treebanks = [t for t in ("ewt", "gum") if t in scores and t in again]
    lines = [
        "## Reproducibility",
        "",
        f"The recipe (`{command}`) run again from scratch into `{_display(rerun)}`"
        + (f" ({seconds / 60:.0f} min wall clock)" if seconds else "")
        + ", against the shipped models (CoNLL 2018 scorer, F1):",
        "",
        "| metric | " + " | ".join(f"{t.upper()} shipped | {t.upper()} again | Δ" for t in treebanks) + " |",
        "|---|" + "---:|---:|---:|" * len(treebanks),
    ]
    for metric in KEY_METRICS:
        cells = []
        for t in treebanks:
            a, b = scores[t].get(metric), again[t].get(metric)
            cells += (
                [f"{a:.2f}", f"{b:.2f}", f"{b - a:+.2f}"] if a is not None and b is not None else ["–"] * 3
            )
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    gaps = [
        abs(again[t]["LAS"] - scores[t]["LAS"]) for t in treebanks if "LAS" in scores[t] and "LAS" in again[t]
    ]
    if gaps:
        verdict = "within" if max(gaps) <= 1.0 else "NOT within"
        lines += ["", f"Largest LAS difference: {max(gaps):.2f} points, {verdict} one LAS point."]
    return lines


def _summary_table(
    scores: dict[str, dict[str, float]], base: dict[str, dict[str, float]], baseline: Path | None
) -> list[str]:
    treebanks = [t for t in ("ewt", "gum") if t in scores] + [t for t in scores if t not in ("ewt", "gum")]
    columns = [(t, f"{t.upper()} test", scores) for t in treebanks]
    if baseline is not None:
        columns += [(t, f"{t.upper()} test, baseline", base) for t in treebanks if t in base]
    if not columns:
        return ["No scores recorded for these models (no `scores.json`, no score table in `README.md`)."]
    lines = [
        "End to end on raw text (CoNLL 2018 scorer, F1):",
        "",
        "| metric | " + " | ".join(title for _, title, _ in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for metric in KEY_METRICS:
        cells = [f"{table[t][metric]:.2f}" if metric in table.get(t, {}) else "–" for t, _, table in columns]
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    if baseline is not None:
        lines += ["", f"Baseline: `{_display(baseline)}`."]
    return lines


def _demote(markdown: str) -> list[str]:
    """Return a markdown document's lines with its title dropped and headings one level deeper."""
    lines = markdown.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    while lines and not lines[0].strip():
        lines = lines[1:]
    out = []
    fenced = False
    for line in lines:
        if line.startswith("```"):
            fenced = not fenced
        out.append("#" + line if line.startswith("#") and not fenced else line)
    return out
