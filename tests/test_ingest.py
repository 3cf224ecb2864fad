"""Tests of quotes.ingest: reading .txt, .jsonl, .html files, folders and stdin."""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotes.errors import InputError
from quotes.ingest import read_articles
from quotes.model import Article, ArticleError

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def write(path: Path, data: bytes | str) -> Path:
    """Write bytes (or UTF-8 text) to `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def jsonl(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


# --- .txt files and folders ------------------------------------------------------------------


def test_seed_samples_are_read_byte_for_byte() -> None:
    articles = list(read_articles([SAMPLES]))
    files = sorted(SAMPLES.glob("*.txt"))
    assert [a.id for a in articles] == [f.stem for f in files]
    for article, path in zip(articles, files, strict=True):
        assert article.text == path.read_bytes().decode("utf-8")
        assert article.source == str(path)
        assert article.title is None


def test_txt_keeps_text_exactly(tmp_path: Path) -> None:
    text = "  Title\r\n\r\n“Quote,” he said.  \n\n\t"
    path = write(tmp_path / "article-7.txt", text)
    [article] = read_articles([path])
    assert article == Article(id="article-7", text=text, source=str(path))


def test_txt_drops_only_a_utf8_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"\xef\xbb\xbfHello \xef\xbb\xbf there")
    [article] = read_articles([path])
    assert article.text == "Hello \ufeff there"


def test_txt_id_keeps_inner_dots(tmp_path: Path) -> None:
    [article] = read_articles([write(tmp_path / "2024.01.29.txt", "Text.")])
    assert article.id == "2024.01.29"


def test_folder_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B.")
    write(tmp_path / "a" / "z.txt", "Z.")
    write(tmp_path / "a" / "c.jsonl", jsonl({"id": "c1", "text": "C1."}))
    write(tmp_path / "notes.md", "ignored")
    write(tmp_path / ".hidden.txt", "ignored")
    write(tmp_path / ".git" / "x.txt", "ignored")
    assert [a.id for a in read_articles([tmp_path])] == ["c1", "z", "b"]


def test_paths_are_read_in_the_order_given(tmp_path: Path) -> None:
    first = write(tmp_path / "y.txt", "Y.")
    second = write(tmp_path / "x.txt", "X.")
    assert [a.id for a in read_articles([first, str(second)])] == ["y", "x"]


def test_reading_is_lazy(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", "Fine.")
    stream = read_articles([good, tmp_path / "missing.txt"])
    assert next(stream).id == "good"
    with pytest.raises(InputError):
        next(stream)


# --- .jsonl files ------------------------------------------------------------------------------


def test_jsonl_records_with_metadata(tmp_path: Path) -> None:
    path = write(
        tmp_path / "batch.jsonl",
        jsonl(
            {
                "id": "a1",
                "text": " First.\n",
                "title": "T",
                "url": "https://x.example/1",
                "outlet": "Al Jazeera",
                "published": "2024-01-29",
                "extra": [1],
            },
            {"id": 42, "text": "Second.", "title": None},
        )
        + "\n   \n",
    )
    first, second = read_articles([path])
    assert first == Article(
        id="a1",
        text=" First.\n",
        title="T",
        url="https://x.example/1",
        outlet="Al Jazeera",
        published="2024-01-29",
        source=f"{path}:1",
    )
    assert second == Article(id="42", text="Second.", source=f"{path}:2")


def test_jsonl_blank_lines_keep_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "b.jsonl", "\n" + jsonl({"id": "x", "text": "X."}) + "\n" + "{bad\n")
    errors: list[ArticleError] = []
    [article] = read_articles([path], errors=errors)
    assert article.source == f"{path}:2"
    assert [e.line for e in errors] == [4]


def test_jsonl_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "b.jsonl", b"\xef\xbb\xbf" + jsonl({"id": "x", "text": "X."}).encode())
    assert [a.id for a in read_articles([path])] == ["x"]


def test_stdin_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    data = jsonl({"id": "s1", "text": "From stdin."}).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    [article] = read_articles(["-"])
    assert (article.id, article.text, article.source) == ("s1", "From stdin.", "<stdin>:1")


# --- .html files -------------------------------------------------------------------------------

HTML = """<html><head><title>Truce talks | News</title>
<meta property="og:url" content="https://news.example/truce">
<meta name="date" content="2024-01-29"></head>
<body><article><h1>Truce talks</h1>
<p>“We hope to convey this proposal to Hamas and bring it to a point where it will engage
positively,” the prime minister said at an event in Washington on Monday evening.</p>
<p>He said the talks were taking place in a much better place than a few weeks ago.</p>
</article></body></html>"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    path = write(tmp_path / "page.html", HTML)
    [article] = read_articles([path])
    assert article.id == "page"
    assert "“We hope to convey this proposal to Hamas" in article.text
    assert "<p>" not in article.text
    assert article.url == "https://news.example/truce"
    assert article.published == "2024-01-29"
    assert article.title


def test_html_without_text_is_an_error(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    path = write(tmp_path / "empty.htm", "<html><body><script>var x = 1;</script></body></html>")
    errors: list[ArticleError] = []
    assert list(read_articles([path], errors=errors)) == []
    assert "no article text found" in errors[0].message


# --- bad inputs --------------------------------------------------------------------------------

BAD_FILES = [
    pytest.param("empty.txt", b"", ["file is empty"], id="empty"),
    pytest.param("blank.txt", b"  \n\t\r\n ", ["only whitespace"], id="whitespace-only"),
    pytest.param("nul.txt", b"Some text\x00\x01\x02 more", ["binary"], id="nul-bytes"),
    pytest.param("noise.txt", bytes(range(1, 32)) * 20 + b"\xff\xfe\x80", ["binary"], id="mostly-non-text"),
    pytest.param("ctrl.txt", bytes(range(1, 9)) * 50, ["binary"], id="control-characters"),
    pytest.param(
        "latin1.txt",
        "Le café est là.".encode("latin-1"),
        ["not valid UTF-8", "0xe9", "byte offset 6", "line 1", "iconv -f latin1 -t utf-8"],
        id="latin1",
    ),
    pytest.param("utf16.txt", "Hello".encode("utf-16"), ["UTF-16", "iconv"], id="utf16"),
    pytest.param("slides.pdf", b"%PDF-1.4", ["unsupported file type '.pdf'", ".txt, .jsonl"], id="extension"),
    pytest.param("README", b"text", ["unsupported file type '(no extension)'"], id="no-extension"),
    pytest.param("empty.jsonl", b"\n  \n", ["no JSONL records"], id="empty-jsonl"),
    pytest.param("bin.jsonl", b"\x00\x01{}", ["binary"], id="binary-jsonl"),
]


@pytest.mark.parametrize(("name", "data", "expected"), BAD_FILES)
def test_bad_file_is_reported_and_others_still_come_through(
    tmp_path: Path, name: str, data: bytes, expected: list[str]
) -> None:
    before = write(tmp_path / "in" / "0-good.txt", "Good one.")
    bad = write(tmp_path / "in" / name, data)
    after = write(tmp_path / "in" / "z-good.txt", "Good two.")
    errors: list[ArticleError] = []
    articles = list(read_articles([before, bad, after], errors=errors))
    assert [a.id for a in articles] == ["0-good", "z-good"]
    [error] = errors
    assert error.source == str(bad)
    assert error.stage == "ingest"
    assert error.message.startswith(f"{bad}: ")
    for fragment in expected:
        assert fragment in error.message
    with pytest.raises(InputError) as raised:
        list(read_articles([bad]))
    assert raised.value.source == str(bad)
    assert str(raised.value) == error.message


def test_bad_txt_error_names_its_doc_id(tmp_path: Path) -> None:
    errors: list[ArticleError] = []
    list(read_articles([write(tmp_path / "a17.txt", b"")], errors=errors))
    assert errors[0].doc_id == "a17"
    assert errors[0].line is None


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    errors: list[ArticleError] = []
    assert list(read_articles([missing, SAMPLES], errors=errors))
    assert errors[0].message == f"{missing}: no such file or folder; check the path (and the current folder)"
    with pytest.raises(InputError, match="no such file or folder"):
        list(read_articles([missing]))


def test_folder_without_articles(tmp_path: Path) -> None:
    write(tmp_path / "notes.md", "x")
    with pytest.raises(InputError, match="folder contains no article files"):
        list(read_articles([tmp_path]))


BAD_RECORDS = [
    pytest.param("{not json", ["malformed JSON", "column 2"], None, id="malformed"),
    pytest.param('["a", "b"]', ["record is a JSON list", "expected an object"], None, id="array"),
    pytest.param('"just text"', ["record is a JSON str"], None, id="string"),
    pytest.param('{"text": "No id."}', ['no "id"'], None, id="missing-id"),
    pytest.param(
        '{"id": true, "text": "T."}',
        ['"id" must be a string or an integer, got a boolean'],
        None,
        id="bool-id",
    ),
    pytest.param(
        '{"id": ["x"], "text": "T."}',
        ['"id" must be a string or an integer, got an array'],
        None,
        id="list-id",
    ),
    pytest.param('{"id": " ", "text": "T."}', ['"id" is empty'], None, id="blank-id"),
    pytest.param('{"id": "r1"}', ['no "text"'], "r1", id="missing-text"),
    pytest.param(
        '{"id": "r1", "text": 5}', ['"text" must be a string, got a number'], "r1", id="number-text"
    ),
    pytest.param('{"id": "r1", "text": ""}', ['"text" is empty'], "r1", id="empty-text"),
    pytest.param('{"id": 7, "text": " \\n "}', ['"text" contains only whitespace'], "7", id="blank-text"),
    pytest.param(
        '{"id": "r1", "text": "T.", "title": ["x"]}',
        ['"title" must be a string or null'],
        "r1",
        id="list-title",
    ),
    pytest.param(
        '{"id": "r1", "text": "' + "x" * 200 + '"}',
        ["too long (200 characters", "max_chars"],
        "r1",
        id="too-long",
    ),
]


@pytest.mark.parametrize(("line", "expected", "doc_id"), BAD_RECORDS)
def test_bad_jsonl_record_names_file_and_line(
    tmp_path: Path, line: str, expected: list[str], doc_id: str | None
) -> None:
    good = jsonl({"id": "g1", "text": "Good."})
    path = write(tmp_path / "batch.jsonl", good + line + "\n" + jsonl({"id": "g2", "text": "Also good."}))
    errors: list[ArticleError] = []
    articles = list(read_articles([path], errors=errors, max_chars=100))
    assert [a.id for a in articles] == ["g1", "g2"]
    [error] = errors
    assert (error.source, error.line, error.doc_id) == (str(path), 2, doc_id)
    assert error.message.startswith(f"{path}:2: ")
    for fragment in expected:
        assert fragment in error.message
    with pytest.raises(InputError) as raised:
        list(read_articles([path], max_chars=100))
    assert (raised.value.source, raised.value.line) == (str(path), 2)


def test_jsonl_line_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path / "b.jsonl", b'{"id": "x", "text": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r"b.jsonl:1: line is not valid UTF-8 \(byte 0xe9 at column 25\)"):
        list(read_articles([path]))


def test_too_long_txt_says_how_to_raise_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "long.txt", "é" * 30)
    with pytest.raises(InputError) as raised:
        list(read_articles([path], max_chars=20))
    assert "too long (30 characters; the limit is 20 characters)" in str(raised.value)
    assert "max_chars" in str(raised.value) and "--max-chars" in str(raised.value)
    assert [a.id for a in read_articles([path], max_chars=30)] == ["long"]


def test_five_megabytes_are_rejected_without_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "huge.txt", b"All work and no play. " * 240_000)
    assert path.stat().st_size > 5_000_000

    def no_read(self: Path) -> bytes:
        raise AssertionError("the file should not be read")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    errors: list[ArticleError] = []
    start = time.perf_counter()
    assert list(read_articles([path], errors=errors)) == []
    assert time.perf_counter() - start < 0.5
    assert "too long (5,280,000 bytes; the limit is 1,000,000 characters)" in errors[0].message


# --- duplicate ids -------------------------------------------------------------------------------


def test_same_id_same_text_is_skipped_silently(tmp_path: Path) -> None:
    txt = write(tmp_path / "a1.txt", "Same text.")
    batch = write(tmp_path / "batch.jsonl", jsonl({"id": "a1", "text": "Same text."}))
    errors: list[ArticleError] = []
    articles = list(read_articles([txt, batch, txt], errors=errors))
    assert [a.source for a in articles] == [str(txt)]
    assert errors == []


def test_same_id_different_text_is_an_error_for_the_later_one(tmp_path: Path) -> None:
    batch = write(
        tmp_path / "batch.jsonl",
        jsonl(
            {"id": "a1", "text": "First."}, {"id": "a1", "text": "Second."}, {"id": "a2", "text": "Other."}
        ),
    )
    errors: list[ArticleError] = []
    articles = list(read_articles([batch], errors=errors))
    assert [a.text for a in articles] == ["First.", "Other."]
    [error] = errors
    assert (error.source, error.line, error.doc_id) == (str(batch), 2, "a1")
    assert f"duplicate article id 'a1' with a different text (first read from {batch}:1)" in error.message
    with pytest.raises(InputError, match="duplicate article id"):
        list(read_articles([batch]))


# --- property: arbitrary bytes never crash ---------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300) | st.text(max_size=100).map(lambda t: t.encode("utf-8")))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.txt"
        path.write_bytes(data)
        errors: list[ArticleError] = []
        articles = list(read_articles([path], errors=errors, max_chars=200))
    assert len(articles) + len(errors) == 1
    if articles:
        assert articles[0].text.encode("utf-8") in (data, data.removeprefix(b"\xef\xbb\xbf"))
    else:
        assert errors[0].message.startswith(str(path))
