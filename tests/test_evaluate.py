"""Tests for `quotes.evaluate`: gold-as-prediction, hand-computed scores, input errors, reports,
the baseline gate, and agreement with the reference PolNeAR scorer on perturbed predictions."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from quotes.errors import InputError, StoreError
from quotes.evaluate import (
    BREAKDOWNS,
    EvalResult,
    GoldDocument,
    annotator_agreement,
    compare_to_baseline,
    content_kind,
    load_gold,
    read_predictions,
    score,
    write_report,
)
from quotes.model import Quote, stable_id

FIXTURE = Path(__file__).parent / "fixtures" / "eval"
SHARED = Path(__file__).resolve().parents[2] / "shared"  # beside the repository root
DEV = SHARED / "data" / "polnear" / "dev"
SCORER = SHARED / "tools" / "score_polnear.py"

needs_shared = pytest.mark.skipif(
    not (DEV.is_dir() and SCORER.is_file()), reason="shared PolNeAR data and reference scorer not present"
)

FLYNN = "politico_2016-09-08_flynn-says-trump-absolutely-righ"
BLIGE = "breitbart_2016-09-28_mary-j-blige-sings-to-hillary-cl"
CADDELL = "breitbart_2016-09-15_pat-caddell-democrat-voters-worr"
PRONOUN_RE = re.compile(r"\b(?:he|she|they|He|She|They|it)\b")
WORD_RE = re.compile(r"\w+")


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------
def gold_records(gold: Mapping[str, GoldDocument]) -> list[dict[str, Any]]:
    """The gold attributions as prediction records (our JSONL fields, plus cue/speaker fragments)."""
    records = []
    for doc_id, doc in gold.items():
        for attribution in doc.attributions:
            content = sorted(attribution.content)
            cue = sorted(attribution.cue) if attribution.cue else None
            source = sorted(attribution.source) if attribution.source else None
            records.append(
                {
                    "doc_id": doc_id,
                    "kind": attribution.kind,
                    "text": doc.text[content[0][0] : content[-1][1]],
                    "content_start": content[0][0],
                    "content_end": content[-1][1],
                    "content_fragments": [list(f) for f in content],
                    "cue": " ".join(doc.text[s:e] for s, e in cue) if cue else None,
                    "cue_start": cue[0][0] if cue else None,
                    "cue_end": cue[-1][1] if cue else None,
                    "cue_fragments": [list(f) for f in cue] if cue else None,
                    "speaker_mention": " ".join(doc.text[s:e] for s, e in source) if source else None,
                    "speaker_start": source[0][0] if source else None,
                    "speaker_end": source[-1][1] if source else None,
                    "speaker_fragments": [list(f) for f in source] if source else None,
                    "speaker_id": None,
                    "speaker_name": None,
                }
            )
    return records


def assert_all_one(result: EvalResult) -> None:
    """Every defined rate is 1.0."""
    wrong = {path: value for path, value in result.flatten().items() if value is not None and value != 1.0}
    assert not wrong


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def reference_scores(gold_dir: Path, pred_path: Path, tmp_path: Path) -> dict[str, Any]:
    """Run the reference scorer and return its JSON."""
    out = tmp_path / f"{pred_path.stem}.reference.json"
    subprocess.run(
        [
            sys.executable,
            str(SCORER),
            "--gold",
            str(gold_dir),
            "--pred",
            str(pred_path),
            "--json",
            str(out),
            "--quiet",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def differences(ours: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """Every metric and count of the reference's JSON that ours does not match (to 1e-3)."""
    found = []
    for breakdown, metrics in reference["metrics"].items():
        for name, values in metrics.items():
            for key, expected in values.items():
                actual = ours["metrics"][breakdown][name][key]
                if expected is None or actual is None:
                    if expected is not actual:
                        found.append(f"{breakdown}.{name}.{key}: {actual} != {expected}")
                elif abs(actual - expected) > 1e-3:
                    found.append(f"{breakdown}.{name}.{key}: {actual} != {expected}")
    for key, expected in reference["counts"].items():
        actual = ours["counts"][key]
        if isinstance(expected, dict):  # ours lists zero counts and a "text" check the reference lacks
            keys = (set(expected) | set(actual)) - {"text"}
            if any(actual.get(k, 0) != expected.get(k, 0) for k in keys):
                found.append(f"counts.{key}: {actual} != {expected}")
        elif actual != expected:
            found.append(f"counts.{key}: {actual} != {expected}")
    return found


# --------------------------------------------------------------------------------------
# Perturbations of gold-as-prediction records (for the agreement tests)
# --------------------------------------------------------------------------------------
def _outer(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its fragments replaced by outer start/end spans (our Quote's shape)."""
    return dict(record, content_fragments=None, cue_fragments=None, speaker_fragments=None)


def _outer_spans(rng: random.Random, record: dict[str, Any], text: str) -> dict[str, Any]:
    return _outer(record)


def _clamp(start: int, end: int, length: int) -> tuple[int, int]:
    start = min(max(0, start), length - 1)
    return start, min(max(start + 1, end), length)


def _shift(rng: random.Random, record: dict[str, Any], text: str) -> dict[str, Any]:
    out = _outer(record)
    out["content_start"], out["content_end"] = _clamp(
        record["content_start"] + rng.randint(-12, 12),
        record["content_end"] + rng.randint(-12, 12),
        len(text),
    )
    for role in ("cue", "speaker"):
        if record[f"{role}_start"] is not None and rng.random() < 0.5:
            out[f"{role}_start"], out[f"{role}_end"] = _clamp(
                record[f"{role}_start"] + rng.randint(-4, 4),
                record[f"{role}_end"] + rng.randint(-4, 4),
                len(text),
            )
    return out


def _set_speaker(record: dict[str, Any], text: str, span: tuple[int, int] | None, mention: str | None = None):
    out = dict(record, speaker_fragments=None)
    out["speaker_start"], out["speaker_end"] = span if span else (None, None)
    out["speaker_mention"] = mention if mention is not None else (text[span[0] : span[1]] if span else None)
    return out


def _pronoun(rng: random.Random, record: dict[str, Any], text: str) -> dict[str, Any]:
    """Speaker swapped to the pronoun nearest the content (what a system without coreference does)."""
    matches = list(PRONOUN_RE.finditer(text))
    if not matches:
        return _set_speaker(record, text, None)
    m = min(matches, key=lambda m: abs(m.start() - record["content_start"]))
    return _set_speaker(record, text, m.span())


def _other_mention(rng: random.Random, record: dict[str, Any], text: str) -> dict[str, Any]:
    """Speaker moved to another mention of the gold source's last word (credited only when relaxed),
    or given only as a mention string without offsets."""
    mention = record["speaker_mention"]
    words = WORD_RE.findall(mention or "")
    if not words:
        return record
    last = words[-1]
    spans = [
        m.span() for m in re.finditer(rf"\b{re.escape(last)}\b", text) if m.start() != record["speaker_start"]
    ]
    if spans and rng.random() < 0.7:
        return _set_speaker(
            record, text, rng.choice(spans), mention=f"Mr. {last}" if rng.random() < 0.3 else None
        )
    return _set_speaker(record, text, None, mention=f"{rng.choice(['Sen.', 'the', ''])} {last}".strip())


def _random_span(rng: random.Random, text: str, max_len: int) -> tuple[int, int]:
    start = rng.randrange(0, len(text) - 1)
    return start, min(len(text), start + rng.randint(1, max_len))


def _wrong_speaker(rng: random.Random, record: dict[str, Any], text: str) -> dict[str, Any]:
    return _set_speaker(record, text, _random_span(rng, text, 15))


def _no_speaker(rng: random.Random, record: dict[str, Any], text: str) -> dict[str, Any]:
    return _set_speaker(record, text, None)


def _split(rng: random.Random, record: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """The content cut in two at a space: each half becomes a record with the same speaker."""
    start, end = record["content_start"], record["content_end"]
    spaces = [i for i in range(start + 1, end - 1) if text[i] == " "]
    if not spaces:
        return [record]
    cut = rng.choice(spaces)
    first = dict(_outer(record), content_end=cut, text=text[start:cut])
    second = dict(_outer(record), content_start=cut + 1, text=text[cut + 1 : end])
    return [first, second]


def _spurious(rng: random.Random, doc_id: str, text: str) -> dict[str, Any]:
    start, end = _random_span(rng, text, 200)
    speaker = _random_span(rng, text, 20) if rng.random() < 0.6 else None
    return {
        "doc_id": doc_id if rng.random() < 0.8 else f"{doc_id}.txt",
        "kind": rng.choice(["direct", "indirect", "mixed", "according_to", None]),
        "text": text[start:end],
        "content_start": start,
        "content_end": end,
        "content_text": text[start:end] if rng.random() < 0.8 else "something else",
        "cue_start": None,
        "cue_end": None,
        "speaker_start": speaker[0] if speaker else None,
        "speaker_end": speaker[1] if speaker else None,
        "speaker_mention": text[speaker[0] : speaker[1]] if speaker else None,
    }


def _merge_pairs(rng: random.Random, records: list[dict[str, Any]], texts: Mapping[str, str]) -> list[dict]:
    """Neighbouring contents of one document merged into one outer span (a too-greedy system)."""
    out: list[dict[str, Any]] = []
    for record in records:
        previous = out[-1] if out else None
        if previous and previous["doc_id"] == record["doc_id"] and rng.random() < 0.35:
            start = min(previous["content_start"], record["content_start"])
            end = max(previous["content_end"], record["content_end"])
            out[-1] = dict(
                _outer(previous),
                content_start=start,
                content_end=end,
                text=texts[record["doc_id"]][start:end],
            )
        else:
            out.append(record)
    return out


Builder = Callable[[random.Random, list[dict[str, Any]], Mapping[str, str]], list[dict[str, Any]]]


def _per_record(rng, records, texts, choices) -> list[dict[str, Any]]:
    """Apply one of `choices` (weighted, or None to keep) to each record."""
    out = []
    functions, weights = zip(*choices, strict=True)
    for record in records:
        function = rng.choices(functions, weights)[0]
        result = record if function is None else function(rng, record, texts[record["doc_id"]])
        out.extend(result if isinstance(result, list) else [result])
    return out


def _build_dropped(rng, records, texts):
    kept = [r for r in records if rng.random() > 0.3]
    return [
        dict(r, cue_start=None, cue_end=None, cue_fragments=None) if rng.random() < 0.2 else r for r in kept
    ]


def _build_shifted(rng, records, texts):
    return _per_record(rng, records, texts, [(_shift, 8), (_outer_spans, 1), (None, 1)])


def _build_speakers(rng, records, texts):
    choices = [(_no_speaker, 2), (_pronoun, 3), (_other_mention, 3), (_wrong_speaker, 1), (None, 1)]
    return _per_record(rng, records, texts, choices)


def _build_merged_split(rng, records, texts):
    return _merge_pairs(rng, _per_record(rng, records, texts, [(_split, 3), (None, 7)]), texts)


def _build_spurious(rng, records, texts):
    doc_ids = sorted(texts)
    out = list(records)
    for _ in range(len(records) // 2):
        doc_id = rng.choice(doc_ids)
        out.append(_spurious(rng, doc_id, texts[doc_id]))
    out += [dict(r) for r in rng.sample(records, k=len(records) // 10)]  # exact duplicates
    out += [dict(r, doc_id="no-such-article") for r in records[:3]]
    rng.shuffle(out)
    return out


def _build_mixed(rng, records, texts):
    choices = [(_shift, 2), (_pronoun, 1), (_other_mention, 1), (_no_speaker, 1), (_split, 1), (None, 3)]
    mixed = _merge_pairs(
        rng, [r for r in _per_record(rng, records, texts, choices) if rng.random() > 0.15], texts
    )
    doc_ids = sorted(texts)
    mixed += [_spurious(rng, d, texts[d]) for d in rng.choices(doc_ids, k=len(records) // 5)]
    return mixed


PERTURBATIONS: dict[str, Builder] = {
    "gold": lambda rng, records, texts: list(records),
    "outer_spans": lambda rng, records, texts: [_outer(r) for r in records],
    "dropped": _build_dropped,
    "shifted": _build_shifted,
    "speakers": _build_speakers,
    "merged_split": _build_merged_split,
    "spurious": _build_spurious,
    "mixed": _build_mixed,
    "empty": lambda rng, records, texts: [],
}


# --------------------------------------------------------------------------------------
# Gold loading and gold-as-prediction (fixture: runs everywhere)
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fixture_gold() -> dict[str, GoldDocument]:
    return load_gold(FIXTURE)


def test_load_gold_reads_the_first_annotator(fixture_gold):
    assert sorted(fixture_gold) == sorted([FLYNN, BLIGE, CADDELL])
    assert fixture_gold[FLYNN].annotation_file == f"{FLYNN}_4b22.ann"
    first = fixture_gold[FLYNN].attributions[0]
    assert (first.id, first.content, first.cue, first.source) == ("E1", ((11, 72),), ((6, 10),), ((0, 5),))


def test_load_gold_keeps_fragments_and_no_source(fixture_gold):
    split = next(a for a in fixture_gold[FLYNN].attributions if a.id == "E3")
    assert split.content == ((256, 377), (463, 616))
    assert split.kind == "direct"
    no_source = next(a for a in fixture_gold[BLIGE].attributions if a.id == "E5")
    assert no_source.source is None and no_source.kind == "indirect"


def test_load_gold_rejects_a_folder_without_annotations(tmp_path):
    with pytest.raises(InputError, match="text/ and attributions/"):
        load_gold(tmp_path)


def test_gold_as_predictions_scores_one_on_the_fixture(fixture_gold):
    result = score(FIXTURE, gold_records(fixture_gold))
    assert_all_one(result)
    assert result.counts.gold_attributions == result.counts.pred_records_scored
    assert result.counts.gold_docs == 3


def _split_with(folder: Path, doc_id: str, *ann_files: str, names: tuple[str, ...] = ()) -> Path:
    """A one-article split folder: the fixture's text of `doc_id` and the given .ann files
    (renamed to `names` when given)."""
    (folder / "text").mkdir(parents=True)
    (folder / "attributions").mkdir()
    (folder / "text" / f"{doc_id}.txt").write_bytes((FIXTURE / "text" / f"{doc_id}.txt").read_bytes())
    for source, target in zip(ann_files, names or ann_files, strict=True):
        (folder / "attributions" / target).write_bytes((FIXTURE / "attributions" / source).read_bytes())
    return folder


def test_agreement_scores_the_second_annotator_against_the_first(tmp_path):
    result, summary = annotator_agreement([FIXTURE])
    assert summary["articles"] == 1  # only the Flynn article has several annotation files
    first = _split_with(tmp_path / "first", FLYNN, f"{FLYNN}_4b22.ann")
    second = _split_with(tmp_path / "second", FLYNN, f"{FLYNN}_4e07.ann")
    expected = score(first, gold_records(load_gold(second)))
    assert result.flatten() == expected.flatten()
    assert result.flatten()["all.content_exact.f1"] < 1.0  # annotators draw different edges


def test_an_annotator_agrees_fully_with_itself(tmp_path):
    twice = (f"{FLYNN}_aaaa.ann", f"{FLYNN}_bbbb.ann")
    folder = _split_with(tmp_path / "split", FLYNN, f"{FLYNN}_4b22.ann", f"{FLYNN}_4b22.ann", names=twice)
    result, summary = annotator_agreement([folder])
    assert summary["articles"] == 1
    assert_all_one(result)


def test_agreement_command_writes_a_report(tmp_path):
    from typer.testing import CliRunner

    from quotes.cli import app

    result = CliRunner().invoke(app, ["eval-agreement", str(FIXTURE), "--reports", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "articles with two annotators: 1" in result.output
    report = json.loads((tmp_path / "eval-polnear-agreement.json").read_text(encoding="utf-8"))
    assert report["meta"]["articles"] == 1
    assert (tmp_path / "eval-polnear-agreement.md").is_file()


def test_quote_objects_score_like_their_dicts(fixture_gold):
    records = [_outer(r) for r in gold_records(fixture_gold)]
    quotes = [
        Quote(
            id=stable_id(r["doc_id"], r["content_start"], r["content_end"]),
            doc_id=r["doc_id"],
            kind=r["kind"],
            text=r["text"],
            content_start=r["content_start"],
            content_end=r["content_end"],
            content_fragments=((r["content_start"], r["content_end"]),),
            cue_start=r["cue_start"],
            cue_end=r["cue_end"],
            speaker_mention=r["speaker_mention"],
            speaker_start=r["speaker_start"],
            speaker_end=r["speaker_end"],
        )
        for r in records
    ]
    assert score(fixture_gold, quotes).to_dict() == score(fixture_gold, records).to_dict()


def test_counts_report_duplicates_unknown_docs_and_kinds(fixture_gold):
    records = gold_records(fixture_gold)
    extra = [
        records[0],
        dict(records[1], doc_id="nope"),
        dict(records[2], doc_id=records[2]["doc_id"] + ".txt"),
    ]
    counts = score(fixture_gold, records + extra).counts
    assert counts.duplicates_dropped == 2  # records[0] again, and records[2] under "<id>.txt"
    assert counts.unknown_doc_ids == {"nope": 1}
    assert counts.pred_lines == len(records) + 3
    assert counts.pred_records_scored == len(records)
    assert sum(counts.pred_kind_distribution.values()) == len(records) + 2


# --------------------------------------------------------------------------------------
# Hand-computed scores on a two-sentence article (runs everywhere)
# --------------------------------------------------------------------------------------
TINY_TEXT = 'Anna Smith said: "We will win the vote." She added that taxes would fall.\n'


def _at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


@pytest.fixture()
def tiny_gold(tmp_path) -> Path:
    t = TINY_TEXT
    spans = {
        "T1": ("Source", _at(t, "Anna Smith")),
        "T2": ("Cue", _at(t, "said")),
        "T3": ("Content", _at(t, '"We will win the vote."')),
        "T4": ("Source", _at(t, "She")),
        "T5": ("Cue", _at(t, "added")),
        "T6": ("Content", _at(t, "that taxes would fall")),
    }
    lines = [f"{tid}\t{label} {s} {e}\t{t[s:e]}" for tid, (label, (s, e)) in spans.items()]
    lines += [
        "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3",
        "E2\tAttribution:T5 Source:T4 Cue:T5 Content:T6",
    ]
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "tiny.txt").write_text(t, encoding="utf-8")
    (tmp_path / "attributions" / "tiny_a1.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def _record(content: tuple[int, int], speaker: tuple[int, int] | None = None) -> dict[str, Any]:
    return {
        "doc_id": "tiny",
        "content_start": content[0],
        "content_end": content[1],
        "speaker_start": speaker[0] if speaker else None,
        "speaker_end": speaker[1] if speaker else None,
    }


def test_hand_computed_scores(tiny_gold):
    predictions = [
        _record(_at(TINY_TEXT, "We will win the vote"), _at(TINY_TEXT, "Smith")),  # quotes stripped: exact
        _record(_at(TINY_TEXT, "taxes would fall."), None),  # 3 of 4 gold tokens, no speaker
    ]
    result = score(tiny_gold, predictions)
    overall = result.overall
    assert result.counts.gold_by_type == {"direct": 1, "indirect": 1}
    assert (overall.content_exact.p, overall.content_exact.r) == (0.5, 0.5)
    assert (overall.content_partial.p, overall.content_partial.r) == (1.0, 0.875)
    assert overall.content_lenient.f1 == 1.0
    assert overall.attribution_accuracy.acc == 0.5
    assert (overall.content_source_e2e.p, overall.content_source_e2e.r) == (0.5, 0.5)
    assert result.metrics["direct"].content_exact.f1 == 1.0
    assert result.metrics["indirect"].content_exact.f1 == 0.0
    assert overall.cue_exact.p is None and overall.cue_exact.f1 == 0.0


def test_one_to_one_penalises_a_split_quote(tiny_gold):
    halves = [_record(_at(TINY_TEXT, "We will win")), _record(_at(TINY_TEXT, "win the vote"))]
    content = score(tiny_gold, halves).overall
    assert content.content_lenient.p == 1.0
    assert content.content_lenient_1to1.p == 0.5


def test_relaxed_credits_another_mention_of_the_speaker(tiny_gold):
    prediction = dict(_record(_at(TINY_TEXT, "We will win the vote")), speaker_mention="Ms. Smith")
    overall = score(tiny_gold, [prediction]).overall
    assert overall.content_source_e2e.tp_pred == 0
    assert overall.content_source_e2e_relaxed.tp_pred == 1


def test_content_kind():
    assert content_kind(TINY_TEXT, [_at(TINY_TEXT, "We will win")]) == "direct"
    assert content_kind(TINY_TEXT, [_at(TINY_TEXT, "taxes would fall")]) == "indirect"


# --------------------------------------------------------------------------------------
# Malformed predictions
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"content_start": 0, "content_end": 5}', "doc_id must be a string"),
        ('{"doc_id": "a"}', "missing content_start/content_end"),
        ('{"doc_id": "a", "content_start": 5, "content_end": 2}', "empty or outside"),
        ('{"doc_id": "a", "content_start": -1, "content_end": 2}', "empty or outside"),
        ('{"doc_id": "a", "content_start": true, "content_end": 2}', "must be integers"),
        ('{"doc_id": "a", "content_start": "0", "content_end": 2}', "must be integers"),
        ('{"doc_id": "a", "content_start": 0, "content_end": 2, "cue_start": 1}', "both be set or both null"),
        ('{"doc_id": "a", "content_fragments": []}', "non-empty list"),
        ('{"doc_id": "a", "content_fragments": [[0]]}', "pairs of integers"),
        ('{"doc_id": "a", "content_start": 0, "content_end": 2, "kind": 3}', "kind must be a string"),
    ],
)
def test_malformed_prediction_lines_raise_with_line_number(tmp_path, line, reason):
    good = '{"doc_id": "a", "content_start": 0, "content_end": 2}'
    path = tmp_path / "pred.jsonl"
    path.write_text(f"{good}\n\n{line}\n{good}\n", encoding="utf-8")
    with pytest.raises(InputError, match=reason) as caught:
        read_predictions(path)
    assert caught.value.line == 3
    assert f"{path}:3:" in str(caught.value)


def test_read_predictions_returns_the_records(tmp_path):
    records = [{"doc_id": "a", "content_fragments": [[0, 2], [4, 6]], "kind": None}]
    assert read_predictions(write_jsonl(tmp_path / "pred.jsonl", records)) == records


def test_read_predictions_keeps_line_separators_inside_strings(tmp_path):
    records = [{"doc_id": "a", "content_start": 0, "content_end": 2, "text": "one\u2028two\x85three"}]
    path = write_jsonl(tmp_path / "pred.jsonl", records)
    assert "\u2028" in path.read_text(encoding="utf-8")
    assert read_predictions(path) == records


def test_read_predictions_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_predictions(tmp_path / "missing.jsonl")


def test_score_rejects_offsets_outside_the_text(tiny_gold):
    records = [_record((0, 4)), _record((0, len(TINY_TEXT) + 5))]
    with pytest.raises(InputError, match="outside the document text") as caught:
        score(tiny_gold, records)
    assert caught.value.line == 2


# --------------------------------------------------------------------------------------
# Reports and the baseline gate
# --------------------------------------------------------------------------------------
def test_write_report_writes_markdown_json_and_plot(tmp_path, fixture_gold):
    result = score(fixture_gold, PERTURBATIONS["dropped"](random.Random(1), gold_records(fixture_gold), {}))
    meta = {"model": "rules-v0", "words_per_second": 1234.5, "date": "2024-01-02"}
    md_path, json_path = write_report(result, name="fixture", reports_dir=tmp_path / "reports", meta=meta)
    png_path = tmp_path / "reports" / "eval-fixture.png"
    assert (md_path.name, json_path.name) == ("eval-fixture.md", "eval-fixture.json")
    assert png_path.read_bytes().startswith(b"\x89PNG")
    markdown = md_path.read_text(encoding="utf-8")
    assert "](eval-fixture.png)" in markdown
    assert "rules-v0" in markdown and "| words_per_second | 1234.5 |" in markdown
    assert f"{result.overall.content_lenient.f1:.3f}" in markdown
    saved = json.loads(json_path.read_text(encoding="utf-8"))
    assert saved["metrics"] == json.loads(json.dumps(result.to_dict()["metrics"]))
    assert saved["meta"] == meta
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "eval-fixture.json",
        "eval-fixture.md",
        "eval-fixture.png",
    ]


def test_write_report_rejects_a_path_as_name(tmp_path, fixture_gold):
    result = score(fixture_gold, [])
    with pytest.raises(StoreError):
        write_report(result, name="../escape", reports_dir=tmp_path)


def test_compare_to_baseline(fixture_gold):
    result = score(fixture_gold, PERTURBATIONS["dropped"](random.Random(2), gold_records(fixture_gold), {}))
    assert compare_to_baseline(result, result.to_dict()) == []
    f1 = result.overall.content_lenient.f1
    assert compare_to_baseline(result, {"all.content_lenient.f1": f1 + 0.004}) == []
    drops = compare_to_baseline(result, {"all.content_lenient.f1": f1 + 0.01, "all.no_such.f1": 0.5})
    assert [d.split(":")[0] for d in drops] == ["all.content_lenient.f1", "all.no_such.f1"]


def test_to_dict_is_json_and_mirrors_the_reference_layout(fixture_gold):
    data = json.loads(json.dumps(score(fixture_gold, gold_records(fixture_gold)).to_dict()))
    assert set(data) == {"counts", "warnings", "metrics"}
    assert set(data["metrics"]) == set(BREAKDOWNS)
    assert set(data["metrics"]["all"]["content_lenient"]) == {
        "p",
        "r",
        "f1",
        "tp_pred",
        "n_pred",
        "tp_gold",
        "n_gold",
    }


# --------------------------------------------------------------------------------------
# Agreement with the reference scorer on PolNeAR dev (needs the shared data)
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dev_gold() -> dict[str, GoldDocument]:
    if not DEV.is_dir():
        pytest.skip("shared PolNeAR data not present")
    return load_gold(DEV)


@needs_shared
def test_gold_as_predictions_scores_one_on_dev(dev_gold):
    result = score(dev_gold, gold_records(dev_gold))
    assert_all_one(result)
    assert result.counts.gold_attributions == 2192


@needs_shared
def test_fixture_agrees_with_the_reference(tmp_path, fixture_gold):
    records = PERTURBATIONS["mixed"](
        random.Random(7), gold_records(fixture_gold), {d: g.text for d, g in fixture_gold.items()}
    )
    path = write_jsonl(tmp_path / "fixture-mixed.jsonl", records)
    assert (
        differences(
            score(fixture_gold, read_predictions(path)).to_dict(), reference_scores(FIXTURE, path, tmp_path)
        )
        == []
    )


@needs_shared
@pytest.mark.parametrize("name", list(PERTURBATIONS))
def test_agrees_with_the_reference(tmp_path, dev_gold, name):
    rng = random.Random(f"quotes-eval-{name}")
    texts = {doc_id: doc.text for doc_id, doc in dev_gold.items()}
    records = PERTURBATIONS[name](rng, gold_records(dev_gold), texts)
    path = write_jsonl(tmp_path / f"{name}.jsonl", records)
    ours = score(dev_gold, read_predictions(path)).to_dict()
    assert differences(ours, reference_scores(DEV, path, tmp_path)) == []
