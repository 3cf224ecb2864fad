"""Tests of the Stanza training recipe in `quotes.training`.

The fast tests check the data preparation (cleaning, lemma deduplication, the prepared
file set on a tiny synthetic treebank), the schedule and the output layout. The slow
test runs the quick recipe end to end on a small slice of UD English-EWT and GUM and
loads the result with ``stanza.Pipeline`` offline.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from quotes import training
from quotes.training import (
    SCORE_METRICS,
    PreparedData,
    RunResult,
    TrainingConfig,
    TrainingReport,
    clean_conllu,
    dedup_lemma_sentences,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
UD_CANDIDATES = (Path("/work/shared/data/ud"), REPO_ROOT.parent / "shared" / "data" / "ud")
BOOTSTRAP_RESOURCES = REPO_ROOT.parent / "shared" / "models" / "stanza-en" / "resources.json"


def _ud_dir() -> Path | None:
    """Return the UD data folder if this machine has it."""
    for candidate in UD_CANDIDATES:
        if (candidate / "en_ewt-ud-train.conllu").is_file():
            return candidate
    return None


# A GUM-like sentence: extra comments, an empty node, enhanced DEPS, rich MISC, an MWT.
RAW = "\n".join(
    [
        "# newdoc id = GUM_test_doc",
        "# global.Entity = GRP-etype-infstat",
        "# meta::title = A title",
        "# newpar",
        "# newpar_block = head (2 s)",
        "# sent_id = GUM_test_doc-1",
        "# s_type = decl",
        "# text = Don't go, said Kim.",
        "1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\tDiscourse=x|SpaceAfter=No",
        "1\tDo\tdo\tAUX\tVBP\tMood=Ind\t3\taux\t3:aux\tMSeg=Do",
        "2\tn't\tnot\tPART\tRB\tPolarity=Neg\t3\tadvmod\t3:advmod\t_",
        "3\tgo\tgo\tVERB\tVB\tVerbForm=Inf\t5\tccomp\t5:ccomp\tEntity=(1)|SpaceAfter=No",
        "3.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t5:conj\tCopyOf=3",
        "4\t,\t,\tPUNCT\t,\t_\t5\tpunct\t5:punct\t_",
        "5\tsaid\tsay\tVERB\tVBD\tTense=Past\t0\troot\t0:root\tXML=<w>|Discourse=y",
        "6\tKim\tKim\tPROPN\tNNP\tNumber=Sing\t5\tnsubj\t5:nsubj\tEntity=(2)|SpaceAfter=No",
        "7\t.\t.\tPUNCT\t.\t_\t5\tpunct\t5:punct\tCorrectForm=.",
        "",
        "# sent_id = GUM_test_doc-2",
        "# newpar id = p2",
        "# text = Kim went.",
        "1\tKim\tKim\tPROPN\tNNP\tNumber=Sing\t2\tnsubj\t2:nsubj\t_",
        "2\twent\tgo\tVERB\tVBD\tTense=Past\t0\troot\t0:root\tSpaceAfter=No",
        "3\t.\t.\tPUNCT\t.\t_\t2\tpunct\t2:punct\t_",
        "",
        "",
    ]
)


def _lines(text: str) -> list[str]:
    return text.splitlines()


# --------------------------------------------------------------------------- cleaning


def test_clean_keeps_only_sent_id_text_newdoc_newpar_comments() -> None:
    comments = [line for line in _lines(clean_conllu(RAW)) if line.startswith("#")]
    assert comments == [
        "# newdoc id = GUM_test_doc",
        "# newpar",
        "# sent_id = GUM_test_doc-1",
        "# text = Don't go, said Kim.",
        "# sent_id = GUM_test_doc-2",
        "# newpar id = p2",
        "# text = Kim went.",
    ]


def test_clean_drops_empty_nodes() -> None:
    ids = [line.split("\t")[0] for line in _lines(clean_conllu(RAW)) if line and not line.startswith("#")]
    assert "3.1" not in ids
    assert ids[:4] == ["1-2", "1", "2", "3"]


def test_clean_sets_deps_to_underscore_and_reduces_misc() -> None:
    rows = [line.split("\t") for line in _lines(clean_conllu(RAW)) if line and not line.startswith("#")]
    assert all(len(row) == 10 for row in rows)
    assert {row[8] for row in rows} == {"_"}
    misc = {row[0] + ":" + row[1]: row[9] for row in rows}
    assert misc["1-2:Don't"] == "SpaceAfter=No"
    assert misc["1:Do"] == "_"
    assert misc["3:go"] == "SpaceAfter=No"
    assert misc["5:said"] == "_"
    assert misc["6:Kim"] == "SpaceAfter=No"
    assert misc["7:."] == "_"
    assert misc["2:went"] == "SpaceAfter=No"


def test_clean_keeps_other_columns_and_sentence_blocks() -> None:
    cleaned = clean_conllu(RAW)
    assert "5\tsaid\tsay\tVERB\tVBD\tTense=Past\t0\troot\t_\t_" in _lines(cleaned)
    assert cleaned.endswith("\n\n")
    assert cleaned.count("\n\n") == 2


def test_clean_max_sentences() -> None:
    cleaned = clean_conllu(RAW, max_sentences=1)
    assert "# sent_id = GUM_test_doc-1" in cleaned
    assert "GUM_test_doc-2" not in cleaned


def test_clean_rejects_a_line_that_is_not_conllu() -> None:
    with pytest.raises(ValueError, match="10-column"):
        clean_conllu("1\tonly\tthree\n\n")


def test_count_sentences(tmp_path: Path) -> None:
    path = tmp_path / "x.conllu"
    path.write_text(clean_conllu(RAW), encoding="utf-8")
    assert training.count_sentences(path) == 2


# --------------------------------------------------------------------------- lemma data


def test_dedup_lemma_keeps_majority_lemma_per_form_and_upos() -> None:
    conllu = "\n".join(
        [
            "1\tleaves\tleave\tVERB\tVBZ\tNumber=Sing\t0\troot\t_\t_",
            "2\tleaves\tleaf\tNOUN\tNNS\tNumber=Plur\t1\tobj\t_\t_",
            "",
            "1\tleaves\tleaf\tVERB\tVBZ\tA=1\t0\troot\t_\t_",
            "2\tleaves\tleave\tVERB\tVBZ\tA=2\t1\tobj\t_\t_",
            "3-4\tdon't\t_\t_\t_\t_\t_\t_\t_\t_",
            "3\tdo\tdo\tAUX\tVBP\t_\t1\taux\t_\t_",
            "4\tn't\tnot\tPART\tRB\t_\t1\tadvmod\t_\t_",
            "",
        ]
    )
    sentences = dedup_lemma_sentences(conllu)
    assert sentences == [
        "1\tleaves\tleave\tVERB\tVBZ\tNumber=Sing\t0\troot\t_\t_\n\n",
        "1\tleaves\tleaf\tNOUN\tNNS\tNumber=Plur\t0\troot\t_\t_\n\n",
        "1\tdo\tdo\tAUX\tVBP\t_\t0\troot\t_\t_\n\n",
        "1\tn't\tnot\tPART\tRB\t_\t0\troot\t_\t_\n\n",
    ]


# --------------------------------------------------------------------------- prepare_data


def _write_tiny_ud(folder: Path) -> None:
    """Write six tiny UD files (each the two RAW sentences) named like the real ones."""
    folder.mkdir()
    for treebank in ("ewt", "gum"):
        for split in ("train", "dev", "test"):
            (folder / f"en_{treebank}-ud-{split}.conllu").write_text(RAW, encoding="utf-8")


def test_prepare_data_writes_every_dataset(tmp_path: Path) -> None:
    ud = tmp_path / "ud"
    _write_tiny_ud(ud)
    prepared = training.prepare_data(ud, tmp_path / "work", config=TrainingConfig.quick())

    assert prepared.counts["combined.train"] == 4
    assert prepared.counts["ewt.dev"] == 2
    assert training.count_sentences(prepared.combined_train) == 4
    assert "3.1\t" not in prepared.combined_train.read_text(encoding="utf-8")
    for name in (
        "train.txt",
        "dev.txt",
        "train.toklabels",
        "dev.toklabels",
        "dev-mwt.json",
        "dev.gold.conllu",
    ):
        assert prepared.tokenize_file(name).is_file(), name
    assert prepared.tokenize_max_seqlen % 100 == 0
    assert prepared.mwt_max_dec_len >= len("Don't")
    assert "MWT=Yes" in prepared.mwt_dev_in.read_text(encoding="utf-8")
    assert (
        prepared.counts["lemma.train"]
        == len(prepared.lemma_train.read_text(encoding="utf-8").split("\n\n")) - 1
    )


def test_prepare_data_reports_missing_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="en_ewt-ud-train.conllu"):
        training.prepare_data(tmp_path, tmp_path / "work", config=TrainingConfig.quick())


# --------------------------------------------------------------------------- config and schedule


def test_quick_is_smaller_than_default() -> None:
    quick, default = TrainingConfig.quick(), TrainingConfig.default()
    assert quick.max_train_sentences is not None and default.max_train_sentences is None
    assert quick.pos_steps < default.pos_steps and quick.depparse_steps < default.depparse_steps
    assert default.depparse_steps + default.depparse_retagged_steps >= 1400
    assert default.pos_second_steps > 0 and default.depparse_retagged_steps > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        default.seed = 1  # type: ignore[misc]


def test_config_rejects_unknown_components() -> None:
    with pytest.raises(ValueError, match="unknown components"):
        TrainingConfig(components=("ner",))


def test_stages_put_the_critical_path_first_and_need_pos_for_retagging() -> None:
    config = TrainingConfig.quick()
    assert training._stages_for(training.COMPONENTS, config) == [
        "pos",
        "tokenize",
        "mwt",
        "lemma",
        "depparse-gold",
        "depparse",
    ]
    assert training._stages_for(["depparse"], dataclasses.replace(config, depparse_retagged_steps=0)) == [
        "depparse-gold"
    ]
    with pytest.raises(ValueError, match="needs pos"):
        training._stages_for(["depparse"], config)


def test_ready_respects_dependencies_and_free_slots() -> None:
    pending = ["depparse", "tokenize", "mwt"]
    assert training._ready(pending, set(), free=2) == ["tokenize", "mwt"]
    assert training._ready(pending, {"pos", "depparse-gold"}, free=1) == ["depparse"]
    assert training._ready(pending, set(), free=0) == []


def test_depparse_args_gold_then_retagged(tmp_path: Path) -> None:
    prepared = _fake_prepared(tmp_path)
    config = TrainingConfig.default()
    gold = training.depparse_args(prepared, tmp_path, config, retagged=False)
    retagged = training.depparse_args(prepared, tmp_path, config, retagged=True)
    assert gold[gold.index("--train_file") + 1] == str(prepared.combined_train)
    assert gold[gold.index("--second_optim_start_step") + 1] == "800"
    assert retagged[retagged.index("--train_file") + 1] == str(prepared.retagged_train)
    assert retagged[retagged.index("--eval_file") + 1] == str(prepared.retagged_dev)
    assert "--no_second_optim" in retagged
    assert gold[gold.index("--save_name") + 1] != retagged[retagged.index("--save_name") + 1]


def _fake_prepared(tmp_path: Path) -> PreparedData:
    return PreparedData(
        work_dir=tmp_path,
        combined_train=tmp_path / "combined.train.conllu",
        dev=tmp_path / "ewt.dev.conllu",
        tokenize_dir=tmp_path / "tokenize",
        tokenize_max_seqlen=200,
        mwt_train=tmp_path / "mwt.train.conllu",
        mwt_dev_in=tmp_path / "mwt.dev.in.conllu",
        mwt_max_dec_len=20,
        lemma_train=tmp_path / "lemma.conllu",
        retagged_train=tmp_path / "train.retagged.conllu",
        retagged_dev=tmp_path / "dev.retagged.conllu",
    )


# --------------------------------------------------------------------------- logs, layout, card


def test_best_dev_score_reads_stanza_logs(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text(
        "INFO: step 100: train_loss = 1.0, dev_score = 0.8512\n"
        "INFO: step 200: train_loss = 0.9, dev_score = 0.8765\n"
        "INFO: Dev score:  94.270\tNew best dev score!\n",
        encoding="utf-8",
    )
    assert training._best_dev_score(log) == pytest.approx(94.27)
    assert training._best_dev_score(log, since=len(log.read_text()) - 40) == pytest.approx(94.27)
    log.write_text("dev_score = 0.5\n", encoding="utf-8")
    assert training._best_dev_score(log) == pytest.approx(50.0)


def test_resources_json_mirrors_the_bootstrap_layout() -> None:
    md5s = {p: f"md5-{p}" for p in training.COMPONENTS}
    resources = training._resources_json(md5s)
    assert resources["en"]["packages"]["default"]["pos"] == "combined_nocharlm"
    assert resources["en"]["tokenize"] == {"combined": {"md5": "md5-tokenize"}}
    if BOOTSTRAP_RESOURCES.is_file():
        bootstrap = json.loads(BOOTSTRAP_RESOURCES.read_text(encoding="utf-8"))
        md5s = {p: next(iter(bootstrap["en"][p].values()))["md5"] for p in training.COMPONENTS}
        assert training._resources_json(md5s) == bootstrap


def test_strip_optimizer_state(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    with_optimizer = tmp_path / "checkpoint.pt"
    torch.save(
        {"model": {"w": torch.ones(2)}, "optimizer_state_dict": {"x": 1}, "scheduler_state_dict": {}},
        with_optimizer,
    )
    stripped = tmp_path / "stripped.pt"
    training.strip_optimizer_state(with_optimizer, stripped)
    assert set(torch.load(stripped, weights_only=True)) == {"model"}

    plain = tmp_path / "plain.pt"
    torch.save({"model": {"w": torch.ones(2)}}, plain)
    copied = tmp_path / "copied.pt"
    training.strip_optimizer_state(plain, copied)
    assert copied.read_bytes() == plain.read_bytes()


def test_restore_raw_token_text() -> None:
    text = "See http://x.example/very-long\nline ok"
    unk = SimpleNamespace(text="<UNK>", start_char=4, end_char=35, words=[SimpleNamespace(text="<UNK>")])
    ok = SimpleNamespace(text="ok", start_char=36, end_char=38, words=[SimpleNamespace(text="ok")])
    doc = SimpleNamespace(sentences=[SimpleNamespace(tokens=[unk, ok])])
    training._restore_raw_token_text(doc, text)
    assert unk.text == "http://x.example/very-long line"
    assert unk.words[0].text == unk.text
    assert ok.text == "ok"


def test_model_card(tmp_path: Path) -> None:
    run = RunResult(
        name="pos-stage1",
        module="stanza.models.tagger",
        argv=("--max_steps", "10"),
        seconds=90.0,
        threads=1,
        dev_score=87.5,
        log=tmp_path / "pos.log",
    )
    report = TrainingReport(
        config=TrainingConfig.quick(),
        out_dir=tmp_path / "model",
        work_dir=tmp_path / "work",
        runs=(run,),
        seconds=120.0,
        files={"en/pos/combined_nocharlm.pt": 1000},
        counts={"combined.train": 600, "ewt.train": 300, "gum.train": 300, "ewt.dev": 200, "lemma.train": 50},
    )
    scores = {
        "ewt": {
            **dict.fromkeys(SCORE_METRICS, 50.0),
            "words": 100.0,
            "seconds": 2.0,
            "words_per_second": 50.0,
        }
    }
    card = tmp_path / "README.md"
    training.write_model_card(report, scores, card)
    text = card.read_text(encoding="utf-8")
    assert "| pos-stage1 | `stanza.models.tagger` | 1 | 1.5 | 87.50 |" in text
    assert "| LAS | 50.00 |" in text
    assert "--max_steps 10" in text
    assert "| EWT | 100 | 2.0 | 50 |" in text


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_quick_recipe_end_to_end(tmp_path: Path) -> None:
    ud = _ud_dir()
    if ud is None:
        pytest.skip("UD English data (shared/data/ud) is not available")
    stanza = pytest.importorskip("stanza")
    config = dataclasses.replace(TrainingConfig.quick(), max_train_sentences=80, max_dev_sentences=40)
    out = tmp_path / "model"

    report = training.train_pipeline(ud, out, config=config, jobs=2)

    names = [run.name for run in report.runs]
    for name in ("tokenize", "mwt", "lemma", "pos-stage1", "pos-stage2", "depparse-gold", "retag"):
        assert name in names
    assert names[-1] == "depparse-retagged"
    assert set(report.files) == {f"en/{p}/{training._PACKAGES[p]}.pt" for p in training.COMPONENTS}
    assert report.total_bytes < 80 * 1024 * 1024
    assert json.loads((out / "resources.json").read_text())["en"]["default_processors"]["depparse"]

    nlp = stanza.Pipeline(
        "en",
        dir=str(out),
        download_method=None,
        processors="tokenize,mwt,pos,lemma,depparse",
        use_gpu=False,
        logging_level="WARN",
    )
    doc = nlp("Qatar's prime minister said the talks went well.")
    words = [w for s in doc.sentences for w in s.words]
    assert words and all(w.upos and w.lemma is not None and w.deprel for w in words)

    scores = training.evaluate_pipeline(out, ud, treebanks=("ewt",), max_sentences=20)
    assert set(SCORE_METRICS) <= set(scores["ewt"])
    assert all(0.0 <= scores["ewt"][m] <= 100.0 for m in SCORE_METRICS)
    assert scores["ewt"]["words_per_second"] > 0

    training.write_model_card(report, scores, out / "README.md")
    assert "## Scores" in (out / "README.md").read_text(encoding="utf-8")
