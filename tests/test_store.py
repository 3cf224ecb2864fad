"""Tests of quotes.store: schemas, atomic writes, idempotent merges and readers."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from quotes.errors import StoreError
from quotes.model import (
    ARTICLE_SCHEMA,
    ERROR_SCHEMA,
    QUOTE_SCHEMA,
    SPEAKER_SCHEMA,
    Article,
    ArticleError,
    Kind,
    Quote,
    Speaker,
)
from quotes.store import (
    StoreSummary,
    atomic_write,
    read_articles,
    read_errors,
    read_quotes,
    read_speakers,
    scan_articles,
    scan_errors,
    scan_quotes,
    scan_speakers,
    write_store,
)

TABLES = {
    "articles": ARTICLE_SCHEMA,
    "quotes": QUOTE_SCHEMA,
    "speakers": SPEAKER_SCHEMA,
    "errors": ERROR_SCHEMA,
}


def article(doc_id: str, text: str = "“Yes,” she said.", **meta: str) -> Article:
    return Article(id=doc_id, text=text, source=f"in/{doc_id}.txt", **meta)


def quote(qid: str, doc_id: str, speaker_id: str | None = "s1", *, start: int = 0, **fields: object) -> Quote:
    values: dict = {
        "kind": Kind.DIRECT,
        "text": "Yes,",
        "content_fragments": ((start, start + 4),),
        "speaker_name": "Jane Doe",
        "speaker_type": "person",
    }
    values.update(fields)
    return Quote(
        id=qid, doc_id=doc_id, content_start=start, content_end=start + 4, speaker_id=speaker_id, **values
    )


@pytest.fixture
def run() -> dict:
    """The records of one small run: two articles, three quotes, two speakers, one error."""
    return {
        "articles": [article("d1", title="T1", outlet="Doha News"), article("d2")],
        "quotes": [
            quote(
                "q1",
                "d1",
                cue="said",
                cue_start=8,
                cue_end=12,
                speaker_mention="she",
                speaker_start=4,
                speaker_end=7,
            ),
            quote(
                "q2",
                "d1",
                start=20,
                content_fragments=((20, 22), (23, 24)),
                rule="argument",
                probability=0.62,
            ),
            quote("q3", "d2", "s2", speaker_name="Hamas", speaker_type="organization"),
        ],
        "speakers": [
            Speaker(id="s1", name="Jane Doe", aliases=("Doe",), roles=("minister",), quotes=2, articles=1),
            Speaker(id="s2", name="Hamas", type="organization", quotes=1, articles=1),
        ],
        "errors": [ArticleError(source="in/bad.txt", doc_id="bad", message="in/bad.txt: file is empty")],
    }


# --- schemas and contents ---------------------------------------------------------------------------


def test_written_tables_have_the_model_schemas(tmp_path: Path, run: dict) -> None:
    summary = write_store(tmp_path, **run)
    assert summary == StoreSummary(path=tmp_path, fmt="parquet", articles=2, quotes=3, speakers=2, errors=1)
    for name, schema in TABLES.items():
        assert pl.read_parquet_schema(tmp_path / f"{name}.parquet") == dict(schema)
    scans = [scan_articles, scan_quotes, scan_speakers, scan_errors]
    for scan, schema in zip(scans, TABLES.values(), strict=True):
        lazy = scan(tmp_path)
        assert isinstance(lazy, pl.LazyFrame)
        assert lazy.collect_schema() == schema


def test_article_rows_include_sha1_and_metadata(tmp_path: Path, run: dict) -> None:
    write_store(tmp_path, **run)
    rows = read_articles(tmp_path).to_dicts()
    assert rows[0] == {
        "id": "d1",
        "sha1": run["articles"][0].sha1,
        "title": "T1",
        "url": None,
        "outlet": "Doha News",
        "published": None,
        "source": "in/d1.txt",
        "text": "“Yes,” she said.",
    }


def test_quote_rows_round_trip_to_records(tmp_path: Path, run: dict) -> None:
    write_store(tmp_path, **run)
    stored = [Quote(**row) for row in read_quotes(tmp_path).to_dicts()]
    assert [q.to_dict() for q in stored] == [q.to_dict() for q in run["quotes"]]


def test_a_store_from_before_the_provenance_columns_is_refused_with_a_remedy(
    tmp_path: Path, run: dict
) -> None:
    write_store(tmp_path, **run)
    path = tmp_path / "quotes.parquet"
    pl.read_parquet(path).drop("rule", "probability").write_parquet(path)
    with pytest.raises(StoreError, match="missing column 'rule'.*re-create the store"):
        read_quotes(tmp_path)


def test_empty_run_writes_empty_tables(tmp_path: Path) -> None:
    summary = write_store(tmp_path, articles=[], quotes=[], speakers=[], errors=[])
    assert (summary.articles, summary.quotes, summary.speakers, summary.errors) == (0, 0, 0, 0)
    assert read_quotes(tmp_path).schema == QUOTE_SCHEMA


def test_files_get_ordinary_permissions(tmp_path: Path, run: dict) -> None:
    write_store(tmp_path, **run)
    assert (tmp_path / "quotes.parquet").stat().st_mode & 0o044  # readable by others, unlike mkstemp's 0600


# --- merging ------------------------------------------------------------------------------------------


def test_rewriting_the_same_run_does_not_duplicate_rows(tmp_path: Path, run: dict) -> None:
    write_store(tmp_path, **run)
    first = {name: pl.read_parquet(tmp_path / f"{name}.parquet") for name in TABLES}
    summary = write_store(tmp_path, **run)
    assert (summary.articles, summary.quotes, summary.speakers, summary.errors) == (2, 3, 2, 1)
    for name, frame in first.items():
        assert pl.read_parquet(tmp_path / f"{name}.parquet").equals(frame), name


def test_rewritten_article_replaces_its_quotes_only(tmp_path: Path, run: dict) -> None:
    write_store(tmp_path, **run)
    write_store(
        tmp_path,
        articles=[article("d1", text="“No,” he said.")],
        quotes=[quote("q9", "d1", "s3", speaker_name="John Roe")],
        speakers=[Speaker(id="s3", name="John Roe")],
        errors=[],
    )
    quotes = read_quotes(tmp_path)
    assert quotes.select("id", "doc_id").rows() == [("q9", "d1"), ("q3", "d2")]
    articles = read_articles(tmp_path)
    assert articles["text"].to_list() == ["“No,” he said.", "“Yes,” she said."]
    speakers = read_speakers(tmp_path)
    assert speakers["id"].to_list() == ["s2", "s3"]  # s1 lost its quotes
    assert speakers.filter(pl.col("id") == "s3")["quotes"].to_list() == [1]


def test_new_articles_are_added_to_the_store(tmp_path: Path, run: dict) -> None:
    write_store(tmp_path, **run)
    summary = write_store(
        tmp_path, articles=[article("d3")], quotes=[quote("q4", "d3")], speakers=[], errors=[]
    )
    assert (summary.articles, summary.quotes) == (3, 4)
    row = read_speakers(tmp_path).filter(pl.col("id") == "s1").row(0, named=True)
    assert (row["quotes"], row["articles"]) == (3, 2)
    assert row["aliases"] == ["Doe"] and row["roles"] == ["minister"]


def test_errors_of_reprocessed_inputs_are_replaced(tmp_path: Path, run: dict) -> None:
    run["errors"] = [
        ArticleError(source="in/bad.txt", doc_id="bad", message="in/bad.txt: file is empty"),
        ArticleError(source="in/b.jsonl", line=3, doc_id=None, message="in/b.jsonl:3: malformed JSON"),
        ArticleError(source="in/d9.txt", doc_id="d9", stage="parse", message="parse failed"),
    ]
    write_store(tmp_path, **run)
    fixed = Article(id="r3", text="Fixed.", source="in/b.jsonl:3")
    bad_again = ArticleError(source="in/bad.txt", doc_id="bad", message="in/bad.txt: still empty")
    write_store(tmp_path, articles=[fixed], quotes=[], speakers=[], errors=[bad_again])
    errors = read_errors(tmp_path)
    assert sorted(errors["message"].to_list()) == ["in/bad.txt: still empty", "parse failed"]
    write_store(tmp_path, articles=[Article(id="d9", text="Now fine.")], quotes=[], speakers=[], errors=[])
    assert read_errors(tmp_path)["message"].to_list() == ["in/bad.txt: still empty"]


def test_duplicate_records_within_a_run_are_collapsed(tmp_path: Path, run: dict) -> None:
    run["articles"] = run["articles"] * 2
    run["quotes"] = run["quotes"] * 2
    run["errors"] = run["errors"] * 2
    summary = write_store(tmp_path, **run)
    assert (summary.articles, summary.quotes, summary.errors) == (2, 3, 1)


def test_speaker_merge_rules(tmp_path: Path) -> None:
    articles = [article("d1"), article("d2"), article("d3")]
    quotes = [
        quote("q1", "d1", speaker_name="al-Thani", speaker_type="person"),
        quote("q2", "d2", speaker_name="al-Thani", speaker_type="person"),
        quote("q3", "d2", start=10, speaker_name="al-Thani", speaker_type="unknown"),
    ]
    write_store(
        tmp_path,
        articles=articles[:2],
        quotes=quotes,
        speakers=[
            Speaker(id="s1", name="Al Thani", type="unknown", aliases=("PM",), roles=("prime minister",))
        ],
        errors=[],
    )
    row = read_speakers(tmp_path).row(0, named=True)
    # "Al Thani" and "al-Thani" have the same name words: the more frequent one (3 to 1) wins;
    # "unknown" gives way to any known type. One spelling per alias, with the number of
    # quotes whose speaker mention uses it (these quotes have no mention).
    assert row == {
        "id": "s1",
        "name": "al-Thani",
        "type": "person",
        "aliases": ["PM"],
        "alias_counts": [0],
        "roles": ["prime minister"],
        "external_ids": [],
        "quotes": 3,
        "articles": 2,
    }
    write_store(
        tmp_path,
        articles=articles[2:],
        quotes=[quote("q4", "d3", speaker_name="Mohammed Al Thani")],
        speakers=[Speaker(id="s1", name="Mohammed Al Thani", aliases=("PM",), roles=("foreign minister",))],
        errors=[],
    )
    row = read_speakers(tmp_path).row(0, named=True)
    assert row["name"] == "Mohammed Al Thani"  # the name with the most name words wins
    assert row["aliases"] == ["al-Thani", "PM"]  # "Al Thani" and "al-Thani": one spelling
    assert row["roles"] == ["foreign minister", "prime minister"]
    assert (row["quotes"], row["articles"]) == (4, 3)


def test_speakers_without_quotes_are_dropped_and_quoted_ids_get_rows(tmp_path: Path) -> None:
    write_store(
        tmp_path,
        articles=[article("d1")],
        quotes=[
            quote("q1", "d1", "s7", speaker_name=None, speaker_type=None),
            quote("q2", "d1", None, start=9),
        ],
        speakers=[Speaker(id="s0", name="Silent")],
        errors=[],
    )
    speakers = read_speakers(tmp_path)
    assert speakers.rows() == [("s7", "s7", "unknown", [], [], [], [], 1, 1)]


# --- atomic writes ----------------------------------------------------------------------------------


def test_failed_write_leaves_the_old_store_intact(
    tmp_path: Path, run: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_store(tmp_path, **run)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_write = pl.DataFrame.write_parquet
    calls = []

    def failing_write(self: pl.DataFrame, file: Path, **kwargs: object) -> None:
        calls.append(file)
        if len(calls) == 3:  # articles and quotes are written; fail on speakers, half-way
            Path(file).write_bytes(b"PAR1 half a file")
            raise OSError(28, "No space left on device")
        real_write(self, file, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", failing_write)
    with pytest.raises(StoreError, match="No space left on device"):
        write_store(tmp_path, articles=[article("d5")], quotes=[quote("q5", "d5")], speakers=[], errors=[])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert all(Path(f).parent == tmp_path for f in calls)


def test_interrupted_write_leaves_no_temp_file(
    tmp_path: Path, run: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(self: pl.DataFrame, file: Path, **kwargs: object) -> None:
        Path(file).write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(pl.DataFrame, "write_parquet", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_store(tmp_path, **run)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")

    def fail(path: Path) -> None:
        path.write_text("new but incomplete")
        raise OSError(5, "Input/output error")

    with pytest.raises(StoreError, match=f"cannot write {target}"):
        atomic_write(target, fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    atomic_write(target, lambda path: path.write_text("new"))
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_store_path_that_is_a_file(tmp_path: Path, run: dict) -> None:
    path = tmp_path / "store"
    path.write_text("x")
    with pytest.raises(StoreError, match="is a file, not a folder"):
        write_store(path, **run)


def test_unknown_format(tmp_path: Path, run: dict) -> None:
    with pytest.raises(StoreError, match="unknown store format 'csv'"):
        write_store(tmp_path, fmt="csv", **run)  # type: ignore[arg-type]


# --- JSONL stores -----------------------------------------------------------------------------------


def test_jsonl_store(tmp_path: Path, run: dict) -> None:
    summary = write_store(tmp_path, fmt="jsonl", **run)
    assert summary.fmt == "jsonl"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{name}.jsonl" for name in sorted(TABLES)]
    lines = (tmp_path / "quotes.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert rows == [q.to_dict() | {"kind": "direct"} for q in run["quotes"]]
    assert [Quote(**row).to_dict() for row in rows] == [q.to_dict() for q in run["quotes"]]
    assert read_speakers(tmp_path).schema == SPEAKER_SCHEMA
    assert read_articles(tmp_path)["id"].to_list() == ["d1", "d2"]
    again = write_store(tmp_path, fmt="jsonl", **run)
    assert again == summary
    assert (tmp_path / "quotes.jsonl").read_text(encoding="utf-8").splitlines() == lines


# --- reading errors ---------------------------------------------------------------------------------


def test_missing_store_says_how_to_create_one(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(
        StoreError, match=rf"no quotes store at {missing}.*quotes extract PATH --out {missing}"
    ):
        scan_quotes(missing)


def test_folder_that_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"not a quotes store: it has no speakers.parquet.*quotes extract"):
        read_speakers(tmp_path)


def test_schema_mismatch_names_the_columns(tmp_path: Path, run: dict) -> None:
    write_store(tmp_path, **run)
    frame = pl.read_parquet(tmp_path / "quotes.parquet")
    frame = frame.drop("cue").rename({"kind": "type"}).with_columns(pl.col("content_start").cast(pl.Int32))
    frame.write_parquet(tmp_path / "quotes.parquet")
    with pytest.raises(StoreError) as raised:
        scan_quotes(tmp_path)
    message = str(raised.value)
    for fragment in [
        "missing column 'kind'",
        "missing column 'cue'",
        "unexpected column 'type'",
        "column 'content_start' is Int32, expected Int64",
        "quotes extract",
    ]:
        assert fragment in message
    with pytest.raises(StoreError, match="missing column 'kind'"):
        write_store(tmp_path, **run)


def test_corrupt_parquet_file(tmp_path: Path, run: dict) -> None:
    write_store(tmp_path, **run)
    (tmp_path / "articles.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(StoreError, match=r"cannot read .*articles.parquet.*re-create the store"):
        read_articles(tmp_path)
