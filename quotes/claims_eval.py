"""Measure `quotes.claims`: cluster quality on a hand-annotated gold, and clustering speed.

Two measurements, each writing its part of ``reports/claims.json`` and re-rendering
``reports/claims.md``:

``python -m quotes.claims_eval gold``
    Extract the gold corpora (`data/gold/claims.json`: the seed articles and same-story
    PolNeAR articles) into stores, cluster their quotes into claims, and score the
    clustering against the gold statements with pairwise precision, recall and F1, both
    end to end (blocking on the speakers `quotes` resolved) and with oracle speakers
    (blocking on the gold speaker of each quote), which separates clustering errors from
    speaker-resolution errors.

``python -m quotes.claims_eval bench``
    Generate synthetic quotes from real ones (PolNeAR gold attribution contents) by
    perturbation (word drops, adjacent swaps, word substitutions, excerpts), spread over
    speakers with a Zipf law, and time `quotes.claims.cluster_statements` on 10k, 30k and
    100k of them; the synthetic truth also gives pairwise precision and recall at scale.

Pairwise scores: over every extracted quote (plus gold members no extracted quote overlaps,
as missed singletons), a pair is *predicted* when both quotes are in one claim and *gold*
when both belong to one gold statement. Precision = correct predicted pairs / predicted
pairs; recall = correct predicted pairs / gold pairs.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quotes.claims import (
    DEFAULT_PARAMS,
    ClusterParams,
    _block,
    _lsh_bands,
    claims_from_frames,
    cluster_statements,
    content_terms,
    quote_content,
)
from quotes.errors import InputError
from quotes.model import Article
from quotes.store import read_articles, read_quotes, read_speakers

__all__ = [
    "GoldStatement",
    "bench",
    "distinct_statements",
    "load_gold",
    "pairwise",
    "score_store",
    "synthetic_quotes",
]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT / "data" / "gold" / "claims.json"
DEFAULT_REPORTS = ROOT / "reports"


# --- gold -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoldStatement:
    """One gold statement: its id, corpus, true speaker and member spans (doc, start, end)."""

    id: str
    corpus: str
    speaker: str
    members: tuple[tuple[str, int, int], ...]


def load_gold(path: str | Path, texts: dict[str, str]) -> list[GoldStatement]:
    """Read the gold file and locate every needle in its article text.

    Raises:
        InputError: If an article is missing or a needle is not found exactly once.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    statements = []
    for entry in data["statements"]:
        members = []
        for doc_id, needle in entry["members"]:
            if doc_id not in texts:
                continue
            text = texts[doc_id]
            if text.count(needle) != 1:
                raise InputError(
                    str(path), f"{entry['id']}: {needle!r} occurs {text.count(needle)} times in {doc_id}"
                )
            start = text.index(needle)
            members.append((doc_id, start, start + len(needle)))
        if members:
            statements.append(GoldStatement(entry["id"], entry["corpus"], entry["speaker"], tuple(members)))
    return statements


def gold_articles(path: str | Path, corpus: str) -> list[Article]:
    """The articles of one gold corpus ("seeds" or "polnear"), with PolNeAR metadata.

    Raises:
        InputError: If the corpus files are missing (e.g. no ../shared/data/polnear).
    """
    from quotes import ingest

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    spec = data["corpora"][corpus]
    if "folder" in spec:
        return list(ingest.read_articles([ROOT / spec["folder"]]))
    root = (ROOT / spec["root"]).resolve()
    metadata = root / "metadata.tsv"
    if not metadata.is_file():
        raise InputError(str(root), "the PolNeAR corpus is not there (metadata.tsv missing)")
    with metadata.open(encoding="utf-8") as handle:
        rows = {(r["compartment"], r["filename"]): r for r in csv.DictReader(handle, delimiter="\t")}
    articles = []
    for name in spec["articles"]:
        compartment, filename = name.split("/")
        meta = rows[(compartment, filename)]
        text = (root / compartment / "text" / f"{filename}.txt").read_text(encoding="utf-8")
        articles.append(
            Article(
                id=filename, text=text, title=meta["title"], outlet=meta["publisher"],
                published=meta["publication_date"], source=str(root / name),
            )
        )  # fmt: skip
    return articles


def _jsonl(articles: Sequence[Article], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for a in articles:
            record = {
                "id": a.id,
                "text": a.text,
                "title": a.title,
                "outlet": a.outlet,
                "published": a.published,
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def build_store(articles: Sequence[Article], folder: Path, *, parser: Any) -> Path:
    """Extract `articles` into a fresh store at `folder` (the whole pipeline)."""
    from quotes.pipeline import run

    folder.mkdir(parents=True, exist_ok=True)
    for table in folder.glob("*.parquet"):
        table.unlink()
    source = _jsonl(articles, folder.parent / f"{folder.name}.jsonl")
    run([str(source)], out=folder, parser=parser)
    return folder


# --- scoring ---------------------------------------------------------------------------------------


def pairwise(predicted: Sequence[Any], gold: Sequence[Any]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering, from two parallel label lists."""

    def pairs(labels: Sequence[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in Counter(labels).values())

    return _pair_scores(pairs(list(zip(predicted, gold, strict=True))), pairs(predicted), pairs(gold))


def _pair_scores(tp: int, pred: int, true: int) -> dict[str, float]:
    """Precision, recall and F1 from pair counts (1.0 when there is nothing to find or claim)."""
    precision = tp / pred if pred else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "true_pairs": tp, "predicted_pairs": pred, "gold_pairs": true,
    }  # fmt: skip


def _assign(quotes: list[dict[str, Any]], statements: list[GoldStatement]) -> tuple[dict[str, int], set[int]]:
    """Map each quote to the gold member it overlaps most (as an index into the flat member list).

    Returns the quote → member index map and the set of member indexes no quote overlaps.
    """
    members = [(s, m) for s in statements for m in s.members]
    by_doc: dict[str, list[int]] = defaultdict(list)
    for k, (_, (doc, _, _)) in enumerate(members):
        by_doc[doc].append(k)
    chosen: dict[str, int] = {}
    covered: set[int] = set()
    for quote in quotes:
        best, best_score = None, 0.0
        spans = quote["content_fragments"] or [[quote["content_start"], quote["content_end"]]]
        for k in by_doc.get(quote["doc_id"], ()):
            _, start, end = members[k][1]
            overlap = sum(max(0, min(end, e) - max(start, s)) for s, e in spans)
            if overlap == 0:
                continue
            covered.add(k)
            length = max(end - start, quote["content_end"] - quote["content_start"])
            score = overlap / length
            if score > best_score:
                best, best_score = k, score
        if best is not None:
            chosen[quote["id"]] = best
    return chosen, set(range(len(members))) - covered


def score_store(
    store: str | Path, statements: list[GoldStatement], params: ClusterParams = DEFAULT_PARAMS
) -> dict[str, Any]:
    """Score the claims of one store against the gold statements of its articles."""
    quotes = read_quotes(store)
    articles, speakers = read_articles(store), read_speakers(store)
    rows = quotes.to_dicts()
    members = [(s, m) for s in statements for m in s.members]
    chosen, missed = _assign(rows, statements)
    gold_label = {q["id"]: members[chosen[q["id"]]][0].id for q in rows if q["id"] in chosen}
    gold_label.update(_same_span_labels([q for q in rows if q["id"] not in chosen]))
    claims = claims_from_frames(quotes, articles, speakers, params=params)
    claim_of = {q: c.id for c in claims for q in c.member_ids}
    # oracle speakers: the gold speaker of every quote matched to a gold member
    oracle_blocks = {
        q["id"]: f"gold:{members[chosen[q['id']]][0].speaker}" if q["id"] in chosen else _block(q)
        for q in rows
    }
    oracle = cluster_statements(
        ((q["id"], oracle_blocks[q["id"]], quote_content(q), q["kind"]) for q in rows), params
    )
    oracle_of = {q: i for i, cluster in enumerate(oracle) for q in cluster}
    ids = [q["id"] for q in rows]
    missed_gold = [members[k][0].id for k in sorted(missed)]
    gold = [gold_label[i] for i in ids] + missed_gold
    end_to_end = [claim_of[i] for i in ids] + [f"missed:{k}" for k in sorted(missed)]
    with_oracle = [f"o{oracle_of[i]}" for i in ids] + [f"missed:{k}" for k in sorted(missed)]
    found_only = list(ids)
    return {
        "quotes": len(rows),
        "gold_statements": len(statements),
        "gold_members": len(members),
        "gold_members_missed_by_extraction": len(missed),
        "end_to_end": pairwise(end_to_end, gold),
        "oracle_speakers": pairwise(with_oracle, gold),
        "extracted_only": {
            "end_to_end": pairwise([claim_of[i] for i in found_only], [gold_label[i] for i in found_only]),
            "oracle_speakers": pairwise(
                [f"o{oracle_of[i]}" for i in found_only], [gold_label[i] for i in found_only]
            ),
        },
        "statements_recovered_whole": _whole(claims, statements, chosen, members, rows),
        "errors": _errors(rows, claim_of, gold_label),
    }


def _same_span_labels(quotes: list[dict[str, Any]]) -> dict[str, str]:
    """Gold labels for quotes outside the gold: one per quotation, overlapping spans sharing it.

    Two extracted quotes whose content spans overlap in one article are one quotation
    extracted twice (a nested attribution, a cue read two ways), so they count as one
    statement; every other quote outside the gold is a statement of its own.
    """
    labels: dict[str, str] = {}
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for quote in quotes:
        by_doc[quote["doc_id"]].append(quote)
    for doc_quotes in by_doc.values():
        doc_quotes.sort(key=lambda q: (q["content_start"], q["content_end"], q["id"]))
        label, end = "", -1
        for quote in doc_quotes:
            if quote["content_start"] >= end:  # no overlap with the quotes before: a new quotation
                label, end = f"q:{quote['id']}", quote["content_end"]
            else:
                end = max(end, quote["content_end"])
            labels[quote["id"]] = label
    return labels


def _whole(claims, statements, chosen, members, rows) -> dict[str, int]:
    """How many gold statements (with 2+ extracted members) end up in exactly one claim, alone."""
    quote_ids_of: dict[str, set[str]] = defaultdict(set)
    for quote_id, k in chosen.items():
        quote_ids_of[members[k][0].id].add(quote_id)
    by_claim = {q: set(c.member_ids) for c in claims for q in c.member_ids}
    total = whole = 0
    for statement in statements:
        quote_ids = quote_ids_of.get(statement.id, set())
        if len(quote_ids) < 2:
            continue
        total += 1
        first = next(iter(quote_ids))
        gold_ids = {q for q, k in chosen.items() if members[k][0].id == statement.id}
        if quote_ids <= by_claim[first] and by_claim[first] & set(chosen) <= gold_ids:
            whole += 1
    return {"statements_with_2plus_extracted_members": total, "recovered_whole": whole}


def _errors(rows, claim_of, gold_label) -> dict[str, list[list[str]]]:
    """Example wrong and missed pairs, as text snippets, for error analysis."""
    text = {q["id"]: f"{q['doc_id'][:24]}: {' '.join(q['text'].split())[:90]}" for q in rows}
    ids = sorted(text)
    wrong, missed = [], []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            same_pred, same_gold = claim_of[a] == claim_of[b], gold_label[a] == gold_label[b]
            if same_pred and not same_gold:
                wrong.append([text[a], text[b]])
            elif same_gold and not same_pred:
                missed.append([text[a], text[b]])
    return {"wrong_pairs": wrong[:40], "missed_pairs": missed[:60]}


def run_gold(
    gold: Path = DEFAULT_GOLD, work: Path = ROOT / "out" / "claims-gold", *, models: str | None = None,
    stores: dict[str, Path] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Build (or reuse) the gold stores and score them; returns the report's ``gold`` part."""
    stores = dict(stores or {})
    result: dict[str, Any] = {"gold_file": str(gold.relative_to(ROOT) if gold.is_relative_to(ROOT) else gold)}
    parser = None
    corpora: dict[str, Any] = {}
    for corpus in ("seeds", "polnear"):
        try:
            articles = gold_articles(gold, corpus)
        except InputError as exc:
            corpora[corpus] = {"skipped": str(exc)}
            continue
        if corpus not in stores:
            if parser is None:
                from quotes.parse import StanzaParser

                parser = StanzaParser(models)
            started = time.perf_counter()
            stores[corpus] = build_store(articles, work / corpus, parser=parser)
            corpora.setdefault(corpus, {})["extract_seconds"] = round(time.perf_counter() - started, 1)
        texts = {a.id: a.text for a in articles}
        statements = [s for s in load_gold(gold, texts) if s.corpus == corpus]
        corpora.setdefault(corpus, {}).update(
            articles=len(articles), **score_store(stores[corpus], statements)
        )
    result["corpora"] = corpora
    scored = [c for c in corpora.values() if "end_to_end" in c]
    if scored:
        result["combined"] = {
            key: _sum_pairs([c[key] for c in scored]) for key in ("end_to_end", "oracle_speakers")
        }
        result["sensitivity"] = _sensitivity(gold, stores, corpora)
    result["params"] = _params(DEFAULT_PARAMS)
    result["code"] = _code_version()
    return result


def _sensitivity(gold: Path, stores: dict[str, Path], corpora: dict[str, Any]) -> list[dict[str, Any]]:
    """Combined pairwise scores over a small grid of the two main thresholds.

    The defaults were fixed before the gold was scored; the grid shows how much the scores
    depend on them, it is not used to choose them.
    """
    statements: dict[str, list[GoldStatement]] = {}
    for corpus in stores:
        if "end_to_end" not in corpora.get(corpus, {}):
            continue
        texts = {a.id: a.text for a in gold_articles(gold, corpus)}
        statements[corpus] = [s for s in load_gold(gold, texts) if s.corpus == corpus]
    grid = []
    for jaccard in (0.4, 0.5, 0.6):
        for containment in (0.6, 0.75, 0.9):
            params = ClusterParams(jaccard=jaccard, containment=containment)
            parts = [score_store(stores[c], s, params) for c, s in statements.items()]
            grid.append(
                {
                    "jaccard": jaccard,
                    "containment": containment,
                    "end_to_end": _sum_pairs([p["end_to_end"] for p in parts]),
                    "oracle_speakers": _sum_pairs([p["oracle_speakers"] for p in parts]),
                }
            )
    return grid


def _code_version() -> str:
    """The git commit of the code measured, with "+ uncommitted changes" when the tree is dirty."""
    import subprocess

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return commit + (" + uncommitted changes" if dirty else "")


def _params(params: ClusterParams) -> dict[str, Any]:
    return {name: getattr(params, name) for name in params.__dataclass_fields__}


def _sum_pairs(parts: list[dict[str, float]]) -> dict[str, float]:
    """Micro-average pairwise scores over corpora (pairs never cross corpora)."""
    return _pair_scores(
        int(sum(p["true_pairs"] for p in parts)),
        int(sum(p["predicted_pairs"] for p in parts)),
        int(sum(p["gold_pairs"] for p in parts)),
    )


# --- synthetic benchmark ---------------------------------------------------------------------------


def real_statements(polnear: Path | None = None, store: Path | None = None) -> list[str]:
    """Real statement texts to perturb: PolNeAR gold contents, else a store's quotes."""
    texts: list[str] = []
    if polnear is not None and polnear.is_dir():
        from quotes.evaluate import load_gold as load_polnear

        for split in ("dev", "train"):
            if not (polnear / split).is_dir():
                continue
            for document in load_polnear(polnear / split).values():
                for attribution in document.attributions:
                    text = " ".join(document.text[s:e] for s, e in attribution.content)
                    if len(text.split()) >= 4:
                        texts.append(" ".join(text.split()))
    if not texts and store is not None:
        texts = [t for t in read_quotes(store)["text"].to_list() if len(t.split()) >= 4]
    return distinct_statements(texts)


def distinct_statements(texts: Sequence[str]) -> list[str]:
    """Real texts fit to be told apart: at least 4 content terms, no two near-duplicates.

    PolNeAR annotates noun phrases as contents too ("the Democratic front-runner") and
    reports one quotation in several articles; such texts would make the synthetic truth
    call two copies of one statement two statements. Texts with the same content terms are
    kept once, and of texts whose term sets have a Jaccard similarity of 0.8 or more only
    the first (in sorted order) is kept.
    """
    by_terms: dict[frozenset[str], str] = {}
    for text in sorted(set(texts)):
        terms = frozenset(content_terms(text))
        if len(terms) >= 4 and terms not in by_terms:
            by_terms[terms] = text
    kept = sorted(by_terms.values())
    strict = ClusterParams(jaccard=0.8, containment=1.01, fragment_min=10_000)
    groups = cluster_statements([(str(i), "all", t, "indirect") for i, t in enumerate(kept)], strict)
    return sorted(kept[min(int(i) for i in group)] for group in groups)


def synthetic_quotes(
    texts: Sequence[str], n: int, *, speakers: int = 2000, seed: int = 0
) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """Generate `n` quotes from real statements by perturbation, with their true statement ids.

    Each synthetic statement is one real text given to one speaker (speakers drawn by a Zipf
    law, exponent 1.1, so a few speakers have thousands of quotes); it appears 1 to 8 times
    (1 + a geometric draw, mean about 2), and every appearance is perturbed: each word is
    dropped with probability 0.1, replaced by a random corpus word with 0.05, swapped with
    its neighbour with 0.05, and one appearance in five keeps only a contiguous excerpt of
    50–90 % of the words. A speaker gets the same real text again only once it has had
    every one of them.

    Returns:
        ``(quote_id, speaker, text, kind)`` tuples and the parallel true statement ids.
    """
    rng = random.Random(seed)
    vocabulary = sorted({w for t in texts for w in t.split()})
    weights = [1 / (rank + 1) ** 1.1 for rank in range(speakers)]
    used: dict[int, set[int]] = defaultdict(set)
    quotes: list[tuple[str, str, str, str]] = []
    truth: list[str] = []
    statement = 0
    if not texts:
        raise InputError("synthetic quotes", "no real statements to perturb")
    while len(quotes) < n:
        speaker = rng.choices(range(speakers), weights)[0]
        if len(used[speaker]) == len(texts):
            used[speaker].clear()  # this speaker has said everything: a new round of statements
        base = rng.randrange(len(texts))
        if base in used[speaker]:
            continue
        used[speaker].add(base)
        copies = 1
        while copies < 8 and rng.random() < 0.5:
            copies += 1
        for _ in range(min(copies, n - len(quotes))):
            words = _perturb(texts[base].split(), vocabulary, rng)
            kind = "direct" if rng.random() < 0.5 else "indirect"
            text = f"“{' '.join(words)}”" if kind == "direct" else " ".join(words)
            quotes.append((f"s{len(quotes):07d}", f"speaker-{speaker}", text, kind))
            truth.append(f"t{statement}")
        statement += 1
    return quotes, truth


def _perturb(words: list[str], vocabulary: list[str], rng: random.Random) -> list[str]:
    out = []
    for word in words:
        roll = rng.random()
        if roll < 0.1:
            continue
        out.append(rng.choice(vocabulary) if roll < 0.15 else word)
    for i in range(len(out) - 1):
        if rng.random() < 0.05:
            out[i], out[i + 1] = out[i + 1], out[i]
    if rng.random() < 0.2 and len(out) > 4:
        keep = max(2, round(len(out) * rng.uniform(0.5, 0.9)))
        start = rng.randrange(len(out) - keep + 1)
        out = out[start : start + keep]
    return out or words[:1]


def bench(
    sizes: Sequence[int] = (10_000, 30_000, 100_000), *, speakers: int = 2000, seed: int = 0,
    polnear: Path | None = ROOT.parent / "shared" / "data" / "polnear", store: Path | None = None,
    params: ClusterParams = DEFAULT_PARAMS,
) -> dict[str, Any]:  # fmt: skip
    """Time statement clustering on synthetic quotes of several sizes; returns the report's ``bench`` part."""
    started = time.perf_counter()
    content_terms("warm up the stemmer and the stop words")
    _lsh_bands(params.lsh_threshold, params.num_perm)  # imports datasketch (and scipy)
    startup = time.perf_counter() - started
    texts = real_statements(polnear, store)
    if not texts:
        raise InputError(str(polnear), "no real statements to perturb: give --polnear or --store")
    runs = []
    for size in sizes:
        quotes, truth = synthetic_quotes(texts, size, speakers=speakers, seed=seed)
        block_sizes = Counter(q[1] for q in quotes)
        stats: dict[str, float] = {}
        started, cpu_started = time.perf_counter(), time.process_time()
        clusters = cluster_statements(quotes, params, stats=stats)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        label = {q: i for i, cluster in enumerate(clusters) for q in cluster}
        scores = pairwise([label[q[0]] for q in quotes], truth)
        runs.append(
            {
                "quotes": size,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu_seconds, 2),
                "quotes_per_second": round(size / seconds),
                "seconds_terms": round(stats["seconds_terms"], 2),
                "seconds_candidates_and_links": round(stats["seconds_candidates_and_links"], 2),
                "speakers_used": len(block_sizes),
                "largest_block": max(block_sizes.values()),
                "lsh_blocks": int(stats.get("lsh_blocks", 0)),
                "candidate_pairs": int(stats.get("candidate_pairs", 0)),
                "within_speaker_pairs": sum(n * (n - 1) // 2 for n in block_sizes.values()),
                "links": int(stats.get("links", 0)),
                "clusters": int(stats["clusters"]),
                "true_statements": len(set(truth)),
                "pairwise": scores,
            }
        )
    return {
        "real_statements": len(texts),
        "source": "PolNeAR gold attribution contents (dev+train)"
        if polnear and polnear.is_dir()
        else str(store),
        "speakers": speakers,
        "seed": seed,
        "startup_seconds": round(startup, 2),
        "code": _code_version(),
        "runs": runs,
        "machine": f"{platform.machine()}, {_cpus()} CPU cores, Python {platform.python_version()}",
        "note": "run under `nice -n 10` while a Stanza training job used the CPUs: times are upper bounds",
    }


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# --- report ------------------------------------------------------------------------------------------


def write_report(part: str, data: dict[str, Any], reports: Path = DEFAULT_REPORTS) -> tuple[Path, Path]:
    """Merge `data` as the `part` ("gold" or "bench") of reports/claims.json and re-render claims.md."""
    reports.mkdir(parents=True, exist_ok=True)
    js = reports / "claims.json"
    report = json.loads(js.read_text(encoding="utf-8")) if js.is_file() else {}
    report[part] = data
    js.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md = reports / "claims.md"
    md.write_text(render(report), encoding="utf-8")
    return md, js


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def render(report: dict[str, Any]) -> str:
    """The Markdown report of `quotes claims` from its JSON form."""
    lines = ["# `quotes claims`: statement clusters, measured", ""]
    gold = report.get("gold")
    if gold:
        lines += [
            "## Cluster quality on the hand-annotated gold",
            "",
            f"Gold: `{gold['gold_file']}` (see its `definition`). Pairwise precision/recall/F1 over every "
            "extracted quote; gold members that no extracted quote overlaps count as missed, and "
            "extracted quotes outside the gold are statements of their own (overlapping ones in one "
            "article count as one quotation extracted twice). "
            "*End to end* blocks on the speakers `quotes` resolved; *oracle speakers* blocks on the gold "
            "speaker, so the difference is what speaker resolution costs.",
            "",
            "| corpus | articles | quotes | gold statements (members, missed by extraction) | "
            "end-to-end P / R / F1 | oracle-speaker P / R / F1 | statements recovered whole |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, c in gold["corpora"].items():
            if "skipped" in c:
                lines.append(f"| {name} | skipped: {c['skipped']} | | | | | |")
                continue
            e, o, w = c["end_to_end"], c["oracle_speakers"], c["statements_recovered_whole"]
            lines.append(
                f"| {name} | {c['articles']} | {c['quotes']} | {c['gold_statements']} "
                f"({c['gold_members']}, {c['gold_members_missed_by_extraction']}) | "
                f"{_pct(e['precision'])} / {_pct(e['recall'])} / {_pct(e['f1'])} | "
                f"{_pct(o['precision'])} / {_pct(o['recall'])} / {_pct(o['f1'])} | "
                f"{w['recovered_whole']} of {w['statements_with_2plus_extracted_members']} |"
            )
        if "combined" in gold:
            e, o = gold["combined"]["end_to_end"], gold["combined"]["oracle_speakers"]
            lines.append(
                f"| **all** | | | | **{_pct(e['precision'])} / {_pct(e['recall'])} / {_pct(e['f1'])}** | "
                f"**{_pct(o['precision'])} / {_pct(o['recall'])} / {_pct(o['f1'])}** | |"
            )
        counts = [
            f"{name} {c['end_to_end']['true_pairs']} correct of {c['end_to_end']['predicted_pairs']} "
            f"predicted, {c['end_to_end']['gold_pairs']} gold"
            for name, c in gold["corpora"].items()
            if "end_to_end" in c
        ]
        lines += [
            "",
            "End-to-end pairs: " + "; ".join(counts) + ". Wrong and missed pairs (as text) are listed "
            "in `reports/claims.json`.",
            "",
        ]
        lines += [
            f"Parameters: `{json.dumps(gold['params'])}`. Code: {gold.get('code', 'unknown')}; the "
            "stores were extracted by that code, so the scores move with the extractor and the "
            "speaker resolver as well as with `quotes.claims`.",
            "",
            "Reading the numbers: a wrongly merged claim misleads a fact-checker, a split one only "
            "costs a look, so the method favours precision. Recall is lost where outlets report one "
            'statement in words that share few content words ("consideration of a potential phased '
            'truce" for "the parties discussed a potential deal"), where a speaker repeats an '
            "assertion in new words on another occasion (PolNeAR's many wordings of one accusation "
            "make up most of its gold pairs), and where speaker resolution splits a speaker (the gap "
            "between the two columns). Lexical similarity cannot bridge the first two; a sentence "
            "embedding model could, at the price of a model download and speed.",
            "",
        ]
        if gold.get("sensitivity"):
            lines += [
                "Sensitivity (all corpora, micro-averaged): the defaults (Jaccard 0.5, containment 0.75) "
                "were fixed before the gold was scored; this grid is not used to choose them.",
                "",
                "| Jaccard | containment | end-to-end P / R / F1 | oracle-speaker P / R / F1 |",
                "|---|---|---|---|",
            ]
            for row in gold["sensitivity"]:
                e, o = row["end_to_end"], row["oracle_speakers"]
                lines.append(
                    f"| {row['jaccard']} | {row['containment']} | "
                    f"{_pct(e['precision'])} / {_pct(e['recall'])} / {_pct(e['f1'])} | "
                    f"{_pct(o['precision'])} / {_pct(o['recall'])} / {_pct(o['f1'])} |"
                )
            lines.append("")
    bench_part = report.get("bench")
    if bench_part:
        lines += [
            "## Clustering time on synthetic quotes",
            "",
            f"{bench_part['real_statements']:,} distinct real statements ({bench_part['source']}; "
            "see `distinct_statements`) perturbed "
            "into synthetic quotes (word drops 10 %, substitutions 5 %, neighbour swaps 5 %, one in "
            f"five an excerpt), {bench_part['speakers']:,} speakers drawn by a Zipf law, seed "
            f"{bench_part['seed']}; "
            "see `quotes.claims_eval.synthetic_quotes`. Time is `cluster_statements` end to end "
            "(normalisation, candidates, verification, union-find), one process, after a one-off "
            f"start-up of {bench_part.get('startup_seconds', '?')} s (imports of datasketch/scipy "
            "and the stemmer).",
            "",
            f"Machine: {bench_part['machine']}; code {bench_part.get('code', 'unknown')}. "
            f"**{bench_part['note']}.**",
            "",
            "| quotes | seconds (wall) | CPU seconds | quotes/s (wall) | terms s | candidates+links s | "
            "largest speaker block | "
            "LSH blocks | candidate pairs | all within-speaker pairs | pairwise P / R vs synthetic truth |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in bench_part["runs"]:
            p = r["pairwise"]
            lines.append(
                f"| {r['quotes']:,} | {r['seconds']} | {r.get('cpu_seconds', '')} | "
                f"{r['quotes_per_second']:,} | {r['seconds_terms']} | "
                f"{r['seconds_candidates_and_links']} | {r['largest_block']:,} | {r['lsh_blocks']} | "
                f"{r['candidate_pairs']:,} | {r['within_speaker_pairs']:,} | "
                f"{_pct(p['precision'])} / {_pct(p['recall'])} |"
            )
        lines += [""]
    lines += [
        "Reproduce: `nice -n 10 .venv/bin/python -m quotes.claims_eval gold` (parses with the shipped "
        "Stanza models, or `QUOTES_MODELS`; needs ../shared/data/polnear for the PolNeAR part) and "
        "`nice -n 10 .venv/bin/python -m quotes.claims_eval bench`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m quotes.claims_eval", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("gold", help="score clustering on the hand-annotated gold")
    g.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    g.add_argument("--work", type=Path, default=ROOT / "out" / "claims-gold", help="where the stores go")
    g.add_argument("--models", default=None)
    g.add_argument("--store", action="append", default=[], metavar="CORPUS=DIR", help="reuse a store")
    g.add_argument("--reports", type=Path, default=DEFAULT_REPORTS)
    b = sub.add_parser("bench", help="time clustering on synthetic quotes")
    b.add_argument("--sizes", default="10000,30000,100000")
    b.add_argument("--speakers", type=int, default=2000)
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--polnear", type=Path, default=ROOT.parent / "shared" / "data" / "polnear")
    b.add_argument("--store", type=Path, default=None, help="perturb this store's quotes instead")
    b.add_argument("--reports", type=Path, default=DEFAULT_REPORTS)
    args = parser.parse_args(argv)
    if args.command == "gold":
        stores = dict(item.split("=", 1) for item in args.store)
        data = run_gold(
            args.gold, args.work, models=args.models, stores={k: Path(v) for k, v in stores.items()}
        )
        md, js = write_report("gold", data, args.reports)
        for name, c in data["corpora"].items():
            if "end_to_end" in c:
                e, o = c["end_to_end"], c["oracle_speakers"]
                print(f"{name}: end-to-end P {e['precision']} R {e['recall']} F1 {e['f1']}; "
                      f"oracle speakers P {o['precision']} R {o['recall']} F1 {o['f1']}")  # fmt: skip
    else:
        sizes = [int(s) for s in args.sizes.split(",")]
        data = bench(sizes, speakers=args.speakers, seed=args.seed, polnear=args.polnear, store=args.store)
        md, js = write_report("bench", data, args.reports)
        for r in data["runs"]:
            print(f"{r['quotes']:,} quotes: {r['seconds']} s ({r['quotes_per_second']:,}/s), "
                  f"P {r['pairwise']['precision']} R {r['pairwise']['recall']}")  # fmt: skip
    print(f"report: {md} and {js}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
