"""The `quotes` command line: a thin layer over the Python API.

Each command parses its arguments, calls one library function and prints the result.
Library errors become one-line ``Error: …`` messages with exit code 1 (tracebacks only
with ``--debug``); usage errors keep typer's exit code 2.
"""

from __future__ import annotations

import json
import logging
import sys
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer

from quotes.errors import AmbiguousSpeakerError, QuotesError

if TYPE_CHECKING:
    from quotes.evaluate import EvalResult
    from quotes.extract.cuemodel import CueModel

app = typer.Typer(
    help="Find every quotation in news articles and link it to a canonical speaker.",
    no_args_is_help=True,
    add_completion=False,
)

StoreOpt = Annotated[
    Path, typer.Option("--store", "-s", help="The store folder written by `quotes extract`.")
]
ModelsOpt = Annotated[
    str | None,
    typer.Option(
        "--models", help="Stanza model folder, or 'official' (default: $QUOTES_MODELS, then shipped models)."
    ),
]

_state = {"debug": False}


class StoreFormat(StrEnum):
    parquet = "parquet"
    jsonl = "jsonl"


class TableFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ExportFormat(StrEnum):
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


class Device(StrEnum):
    cpu = "cpu"
    cuda = "cuda"


class Engine(StrEnum):
    local = "local"
    ray = "ray"


PruneOpt = Annotated[
    bool,
    typer.Option(
        "--prune/--no-prune",
        help="Parse in full only the sentences that can hold an attribution (and what speaker "
        "resolution reads); faster, same attributions on PolNeAR dev (see reports/bench.md).",
    ),
]


@app.command()
def extract(
    paths: Annotated[
        list[str],
        typer.Argument(help="Article files (.txt, .jsonl, .html), folders, or URIs with --engine ray."),
    ],
    out: Annotated[
        str, typer.Option("--out", "-o", help="The store folder or URI to write (merged if it exists).")
    ],
    fmt: Annotated[StoreFormat, typer.Option("--format", help="Table format.")] = StoreFormat.parquet,
    models: ModelsOpt = None,
    max_chars: Annotated[int, typer.Option("--max-chars", help="Reject longer articles.")] = 1_000_000,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Parsing processes (or Ray actors).")
    ] = 1,
    device: Annotated[
        Device, typer.Option("--device", help="Run Stanza on the CPU or a CUDA GPU.")
    ] = Device.cpu,
    prune: PruneOpt = True,
    engine: Annotated[
        Engine, typer.Option("--engine", help="This machine, or a Ray cluster.")
    ] = Engine.local,
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster to join (default: start Ray here).")
    ] = None,
    reprocess: Annotated[
        bool, typer.Option("--reprocess", help="Also process articles the store holds with the same text.")
    ] = False,
    checkpoint_every: Annotated[
        int, typer.Option("--checkpoint-every", min=1, help="Articles between checkpoints of a long run.")
    ] = 500,
    registry: Annotated[
        Path | None,
        typer.Option(
            "--registry",
            help="Speaker registry (YAML): canonical speakers, aliases, roles, ids, merges and splits "
            "(see README, Speaker registry). Re-links the whole store, unchanged articles included.",
        ),
    ] = None,
) -> None:
    """Extract the quotations of articles into a store.

    Articles already in the store with the same text are skipped, and an interrupted run
    resumes from its last checkpoint when run again with the same arguments.

    Example:

        quotes extract data/samples --out out/samples --workers 2
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from quotes import ingest
    from quotes.distributed import is_uri
    from quotes.pipeline import run
    from quotes.registry import load_registry

    try:
        speaker_registry = load_registry(registry) if registry else None  # fails before any parsing
        local = [p for p in paths if not is_uri(p)]
        total = sum(len(a.text) for a in ingest.read_articles(local, errors=[], max_chars=max_chars))
        with Progress(
            TextColumn("extracting"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(),
            transient=True,
            disable=not sys.stderr.isatty(),
        ) as progress:
            task = progress.add_task("extract", total=max(total, 1))
            summary = run(
                paths,
                out=out,
                fmt=fmt.value,
                models=models,
                max_chars=max_chars,
                progress=lambda n: progress.advance(task, n),
                workers=workers,
                device=device.value,
                prune=prune,
                incremental=not reprocess,
                checkpoint_every=checkpoint_every,
                engine=engine.value,
                ray_address=ray_address,
                registry=speaker_registry,
            )
    except QuotesError as exc:
        raise _fail(exc) from None
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary.kinds.items()))
    typer.echo(
        f"{summary.articles} articles, {summary.quotes} quotations ({kinds}) in {summary.seconds:.1f}s "
        f"({summary.words_per_second:,.0f} words/s) → {out}",
        err=True,
    )
    if summary.skipped:
        typer.echo(f"{summary.skipped} articles already in the store with the same text: skipped", err=True)
    if summary.resumed:
        typer.echo(f"{summary.resumed} articles taken from the checkpoint of an interrupted run", err=True)
    for error in summary.errors:
        typer.echo(f"skipped: {error.message}", err=True)
    if summary.articles == 0 and summary.skipped == 0:
        typer.echo("Error: no article could be processed", err=True)
        raise typer.Exit(1)


@app.command()
def speakers(
    store: StoreOpt = Path("out"),
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.table,
) -> None:
    """List the canonical speakers of a store: type, counts, roles, aliases and external ids.

    Each alias shows how many quotes use it in their speaker mention: "Doe (3)".

    Example:

        quotes speakers --store out/samples
    """
    import polars as pl

    from quotes import query

    try:
        frame = query.speakers(store)
    except QuotesError as exc:
        raise _fail(exc) from None
    columns = ["name", "type", "quotes", "articles", "roles", "aliases", "id", "external_ids"]
    if fmt is TableFormat.json:
        _print(frame.select(*columns[:6], "alias_counts", *columns[6:]), fmt)
        return
    counted = pl.struct("aliases", "alias_counts").map_elements(
        _counted_aliases, return_dtype=pl.List(pl.String())
    )
    _print(frame.with_columns(aliases=counted).select(columns), fmt)


def _counted_aliases(row: dict) -> list[str]:
    """ "Doe (3)": each alias with the number of quotes whose speaker mention uses it."""
    aliases = row["aliases"] or []
    counts = row["alias_counts"] or [0] * len(aliases)
    return [f"{a} ({n})" if n else a for a, n in zip(aliases, counts, strict=False)]


@app.command("query")
def query_cmd(
    speaker: Annotated[
        str | None, typer.Argument(help="Any name, short name, role or id of the speaker.")
    ] = None,
    store: StoreOpt = Path("out"),
    speaker_id: Annotated[
        str | None,
        typer.Option("--speaker-id", help="The speaker's id, from `quotes speakers` or an ambiguous query."),
    ] = None,
    contains: Annotated[
        str | None, typer.Option("--contains", help="Only statements containing this text.")
    ] = None,
    min_probability: Annotated[
        float | None,
        typer.Option(
            "--min-probability",
            min=0.0,
            max=1.0,
            help="Leave out statements a learned model found with a lower probability.",
        ),
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.table,
    claims: Annotated[
        bool, typer.Option("--claims", help="Group the statements by claim (see `quotes claims`).")
    ] = False,
) -> None:
    """Show one speaker's statements from every article: the article, the mention used, the kind.

    The speaker may be named any way an article does: full or short name, role ("the
    Freedonian PM"), or id. A query that fits several speakers (a surname two people
    share, a title alone) lists them instead of guessing: ask again with --speaker-id or
    a fuller name.

    Example:

        quotes query "Jane Doe" --store out/samples
        quotes query "Freedonia's finance minister" --store out/samples
        quotes query --speaker-id jane-doe --store out/samples
    """
    from quotes import query

    if (speaker is None) == (speaker_id is None):
        typer.echo("Error: give a speaker (a name, alias or role) or --speaker-id ID, not both", err=True)
        raise typer.Exit(2)
    try:
        frame = query.statements(
            store, speaker, speaker_id=speaker_id, contains=contains, min_probability=min_probability
        )
        if claims and frame.height:
            from quotes import claims as claims_module

            # the claims holding the statements found above (clustering is store-wide anyway)
            found = claims_module.build_claims(store, figures=False)
            found = claims_module.keep_quotes(found, set(frame["id"]))
    except AmbiguousSpeakerError as exc:
        _print_candidates(exc, fmt)
        return
    except QuotesError as exc:
        raise _fail(exc) from None
    if frame.height == 0:
        typer.echo(f"No statements found for {speaker or speaker_id!r}.", err=True)
        raise typer.Exit(1)
    if claims:
        _print(claims_module.claims_table(found), fmt)
        return
    _print(frame.select("speaker_name", "doc_id", "kind", "speaker_mention", "text"), fmt)


@app.command()
def export(
    store: StoreOpt,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Export format.")] = ExportFormat.jsonl,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default: standard output).")
    ] = None,
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


class ClaimsFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    parquet = "parquet"
    claimreview = "claimreview"


@app.command("claims")
def claims_cmd(
    store: StoreOpt = Path("out"),
    speaker: Annotated[
        str | None, typer.Option("--speaker", help="Only this speaker's claims (name, alias or role).")
    ] = None,
    fmt: Annotated[ClaimsFormat, typer.Option("--format", help="Output format.")] = ClaimsFormat.table,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default: standard output).")
    ] = None,
    min_articles: Annotated[
        int, typer.Option("--min-articles", help="Only claims found in at least this many articles.")
    ] = 1,
    figures: Annotated[
        bool, typer.Option("--figures", help="Output the figure groups instead of the claims.")
    ] = False,
) -> None:
    """Group quotes into claims across outlets, with wording variants and conflicting figures.

    Example:

        quotes claims --store out/samples --min-articles 2
        quotes claims --store out/samples --format claimreview --out claims.jsonl
    """
    from quotes import claims as claims_module

    if fmt is ClaimsFormat.table and out is not None:
        raise _fail(QuotesError("--out needs --format jsonl, parquet or claimreview"))
    try:
        found = claims_module.build_claims(store, speaker=speaker, min_articles=min_articles)
        if speaker is not None and not found.claims:
            typer.echo(f"No claims found for {speaker!r}.", err=True)
            raise typer.Exit(1)
        if fmt is ClaimsFormat.table:
            if figures:
                _print(claims_module.figures_table(found.figure_groups), TableFormat.table)
            else:
                _print(claims_module.claims_table(found), TableFormat.table)
                conflicts = claims_module.figures_table(found.figure_groups, conflicts_only=True)
                if conflicts.height:
                    typer.echo("Conflicting figures:")
                    _print(conflicts, TableFormat.table)
            return
        text = claims_module.write_claims(found, fmt=fmt.value, out=out, figures=figures)
    except QuotesError as exc:
        raise _fail(exc) from None
    if text is not None:
        sys.stdout.write(text)


@app.command()
def bench(
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", help="Folder of articles (default: PolNeAR dev texts, else data/samples)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", min=1, help="The many-worker setting (default: all cores)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The report; the plot goes beside it.")] = Path(
        "reports/bench.md"
    ),
    models: ModelsOpt = None,
    peer: Annotated[bool, typer.Option("--peer/--no-peer", help="Measure the textacy + spaCy peer.")] = True,
    query_quotes: Annotated[
        int, typer.Option("--query-quotes", min=0, help="Synthetic quotes for the query timing (0: skip).")
    ] = 1_000_000,
    accuracy: Annotated[
        bool,
        typer.Option("--accuracy/--no-accuracy", help="On PolNeAR-style gold, score pruning on and off."),
    ] = True,
) -> None:
    """Measure words per second (end to end and per stage), memory and query time; write a report.

    Pipeline settings (1 and N workers, pruning on and off) and the textacy peer run side
    by side in one run. Run it on an otherwise idle machine.

    Example:

        quotes bench --out reports/bench.md
    """
    from quotes import bench as bench_module

    try:
        result = bench_module.bench(
            corpus,
            workers=workers,
            models=models,
            peer=peer,
            query_quotes=query_quotes,
            accuracy=accuracy,
            out=out,
            log=lambda line: typer.echo(line, err=True),
        )
    except (QuotesError, RuntimeError) as exc:
        raise _fail(exc) from None
    for run in result.runs:
        typer.echo(f"{run.label}: {run.words_per_second:,.0f} words/s")
    if result.peer is not None:
        typer.echo(f"textacy peer: {result.peer.words_per_second:,.0f} words/s")
    if result.query is not None:
        typer.echo(f"query over {result.query.quotes:,} quotes: {result.query.statements_seconds:.3f}s")
    typer.echo(f"report: {out} and {out.with_suffix('.png')}", err=True)


@app.command("eval")
def eval_cmd(
    gold: Annotated[Path, typer.Argument(help="PolNeAR-style split folder (text/ and attributions/).")],
    pred: Annotated[
        Path | None, typer.Option("--pred", help="Score these JSONL predictions instead of running.")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="Report name: reports/eval-NAME.md")] = "polnear-dev",
    reports: Annotated[Path, typer.Option("--reports", help="Report folder.")] = Path("reports"),
    models: ModelsOpt = None,
    prune: PruneOpt = True,
) -> None:
    """Score attributions against brat-standoff gold and write a report.

    Example:

        quotes eval ../shared/data/polnear/dev --name polnear-dev

        quotes eval ../shared/data/polnear/dev --no-prune --name polnear-dev-noprune
    """
    from quotes import evaluate

    try:
        meta: dict[str, object] = {}
        if pred is None:
            predictions, meta = _predict(gold, models, prune=prune)
        else:
            predictions = evaluate.read_predictions(pred)
            meta["predictions"] = str(pred)
        result = evaluate.score(gold, predictions)
        md, js = evaluate.write_report(result, name=name, reports_dir=reports, meta=meta)
    except QuotesError as exc:
        raise _fail(exc) from None
    _echo_scores(result, md, js)


def _echo_scores(result: EvalResult, md: Path, js: Path) -> None:
    """Print the headline F1 of an evaluation, then where its report went."""
    from quotes import evaluate

    flat = result.flatten()
    for key in (f"all.{metric}.f1" for metric in evaluate.TARGET_METRICS):
        typer.echo(f"{key}: {flat.get(key)}")
    typer.echo(f"report: {md} and {js}", err=True)


@app.command("eval-agreement")
def eval_agreement_cmd(
    gold: Annotated[
        list[Path], typer.Argument(help="PolNeAR-style split folders (text/ and attributions/).")
    ],
    name: Annotated[
        str, typer.Option("--name", help="Report name: reports/eval-NAME.md")
    ] = "polnear-agreement",
    reports: Annotated[Path, typer.Option("--reports", help="Report folder.")] = Path("reports"),
) -> None:
    """Score annotators against each other, the ceiling for `quotes eval`'s figures: on
    articles with two or more annotation files, the second is scored against the first.

    Example:

        quotes eval-agreement ../shared/data/polnear/train ../shared/data/polnear/dev
    """
    from quotes import evaluate

    try:
        result, summary = evaluate.annotator_agreement(gold)
        md, js = evaluate.write_report(result, name=name, reports_dir=reports, meta=summary)
    except QuotesError as exc:
        raise _fail(exc) from None
    typer.echo(f"articles with two annotators: {summary['articles']}")
    _echo_scores(result, md, js)


@app.command("eval-speakers")
def eval_speakers_cmd(
    pred: Annotated[
        Path | None,
        typer.Option("--pred", help="Score these quote records (JSONL or .jsonl.gz) instead of running."),
    ] = None,
    before: Annotated[
        Path | None,
        typer.Option("--before", help="Quote records of an earlier version, reported beside this run."),
    ] = None,
    gold: Annotated[Path, typer.Option("--gold", help="Folder of speaker gold files (TSV).")] = Path(
        "data/gold/speakers"
    ),
    samples: Annotated[Path, typer.Option("--samples", help="The seed articles.")] = Path("data/samples"),
    polnear: Annotated[
        Path, typer.Option("--polnear", help="PolNeAR-style split folder (text/, attributions/).")
    ] = Path("../shared/data/polnear/dev"),
    registry: Annotated[
        Path | None, typer.Option("--registry", help="Speaker registry to link with.")
    ] = None,
    save_pred: Annotated[
        Path | None, typer.Option("--save-pred", help="Also write this run's quote records (JSONL).")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="Report name: reports/NAME.md and .json")] = "speakers",
    reports: Annotated[Path, typer.Option("--reports", help="Report folder.")] = Path("reports"),
    note: Annotated[
        list[str] | None, typer.Option("--note", help="A line to add to the report (repeatable).")
    ] = None,
    models: ModelsOpt = None,
) -> None:
    """Score speaker linking (B-cubed on the gold quotes) and attribution accuracy (PolNeAR).

    Each corpus (the seed articles, PolNeAR dev) is linked on its own; see
    quotes/speaker_eval.py for the definitions.

    Example:

        quotes eval-speakers --before reports/speakers-before.jsonl.gz
    """
    from quotes import ingest, speaker_eval
    from quotes.registry import load_registry

    try:
        folders = [samples] + ([polnear / "text"] if (polnear / "text").is_dir() else [])
        if len(folders) == 1:
            typer.echo(f"no PolNeAR folder at {polnear}: scoring the seed articles only", err=True)
        texts = {a.id: a.text for a in ingest.read_articles(folders)}
        if pred is None:
            from quotes.parse import StanzaParser

            speaker_registry = load_registry(registry) if registry else None
            parser = StanzaParser(models)
            records = speaker_eval.predict_corpora(folders, parser=parser, registry=speaker_registry)
        else:
            records = speaker_eval.read_prediction_records(pred)
        if save_pred is not None:
            lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            save_pred.write_text(lines, encoding="utf-8")
        gold_polnear = polnear if len(folders) > 1 else None
        results = {}
        if before is not None:
            earlier = speaker_eval.read_prediction_records(before)
            results["before"] = speaker_eval.evaluate_speakers(
                earlier, gold_dir=gold, texts=texts, polnear=gold_polnear
            )
        results["after" if before is not None else "run"] = speaker_eval.evaluate_speakers(
            records, gold_dir=gold, texts=texts, polnear=gold_polnear
        )
        meta: dict[str, object] = {
            "predictions": str(pred) if pred else "this run",
            "before": str(before) if before else None,
            "registry": str(registry) if registry else None,
        }
        meta |= {f"note {k}": line for k, line in enumerate(note or [], 1)}
        md, js = speaker_eval.write_speaker_report(results, name=name, reports_dir=reports, meta=meta)
    except QuotesError as exc:
        raise _fail(exc) from None
    for run, result in results.items():
        for score in result["linking"]:
            b = score.bcubed
            typer.echo(f"{run} {score.corpus} b3.f1: {b.f1:.3f} (P {b.p:.3f}, R {b.r:.3f})")
        if result["attribution"] is not None:
            a = result["attribution"]
            typer.echo(
                f"{run} polnear attribution span: {a.span:.3f} relaxed: {a.relaxed:.3f} "
                f"resolved: {a.resolved:.3f}"
            )
    typer.echo(f"report: {md} and {js}", err=True)


def _predict(gold: Path, models: str | None, *, prune: bool = True) -> tuple[list[dict], dict[str, object]]:
    """Run the pipeline over the gold texts; returns the predictions and timing metadata."""
    import time

    from quotes import ingest
    from quotes.model import ArticleError
    from quotes.parse import StanzaParser
    from quotes.pipeline import process

    articles = list(ingest.read_articles([gold / "text"]))
    parser = StanzaParser(models, prune=prune)
    started = time.perf_counter()
    predictions = []
    for result in process(articles, parser):
        if isinstance(result, ArticleError):
            continue
        predictions.extend(q.to_dict() for q in result.quotes)
    seconds = time.perf_counter() - started
    words = sum(len(a.text.split()) for a in articles)
    meta = {
        "articles": len(articles),
        "words": words,
        "seconds": round(seconds, 1),
        "words_per_second": round(words / seconds),
        "models": parser.spec.name,
        "prune": "on" if prune else "off",
    }
    return predictions, meta


def _print_candidates(exc: AmbiguousSpeakerError, fmt: TableFormat) -> None:
    """List the speakers an ambiguous query fits, and how to ask again (exit code 0)."""
    candidates = exc.candidates.select("id", "name", "type", "quotes", "articles", "roles")  # type: ignore[attr-defined]
    hint = "ask again with --speaker-id ID or a fuller name"
    typer.echo(f"{exc.query!r} fits {candidates.height} speakers; {hint}:", err=True)
    if fmt is TableFormat.json:
        payload = {"query": exc.query, "ambiguous": True, "hint": hint, "candidates": candidates.to_dicts()}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        _print(candidates, fmt)


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
            table.add_row(
                *["; ".join(v) if isinstance(v, list) else "" if v is None else str(v) for v in row]
            )
        Console(width=200).print(table)


# --------------------------------------------------------------------------- quotes models …

models_app = typer.Typer(
    help="Train, download and inspect the Stanza models `quotes` parses with.", no_args_is_help=True
)
app.add_typer(models_app, name="models")


@models_app.command("train")
def models_train(
    ud_dir: Annotated[Path, typer.Argument(help="Folder with en_{ewt,gum}-ud-{train,dev,test}.conllu.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write.")] = Path(
        "out/models/stanza-en"
    ),
    quick: Annotated[
        bool, typer.Option("--quick", help="Tiny smoke-test recipe (minutes, useless models).")
    ] = False,
    work_dir: Annotated[
        Path | None, typer.Option("--work-dir", help="Data, raw models, logs (default OUT-work).")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", help="Stanza runs at the same time, one thread each.")] = 2,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip the stages an interrupted run finished.")
    ] = False,
) -> None:
    """Train the English Stanza pipeline on UD EWT+GUM, score it, and write its model card.

    Example:

        quotes models train ../shared/data/ud --out data/models/stanza-en
    """
    from quotes import models

    try:
        result = models.train(ud_dir, out, quick=quick, work_dir=work_dir, jobs=jobs, resume=resume)
    except QuotesError as exc:
        raise _fail(exc) from None
    report = result.report
    las = ", ".join(f"{t.upper()} test LAS {s['LAS']:.2f}" for t, s in result.scores.items())
    typer.echo(
        f"models → {out} ({len(report.files)} files, {report.total_bytes / 1e6:.1f} MB) in "
        f"{report.seconds / 60:.0f} min; {las}\nmodel card → {result.card}, scores → {result.scores_file}\n"
        f"use them with --models {out} (data/models/stanza-en is used by default)"
    )


SplitArg = Annotated[Path, typer.Argument(help="PolNeAR-layout split: text/ and attributions/.")]
ParsesOpt = Annotated[
    Path | None, typer.Option("--parses", help="DocBin cache of the parsed split (read or written).")
]
ModelFileOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Model file to write.")]


@models_app.command("train-cues")
def models_train_cues(
    gold_dir: SplitArg,
    models: ModelsOpt = None,
    parses: ParsesOpt = None,
    out: ModelFileOpt = None,
) -> None:
    """Train the learned cue detector on gold attributions (needs scikit-learn, the train extra).

    Example:

        quotes models train-cues ../shared/data/polnear/train --parses out/train.spacy
    """
    from quotes.extract import cuemodel

    model, target = _train_linear(cuemodel, gold_dir, models=models, parses=parses, out=out)
    typer.echo(f"cue model → {target}: {_held_out_summary(model)}")


@models_app.command("train-arguments")
def models_train_arguments(
    gold_dir: SplitArg,
    models: ModelsOpt = None,
    parses: ParsesOpt = None,
    out: ModelFileOpt = None,
) -> None:
    """Train the learned (verb, argument) report model on gold attributions (needs the train
    extra). Train it after the cue and extent models: it learns what they leave out.

    Example:

        quotes models train-arguments ../shared/data/polnear/train --parses out/train.spacy
    """
    from quotes.extract import arguments

    model, target = _train_linear(arguments, gold_dir, models=models, parses=parses, out=out)
    typer.echo(f"argument model → {target}: {_held_out_summary(model)}")


@models_app.command("train-boundary")
def models_train_boundary(
    gold_dir: SplitArg,
    models: ModelsOpt = None,
    parses: ParsesOpt = None,
    out: ModelFileOpt = None,
) -> None:
    """Train the learned cue/content boundary model on gold attributions (needs the train
    extra). Train it last, after the cue, extent and argument models.

    Example:

        quotes models train-boundary ../shared/data/polnear/train --parses out/train.spacy
    """
    from quotes.extract import boundary

    model, target = _train_linear(boundary, gold_dir, models=models, parses=parses, out=out)
    typer.echo(f"boundary model → {target}: {_held_out_summary(model)}")


def _held_out_summary(model: CueModel) -> str:
    """Size, threshold and held-out content+source F1 of a model chosen by `select_threshold`."""
    scores = model.meta["held_out_scores"][str(model.threshold)]
    return (
        f"{len(model.weights):,} features, threshold {model.threshold}; "
        f"held-out content+source F1 {scores['content_source_e2e']:.3f}"
    )


@models_app.command("train-extent")
def models_train_extent(
    gold_dir: SplitArg,
    models: ModelsOpt = None,
    parses: ParsesOpt = None,
    out: ModelFileOpt = None,
) -> None:
    """Train the learned content-extent model on gold attributions (needs the train extra).

    Example:

        quotes models train-extent ../shared/data/polnear/train --parses out/train.spacy
    """
    from quotes.extract import extent

    model, target = _train_linear(extent, gold_dir, models=models, parses=parses, out=out)
    typer.echo(
        f"extent model → {target}: {len(model.weights):,} features, threshold {model.threshold}; "
        f"held-out accuracy {model.meta['cv_accuracy']:.3f} "
        f"(never extending: {model.meta['cv_accuracy_never_extend']:.3f})"
    )


def _train_linear(
    module: ModuleType, gold_dir: Path, *, models: str | None, parses: Path | None, out: Path | None
) -> tuple[CueModel, Path]:
    """Train one of the learned extraction models (`module.train_from_split`) and write it
    as JSON to `out`, else to the module's shipped file; returns the model and the file."""
    try:
        model = module.train_from_split(gold_dir, models=models, parses=parses)
    except QuotesError as exc:
        raise _fail(exc) from None
    target = out or module.MODEL_FILE
    target.write_text(model.to_json() + "\n", encoding="utf-8")
    return model, target


@models_app.command("download")
def models_download(
    folder: Annotated[
        Path | None, typer.Option("--dir", help="Download here instead of Stanza's resources folder.")
    ] = None,
) -> None:
    """Download Stanza's official English models (needs a network); then use --models official.

    Example:

        quotes models download && quotes extract data/samples --out out/samples --models official
    """
    from quotes import models

    try:
        target = models.download(folder)
    except QuotesError as exc:
        raise _fail(exc) from None
    use = "--models official" if folder is None else f"--models {target}"
    typer.echo(f"Stanza's English models are in {target}; use them with {use}")


@models_app.command("info")
def models_info(models: ModelsOpt = None) -> None:
    """Show which models would be used and why, their files, sizes and scores.

    Example:

        quotes models info --models ../shared/models/stanza-en
    """
    from quotes import models as models_module

    try:
        info = models_module.describe(models)
    except QuotesError as exc:
        raise _fail(exc) from None
    typer.echo("\n".join(models_module.format_info(info)))


@models_app.command("report")
def models_report(
    models: ModelsOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Report file.")] = Path("reports/models.md"),
    texts: Annotated[Path, typer.Option("--texts", help="Articles to measure speed on.")] = Path(
        "data/samples"
    ),
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Model folder to compare scores with.")
    ] = None,
    reproduction: Annotated[
        Path | None, typer.Option("--reproduction", help="A second run of the recipe, to compare with.")
    ] = None,
    speed: Annotated[
        bool, typer.Option("--speed/--no-speed", help="Measure parsing speed (loads the models).")
    ] = True,
) -> None:
    """Write the model report (reports/models.md): scores, training time, size, speed, model card.

    Example:

        quotes models report --baseline ../shared/models/stanza-en

        quotes models report --reproduction out/repro/stanza-en
    """
    from quotes import ingest
    from quotes import models as models_module

    try:
        info = models_module.describe(models)
        measured = None
        if speed:
            articles = [a.text for a in ingest.read_articles([texts])]
            measured = models_module.measure_speed(models, articles)
        models_module.write_models_report(
            info.dir, out, speed=measured, baseline=baseline, reproduction=reproduction
        )
    except QuotesError as exc:
        raise _fail(exc) from None
    if measured is not None:
        words, threads = f"{measured.words:,}", measured.threads
        typer.echo(f"{measured.words_per_second:,.0f} words/s ({words} words, {threads} threads)")
    typer.echo(f"report → {out}")


if __name__ == "__main__":
    app()
