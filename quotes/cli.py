"""The `quotes` command line: a thin layer over the Python API.

Each command parses its arguments, calls one library function and prints the result.
Library errors become one-line ``Error: …`` messages with exit code 1 (tracebacks only
with ``--debug``); usage errors keep typer's exit code 2.
"""

from __future__ import annotations

import json
import logging
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from quotes.errors import QuotesError

app = typer.Typer(
    help="Find every quotation in news articles and link it to a canonical speaker.",
    no_args_is_help=True,
    add_completion=False,
)

StoreOpt = Annotated[Path, typer.Option("--store", "-s", help="The store folder written by `quotes extract`.")]
ModelsOpt = Annotated[
    str | None,
    typer.Option("--models", help="Stanza model folder, or 'official' (default: $QUOTES_MODELS, then shipped models)."),
]

_state = {"debug": False}


class StoreFormat(str, Enum):
    parquet = "parquet"
    jsonl = "jsonl"


class TableFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show progress logs.")] = False,
) -> None:
    """quotes: who said what, in which article."""
    _state["debug"] = debug
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _fail(exc: Exception) -> typer.Exit:
    if _state["debug"]:
        raise exc
    typer.echo(f"Error: {exc}", err=True)
    return typer.Exit(1)


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Article files (.txt, .jsonl, .html) or folders.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The store folder to write (merged if it exists).")],
    fmt: Annotated[StoreFormat, typer.Option("--format", help="Table format.")] = StoreFormat.parquet,
    models: ModelsOpt = None,
    max_chars: Annotated[int, typer.Option("--max-chars", help="Reject longer articles.")] = 1_000_000,
) -> None:
    """Extract the quotations of articles into a store.

    Example:

        quotes extract data/samples --out out/samples
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from quotes import ingest
    from quotes.parse import StanzaParser
    from quotes.pipeline import run

    try:
        errors_seen: list = []
        total = sum(len(a.text) for a in ingest.read_articles(paths, errors=errors_seen, max_chars=max_chars))
        parser = StanzaParser(models)
        with Progress(
            TextColumn("extracting"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn(),
            transient=True, disable=not sys.stderr.isatty(),
        ) as progress:
            task = progress.add_task("extract", total=max(total, 1))
            summary = run(
                [str(p) for p in paths], out=out, fmt=fmt.value, parser=parser, max_chars=max_chars,
                progress=lambda n: progress.advance(task, n),
            )
    except QuotesError as exc:
        raise _fail(exc) from None
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary.kinds.items()))
    typer.echo(
        f"{summary.articles} articles, {summary.quotes} quotations ({kinds}) in {summary.seconds:.1f}s "
        f"({summary.words_per_second:,.0f} words/s) → {out}",
        err=True,
    )
    for error in summary.errors:
        typer.echo(f"skipped: {error.message}", err=True)
    if summary.articles == 0:
        typer.echo("Error: no article could be processed", err=True)
        raise typer.Exit(1)


@app.command()
def speakers(
    store: StoreOpt = Path("out"),
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.table,
) -> None:
    """List the canonical speakers of a store with their quote counts.

    Example:

        quotes speakers --store out/samples
    """
    from quotes import query

    try:
        frame = query.speakers(store)
    except QuotesError as exc:
        raise _fail(exc) from None
    _print(frame.select("name", "type", "quotes", "articles", "roles", "aliases", "id"), fmt)


@app.command("query")
def query_cmd(
    speaker: Annotated[str, typer.Argument(help="Any name, short name or role of the speaker.")],
    store: StoreOpt = Path("out"),
    contains: Annotated[str | None, typer.Option("--contains", help="Only statements containing this text.")] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.table,
) -> None:
    """Show one speaker's statements, from every article.

    Example:

        quotes query "Al Thani" --store out/samples
    """
    from quotes import query

    try:
        frame = query.statements(store, speaker, contains=contains)
    except QuotesError as exc:
        raise _fail(exc) from None
    if frame.height == 0:
        typer.echo(f"No statements found for {speaker!r}.", err=True)
        raise typer.Exit(1)
    _print(frame.select("speaker_name", "doc_id", "kind", "speaker_mention", "text"), fmt)


@app.command()
def export(
    store: StoreOpt,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Export format.")] = ExportFormat.jsonl,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (default: standard output).")] = None,
) -> None:
    """Export every quotation of a store with its article's metadata.

    Example:

        quotes export --store out/samples --format jsonl --out quotes.jsonl
    """
    from quotes import query

    try:
        text = query.export(store, fmt=fmt.value, out=out)
    except QuotesError as exc:
        raise _fail(exc) from None
    if text is not None:
        sys.stdout.write(text)


@app.command("eval")
def eval_cmd(
    gold: Annotated[Path, typer.Argument(help="PolNeAR-style split folder (text/ and attributions/).")],
    pred: Annotated[Path | None, typer.Option("--pred", help="Score these JSONL predictions instead of running.")] = None,
    name: Annotated[str, typer.Option("--name", help="Report name: reports/eval-NAME.md")] = "polnear-dev",
    reports: Annotated[Path, typer.Option("--reports", help="Report folder.")] = Path("reports"),
    models: ModelsOpt = None,
) -> None:
    """Score attributions against brat-standoff gold and write a report.

    Example:

        quotes eval ../shared/data/polnear/dev --name polnear-dev
    """
    import time

    from quotes import evaluate

    try:
        meta: dict[str, object] = {}
        if pred is None:
            predictions, meta = _predict(gold, models)
        else:
            started = time.perf_counter()
            predictions = evaluate.read_predictions(pred)
            meta["predictions"] = str(pred)
        result = evaluate.score(gold, predictions)
        md, js = evaluate.write_report(result, name=name, reports_dir=reports, meta=meta)
    except QuotesError as exc:
        raise _fail(exc) from None
    flat = result.flatten()
    for key in ("all.content_lenient.f1", "all.content_source_e2e.f1", "all.content_exact.f1", "all.cue_exact.f1", "all.source_exact.f1"):
        typer.echo(f"{key}: {flat.get(key)}")
    typer.echo(f"report: {md} and {js}", err=True)


def _predict(gold: Path, models: str | None) -> tuple[list[dict], dict[str, object]]:
    """Run the pipeline over the gold texts; returns the predictions and timing metadata."""
    import time

    from quotes import ingest
    from quotes.model import ArticleError
    from quotes.parse import StanzaParser
    from quotes.pipeline import process

    articles = list(ingest.read_articles([gold / "text"]))
    parser = StanzaParser(models)
    started = time.perf_counter()
    predictions = []
    for result in process(articles, parser):
        if isinstance(result, ArticleError):
            continue
        predictions.extend(q.to_dict() for q in result.quotes)
    seconds = time.perf_counter() - started
    words = sum(len(a.text.split()) for a in articles)
    meta = {"articles": len(articles), "words": words, "seconds": round(seconds, 1),
            "words_per_second": round(words / seconds), "models": parser.spec.name}
    return predictions, meta


def _print(frame: object, fmt: TableFormat) -> None:
    import polars as pl

    assert isinstance(frame, pl.DataFrame)
    if fmt is TableFormat.json:
        typer.echo(json.dumps(frame.to_dicts(), ensure_ascii=False, indent=2, default=str))
    elif fmt is TableFormat.csv:
        flat = frame.with_columns(
            [pl.col(c).list.join("; ") for c, t in frame.schema.items() if isinstance(t, pl.List)]
        )
        typer.echo(flat.write_csv(), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False)
        for column in frame.columns:
            table.add_column(column, overflow="fold")
        for row in frame.iter_rows():
            table.add_row(*["; ".join(v) if isinstance(v, list) else "" if v is None else str(v) for v in row])
        Console(width=200).print(table)


if __name__ == "__main__":
    app()
