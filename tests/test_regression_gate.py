"""The accuracy gate: PolNeAR dev figures must not drop below the last recorded report.

`reports/eval-polnear-dev.json` holds the figures of the last accepted run (written by
``quotes eval ../shared/data/polnear/dev --name polnear-dev``). This test runs the pipeline
over the dev texts again and fails when a headline metric falls more than half a point below
the record. It parses 84 articles (a minute or two on two cores), so it is marked `slow`:

    make gate        # or: python -m pytest -m slow tests/test_regression_gate.py

After a change that improves the figures, re-run ``quotes eval`` to record the new floor.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev"
REPORT = ROOT / "reports" / "eval-polnear-dev.json"
HEADLINE = (
    "all.content_lenient.f1",
    "all.content_source_e2e.f1",
    "all.content_exact.f1",
    "all.cue_exact.f1",
    "all.source_exact.f1",
    "direct.content_lenient.f1",
    "indirect.content_lenient.f1",
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not POLNEAR_DEV.is_dir(), reason="PolNeAR dev split not present beside the repository"
    ),
    pytest.mark.skipif(not REPORT.is_file(), reason="no recorded PolNeAR dev report"),
]


def test_polnear_dev_does_not_regress(parser):
    from quotes import evaluate, ingest
    from quotes.model import ArticleError
    from quotes.pipeline import process

    recorded = json.loads(REPORT.read_text(encoding="utf-8"))["metrics"]
    floor = {path: _lookup(recorded, path) for path in HEADLINE if _lookup(recorded, path) is not None}
    assert floor, f"{REPORT} has none of the headline metrics"
    articles = list(ingest.read_articles([POLNEAR_DEV / "text"]))
    predictions = [
        q.to_dict() for r in process(articles, parser) if not isinstance(r, ArticleError) for q in r.quotes
    ]
    result = evaluate.score(POLNEAR_DEV, predictions)
    drops = evaluate.compare_to_baseline(result, floor, tolerance=0.005)
    assert not drops, "PolNeAR dev regressed:\n" + "\n".join(drops)


def _lookup(metrics: dict, path: str) -> float | None:
    """A value of the report's nested metrics by dotted path ("all.content_lenient.f1")."""
    node = metrics
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, int | float) else None
