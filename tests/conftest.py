"""Shared fixtures: one loaded Stanza parser and the parsed seed articles, per session.

The parser needs a model folder: `--models`/`QUOTES_MODELS`, or the models shipped in the
repository. Tests that need it are skipped with the reason when none is available.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev"


@pytest.fixture(scope="session")
def parser():
    from quotes.errors import ModelError
    from quotes.parse import StanzaParser

    try:
        return StanzaParser()
    except ModelError as exc:
        pytest.skip(f"no Stanza model: {exc}")


@pytest.fixture(scope="session")
def seed_results(parser):
    """Quotes of the five seed articles, resolved and linked across the corpus."""
    from quotes import ingest
    from quotes.pipeline import process
    from quotes.resolve import link_corpus

    articles = list(ingest.read_articles([SAMPLES]))
    results = list(process(articles, parser))
    quotes = [q for r in results for q in r.quotes]
    speakers = [s for r in results for s in r.speakers]
    quotes, speakers = link_corpus(quotes, speakers)
    return {a.id: a for a in articles}, quotes, speakers


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory, parser):
    from quotes.pipeline import run

    out = tmp_path_factory.mktemp("store")
    run([str(SAMPLES)], out=out, parser=parser)
    return out
