"""Real behaviour on the five seed articles: reprints and rewrites of one story."""

from __future__ import annotations

import polars as pl
import pytest


def _by_article(quotes, prefix):
    return [q for q in quotes if q.doc_id.startswith(prefix)]


def _find(quotes, prefix, words):
    found = [q for q in _by_article(quotes, prefix) if words in q.text]
    assert found, f"no quote in {prefix} containing {words!r}"
    return found[0]


THANI = "al thani"


@pytest.mark.parametrize("prefix", ["001", "002", "003"])
def test_good_offices_quote_is_direct_and_the_prime_ministers(seed_results, prefix):
    _, quotes, _ = seed_results
    quote = _find(quotes, prefix, "We are using our good offices")
    assert quote.kind == "direct"
    assert THANI in quote.speaker_name.lower()


def test_rewritten_good_offices_quote_resolves_past_a_nearer_name(seed_results):
    # "Doha is home to … Ismail Haniyeh." then "“We use our good offices …,” he said."
    _, quotes, _ = seed_results
    quote = _find(quotes, "000", "We use our good offices")
    assert quote.kind == "direct"
    assert quote.speaker_mention == "he"
    assert THANI in quote.speaker_name.lower()


@pytest.mark.parametrize(
    ("prefix", "words", "kind", "speaker"),
    [
        ("000", "I believe we have moved", "direct", THANI),
        ("000", "in a much better situation", "mixed", THANI),
        ("000", "Hamas’ terms would mean", "mixed", "netanyahu"),
        ("000", "only a maximum pressure campaign", "indirect", "netanyahu"),
        ("000", "his country is not", "mixed", THANI),
        ("001", "We are hoping to relay", "direct", THANI),
        ("001", "the meeting was successful", "indirect", THANI),
        ("001", "discussions centred on a plan", "according_to", THANI),
        ("002", "We are hoping to relay", "direct", THANI),
        ("002", "Hamas had demanded a permanent ceasefire", "indirect", THANI),
        ("002", "accepting Hamas's terms", "mixed", "netanyahu"),
        ("002", "his nation is not", "mixed", THANI),
        ("003", "good progress", "direct", THANI),
        ("003", "Qatar is not a superpower", "indirect", THANI),
        ("003", "these conditions would leave Hamas intact", "indirect", "netanyahu"),
        ("004", "the talks were", "mixed", "ansari"),
        ("004", "Qatar welcomed the UN resolution", "indirect", "ansari"),
    ],
)
def test_statements_have_the_right_kind_and_speaker(seed_results, prefix, words, kind, speaker):
    _, quotes, _ = seed_results
    quote = _find(quotes, prefix, words)
    assert quote.kind == kind
    assert speaker in quote.speaker_name.lower()


def test_split_quote_keeps_its_quoted_fragments(seed_results):
    _, quotes, _ = seed_results
    """“ongoing,” and “no development …” are two quoted pieces of one statement: one quote holds both."""
    quote = _find(quotes, "004", "the talks were")
    assert "“ongoing,”" in quote.text and "“no development" in quote.text
    assert quote.kind == "mixed"


def test_according_to_sources(seed_results):
    _, quotes, _ = seed_results
    quote = _find(quotes, "000", "killing at least 1,139 people")
    assert quote.kind == "according_to"
    assert quote.speaker_mention == "Israeli figures"
    anonymous = [q for q in _by_article(quotes, "004") if q.speaker_type == "anonymous"]
    assert len({q.speaker_id for q in anonymous}) == 1 and len(anonymous) == 2


def test_staff_is_not_the_person_it_belongs_to(seed_results):
    _, quotes, _ = seed_results
    quote = _find(quotes, "004", "not interested in continuing negotiations")
    assert "netanyahu" != quote.speaker_id
    assert quote.speaker_mention == "Netanyahu’s staff"


def test_prime_minister_is_one_speaker_in_every_article(seed_results):
    _, quotes, _ = seed_results
    ids = {q.speaker_id for q in quotes if q.speaker_name and THANI in q.speaker_name.lower()}
    assert len(ids) == 1
    articles = {q.doc_id[:3] for q in quotes if q.speaker_id in ids}
    assert articles == {"000", "001", "002", "003"}
    others = {q.speaker_id for q in quotes if q.speaker_name and "netanyahu" in q.speaker_name.lower()}
    assert ids.isdisjoint(others)


def test_offsets_slice_back_to_the_text(seed_results):
    articles, quotes, _ = seed_results
    for q in quotes:
        text = articles[q.doc_id].text
        assert text[q.content_start : q.content_end] == q.text
        for start, end in q.content_fragments:
            assert q.content_start <= start < end <= q.content_end
        if q.speaker_start is not None:
            assert text[q.speaker_start : q.speaker_end] == q.speaker_mention
        if q.cue_start is not None:
            assert text[q.cue_start : q.cue_end] == q.cue


def test_every_quote_says_how_it_was_found(seed_results):
    """Provenance: each quote names its rule; only what a learned model decided carries that
    model's probability."""
    _, quotes, _ = seed_results
    assert all(q.rule for q in quotes)
    learned = [q for q in quotes if q.rule == "argument"]
    assert learned and all(q.probability is not None and 0 < q.probability <= 1 for q in learned)
    assert all(q.probability is None for q in quotes if q.kind == "direct" and q.rule == "ccomp")


def test_min_probability_leaves_out_learned_statements_below_it(seed_store):
    from quotes.query import statements

    every = statements(seed_store, "Al Thani")
    learned = every.filter(pl.col("probability").is_not_null())
    assert learned.height >= 1
    assert statements(seed_store, "Al Thani", min_probability=1.0).height == every.height - learned.height
    kept = statements(seed_store, "Al Thani", min_probability=0.5)["probability"].drop_nulls()
    assert kept.is_empty() or kept.min() >= 0.5
