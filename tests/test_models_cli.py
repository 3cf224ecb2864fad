"""`quotes models …`: info, download, train and report, and the model-folder helpers behind them.

Most tests build small fake model folders (Stanza's layout with tiny files), so they run
without ../shared; the ones that read the bootstrap model or the UD data skip cleanly
when those are absent, and the quick training run is marked slow.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quotes import models, training
from quotes.cli import app
from quotes.errors import ModelError
from quotes.parse import SHIPPED_MODELS, find_models
from quotes.training import SCORE_METRICS, RunResult, TrainingConfig, TrainingReport

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
BOOTSTRAP = ROOT.parent / "shared" / "models" / "stanza-en"
UD = ROOT.parent / "shared" / "data" / "ud"
PACKAGES = {"tokenize": "combined", "mwt": "combined", "pos": "combined_nocharlm"}
PACKAGES |= {"lemma": "combined_nocharlm", "depparse": "combined_nocharlm"}

needs_bootstrap = pytest.mark.skipif(
    not (BOOTSTRAP / "resources.json").is_file(), reason="bootstrap model ../shared/models/stanza-en absent"
)


def fake_model_dir(folder: Path, *, sizes: dict[str, int] | None = None) -> Path:
    """A Stanza-layout folder: resources.json as the recipe writes it, and small .pt files."""
    import torch

    sizes = sizes or {p: 100 * (i + 1) for i, p in enumerate(PACKAGES)}
    md5s = {}
    for processor, size in sizes.items():
        path = folder / "en" / processor / f"{PACKAGES[processor]}.pt"
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"model": {"w": torch.zeros(size)}, "config": {}}, path)
        md5s[processor] = "0" * 32
    (folder / "resources.json").write_text(json.dumps(training._resources_json(md5s)), encoding="utf-8")
    return folder


def scores(las: float) -> dict[str, dict[str, float]]:
    per_set = {
        **dict.fromkeys(SCORE_METRICS, 90.0),
        "words": 1000.0,
        "seconds": 2.0,
        "words_per_second": 500.0,
    }
    return {"ewt": {**per_set, "LAS": las}, "gum": {**per_set, "LAS": las + 1}}


def fake_report(out_dir: Path) -> TrainingReport:
    run = RunResult(
        "pos-stage1", "stanza.models.tagger", ("--max_steps", "10"), 90.0, 1, 87.5, out_dir / "x.log"
    )
    return TrainingReport(
        config=TrainingConfig.quick(),
        out_dir=out_dir,
        work_dir=out_dir.with_name("work"),
        runs=(run,),
        seconds=5400.0,
        files={"en/pos/combined_nocharlm.pt": 3000},
        counts={"combined.train": 600, "ewt.train": 300, "gum.train": 300, "ewt.dev": 200},
    )


# --------------------------------------------------------------------------- info


@needs_bootstrap
def test_info_on_the_bootstrap_model_reads_files_and_readme_scores():
    result = runner.invoke(app, ["models", "info", "--models", str(BOOTSTRAP)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"given with --models {BOOTSTRAP}" in out
    for processor, package in PACKAGES.items():
        assert f"en/{processor}/{package}.pt" in out
    assert "53.1 MB" in out  # its README: total ~53 MB
    assert "README.md" in out  # no scores.json there: the card's table is read
    las = next(line for line in out.splitlines() if line.strip().startswith("LAS"))
    assert las.split()[1:] == ["75.46", "77.92"]
    assert "MISSING" not in out


def test_info_says_why_each_folder_is_chosen(tmp_path, monkeypatch):
    folder = fake_model_dir(tmp_path / "m")
    monkeypatch.setenv("QUOTES_MODELS", str(folder))
    assert models.describe().source == "QUOTES_MODELS"
    assert models.describe(str(folder)).source == "--models"
    monkeypatch.delenv("QUOTES_MODELS")
    if (SHIPPED_MODELS / "resources.json").is_file():
        info = models.describe()
        assert info.source == "shipped" and info.dir == SHIPPED_MODELS
    else:
        with pytest.raises(ModelError, match="no Stanza model found"):
            models.describe()


def test_info_on_a_missing_folder_is_a_one_line_error():
    result = runner.invoke(app, ["models", "info", "--models", "/nonexistent/models"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: model folder /nonexistent/models does not exist")
    assert result.output.count("\n") == 1


def test_info_on_a_folder_that_is_not_a_model_folder(tmp_path):
    result = runner.invoke(app, ["models", "info", "--models", str(tmp_path)])
    assert result.exit_code == 1
    assert "resources.json" in result.output


def test_info_reads_scores_json_first(tmp_path):
    folder = fake_model_dir(tmp_path / "m")
    training.write_model_card(fake_report(folder), scores(80.0), folder / "README.md")
    assert (folder / "scores.json").is_file()
    (folder / "README.md").write_text("| metric | EWT test |\n|---|---|\n| LAS | 1.00 |\n", encoding="utf-8")

    result = runner.invoke(app, ["models", "info", "--models", str(folder)])

    assert result.exit_code == 0, result.output
    las = next(line for line in result.output.splitlines() if line.strip().startswith("LAS"))
    assert las.split()[1:] == ["80.00", "81.00"]
    assert "scores.json" in result.output
    assert "training time: 1.50 h" in result.output
    total = next(line for line in result.output.splitlines() if line.strip().startswith("total"))
    assert total.split()[1:] == ["0.0", "MB", "(0.0", "MiB)"]  # about 8 KB in all


def test_info_without_any_scores_prints_what_it_has(tmp_path):
    folder = fake_model_dir(tmp_path / "m")
    (folder / "README.md").write_text("# A model\n\nNo numbers here.\n", encoding="utf-8")
    result = runner.invoke(app, ["models", "info", "--models", str(folder)])
    assert result.exit_code == 0, result.output
    assert "scores: none recorded" in result.output
    assert "en/depparse/combined_nocharlm.pt" in result.output


def test_info_flags_missing_files(tmp_path):
    folder = fake_model_dir(tmp_path / "m")
    (folder / "en" / "depparse" / "combined_nocharlm.pt").unlink()
    info = models.describe(str(folder))
    assert [f.processor for f in info.missing] == ["depparse"]
    assert "warning: missing files: en/depparse/combined_nocharlm.pt" in "\n".join(models.format_info(info))


def test_model_files_lists_the_dependencies_of_official_models(tmp_path):
    english = {
        "default_processors": {
            "tokenize": "combined",
            "pos": "combined_charlm",
            "depparse": "combined_charlm",
        },
        "pos": {"combined_charlm": {"dependencies": [{"model": "pretrain", "package": "conll17"}]}},
        "depparse": {"combined_charlm": {"dependencies": [{"model": "pretrain", "package": "conll17"}]}},
    }
    (tmp_path / "resources.json").write_text(json.dumps({"en": english}), encoding="utf-8")
    for relative in ("tokenize/combined.pt", "pos/combined_charlm.pt", "pretrain/conll17.pt"):
        (tmp_path / "en" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "en" / relative).write_bytes(b"x")

    files = models.model_files(tmp_path)

    assert [(f.processor, f.needed_by) for f in files] == [
        ("tokenize", None),
        ("pos", None),
        ("pretrain", "pos"),
        ("lemma", None),  # no package: listed as missing
        ("depparse", None),
    ]
    assert [str(f.path) for f in files if f.bytes is None] == ["en/lemma", "en/depparse/combined_charlm.pt"]


# --------------------------------------------------------------------------- model card <-> scores


def test_write_model_card_writes_scores_json_that_reads_back(tmp_path):
    report = fake_report(tmp_path / "m")
    training.write_model_card(report, scores(77.5), tmp_path / "README.md")
    data = json.loads((tmp_path / "scores.json").read_text(encoding="utf-8"))
    assert data["scores"] == scores(77.5)
    assert data["training"]["seconds"] == 5400.0
    assert data["training"]["runs"][0]["argv"] == ["--max_steps", "10"]
    assert data["training"]["config"]["pos_steps"] == TrainingConfig.quick().pos_steps
    assert data["training"]["versions"]["stanza"]
    assert models.read_scores(tmp_path) == (scores(77.5), tmp_path / "scores.json", 5400.0)


def test_parse_model_card_reads_back_what_write_model_card_wrote(tmp_path):
    training.write_model_card(fake_report(tmp_path / "m"), scores(77.5), tmp_path / "README.md")
    parsed, seconds = models.parse_model_card((tmp_path / "README.md").read_text(encoding="utf-8"))
    assert seconds == pytest.approx(5400.0)
    expected = scores(77.5)
    for treebank in ("ewt", "gum"):
        for metric in (*SCORE_METRICS, "words", "seconds"):
            assert parsed[treebank][metric] == pytest.approx(expected[treebank][metric], abs=0.01)
    assert parsed["ewt"]["words_per_second"] == 500.0


def test_backfill_scores_json_from_an_older_card_and_the_work_folder(tmp_path):
    folder = fake_model_dir(tmp_path / "m")
    report = fake_report(folder)
    training.write_model_card(report, scores(77.5), folder / "README.md")
    (folder / "scores.json").unlink()  # as a card written before scores.json existed
    work = tmp_path / "work"
    (work / "models").mkdir(parents=True)
    (work / "models" / "pos.done").write_text(
        json.dumps([r.to_json() for r in report.runs]), encoding="utf-8"
    )
    (work / "data" / "clean").mkdir(parents=True)
    (work / "data" / "clean" / "ewt.train.conllu").write_text("1\ta\n\n1\tb\n\n", encoding="utf-8")

    path = models.backfill_scores_json(folder, work)

    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["scores"]["ewt"]["LAS"] == 77.5 and data["scores"]["gum"]["words_per_second"] == 500.0
    assert data["training"]["seconds"] == pytest.approx(5400.0)
    assert data["training"]["config"] == json.loads(json.dumps(dataclasses.asdict(TrainingConfig.quick())))
    assert [r["name"] for r in data["training"]["runs"]] == ["pos-stage1"]
    assert data["training"]["counts"]["ewt.train"] == 2
    assert data["training"]["total_bytes"] == sum(f.bytes or 0 for f in models.model_files(folder))
    with pytest.raises(ModelError, match="no finished runs"):
        models.backfill_scores_json(folder, tmp_path / "empty")


def test_parse_model_card_takes_only_the_first_metric_table():
    card = (
        "| metric | EWT test | GUM test |\n|---|---:|---:|\n"
        "| UAS | 79.97 | 82.67 |\n| LAS | 75.46 | 77.92 |\n\n"
        "| metric | EWT test |\n|---|---|\n| LAS | 85.86 |\n"
    )
    parsed, seconds = models.parse_model_card(card)
    assert parsed == {"ewt": {"UAS": 79.97, "LAS": 75.46}, "gum": {"UAS": 82.67, "LAS": 77.92}}
    assert seconds is None


# --------------------------------------------------------------------------- download


def test_download_without_network_is_a_one_line_error(tmp_path, monkeypatch):
    import requests
    import stanza

    def offline(*args, **kwargs):
        try:
            raise OSError("[Errno -2] Name or service not known")
        except OSError as exc:
            raise requests.exceptions.ConnectionError(
                "Max retries exceeded with url: resources.json"
            ) from exc

    monkeypatch.setattr(stanza, "download", offline)
    target = tmp_path / "official"
    result = runner.invoke(app, ["models", "download", "--dir", str(target)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot download Stanza's English models: no network connection")
    assert result.output.count("\n") == 1


def test_download_other_failures_say_what_failed(tmp_path, monkeypatch):
    import stanza

    def broken(*args, **kwargs):
        raise ValueError("md5 for en/pos/x.pt is 1, expected 2")

    monkeypatch.setattr(stanza, "download", broken)
    with pytest.raises(ModelError, match="md5 for en/pos/x.pt"):
        models.download(tmp_path / "m")


def test_download_then_use_the_folder(tmp_path, monkeypatch):
    import stanza

    calls = []

    def fake_download(lang, model_dir, package, processors, logging_level):
        calls.append((lang, package, processors))
        fake_model_dir(Path(model_dir))

    monkeypatch.setattr(stanza, "download", fake_download)
    target = tmp_path / "stanza-official"
    result = runner.invoke(app, ["models", "download", "--dir", str(target)])
    assert result.exit_code == 0, result.output
    assert calls == [("en", "default", "tokenize,mwt,pos,lemma,depparse")]
    assert f"--models {target}" in result.output
    assert find_models(str(target)).dir == target.resolve()


def test_official_needs_downloaded_models(tmp_path, monkeypatch):
    import quotes.parse

    monkeypatch.setattr(quotes.parse, "official_models_dir", lambda: tmp_path / "empty")
    with pytest.raises(ModelError, match="quotes models download"):
        find_models("official")
    fake_model_dir(tmp_path / "empty")
    spec = find_models("official")
    assert spec.name == "official" and spec.dir is None
    monkeypatch.setenv("QUOTES_MODELS", "official")
    assert find_models().name == "official"


# --------------------------------------------------------------------------- optimizer state


def test_model_folder_copies_drop_optimizer_state(tmp_path):
    torch = pytest.importorskip("torch")
    raw = tmp_path / "work" / "models"
    for processor in ("tokenize", "depparse"):
        path = raw / training._MODEL_FILES[processor]
        path.parent.mkdir(parents=True, exist_ok=True)
        checkpoint = {"model": {"w": torch.ones(3)}, "config": {"hidden_dim": 3}}
        if processor == "depparse":
            checkpoint |= {"optimizer_state_dict": {"state": {0: torch.ones(3)}}, "scheduler_state_dict": {}}
        torch.save(checkpoint, path)
    out = tmp_path / "out"

    files = training._write_model_folder(raw, out, ["tokenize", "depparse"])

    assert set(files) == {"en/tokenize/combined.pt", "en/depparse/combined_nocharlm.pt"}
    parser = torch.load(out / "en/depparse/combined_nocharlm.pt", weights_only=True)
    assert set(parser) == {"model", "config"} and torch.equal(parser["model"]["w"], torch.ones(3))
    resources = json.loads((out / "resources.json").read_text(encoding="utf-8"))
    assert resources["en"]["default_processors"] == {"tokenize": "combined", "depparse": "combined_nocharlm"}


@pytest.mark.skipif(not (SHIPPED_MODELS / "resources.json").is_file(), reason="no shipped models yet")
def test_shipped_models_hold_no_optimizer_state_and_fit_in_80_mb():
    torch = pytest.importorskip("torch")
    files = models.model_files(SHIPPED_MODELS)
    assert all(f.bytes is not None for f in files)
    assert sum(f.bytes or 0 for f in files) < 80 * 1024 * 1024
    for f in files:
        keys = torch.load(SHIPPED_MODELS / f.path, map_location="cpu", weights_only=True).keys()
        assert not [k for k in keys if "optimizer" in k or "scheduler" in k], f.path


# --------------------------------------------------------------------------- train and report


def test_train_rejects_a_folder_without_ud_files(tmp_path):
    (tmp_path / "en_ewt-ud-train.conllu").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["models", "train", str(tmp_path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "en_gum-ud-train.conllu" in result.output and "en_ewt-ud-train.conllu" not in result.output
    assert not (tmp_path / "m").exists()


def test_train_runs_the_recipe_then_scores_and_writes_the_card(tmp_path, monkeypatch):
    ud = tmp_path / "ud"
    ud.mkdir()
    for name in models.UD_FILES:
        (ud / name).write_text("", encoding="utf-8")
    calls = {}

    def fake_train_pipeline(ud_dir, out_dir, *, config, jobs, work_dir, resume):
        calls["train"] = (ud_dir, out_dir, config, jobs, work_dir, resume)
        fake_model_dir(out_dir)
        return fake_report(out_dir)

    def fake_evaluate_pipeline(model_dir, ud_dir, *, max_sentences):
        calls["evaluate"] = (model_dir, ud_dir, max_sentences)
        return scores(70.0)

    monkeypatch.setattr(training, "train_pipeline", fake_train_pipeline)
    monkeypatch.setattr(training, "evaluate_pipeline", fake_evaluate_pipeline)
    out, work = tmp_path / "m", tmp_path / "w"
    args = ["models", "train", str(ud), "--out", str(out), "--quick", "--work-dir", str(work), "--jobs", "1"]
    result = runner.invoke(app, [*args, "--resume"])

    assert result.exit_code == 0, result.output
    assert calls["train"] == (ud, out, TrainingConfig.quick(), 1, work, True)
    assert calls["evaluate"] == (out, ud, 100)
    assert f"models → {out}" in result.output and "EWT test LAS 70.00, GUM test LAS 71.00" in result.output
    assert models.read_scores(out)[:2] == (scores(70.0), out / "scores.json")
    assert "## Scores" in (out / "README.md").read_text(encoding="utf-8")


def test_models_report_embeds_the_card_and_compares_with_a_baseline(tmp_path):
    folder = fake_model_dir(tmp_path / "m")
    training.write_model_card(fake_report(folder), scores(80.0), folder / "README.md")
    baseline = fake_model_dir(tmp_path / "baseline")
    (baseline / "README.md").write_text(
        "| metric | EWT test |\n|---|---|\n| LAS | 75.46 |\n", encoding="utf-8"
    )
    speed = models.Speed(
        words=1200, seconds=1.5, runs=(1.5, 1.6, 1.4), threads=2, texts=5, machine="2 CPU cores"
    )

    text = models.write_models_report(
        folder, tmp_path / "reports" / "models.md", speed=speed, baseline=baseline
    )

    assert (tmp_path / "reports" / "models.md").read_text(encoding="utf-8") == text
    assert "| metric | EWT test | GUM test | EWT test, baseline |" in text
    assert "| LAS | 80.00 | 81.00 | 75.46 |" in text
    assert "| Tokens | 90.00 | 90.00 | – |" in text
    assert "training time: 1.50 h" in text
    assert "**800 words/s**" in text
    assert "### Training runs" in text  # the card, one heading level down
    assert "--max_steps 10" in text
    assert "files, no optimizer state" in text


def test_models_report_flags_optimizer_state_left_in_a_model(tmp_path):
    import torch

    folder = fake_model_dir(tmp_path / "m")
    torch.save({"model": {}, "optimizer": {}}, folder / "en" / "pos" / "combined_nocharlm.pt")
    text = models.write_models_report(folder, tmp_path / "models.md")
    assert "OPTIMIZER STATE LEFT IN {'en/pos/combined_nocharlm.pt': ['optimizer']}" in text
    assert "No scores recorded" in text


def test_measure_speed_counts_words(parser):
    texts = ['"We will not give up," the minister said on Monday.', "Jane Doe said the talks went well."]
    speed = models.measure_speed(parser, texts, repeats=2)
    assert speed.words == sum(1 for doc in parser.pipe(texts) for token in doc if not token.is_space) > 15
    assert len(speed.runs) == 2 and speed.words_per_second > 0


@pytest.mark.slow
def test_train_quick_end_to_end(tmp_path):
    if not (UD / "en_ewt-ud-train.conllu").is_file():
        pytest.skip("UD English data ../shared/data/ud absent")
    out = tmp_path / "model"
    result = runner.invoke(app, ["models", "train", str(UD), "--out", str(out), "--quick", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert f"models → {out}" in result.output
    for name in ("resources.json", "README.md", "scores.json"):
        assert (out / name).is_file()
    info = runner.invoke(app, ["models", "info", "--models", str(out)])
    assert info.exit_code == 0 and "scores.json" in info.output and "MISSING" not in info.output
