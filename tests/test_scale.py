"""Throughput features keep results exact: pruning, workers, incremental runs, resume, Ray, scale queries."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from quotes import checkpoint, store
from quotes.prune import cue_words, inflections, select_sentences

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


def _tables(folder: Path) -> dict[str, pl.DataFrame]:
    return {
        "articles": store.read_articles(folder),
        "quotes": store.read_quotes(folder),
        "speakers": store.read_speakers(folder),
        "errors": store.read_errors(folder),
    }


def _assert_same_store(a: Path, b: Path) -> None:
    left, right = _tables(a), _tables(b)
    for name in left:
        assert left[name].equals(right[name]), name


# ---------------------------------------------------------------------------- pruning, no model


def test_cue_words_cover_inflections_and_irregular_forms():
    words = cue_words()
    assert {"said", "says", "saying", "told", "wrote", "denied", "warns", "claims", "statements"} <= words
    assert {"admitted", "admitting"} <= inflections("admit")


def test_selection_keeps_quotes_cues_context_and_first_name_mentions():
    text = (
        "Jane Doe, the finance minister, visited the port.\n"
        "Markets were calm.\n"
        "Rain fell all day. Doe then told reporters.\n"
        "Prices rose, according to the ministry. Traffic was light.\n"
        "“We will act,” she said. The talks ended late.\n"
        "Nothing else happened."
    )
    sentences, paragraphs = [], []
    position = 0
    for line in text.split("\n"):
        paragraphs.append((position, position + len(line)))
        start = position
        for piece in line.split(". "):
            end = start + len(piece) + (0 if piece.endswith(".") else 1)
            sentences.append((start, min(end, position + len(line))))
            start = end + 1
        position += len(line) + 1
    flags = select_sentences(text, sentences, paragraphs)
    keep = dict(zip((text[s:e] for s, e in sentences), flags, strict=True))
    assert keep["Jane Doe, the finance minister, visited the port."]  # where "Doe" is introduced
    assert keep["Prices rose, according to the ministry."]  # an according-to phrase
    assert keep["“We will act,” she said."]  # a quotation and a cue
    assert keep["Traffic was light."]  # the sentence before the quotation: pronoun context
    assert not keep["Markets were calm."]
    assert not keep["Nothing else happened."]
    assert not keep["The talks ended late."]


def test_a_cue_word_inside_a_name_does_not_select_a_sentence():
    quiet = "Officials of the United States met on Monday with local leaders. Markets were calm."
    first = quiet.index(" Markets")
    assert select_sentences(quiet, [(0, first), (first + 1, len(quiet))], [(0, len(quiet))]) == [False, False]
    headline = "Minister Says Talks Are Ongoing"
    assert select_sentences(headline, [(0, len(headline))], [(0, len(headline))]) == [True]


# ---------------------------------------------------------------------------- pruning with the model


def test_pruned_doc_covers_the_whole_text_and_parses_less(parser):
    from quotes.parse import StanzaParser

    pruned = parser if parser.prune else StanzaParser(prune=True)
    text = (
        "Markets were calm on Monday.\n\nThe weather stayed dry across the region.\n\n"
        "“We are ready,” the minister said.\n\nShops opened late."
    )
    doc = pruned(text)
    assert doc.text == text
    assert doc.user_data["parsed_sentences"] < doc.user_data["sentences"]
    quiet = next(s for s in doc.sents if s.text.startswith("Shops"))
    assert [t.dep_ for t in quiet] == ["ROOT"] + ["dep"] * (len(quiet) - 1)  # a flat tree
    assert all(t.pos_ in ("X", "SPACE") for t in quiet)  # and no tags


@pytest.fixture(scope="session")
def unpruned_results():
    from quotes import ingest
    from quotes.errors import ModelError
    from quotes.parse import StanzaParser
    from quotes.pipeline import process
    from quotes.resolve import link_corpus

    try:
        full = StanzaParser(prune=False)
    except ModelError as exc:
        pytest.skip(f"no Stanza model: {exc}")
    articles = list(ingest.read_articles([SAMPLES]))
    results = list(process(articles, full))
    quotes = [q for r in results for q in r.quotes]
    speakers = [s for r in results for s in r.speakers]
    return link_corpus(quotes, speakers)


def test_pruning_keeps_the_seed_results_identical(parser, seed_results, unpruned_results):
    assert parser.prune, "the session parser prunes by default, so test_seeds.py runs with pruning on"
    _, quotes, speakers = seed_results
    full_quotes, full_speakers = unpruned_results
    assert quotes == full_quotes
    assert sorted(speakers, key=lambda s: s.id) == sorted(full_speakers, key=lambda s: s.id)


# ---------------------------------------------------------------------------- runs


def test_two_workers_write_the_same_store_as_one(seed_store, tmp_path):
    from quotes.pipeline import run

    summary = run([str(SAMPLES)], out=tmp_path / "store", workers=2)
    assert summary.workers == 2 and summary.articles == 5
    _assert_same_store(seed_store, tmp_path / "store")


def test_incremental_run_skips_articles_already_stored(parser, tmp_path):
    from quotes.pipeline import run

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(SAMPLES.glob("*.txt"))[:2]:
        shutil.copy(path, corpus / path.name)
    out = tmp_path / "store"
    first = run([str(corpus)], out=out, parser=parser)
    assert first.articles == 2 and first.skipped == 0
    before = _tables(out)
    again = run([str(corpus)], out=out, parser=parser)
    assert again.articles == 0 and again.skipped == 2
    for name, frame in _tables(out).items():
        assert frame.equals(before[name]), name
    # a new article and an edited one are processed; the unchanged one is not
    new = sorted(SAMPLES.glob("*.txt"))[2]
    shutil.copy(new, corpus / new.name)
    edited = sorted(corpus.glob("*.txt"))[0]
    extra = "\nShe said the talks would go on.\n"
    edited.write_text(edited.read_text(encoding="utf-8") + extra, encoding="utf-8")
    third = run([str(corpus)], out=out, parser=parser)
    assert third.articles == 2 and third.skipped == 1
    assert store.read_articles(out).height == 3


class _Interrupt(Exception):
    pass


def test_interrupted_run_resumes_without_duplicates_or_losses(parser, seed_store, tmp_path):
    from quotes.pipeline import run

    out = tmp_path / "store"
    done = []

    def stop_after_three(_chars: int) -> None:
        done.append(1)
        if len(done) == 3:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        run([str(SAMPLES)], out=out, parser=parser, checkpoint_every=2, progress=stop_after_three)
    parts = list(checkpoint.read_parts(out))
    assert len(parts) == 1 and len(parts[0][1].articles) == 2  # one complete checkpoint
    assert not (out / "quotes.parquet").exists()  # the store itself is written only at the end
    (out / checkpoint.PENDING / ".part-000002.dead.tmp").mkdir()  # a part cut off mid-write
    resumed = run([str(SAMPLES)], out=out, parser=parser, checkpoint_every=2)
    assert resumed.resumed == 2 and resumed.articles == 5
    assert not (out / checkpoint.PENDING).exists()
    _assert_same_store(seed_store, out)


def test_store_at_a_uri(parser, tmp_path):
    from quotes.pipeline import run

    article = sorted(SAMPLES.glob("*.txt"))[-1]
    summary = run([str(article)], out=f"file://{tmp_path / 'remote'}", parser=parser)
    assert summary.articles == 1
    assert store.read_quotes(tmp_path / "remote").height == summary.quotes > 0


def test_ray_local_mode_writes_the_same_store(seed_store, tmp_path):
    ray = pytest.importorskip("ray")
    from quotes.pipeline import run

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        summary = run([str(SAMPLES)], out=tmp_path / "store", engine="ray", workers=2)
    finally:
        ray.shutdown()
    assert summary.articles == 5
    _assert_same_store(seed_store, tmp_path / "store")


# ---------------------------------------------------------------------------- queries at scale


def test_lazy_queries_over_a_partitioned_store(tmp_path):
    from quotes import query
    from quotes.bench import synthetic_store

    folder = synthetic_store(tmp_path / "big", quotes=20_000, articles=500, speakers=300, parts=4)
    assert len(list((folder / "quotes").glob("*.parquet"))) == 4
    quotes = store.read_quotes(folder)
    assert quotes.height == 20_000
    top = query.speakers(folder).row(0, named=True)
    said = query.statements(folder, top["name"])
    assert said.height == quotes.filter(pl.col("speaker_id") == top["id"]).height == top["quotes"]
    assert said["outlet"].null_count() == 0  # article metadata joined from the articles table
    # writing into a partitioned store merges its parts into one file
    store.write_store(folder, articles=[], quotes=[], speakers=[], errors=[])
    assert (folder / "quotes.parquet").is_file() and not (folder / "quotes").exists()
    assert store.read_quotes(folder).height == 20_000


def test_bench_report_is_written(tmp_path):
    from quotes.bench import BenchResult, RunResult, measure_queries, write_report

    result = BenchResult(corpus="data/samples", cores=2, load_average=(0.0, 0.0, 0.0), models="test")
    result.runs.append(
        RunResult(
            label="1 worker, pruning on", workers=1, prune=True, articles=5, words=3000, quotes=40,
            seconds=2.0, stages={"ingest": 0.01, "parse": 1.5, "extract": 0.2, "resolve": 0.2, "store": 0.05},
            peak_rss_mb=900.0, worker_peak_rss_mb=0.0,
        )
    )
    result.query = measure_queries(5_000, parts=2, repeat=1)
    md, png = write_report(result, tmp_path / "bench.md")
    text = md.read_text(encoding="utf-8")
    assert "1,500" in text and "5,000" in text
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_bench_runs_on_the_samples(tmp_path):
    from quotes.bench import bench

    result = bench(SAMPLES, workers=2, query_quotes=10_000, out=tmp_path / "bench.md")
    assert [r.words for r in result.runs] == [result.runs[0].words] * 4
    assert (tmp_path / "bench.png").is_file()
