"""The command line, through typer's runner, on the seed articles."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from quotes.cli import app

runner = CliRunner()


def test_help_for_every_command():
    for command in ("extract", "query", "speakers", "export", "eval"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, command
        assert "Example" in result.output


def test_query_al_thani_lists_every_article_that_names_him(seed_store):
    result = runner.invoke(app, ["query", "Al Thani", "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {row["doc_id"][:3] for row in rows} >= {"000", "001", "002"}
    assert all("thani" in row["speaker_name"].lower() for row in rows)


def test_query_unknown_speaker_exits_1(seed_store):
    result = runner.invoke(app, ["query", "Nobody Atall", "--store", str(seed_store)])
    assert result.exit_code == 1


def test_speakers_and_export(seed_store, tmp_path):
    result = runner.invoke(app, ["speakers", "--store", str(seed_store), "--format", "csv"])
    assert result.exit_code == 0 and "Majed al-Ansari" in result.output
    out = tmp_path / "q.jsonl"
    result = runner.invoke(
        app, ["export", "--store", str(seed_store), "--format", "jsonl", "--out", str(out)]
    )
    assert result.exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    expected = {"doc_id", "kind", "content_start", "content_end", "speaker_id", "speaker_name"}
    assert rows and expected <= set(rows[0])


def test_missing_store_is_a_one_line_error(tmp_path):
    result = runner.invoke(app, ["speakers", "--store", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")


def test_extract_keeps_going_past_bad_inputs(tmp_path, parser):
    good = tmp_path / "good.txt"
    good.write_text('"We will not give up," the minister said on Monday.\n', encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 said so.".encode("latin-1"))
    (tmp_path / "bad.jsonl").write_text(
        '{"id": "a", "text": "She said it was over."}\n{not json\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["extract", str(tmp_path), "--out", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "empty.txt" in result.output and "latin.txt" in result.output and "bad.jsonl:2" in result.output


def test_extract_with_nothing_usable_exits_1(tmp_path, parser):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(tmp_path / "empty.txt"), "--out", str(tmp_path / "store")])
    assert result.exit_code == 1


def test_missing_model_folder_is_a_clear_error(tmp_path):
    (tmp_path / "a.txt").write_text("He said yes.", encoding="utf-8")
    result = runner.invoke(
        app, ["extract", str(tmp_path), "--out", str(tmp_path / "s"), "--models", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "model folder" in result.output
