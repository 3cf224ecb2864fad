"""Tests of quotes.query: speaker matching, statements and exports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest

from quotes.errors import AmbiguousSpeakerError, QueryError, StoreError
from quotes.model import QUOTE_SCHEMA, Article, Kind, Quote, Speaker
from quotes.query import (
    export,
    match_speakers,
    normalize_name,
    quotes_with_articles,
    speakers,
    statements,
)
from quotes.store import write_store

PM = "Sheikh Mohammed bin Abdulrahman bin Jassim Al Thani"
TEXT = (
    "“Good progress was made (in Paris),” Al Thani said. "
    "Majed al-Ansari said talks continue. "
    "“We are hopeful,” Lord Thanington said. "
    "“Talks are in a much better place,” he said."
)


def span(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


def quote(
    qid: str, doc_id: str, content: str, speaker_id: str, name: str, *, kind: str = Kind.DIRECT
) -> Quote:
    start, end = span(content)
    return Quote(
        id=qid,
        doc_id=doc_id,
        kind=kind,
        text=content,
        content_start=start,
        content_end=end,
        content_fragments=((start, end),),
        cue="said",
        speaker_mention=name,
        speaker_id=speaker_id,
        speaker_name=name,
        speaker_type="person",
    )


QUOTES = [
    quote("q2", "a2", "Talks are in a much better place,", "pm", PM),
    quote("q1", "a1", "Good progress was made (in Paris),", "pm", PM),
    quote("q3", "a1", "talks continue", "ansari", "Majed al-Ansari", kind=Kind.INDIRECT),
    quote("q4", "a1", "We are hopeful,", "thanington", "Lord Thanington"),
    quote("q5", "a2", "Good progress was made (in Paris),", "pm", PM),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    write_store(
        folder,
        articles=[
            Article(
                id="a1",
                text=TEXT,
                title="Truce talks",
                url="https://x.example/a1",
                outlet="Al Jazeera",
                published="2024-01-29",
            ),
            Article(id="a2", text=TEXT, outlet="Reuters"),
        ],
        quotes=QUOTES,
        speakers=[
            Speaker(id="pm", name=PM, aliases=("al-Thani", "Al Thani"), roles=("Qatar's prime minister",)),
            Speaker(id="ansari", name="Majed al-Ansari", roles=("foreign ministry spokesman",)),
            Speaker(id="thanington", name="Lord Thanington", aliases=("O'Neill_Jones",)),
        ],
        errors=[],
    )
    return folder


def test_normalize_name() -> None:
    assert normalize_name("  Al-Thani’s   O'Neill_Jones  Jr. ") == "al thani s o neill jones jr"


def test_speakers_sorted_by_quote_count_then_name(store: Path) -> None:
    table = speakers(store)
    assert table.select("id", "quotes", "articles").rows() == [
        ("pm", 3, 2),
        ("thanington", 1, 1),
        ("ansari", 1, 1),
    ]
    # Ties on quote count go by name: "Lord Thanington" < "Majed al-Ansari".


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Al Thani", ["pm"]),
        ("al thani", ["pm"]),
        ("AL-THANI", ["pm"]),
        ("al_thani", ["pm"]),
        ("  Al   Thani ", ["pm"]),
        ("Thani", ["pm"]),
        ("Mohammed bin Abdulrahman", ["pm"]),
        (PM, ["pm"]),
        ("Ansari", ["ansari"]),
        ("al-Ansari", ["ansari"]),
        ("Majed al Ansari", ["ansari"]),
        ("prime minister", ["pm"]),
        ("Qatar's prime minister", ["pm"]),
        ("Qatar’s", ["pm"]),
        ("spokesman", ["ansari"]),
        ("Thanington", ["thanington"]),
        ("o'neill jones", ["thanington"]),
        ("O Neill-Jones", ["thanington"]),
        # name words in order, particles, hyphens and honorifics aside
        ("Mohammed Al Thani", ["pm"]),
        ("Sheikh Mohammed", ["pm"]),
        ("Majed Ansari", ["ansari"]),
        ("M. al-Ansari", ["ansari"]),
        # roles, normalised: title abbreviations, demonyms, "of", case
        ("Qatari PM", ["pm"]),
        ("Prime Minister of Qatar", ["pm"]),
        ("the qatari prime minister", ["pm"]),
        ("pm", ["pm"]),
        # an id
        ("thanington", ["thanington"]),
    ],
)
def test_match_speakers_positive(store: Path, query: str, expected: list[str]) -> None:
    assert match_speakers(store, query)["id"].to_list() == expected


@pytest.mark.parametrize(
    "query",
    [
        "Than",
        "Thanin",
        "Al Than",
        "Ansar",
        "Thani Mohammed",
        "minister prime",
        "bin bin",
        "Majed Thani",
        "Neill Jon",
        "Israeli PM",
        "Jassim Al Thanington",
        "nobody",
    ],
)
def test_match_speakers_negative(store: Path, query: str) -> None:
    assert match_speakers(store, query).is_empty()


def test_match_speakers_rejects_an_empty_name(store: Path) -> None:
    with pytest.raises(QueryError, match="is empty"):
        match_speakers(store, " - _ ")


def test_statements_columns_and_order(store: Path) -> None:
    table = statements(store, "al thani")
    for column in [
        "doc_id",
        "kind",
        "speaker_name",
        "speaker_mention",
        "text",
        "content_start",
        "content_end",
        "outlet",
        "title",
        "url",
        "published",
    ]:
        assert column in table.columns
    assert table.select("id", "doc_id", "outlet").rows() == [
        ("q1", "a1", "Al Jazeera"),
        ("q5", "a2", "Reuters"),
        ("q2", "a2", "Reuters"),
    ]
    assert table["content_start"].to_list() == [span(t)[0] for t in table["text"]]
    assert table.row(0, named=True)["published"] == "2024-01-29"


def test_statements_contains_is_a_case_insensitive_literal(store: Path) -> None:
    assert statements(store, "Al Thani", contains="GOOD PROGRESS")["id"].to_list() == ["q1", "q5"]
    assert statements(store, "Al Thani", contains="(in paris)")["id"].to_list() == ["q1", "q5"]
    assert statements(store, "Al Thani", contains=".*").is_empty()


def test_statements_without_match_is_an_empty_frame(store: Path) -> None:
    table = statements(store, "Netanyahu")
    assert table.is_empty()
    assert table.columns == statements(store, "Al Thani").columns


def test_an_ambiguous_query_lists_the_candidates_instead_of_guessing(store: Path) -> None:
    with pytest.raises(AmbiguousSpeakerError) as caught:
        statements(store, "al")
    assert sorted(caught.value.candidates["id"].to_list()) == ["ansari", "pm"]
    assert "--speaker-id" in str(caught.value)
    assert statements(store, speaker_id="ansari")["id"].to_list() == ["q3"]


def test_statements_need_one_speaker_or_id(store: Path) -> None:
    with pytest.raises(QueryError, match="not both"):
        statements(store)
    with pytest.raises(QueryError, match="not both"):
        statements(store, "Al Thani", speaker_id="pm")


def test_query_on_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="quotes extract"):
        statements(tmp_path / "missing", "Al Thani")


# --- export -------------------------------------------------------------------------------------------

METADATA = ("outlet", "title", "url", "published")


def test_export_jsonl_round_trips(store: Path, tmp_path: Path) -> None:
    text = export(store, fmt="jsonl", out=None)
    assert isinstance(text, str)
    rows = [json.loads(line) for line in text.splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q3", "q4", "q5", "q2"]
    by_id = {q.id: q for q in QUOTES}
    for row in rows:
        assert list(row) == [*QUOTE_SCHEMA.names(), *METADATA]
        fields = {k: v for k, v in row.items() if k not in METADATA}
        assert Quote(**fields).to_dict() == by_id[row["id"]].to_dict()
        assert "text" in row and row["text"] != TEXT  # the quote text, never the article text
    assert rows[0]["outlet"] == "Al Jazeera" and rows[-1]["outlet"] == "Reuters"
    out = tmp_path / "quotes.jsonl"
    assert export(store, fmt="jsonl", out=out) is None
    assert out.read_text(encoding="utf-8") == text


def test_export_csv_flattens_fragments(store: Path, tmp_path: Path) -> None:
    text = export(store, fmt="csv", out=None)
    assert isinstance(text, str)
    frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    assert frame.columns == [*QUOTE_SCHEMA.names(), *METADATA]
    first = frame.row(0, named=True)
    assert json.loads(first["content_fragments"]) == [list(span("Good progress was made (in Paris),"))]
    assert first["text"] == "Good progress was made (in Paris),"
    out = tmp_path / "quotes.csv"
    export(store, fmt="csv", out=out)
    assert out.read_text(encoding="utf-8") == text


def test_export_parquet_keeps_nested_fragments(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "quotes.parquet"
    assert export(store, fmt="parquet", out=out) is None
    assert pl.read_parquet(out).equals(quotes_with_articles(store).collect())
    assert pl.read_parquet_schema(out)["content_fragments"] == pl.List(pl.List(pl.Int64))
    assert [p.name for p in tmp_path.iterdir()] == ["quotes.parquet"]


def test_export_parquet_needs_a_file(store: Path) -> None:
    with pytest.raises(QueryError, match="needs an output file"):
        export(store, fmt="parquet", out=None)


def test_export_unknown_format(store: Path) -> None:
    with pytest.raises(QueryError, match="unknown export format 'xml'"):
        export(store, fmt="xml", out=None)  # type: ignore[arg-type]


def test_export_csv_of_split_and_empty_fragments(tmp_path: Path) -> None:
    article = Article(id="d", text="“A,” he said, “B.”")
    split = Quote(
        id="q",
        doc_id="d",
        kind="direct",
        text="A,” he said, “B.",
        content_start=1,
        content_end=16,
        content_fragments=((1, 3), (15, 17)),
        speaker_id="s",
        speaker_name="He",
    )
    empty = Quote(
        id="r",
        doc_id="d",
        kind="indirect",
        text="",
        content_start=0,
        content_end=0,
        content_fragments=(),
        speaker_id="s",
        speaker_name="He",
    )
    write_store(tmp_path, articles=[article], quotes=[split, empty], speakers=[], errors=[])
    frame = pl.read_csv(io.StringIO(export(tmp_path, fmt="csv", out=None) or ""), infer_schema=False)
    assert frame["content_fragments"].to_list() == ["[]", "[[1,3],[15,17]]"]
