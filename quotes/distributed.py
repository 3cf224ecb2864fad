"""Run the parse → extract → resolve stages on a Ray cluster (`quotes extract --engine ray`).

The same pipeline as on one machine, built on Ray Data: the articles become a dataset,
`map_batches` sends batches of them to a pool of actors, each of which loads the Stanza
models once (`ArticleWorker`), and the results stream back in order to the driver, which
links speakers across the corpus and writes the store exactly as a local run does
(`quotes.pipeline.run`). The store is therefore the same whichever engine made it.

Inputs are local paths (read by `quotes.ingest`, as locally) or object-store URIs that
pyarrow understands (``s3://bucket/articles/*.jsonl``, ``gs://…/*.parquet``): JSONL and
Parquet records with the fields of `quotes.model.Article` (``id`` and ``text`` required),
or ``.txt`` files, one article each, read with Ray Data's readers. Without an address
Ray starts locally on this machine; with one (``ray://host:10001`` or ``auto``) it joins
that cluster. Ray is an optional extra: ``pip install 'quotes[ray]'``.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from quotes.errors import InputError, QuotesError
from quotes.model import Article, ArticleError

if TYPE_CHECKING:
    from quotes.pipeline import ArticleResult, ParserOptions, StageTimes

__all__ = ["ArticleWorker", "is_uri", "process_on_ray", "read_uris", "start_ray"]

_FIELDS = ("id", "text", "title", "url", "outlet", "published", "source")


def is_uri(path: str | Path) -> bool:
    """Whether `path` names an object-store location (``s3://…``) rather than a local path."""
    return "://" in str(path)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise QuotesError(
            "--engine ray needs Ray: pip install 'quotes[ray]' (or pip install 'ray[data]')"
        ) from None
    return ray


def start_ray(address: str | None = None, *, num_cpus: int | None = None) -> None:
    """Connect to the Ray cluster at `address`, or start Ray on this machine; no-op if already up."""
    ray = _ray()
    if ray.is_initialized():
        return
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
    if address:
        kwargs["address"] = address
    elif num_cpus:
        kwargs["num_cpus"] = num_cpus
    try:
        ray.init(**kwargs)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, …
        where = address or "this machine"
        raise QuotesError(f"cannot start or reach Ray on {where}: {exc}") from exc


def read_uris(uris: Sequence[str], *, max_chars: int = 1_000_000) -> tuple[list[Article], list[ArticleError]]:
    """Read articles from object-store URIs with Ray Data: JSONL, Parquet or ``.txt`` files.

    Records without an ``id`` or ``text`` and texts over `max_chars` become errors.
    """
    ray = _ray()
    articles: list[Article] = []
    errors: list[ArticleError] = []
    for uri in uris:
        suffix = PurePosixPath(uri.split("://", 1)[1]).suffix.lower()
        try:
            if suffix in (".jsonl", ".json"):
                rows = ray.data.read_json(uri, lines=True).take_all()
            elif suffix == ".parquet" or suffix == "":
                rows = ray.data.read_parquet(uri).take_all()
            elif suffix == ".txt":
                files = ray.data.read_binary_files(uri, include_paths=True).take_all()
                rows = [
                    {"id": PurePosixPath(f["path"]).stem, "text": f["bytes"].decode(), "source": f["path"]}
                    for f in files
                ]
            else:
                raise InputError(f"{uri}: unsupported input for --engine ray; use .jsonl, .parquet or .txt")
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"{uri}: cannot read it with Ray Data: {exc}") from exc
        for n, row in enumerate(rows, start=1):
            source = str(row.get("source") or f"{uri}:{n}")
            if not isinstance(row.get("id"), str) or not isinstance(row.get("text"), str):
                message = f"{source}: a record needs a string id and text"
                errors.append(ArticleError(source=source, line=n, message=message))
            elif len(row["text"]) > max_chars:
                message = f"{source}: text longer than {max_chars} characters"
                errors.append(ArticleError(source=source, doc_id=row["id"], message=message))
            else:
                articles.append(Article(**{k: row.get(k) for k in _FIELDS} | {"source": source}))
    return articles, errors


class ArticleWorker:
    """A Ray actor: loads the parser once, then parses, extracts and resolves batches of articles."""

    def __init__(self, options: ParserOptions) -> None:
        self.parser = options.load()

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from quotes.pipeline import StageTimes, process

        rows = range(len(batch["id"]))
        articles = [Article(**{k: _text_or_none(batch[k][i]) for k in _FIELDS}) for i in rows]
        times = StageTimes()
        results = list(process(articles, self.parser, times=times))
        payload = [pickle.dumps((result, times if i == 0 else None)) for i, result in enumerate(results)]
        return {"payload": np.array(payload, dtype=object)}


def _text_or_none(value: Any) -> str | None:
    """A string field of a batch row; Ray hands a missing one over as None or NaN."""
    return str(value) if isinstance(value, str) else None


def process_on_ray(
    ordered: Sequence[Article], options: ParserOptions, *, workers: int, times: StageTimes
) -> Iterator[ArticleResult | ArticleError]:
    """Process articles with a pool of `workers` Ray actors; yields results in input order.

    Ray must be started (`start_ray`). Each actor asks for ``options.threads`` CPUs.
    """
    ray = _ray()
    if not ordered:
        return
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # the driver links speakers in a fixed order
    context.enable_progress_bars = False
    rows = [{k: getattr(a, k) for k in _FIELDS} for a in ordered]
    dataset = ray.data.from_items(rows)
    results = dataset.map_batches(
        ArticleWorker,
        fn_constructor_kwargs={"options": options},
        batch_size=options.batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=max(1, workers)),
        num_cpus=options.threads or 1,
    )
    for batch in results.iter_batches(batch_size=None, batch_format="numpy"):
        for payload in batch["payload"]:
            result, batch_times = pickle.loads(payload)
            if batch_times is not None:
                times.add(batch_times)
            yield result
