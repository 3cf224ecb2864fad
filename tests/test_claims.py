"""Tests of quotes.claims and quotes.figures: statement clusters, wordings, figures, ClaimReview.

The seed-article tests use the `seed_store` fixture (they need the Stanza model); the
others run on small invented stores and texts, and hypothesis checks the invariants of
clustering (a partition of the input, deterministic, independent of input order).
"""

from __future__ import annotations

import json
import random
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quotes.claims import (
    ClusterParams,
    build_claims,
    claim_records,
    claimreview,
    cluster_statements,
    content_terms,
    parse_published,
    quoted_fragments,
    same_as,
    write_claims,
)
from quotes.cli import app
from quotes.errors import QueryError
from quotes.figures import Figure, find_numbers, group_figures
from quotes.model import Article, Kind, Quote, Speaker
from quotes.store import read_quotes, write_store

runner = CliRunner()

# --- a ClaimReview structural validator (schema.org expectations) ------------------------------

_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$")


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        (date if len(value) == 10 else datetime).fromisoformat(value)
    except ValueError:
        return False
    return True


def validate_claimreview(review: dict[str, Any]) -> list[str]:
    """Check a ClaimReview against what schema.org and fact-check consumers expect.

    schema.org/ClaimReview: claimReviewed (Text), itemReviewed (Claim), reviewRating
    (Rating), author, url, datePublished. schema.org/Claim: author (Person or
    Organization, with sameAs URLs), appearance and firstAppearance (CreativeWork with
    url, datePublished, publisher Organization). Returns the problems found.
    """
    problems = []
    if review.get("@context") not in ("https://schema.org", "http://schema.org"):
        problems.append("@context is not schema.org")
    if review.get("@type") != "ClaimReview":
        problems.append("@type is not ClaimReview")
    if not isinstance(review.get("claimReviewed"), str) or not review["claimReviewed"].strip():
        problems.append("claimReviewed must be non-empty text")
    rating = review.get("reviewRating")
    if rating is not None:
        if not isinstance(rating, dict) or rating.get("@type") != "Rating":
            problems.append("reviewRating must be a Rating")
        elif any(rating.get(k) is not None for k in ("ratingValue", "alternateName")):
            problems.append("the rating is for the fact-checker: it must be left empty")
    for key in ("url",):
        if review.get(key) is not None and not _URL.match(review[key]):
            problems.append(f"{key} must be a URL")
    item = review.get("itemReviewed")
    if not isinstance(item, dict) or item.get("@type") != "Claim":
        return [*problems, "itemReviewed must be a Claim"]
    author = item.get("author")
    if author is not None:
        if author.get("@type") not in ("Person", "Organization"):
            problems.append("Claim author must be a Person or an Organization")
        if not isinstance(author.get("name"), str) or not author["name"]:
            problems.append("Claim author needs a name")
        same = author.get("sameAs", [])
        if not isinstance(same, list) or not all(isinstance(u, str) and _URL.match(u) for u in same):
            problems.append("sameAs must be a list of URLs")
        if "jobTitle" in author and not isinstance(author["jobTitle"], str):
            problems.append("jobTitle must be text")
    if "datePublished" in item and not _is_iso_date(item["datePublished"]):
        problems.append("Claim datePublished must be an ISO 8601 date")
    works = item.get("appearance")
    if not isinstance(works, list) or not works:
        problems.append("appearance must be a non-empty list")
        works = []
    first = item.get("firstAppearance")
    for work in [*works, first]:
        if not isinstance(work, dict) or work.get("@type") != "CreativeWork":
            problems.append("appearances must be CreativeWorks")
            continue
        if "url" in work and not _URL.match(work["url"]):
            problems.append("CreativeWork url must be a URL")
        if "datePublished" in work and not _is_iso_date(work["datePublished"]):
            problems.append("CreativeWork datePublished must be an ISO 8601 date")
        publisher = work.get("publisher")
        if publisher is not None and (publisher.get("@type") != "Organization" or not publisher.get("name")):
            problems.append("publisher must be a named Organization")
    if (
        isinstance(first, dict)
        and works
        and first.get("identifier") not in {w.get("identifier") for w in works}
    ):
        problems.append("firstAppearance must be one of the appearances")
    return problems


def test_validator_rejects_broken_reviews():
    assert validate_claimreview({"@type": "ClaimReview"})
    good = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": "Taxes went down.",
        "reviewRating": {"@type": "Rating", "ratingValue": None, "alternateName": None},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Jane Doe", "sameAs": ["https://example.org/jd"]},
            "appearance": [{"@type": "CreativeWork", "identifier": "a"}],
            "firstAppearance": {"@type": "CreativeWork", "identifier": "a"},
        },
    }
    assert validate_claimreview(good) == []
    rated = json.loads(json.dumps(good))
    rated["reviewRating"]["ratingValue"] = 3
    assert validate_claimreview(rated)
    bad_author = json.loads(json.dumps(good))
    bad_author["itemReviewed"]["author"] = {"@type": "Thing", "name": "x", "sameAs": ["not a url"]}
    assert len(validate_claimreview(bad_author)) == 2


# --- normalisation ------------------------------------------------------------------------------


def test_content_terms_keep_negations_and_numbers():
    assert content_terms("We are NOT hoping; 1,200 people didn't") == ("not", "hope", "1200", "peopl", "not")
    assert content_terms("the offices’ connections") == ("offic", "connect")


def test_quoted_fragments_of_direct_and_mixed_quotes():
    assert quoted_fragments("“We will win,”", "direct") == ["We will win"]
    assert quoted_fragments("the talks were “ongoing” and “close”", "mixed") == ["ongoing", "close"]
    assert quoted_fragments("there is ‘good progress’ in the talks", "mixed") == ["good progress"]
    assert quoted_fragments("the minister’s view", "indirect") == []


def test_parse_published():
    assert parse_published("2016-08-10").year == 2016
    assert parse_published("Tue, 10 Aug 2016 09:00:00 GMT").hour == 9
    assert parse_published(None) is None
    assert parse_published("yesterday") is None


def test_same_as_reads_the_registry_ids():
    assert same_as({"external_ids": ["wikidata:Q1", "viaf:123", "https://example.org/x", "nonsense"]}) == (
        "https://www.wikidata.org/wiki/Q1",
        "https://viaf.org/viaf/123",
        "https://example.org/x",
    )
    assert same_as({"external_ids": None}) == ()
    assert same_as({}) == ()


# --- clustering on invented quotes -------------------------------------------------------------

JANE = [
    ("q1", "jane", "“We will cut the tax on bread and milk by half next year,”", "direct"),
    ("q2", "jane", "“We will cut the tax on bread and milk by half,”", "direct"),
    ("q3", "jane", "that the government would halve the tax on bread and milk next year", "indirect"),
    ("q4", "jane", "the budget was “fully balanced” for the first time", "mixed"),
    ("q5", "jane", "“The budget is fully balanced,”", "direct"),
    ("q6", "jane", "“Our schools need more teachers,”", "direct"),
    ("q7", "john", "“We will cut the tax on bread and milk by half next year,”", "direct"),
    ("q8", None, "“We will cut the tax on bread and milk by half next year,”", "direct"),
]


def test_same_statement_of_one_speaker_clusters_across_kinds():
    clusters = cluster_statements(JANE)
    assert ["q1", "q2", "q3"] in clusters
    assert ["q4", "q5"] in clusters  # the quoted fragment "fully balanced" anchors the pair
    assert ["q6"] in clusters
    assert ["q7"] in clusters and ["q8"] in clusters  # another speaker, and no speaker, stay apart


def test_negation_keeps_opposite_statements_apart():
    clusters = cluster_statements(
        [
            ("a", "jane", "“Our country is a superpower,”", "direct"),
            ("b", "jane", "“Our country is not a superpower,”", "direct"),
        ]
    )
    assert clusters == [["a"], ["b"]]


def test_large_blocks_use_lsh_and_find_the_same_duplicates():
    rng = random.Random(3)
    vocabulary = [f"word{i}" for i in range(400)]
    quotes = []
    for statement in range(60):
        words = rng.sample(vocabulary, 12)
        for copy in range(3):
            kept = [w for w in words if rng.random() > 0.1]
            quotes.append((f"s{statement:02d}c{copy}", "jane", " ".join(kept), "indirect"))
    exhaustive = cluster_statements(quotes, ClusterParams(exhaustive_block=10_000))
    lsh = cluster_statements(quotes, ClusterParams(exhaustive_block=10))
    assert lsh == exhaustive
    assert all(len({q[:3] for q in c}) == 1 for c in lsh)  # never two statements in one cluster


WORDS = ["tax", "bread", "milk", "cut", "budget", "school", "teacher", "not", "war", "peace", "deal", "talks"]
quote_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=9).map(" ".join)
quote_rows = st.lists(
    st.tuples(st.sampled_from(["jane", "john", None]), quote_text, st.sampled_from(["direct", "indirect"])),
    min_size=1,
    max_size=30,
).map(lambda rows: [(f"q{i}", block, text, kind) for i, (block, text, kind) in enumerate(rows)])


@settings(max_examples=60, deadline=None)
@given(quote_rows, st.randoms(use_true_random=False), st.sampled_from([2, 64]))
def test_clustering_is_a_partition_independent_of_order(rows, rnd, block_size):
    params = ClusterParams(exhaustive_block=block_size)
    clusters = cluster_statements(rows, params)
    ids = [q for c in clusters for q in c]
    assert sorted(ids) == sorted(r[0] for r in rows)  # every quote exactly once
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert cluster_statements(shuffled, params) == clusters
    assert cluster_statements(rows, params) == clusters  # deterministic
    blocks = {r[0]: r[1] for r in rows}
    for cluster in clusters:
        assert len({blocks[q] for q in cluster}) == 1  # one speaker per cluster
        if len(cluster) > 1:
            assert blocks[cluster[0]] is not None


@settings(max_examples=40, deadline=None)
@given(quote_rows)
def test_lsh_clusters_refine_exhaustive_clusters(rows):
    exhaustive = cluster_statements(rows, ClusterParams(exhaustive_block=10_000))
    lsh = cluster_statements(rows, ClusterParams(exhaustive_block=2))
    home = {q: i for i, cluster in enumerate(exhaustive) for q in cluster}
    for cluster in lsh:
        assert len({home[q] for q in cluster}) == 1


# --- a small invented store --------------------------------------------------------------------

STORY = [
    (
        "a1",
        "Daily Planet",
        "2024-03-02",
        "Jane Doe, the finance minister, said: “We will cut the tax on bread and milk by half next year.” "
        "The storm killed at least 12 people on May 3, according to the fire service.",
    ),
    (
        "a2",
        "Evening Star",
        "2024-03-01",
        "“We will cut the tax on bread and milk by half next year,” Jane Doe told reporters. "
        "The storm killed 15 people on May 3, according to local officials.",
    ),
    (
        "a3",
        None,
        None,
        "“We shall cut the bread and milk tax in half next year,” the finance minister said.",
    ),
]


def _story_store(tmp_path: Path) -> Path:
    articles, quotes = [], []
    for doc_id, outlet, published, text in STORY:
        url = f"https://example.org/{doc_id}" if outlet else None
        articles.append(
            Article(id=doc_id, text=text, outlet=outlet, published=published, url=url, title=doc_id)
        )
        found = re.search(r"“([^”]+)”", text)
        start, end = found.span()
        quotes.append(
            Quote(
                id=f"{doc_id}-q", doc_id=doc_id, kind=Kind.DIRECT, text=text[start:end], content_start=start,
                content_end=end, content_fragments=((start, end),), cue="said", speaker_mention="Jane Doe",
                speaker_id="jane-doe", speaker_name="Jane Doe", speaker_type="person",
            )
        )  # fmt: skip
        if "according to" in text:
            start = text.index("The storm")
            end = text.index(", according")
            source = text[text.index("according to ") + 13 : -1]
            quotes.append(
                Quote(
                    id=f"{doc_id}-a", doc_id=doc_id, kind=Kind.ACCORDING_TO, text=text[start:end],
                    content_start=start, content_end=end, content_fragments=((start, end),),
                    cue="according to",
                    speaker_mention=source, speaker_id=source.replace(" ", "-"), speaker_name=source,
                    speaker_type="organization",
                )
            )  # fmt: skip
    speakers = [
        Speaker(id="jane-doe", name="Jane Doe", roles=("finance minister",), external_ids=("wikidata:Q123",))
    ]
    out = tmp_path / "store"
    write_store(out, articles=articles, quotes=quotes, speakers=speakers, errors=[])
    return out


def test_claims_of_a_small_store(tmp_path):
    found = build_claims(_story_store(tmp_path))
    tax = next(c for c in found.claims if c.speaker_id == "jane-doe")
    assert [a.doc_id for a in tax.appearances] == ["a2", "a1", "a3"]  # by published date, undated last
    assert tax.first_appearance.doc_id == "a2"
    assert {a.doc_id: a.wording for a in tax.appearances} == {
        "a1": "verbatim",
        "a2": "verbatim",
        "a3": "variant",
    }
    (variant,) = tax.variants
    assert variant.doc_id == "a3" and variant.variant
    assert {"op": "replace", "reference": "will", "quote": "shall"} in variant.diff
    assert tax.speaker_same_as == ("https://www.wikidata.org/wiki/Q123",)
    # the two storm tolls: same quantity, same date, two sources, conflicting values
    (group,) = [g for g in found.figure_groups if g.conflict]
    assert group.quantity == "killed" and group.event == "May 3"
    assert group.values == (12.0, 15.0)
    assert set(group.sources) == {"the fire service", "local officials"}
    assert group.reconcilable  # "at least 12" allows 15


def test_claim_id_stays_when_a_later_article_repeats_the_claim(tmp_path):
    store = _story_store(tmp_path)
    before = next(c for c in build_claims(store).claims if c.speaker_id == "jane-doe")
    text = "“We will cut the tax on bread and milk by half next year,” Doe said again."
    end = text.index(" Doe")
    again = Quote(
        id="a4-q", doc_id="a4", kind=Kind.DIRECT, text=text[:end], content_start=0, content_end=end,
        content_fragments=((0, end),), speaker_id="jane-doe", speaker_name="Jane Doe", speaker_type="person",
    )  # fmt: skip
    write_store(store, articles=[Article(id="a4", text=text, published="2024-04-01")], quotes=[again],
                speakers=[], errors=[])  # fmt: skip
    after = next(c for c in build_claims(store).claims if c.speaker_id == "jane-doe")
    assert after.id == before.id
    assert len(after.appearances) == 4 and after.appearances[2].doc_id == "a4"


def test_outputs_of_a_small_store(tmp_path):
    store = _story_store(tmp_path)
    found = build_claims(store)
    records = claim_records(found)
    assert len(records) == len(found.claims)
    tax = next(r for r in records if r["speaker_id"] == "jane-doe")
    assert (
        tax["n_articles"] == 3 and tax["has_variant"] and tax["outlets"] == ["Evening Star", "Daily Planet"]
    )
    assert all(
        {"doc_id", "url", "published", "content_start", "content_end", "kind"} <= a.keys()
        for a in tax["appearances"]
    )
    storm = next(r for r in records if r["figures"])
    assert storm["figures"][0]["group"]["conflict"] is True
    for claim in found.claims:
        review = claimreview(claim)
        assert validate_claimreview(review) == [], review
    review = claimreview(next(c for c in found.claims if c.speaker_id == "jane-doe"))
    assert review["itemReviewed"]["author"] == {
        "@type": "Person", "name": "Jane Doe", "jobTitle": "finance minister",
        "sameAs": ["https://www.wikidata.org/wiki/Q123"],
    }  # fmt: skip
    assert review["itemReviewed"]["firstAppearance"]["publisher"]["name"] == "Evening Star"
    assert review["itemReviewed"]["datePublished"] == "2024-03-01"
    text = write_claims(found, fmt="jsonl")
    assert [json.loads(line)["id"] for line in text.splitlines()] == [c.id for c in found.claims]
    out = tmp_path / "claims.parquet"
    write_claims(found, fmt="parquet", out=out)
    frame = pl.read_parquet(out)
    assert frame.height == len(found.claims) and "appearances" in frame.columns
    with pytest.raises(QueryError):
        write_claims(found, fmt="parquet")
    with pytest.raises(QueryError):
        build_claims(store, min_articles=0)


def test_claims_cli_on_a_small_store(tmp_path):
    store = _story_store(tmp_path)
    result = runner.invoke(app, ["claims", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "Jane Doe" in result.output and "Conflicting figures" in result.output
    result = runner.invoke(
        app, ["claims", "--store", str(store), "--format", "claimreview", "--speaker", "Doe"]
    )
    assert result.exit_code == 0, result.output
    reviews = [json.loads(line) for line in result.output.splitlines()]
    assert len(reviews) == 1 and all(validate_claimreview(r) == [] for r in reviews)
    result = runner.invoke(app, ["claims", "--store", str(store), "--figures", "--format", "jsonl"])
    assert result.exit_code == 0 and json.loads(result.output.splitlines()[0])["conflict"] is True
    result = runner.invoke(app, ["claims", "--store", str(store), "--speaker", "Nobody Atall"])
    assert result.exit_code == 1
    result = runner.invoke(app, ["claims", "--store", str(tmp_path / "missing")])
    assert result.exit_code == 1 and result.output.startswith("Error:")
    result = runner.invoke(app, ["query", "Jane Doe", "--store", str(store), "--claims", "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert row["articles"] == 3 and "variant" in row["wording"]


# --- figures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Rebels kidnapped over 250 villagers during the June 2 raid.",
            [("over 250", 250, "hostages taken", "June 2")],
        ),
        ("The blast killed two dozen people.", [("two dozen", 24, "killed", None)]),
        ("About 1.2 million people were displaced.", [("About 1.2 million", 1_200_000, "displaced", None)]),
        ("A seven-day truce saw 30 prisoners released.", [("30", 30, "prisoners released", None)]),
        ("In 2019, the company had three offices.", []),
        (
            "A truce in November freed 50 of the 120 people abducted on March 4.",
            [("50", 50, "hostages released", "November"), ("120", 120, "hostages taken", "March 4")],
        ),
    ],
)
def test_find_numbers(sentence, expected):
    found = [(n.text, n.value, n.quantity, n.event) for n in find_numbers(sentence)]
    assert found == expected


def _figure(fid: str, value: float, *, date_: str | None, places: tuple[str, ...], source: str) -> Figure:
    return Figure(
        id=fid, doc_id=fid, start=0, end=1, text=str(value), value=value, qualifier=None, lower=value,
        upper=value, quantity="killed", unit="people", event=date_.title() if date_ else None,
        event_date=date_,
        places=places, sentence="", source=source, source_mention=source, source_id=None,
        source_type="publication", quote_id=None, quote_kind=None,
    )  # fmt: skip


def test_group_figures_by_date_and_place():
    figures = [
        _figure("f1", 100, date_="june 2", places=("northland",), source="A"),
        _figure("f2", 110, date_=None, places=("northland",), source="B"),  # joins June 2 via the place
        _figure("f3", 5000, date_=None, places=("southland",), source="C"),
        _figure("f4", 5200, date_=None, places=("southland", "capital"), source="D"),
        _figure("f5", 7, date_=None, places=(), source="E"),  # no date, no place: alone
    ]
    groups = group_figures(figures)
    assert sorted(sorted(f.id for f in g.figures) for g in groups) == [["f1", "f2"], ["f3", "f4"], ["f5"]]
    assert [g.conflict for g in groups] == [True, True, False]
    assert all(f.group_id == g.id for g in groups for f in g.figures)
    assert {g.id for g in groups} == {g.id for g in group_figures(list(reversed(figures)))}


# --- the seed articles --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_claims(seed_store):
    return build_claims(seed_store)


def _doc(doc_id: str) -> str:
    return doc_id[:3]


def test_good_offices_is_one_claim_in_four_articles_with_000_a_variant(seed_claims):
    claims = [c for c in seed_claims.claims if any("good offices" in a.text for a in c.appearances)]
    assert len(claims) == 1
    (claim,) = claims
    assert sorted(_doc(d) for d in claim.articles) == ["000", "001", "002", "003"]
    wording = {_doc(a.doc_id): a.wording for a in claim.appearances}
    assert wording["000"] == "variant"
    assert wording["001"] == wording["002"] == "verbatim"
    assert wording["003"] in ("verbatim", "excerpt")
    assert [_doc(v.doc_id) for v in claim.variants if v.variant] == ["000"]
    assert "We are using our good offices" in claim.text


def test_good_progress_statements_form_one_claim(seed_claims, seed_store):
    quotes = read_quotes(seed_store)
    said = quotes.filter(pl.col("text").str.to_lowercase().str.contains("good progress"))
    pm = said["speaker_id"].mode().to_list()
    assert len(pm) == 1 and "thani" in pm[0]
    ids = set(said.filter(pl.col("speaker_id") == pm[0])["id"])
    assert len(ids) >= 4
    holders = [c for c in seed_claims.claims if ids & set(c.member_ids)]
    assert len(holders) == 1
    assert ids <= set(holders[0].member_ids)
    assert len(holders[0].articles) >= 4


def test_october_7_death_toll_is_a_conflict_naming_both_sources(seed_claims):
    groups = [g for g in seed_claims.figure_groups if g.quantity == "killed" and g.event == "October 7"]
    assert len(groups) == 1
    (group,) = groups
    assert group.conflict and {1139.0, 1160.0} <= set(group.values)
    by_value = {f.value: f for f in group.figures}
    assert "Israeli figures" in by_value[1139.0].source
    assert "AFP" in by_value[1160.0].source
    assert by_value[1139.0].quote_id and by_value[1160.0].quote_id  # both attributed by "according to"
    assert len(group.sources) >= 2


def test_hostage_counts_conflict_beyond_their_qualifiers(seed_claims):
    (group,) = [
        g for g in seed_claims.figure_groups if g.quantity == "hostages taken" and g.event == "October 7"
    ]
    assert {240.0, 253.0, 250.0} <= set(group.values)
    assert group.conflict and not group.reconcilable


def test_every_appearance_is_a_real_quote_and_every_quote_one_claim(seed_claims, seed_store):
    quotes = read_quotes(seed_store)
    rows = {r["id"]: r for r in quotes.iter_rows(named=True)}
    members = [q for c in seed_claims.claims for q in c.member_ids]
    assert sorted(members) == sorted(rows)
    for claim in seed_claims.claims:
        assert claim.first_appearance == claim.appearances[0]
        for appearance in claim.appearances:
            row = rows[appearance.quote_id]
            assert (row["doc_id"], row["text"], row["content_start"]) == (
                appearance.doc_id, appearance.text, appearance.content_start,
            )  # fmt: skip
            assert row["speaker_id"] == claim.speaker_id


def test_seed_claimreviews_are_valid(seed_claims):
    for claim in seed_claims.claims:
        assert validate_claimreview(claimreview(claim)) == []


def test_claims_speaker_filter_on_the_seeds(seed_store):
    result = runner.invoke(
        app, ["claims", "--store", str(seed_store), "--speaker", "Al Thani", "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert records and all("Thani" in r["speaker_name"] for r in records)
    assert any(r["has_variant"] for r in records)


# --- the measurement helpers --------------------------------------------------------------------


def test_pairwise_scores():
    from quotes.claims_eval import pairwise

    scores = pairwise(["a", "a", "b", "c"], ["x", "x", "x", "y"])
    assert (scores["true_pairs"], scores["predicted_pairs"], scores["gold_pairs"]) == (1, 1, 3)
    assert scores["precision"] == 1.0 and scores["recall"] == round(1 / 3, 4)


def test_synthetic_quotes_are_deterministic_and_scored(tmp_path):
    from quotes.claims_eval import distinct_statements, pairwise, synthetic_quotes

    texts = distinct_statements(
        [
            "the minister said the new tax on bread would be cut by half next year",
            "the minister said the new tax on bread would be cut by half next year",  # a duplicate
            "our schools need many more teachers and better buildings before winter",
            "the old bridge over the river will be closed for repairs until spring",
            "a short one",
        ]
    )
    assert len(texts) == 3
    quotes, truth = synthetic_quotes(texts, 60, speakers=40, seed=3)
    assert len(quotes) == len(truth) == 60
    assert synthetic_quotes(texts, 60, speakers=40, seed=3) == (quotes, truth)
    label = {q: i for i, c in enumerate(cluster_statements(quotes)) for q in c}
    scores = pairwise([label[q[0]] for q in quotes], truth)
    # three texts for 40 speakers: the busiest speaker repeats them, which the truth counts
    # as new statements, so only rough scores are expected here
    assert scores["precision"] > 0.5 and scores["recall"] > 0.5


def test_score_store_on_an_invented_gold(tmp_path):
    from quotes.claims_eval import GoldStatement, score_store

    store = _story_store(tmp_path)
    members = []
    for doc_id, _, _, text in STORY:
        start = text.index("cut")
        members.append((doc_id, start, start + 10))
    result = score_store(store, [GoldStatement("tax", "test", "jane", tuple(members))])
    assert result["end_to_end"]["recall"] == 1.0 and result["end_to_end"]["precision"] == 1.0
    assert result["gold_members_missed_by_extraction"] == 0
