"""Wire the stages together: read → parse → extract → resolve → store.

`process` turns texts into quotes in memory (the library entry point); `run` is the whole
job behind `quotes extract`: it reads every input, skips the articles the store already
holds with the same text, parses the rest in bulk (sorted by length, one loaded model per
process, ``workers`` processes), keeps going past bad articles (each becomes an error
record), checkpoints every few hundred articles (`quotes.checkpoint`) so an interrupted
run resumes where it stopped, and writes the store once at the end, atomically.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Literal

import polars as pl

from quotes import checkpoint, ingest, store
from quotes.errors import InputError, ModelError
from quotes.extract import extract_attributions
from quotes.model import Article, ArticleError, Quote, Speaker
from quotes.parse import StanzaParser
from quotes.registry import Registry, load_registry
from quotes.resolve import link_corpus, resolve_speakers

__all__ = ["ArticleResult", "ParserOptions", "RunSummary", "StageTimes", "extract_quotes", "process", "run"]

log = logging.getLogger(__name__)

Device = Literal["cpu", "cuda"]


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """What one article gave: its quotes and the speakers they resolve to."""

    article: Article
    quotes: list[Quote]
    speakers: list[Speaker]


@dataclass(slots=True)
class StageTimes:
    """Seconds spent in each stage (summed over worker processes for parse, extract, resolve).

    ``load`` is the wall-clock time spent loading the models (in parallel with several workers).
    """

    load: float = 0.0
    ingest: float = 0.0
    parse: float = 0.0
    extract: float = 0.0
    resolve: float = 0.0
    store: float = 0.0

    def add(self, other: StageTimes) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True)
class RunSummary:
    """The outcome of `run`, for the CLI's summary and for scripts."""

    articles: int = 0
    quotes: int = 0
    words: int = 0
    seconds: float = 0.0
    errors: list[ArticleError] = field(default_factory=list)
    out: Path | None = None
    kinds: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    resumed: int = 0
    workers: int = 1
    prune: bool = True
    stages: StageTimes = field(default_factory=StageTimes)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class ParserOptions:
    """How to load a `StanzaParser`, picklable so that worker processes load their own."""

    models: str | None = None
    device: Device = "cpu"
    prune: bool = True
    threads: int | None = None
    batch_size: int = 64

    def load(self) -> StanzaParser:
        if self.device not in ("cpu", "cuda"):
            raise ModelError(f"unknown device {self.device!r}; use cpu or cuda")
        if self.device == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise ModelError(
                    "--device cuda: torch sees no CUDA GPU here (no GPU, or a CPU-only torch build); "
                    "use --device cpu"
                )
        return StanzaParser(
            self.models,
            use_gpu=self.device == "cuda",
            batch_size=self.batch_size,
            prune=self.prune,
            threads=self.threads,
        )


def available_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def process(
    articles: Iterable[Article], parser: StanzaParser, *, times: StageTimes | None = None
) -> Iterator[ArticleResult | ArticleError]:
    """Parse, extract and resolve articles; a failing article becomes an `ArticleError`.

    Articles go through Stanza in batches (one loaded pipeline, paragraphs in bulk); give
    them sorted by length for the best batches. `times`, if given, collects the seconds
    spent per stage.
    """
    times = times if times is not None else StageTimes()
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= parser.batch_size:
            yield from _process_batch(batch, parser, times)
            batch = []
    if batch:
        yield from _process_batch(batch, parser, times)


def _process_batch(
    batch: list[Article], parser: StanzaParser, times: StageTimes
) -> Iterator[ArticleResult | ArticleError]:
    started = time.perf_counter()
    try:
        docs = list(parser.pipe(a.text for a in batch))
    except Exception:  # a batch failed: retry one by one so only the bad article is lost
        log.warning("batch of %d articles failed to parse; retrying one by one", len(batch))
        times.parse += time.perf_counter() - started
        for article in batch:
            yield from _process_one(article, parser, times)
        return
    times.parse += time.perf_counter() - started
    for article, doc in zip(batch, docs, strict=True):
        yield _analyse(article, doc, times)


def _process_one(
    article: Article, parser: StanzaParser, times: StageTimes
) -> Iterator[ArticleResult | ArticleError]:
    started = time.perf_counter()
    try:
        doc = parser(article.text)
    except Exception as exc:
        source = article.source or article.id
        message = f"{source}: parsing failed: {exc}"
        yield ArticleError(source=source, doc_id=article.id, stage="parse", message=message)
        return
    finally:
        times.parse += time.perf_counter() - started
    yield _analyse(article, doc, times)


def _analyse(article: Article, doc: object, times: StageTimes) -> ArticleResult | ArticleError:
    try:
        started = time.perf_counter()
        attributions = extract_attributions(doc)  # type: ignore[arg-type]
        middle = time.perf_counter()
        quotes, speakers = resolve_speakers(doc, attributions, doc_id=article.id)  # type: ignore[arg-type]
        times.extract += middle - started
        times.resolve += time.perf_counter() - middle
    except Exception as exc:  # a rule bug must not cost the rest of the batch
        log.exception("extraction failed for %s", article.id)
        return ArticleError(
            source=article.source or article.id,
            doc_id=article.id,
            stage="extract",
            message=f"{article.source or article.id}: extraction failed: {type(exc).__name__}: {exc}",
        )
    return ArticleResult(article=article, quotes=quotes, speakers=speakers)


def extract_quotes(text: str, *, parser: StanzaParser | None = None, doc_id: str = "text") -> list[Quote]:
    """Find the quotations of one text, speakers resolved.

    Examples:
        >>> parser = StanzaParser()  # doctest: +SKIP
        >>> extract_quotes('"We are ready," the minister said.', parser=parser)  # doctest: +SKIP
    """
    parser = parser or StanzaParser()
    result = next(process([Article(id=doc_id, text=text)], parser))
    if isinstance(result, ArticleError):
        raise RuntimeError(result.message)
    quotes, _ = link_corpus(result.quotes, result.speakers)  # the ids a store would give
    return quotes


def run(
    paths: Sequence[str | Path],
    *,
    out: str | Path,
    fmt: Literal["parquet", "jsonl"] = "parquet",
    models: str | Path | None = None,
    max_chars: int = 1_000_000,
    parser: StanzaParser | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
    device: Device = "cpu",
    prune: bool = True,
    incremental: bool = True,
    checkpoint_every: int = 500,
    engine: Literal["local", "ray"] = "local",
    ray_address: str | None = None,
    registry: Registry | str | Path | None = None,
) -> RunSummary:
    """Extract the quotations of every article under `paths` into the store at `out`.

    The store is the same whatever `workers` is: articles are batched the same way (sorted
    by length) and results are put back in input order before speakers are linked.

    Args:
        paths: Files (.txt, .jsonl, .html) and folders.
        out: The store folder; merged with what it already holds.
        fmt: parquet (default) or jsonl tables.
        models: The Stanza model folder (see `quotes.parse.find_models`).
        max_chars: Longer articles are rejected as errors.
        parser: A loaded parser to reuse (its models and pruning win; only with one worker).
        progress: Called with the number of characters of each article done (or skipped).
        workers: Processes that parse in parallel, each with its own loaded model and
            ``cores // workers`` torch threads.
        device: ``cpu``, or ``cuda`` to run Stanza on a GPU.
        prune: Parse in full only the sentences that can hold an attribution (`quotes.prune`).
        incremental: Skip the articles the store already holds with the same id and text.
        checkpoint_every: Checkpoint after this many articles (see `quotes.checkpoint`).
        engine: ``local`` (this machine, `workers` processes) or ``ray`` (a pool of
            `workers` Ray actors, see `quotes.distributed`); the store is the same.
        ray_address: The Ray cluster to join; None starts Ray on this machine.
        registry: A speaker registry (`quotes.registry`), or the YAML file of one: applied
            when speakers are linked, over the new articles and those already stored.

    `paths` and `out` may be object-store URIs (``s3://…``) that pyarrow understands:
    inputs with the ray engine, the store with either (worked on through a local copy).

    Returns:
        The run summary; bad articles are in `summary.errors` and in the store's errors table.
    """
    from quotes import distributed

    if distributed.is_uri(out):
        with store.remote_store(str(out)) as local:
            summary = run(
                paths, out=local, fmt=fmt, models=models, max_chars=max_chars, parser=parser,
                progress=progress, workers=workers, device=device, prune=prune, incremental=incremental,
                checkpoint_every=checkpoint_every, engine=engine, ray_address=ray_address, registry=registry,
            )
        summary.out = Path(str(out))
        return summary
    started = time.perf_counter()
    speaker_registry = load_registry(registry) if isinstance(registry, str | Path) else registry
    workers = max(1, workers)
    if parser is not None and (workers > 1 or engine != "local"):
        raise ValueError("a loaded parser can only be used with workers=1 and the local engine")
    if engine not in ("local", "ray"):
        raise ValueError(f"unknown engine {engine!r}; use local or ray")
    summary = RunSummary(out=Path(out), workers=workers, prune=parser.prune if parser else prune)
    errors: list[ArticleError] = []
    uris = [str(p) for p in paths if distributed.is_uri(p)]
    if uris and engine != "ray":
        raise InputError(f"{uris[0]}: object-store inputs need --engine ray")
    if engine == "ray":
        distributed.start_ray(ray_address)
    local_paths = [p for p in paths if not distributed.is_uri(p)]
    articles = []
    if local_paths:
        articles = list(ingest.read_articles(local_paths, errors=errors, max_chars=max_chars))
    if uris:
        remote, remote_errors = distributed.read_uris(uris, max_chars=max_chars)
        articles += remote
        errors += remote_errors
    summary.stages.ingest = time.perf_counter() - started
    order = {a.id: k for k, a in enumerate(articles)}

    stored = _stored_hashes(out, fmt) if incremental else set()
    numbered = list(checkpoint.read_parts(out))
    parts = [part for _, part in numbered]
    resumed = checkpoint.done_ids(parts)
    todo = []
    for article in articles:
        if (article.id, article.sha1) in stored:
            summary.skipped += 1
        elif (article.id, article.sha1) in resumed or (article.id, None) in resumed:
            summary.resumed += 1
        else:
            todo.append(article)
            continue
        if progress is not None:
            progress(len(article.text))
    ordered = sorted(todo, key=lambda a: len(a.text))  # similar lengths batch well
    options = ParserOptions(
        models=None if models is None else str(models),
        device=device,
        prune=prune,
        threads=max(1, available_cores() // workers),
    )
    pending = checkpoint.Part([], {}, {}, [])
    number = max((n for n, _ in numbered), default=0)
    for result in _results(ordered, parser, options, workers, summary.stages, engine=engine):
        if isinstance(result, ArticleError):
            pending.errors.append(result)
        else:
            pending.articles.append(result.article)
            pending.quotes[result.article.id] = result.quotes
            pending.speakers[result.article.id] = result.speakers
        if progress is not None:
            article_id = result.article.id if isinstance(result, ArticleResult) else result.doc_id
            progress(len(articles[order[article_id]].text) if article_id in order else 0)
        if len(pending.articles) + len(pending.errors) >= checkpoint_every:
            number += 1
            checkpoint.write_part(out, number, pending)
            parts.append(pending)
            pending = checkpoint.Part([], {}, {}, [])
    parts.append(pending)

    store_started = time.perf_counter()
    done = [a for part in parts for a in part.articles]
    done.sort(key=lambda a: (len(a.text), order.get(a.id, len(order)), a.id))  # the processing order
    quotes_by_id = {doc_id: qs for part in parts for doc_id, qs in part.quotes.items()}
    speakers_by_id = {doc_id: ss for part in parts for doc_id, ss in part.speakers.items()}
    errors += [e for part in parts for e in part.errors]
    quotes = [q for a in done for q in quotes_by_id.get(a.id, [])]
    speakers = [s for a in done for s in speakers_by_id.get(a.id, [])]
    for article in done:
        summary.words += len(article.text.split())
    done.sort(key=lambda a: (order.get(a.id, len(order)), a.id))
    quotes.sort(key=lambda q: (order.get(q.doc_id, 0), q.content_start))
    new_quotes = len(quotes)
    speakers = [
        replace(s, doc_ids=s.doc_ids or (doc_id,)) for doc_id, ss in speakers_by_id.items() for s in ss
    ]
    quotes, speakers = link_store(out, fmt, quotes, speakers, registry=speaker_registry)
    if done or errors or speaker_registry or not (Path(out) / f"articles.{fmt}").exists():
        store.write_store(
            out, articles=done, quotes=quotes, speakers=speakers, errors=errors, fmt=fmt, relinked=True
        )
    checkpoint.clear(out)
    summary.stages.store = time.perf_counter() - store_started
    summary.articles = len(done)
    summary.quotes = new_quotes
    summary.errors = errors
    processed = {a.id for a in done}
    for q in quotes:
        if q.doc_id in processed:
            summary.kinds[q.kind] = summary.kinds.get(q.kind, 0) + 1
    summary.seconds = time.perf_counter() - started
    return summary


def link_store(
    out: str | Path,
    fmt: str,
    quotes: Sequence[Quote],
    speakers: Sequence[Speaker],
    *,
    registry: Registry | None = None,
) -> tuple[list[Quote], list[Speaker]]:
    """Link the speakers of new quotes together with those the store at `out` already holds.

    The stored quotes of other articles join the linking as they are (their canonical
    speakers standing in for their articles' speakers), so a role-only speaker of a new
    article finds the named holder learned from a stored one, and stored speakers are
    re-linked with what the new articles and the registry teach. Returns every quote
    (stored ones included, with their possibly new speaker ids) and the speakers.
    """
    if not (Path(out) / f"quotes.{fmt}").exists() and not (Path(out) / "quotes").is_dir():
        return link_corpus(quotes, speakers, registry=registry)
    new_docs = {q.doc_id for q in quotes} | {d for s in speakers for d in s.doc_ids}
    stored = store.quotes_from_frame(
        store.read_quotes(out).filter(~pl.col("doc_id").is_in(sorted(new_docs)))
    )
    stored_speakers = store.speakers_from_frame(store.read_speakers(out))
    return link_corpus([*stored, *quotes], [*stored_speakers, *speakers], registry=registry)


def _stored_hashes(out: str | Path, fmt: str) -> set[tuple[str, str | None]]:
    """The (id, sha1) pairs of the articles a store already holds; empty if there is no store."""
    folder = Path(out)
    if not (folder / f"articles.{fmt}").exists():
        return set()
    frame = store.scan_articles(folder).select("id", "sha1").collect()  # not the texts
    return set(frame.iter_rows())


def _results(
    ordered: list[Article],
    parser: StanzaParser | None,
    options: ParserOptions,
    workers: int,
    times: StageTimes,
    *,
    engine: str = "local",
) -> Iterator[ArticleResult | ArticleError]:
    """Process `ordered` here, in `workers` processes or on Ray actors, yielding results in order."""
    if not ordered:
        return
    if engine == "ray":
        from quotes.distributed import process_on_ray

        yield from process_on_ray(ordered, options, workers=workers, times=times)
        return
    if workers == 1:
        started = time.perf_counter()
        parser = parser or options.load()
        times.load += time.perf_counter() - started
        yield from process(ordered, parser, times=times)
        return
    import multiprocessing

    size = options.batch_size
    batches = [ordered[k : k + size] for k in range(0, len(ordered), size)]
    context = multiprocessing.get_context("spawn")  # never fork a process that holds torch threads
    loads: list[tuple[float, float]] = []
    with context.Pool(min(workers, len(batches)), initializer=_start_worker, initargs=(options,)) as pool:
        for results, batch_times, loaded in pool.imap(_work, batches):
            times.add(batch_times)
            if loaded is not None:
                loads.append(loaded)
                times.load = max(end for _, end in loads) - min(start for start, _ in loads)
            yield from results


_WORKER_PARSER: StanzaParser | None = None
_WORKER_LOADED: tuple[float, float] | None = None  # when this worker loaded its models (monotonic clock)


def _start_worker(options: ParserOptions) -> None:
    """Load the parser once per worker process."""
    global _WORKER_PARSER, _WORKER_LOADED
    started = time.perf_counter()
    _WORKER_PARSER = options.load()
    _WORKER_LOADED = (started, time.perf_counter())


def _work(
    batch: list[Article],
) -> tuple[list[ArticleResult | ArticleError], StageTimes, tuple[float, float] | None]:
    """Process one batch in a worker; the first batch of a worker also says when it loaded its models."""
    global _WORKER_LOADED
    assert _WORKER_PARSER is not None
    times = StageTimes()
    loaded, _WORKER_LOADED = _WORKER_LOADED, None
    return list(process(batch, _WORKER_PARSER, times=times)), times, loaded
