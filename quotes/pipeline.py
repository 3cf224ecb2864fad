"""Wire the stages together: read → parse → extract → resolve → store.

`process` turns texts into quotes in memory (the library entry point); `run` is the whole
job behind `quotes extract`: it reads every input, parses in bulk with one loaded model,
keeps going past bad articles (each becomes an error record), and writes the store once
at the end, atomically.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from quotes import ingest, store
from quotes.extract import extract_attributions
from quotes.model import Article, ArticleError, Quote, Speaker
from quotes.parse import StanzaParser
from quotes.resolve import link_corpus, resolve_speakers

__all__ = ["ArticleResult", "RunSummary", "extract_quotes", "process", "run"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """What one article gave: its quotes and the speakers they resolve to."""

    article: Article
    quotes: list[Quote]
    speakers: list[Speaker]


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

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


def process(articles: Iterable[Article], parser: StanzaParser) -> Iterator[ArticleResult | ArticleError]:
    """Parse, extract and resolve articles; a failing article becomes an `ArticleError`.

    Articles go through Stanza in batches (one loaded pipeline, paragraphs in bulk).
    """
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= parser.batch_size:
            yield from _process_batch(batch, parser)
            batch = []
    if batch:
        yield from _process_batch(batch, parser)


def _process_batch(batch: list[Article], parser: StanzaParser) -> Iterator[ArticleResult | ArticleError]:
    try:
        docs = list(parser.pipe(a.text for a in batch))
    except Exception:  # a batch failed: retry one by one so only the bad article is lost
        log.warning("batch of %d articles failed to parse; retrying one by one", len(batch))
        for article in batch:
            yield from _process_one(article, parser)
        return
    for article, doc in zip(batch, docs, strict=True):
        yield _analyse(article, doc)


def _process_one(article: Article, parser: StanzaParser) -> Iterator[ArticleResult | ArticleError]:
    try:
        doc = parser(article.text)
    except Exception as exc:
        yield ArticleError(source=article.source or article.id, doc_id=article.id, stage="parse", message=f"{article.source or article.id}: parsing failed: {exc}")
        return
    yield _analyse(article, doc)


def _analyse(article: Article, doc: object) -> ArticleResult | ArticleError:
    try:
        attributions = extract_attributions(doc)  # type: ignore[arg-type]
        quotes, speakers = resolve_speakers(doc, attributions, doc_id=article.id)  # type: ignore[arg-type]
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
    return result.quotes


def run(
    paths: Sequence[str | Path],
    *,
    out: str | Path,
    fmt: Literal["parquet", "jsonl"] = "parquet",
    models: str | Path | None = None,
    max_chars: int = 1_000_000,
    parser: StanzaParser | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunSummary:
    """Extract the quotations of every article under `paths` into the store at `out`.

    Args:
        paths: Files (.txt, .jsonl, .html) and folders.
        out: The store folder; merged with what it already holds.
        fmt: parquet (default) or jsonl tables.
        models: The Stanza model folder (see `quotes.parse.find_models`).
        max_chars: Longer articles are rejected as errors.
        parser: A loaded parser to reuse (its `models` wins).
        progress: Called with the number of characters of each article done.

    Returns:
        The run summary; bad articles are in `summary.errors` and in the store's errors table.
    """
    started = time.perf_counter()
    summary = RunSummary(out=Path(out))
    errors: list[ArticleError] = []
    articles = list(ingest.read_articles(paths, errors=errors, max_chars=max_chars))
    parser = parser or StanzaParser(models)
    done_articles: list[Article] = []
    quotes: list[Quote] = []
    speakers: list[Speaker] = []
    ordered = sorted(articles, key=lambda a: len(a.text))  # similar lengths batch well
    for result in process(ordered, parser):
        if isinstance(result, ArticleError):
            errors.append(result)
            continue
        done_articles.append(result.article)
        quotes.extend(result.quotes)
        speakers.extend(result.speakers)
        summary.words += len(result.article.text.split())
        if progress is not None:
            progress(len(result.article.text))
    order = {a.id: k for k, a in enumerate(articles)}
    done_articles.sort(key=lambda a: order[a.id])
    quotes.sort(key=lambda q: (order.get(q.doc_id, 0), q.content_start))
    quotes, speakers = link_corpus(quotes, speakers)
    store.write_store(out, articles=done_articles, quotes=quotes, speakers=speakers, errors=errors, fmt=fmt)
    summary.articles = len(done_articles)
    summary.quotes = len(quotes)
    summary.errors = errors
    for q in quotes:
        summary.kinds[q.kind] = summary.kinds.get(q.kind, 0) + 1
    summary.seconds = time.perf_counter() - started
    return summary
