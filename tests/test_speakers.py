"""Canonical speakers across a corpus: the registry, corpus linking, speaker types, queries by
any alias or role, the speakers table, and the speaker-linking scores.

Linking rules are tested on small invented records (no parser needed); types, queries and the
gold set on the real seed articles (`seed_results`, `seed_store`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from quotes.cli import app
from quotes.errors import RegistryError
from quotes.link import link_corpus, merge_speakers
from quotes.model import Quote, Speaker
from quotes.registry import load_registry, parse_registry
from quotes.speaker_eval import bcubed, fits, load_speaker_gold, score_linking

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "data" / "gold" / "speakers"
EXAMPLE = ROOT / "data" / "registry" / "example.yaml"
runner = CliRunner()


# ---------------------------------------------------------------------------- invented records


def speaker(
    doc: str, sid: str, name: str, kind: str = "person", *, roles=(), aliases=(), quotes=1
) -> Speaker:
    return Speaker(
        id=sid,
        name=name,
        type=kind,
        roles=tuple(roles),
        aliases=tuple(aliases),
        quotes=quotes,
        doc_ids=(doc,),
    )


def said(
    doc: str, sid: str, name: str, mention: str | None = None, kind: str = "person", n: int = 0
) -> Quote:
    return Quote(
        id=f"{doc}-{sid}-{n}",
        doc_id=doc,
        kind="direct",
        text="Yes.",
        content_start=n,
        content_end=n + 4,
        content_fragments=((n, n + 4),),
        speaker_mention=mention or name,
        speaker_id=sid,
        speaker_name=name,
        speaker_type=kind,
    )


def corpus(*people: tuple[str, str, str, str, dict]) -> tuple[list[Quote], list[Speaker]]:
    """(doc, local id, name, mention, extra) → one quote and one speaker record each."""
    quotes, speakers = [], []
    for n, (doc, sid, name, mention, extra) in enumerate(people):
        quotes.append(said(doc, sid, name, mention, extra.get("type", "person"), n))
        speakers.append(
            speaker(
                doc,
                sid,
                name,
                extra.get("type", "person"),
                roles=extra.get("roles", ()),
                aliases=extra.get("aliases", ()),
            )
        )
    return quotes, speakers


def ids_of(quotes: list[Quote]) -> dict[tuple[str, str | None], str | None]:
    return {(q.doc_id, q.speaker_mention): q.speaker_id for q in quotes}


def test_name_variants_join_across_articles():
    quotes, speakers = corpus(
        ("a", "karim-al-amin", "Karim al-Amin", "Karim al-Amin", {}),
        ("b", "al-amin", "Al Amin", "Al Amin", {}),
        ("c", "amin", "Amin", "Amin", {}),
        ("d", "dr-karim-al-amin", "Dr. KARIM AL AMIN", "Dr. KARIM AL AMIN", {}),
        ("e", "mohamed-amin", "Mohamed Amin", "Mohamed Amin", {}),  # another Amin
    )
    linked, table = link_corpus(quotes, speakers)
    ids = ids_of(linked)
    assert ids[("a", "Karim al-Amin")] == ids[("d", "Dr. KARIM AL AMIN")] == "karim-al-amin"
    assert ids[("e", "Mohamed Amin")] != "karim-al-amin"
    # "Amin" and "Al Amin" fit both Karim and Mohamed: they stay on their own
    assert ids[("b", "Al Amin")] not in ("karim-al-amin", ids[("e", "Mohamed Amin")])
    assert ids[("c", "Amin")] == ids[("b", "Al Amin")]
    assert {s.id for s in table} == set(ids.values())


def test_two_smiths_stay_apart_and_a_bare_smith_joins_only_a_single_candidate():
    two = corpus(
        ("a", "john-smith", "John Smith", "John Smith", {}),
        ("b", "adam-smith", "Adam Smith", "Adam Smith", {}),
        ("c", "smith", "Smith", "Smith", {}),
        ("d", "j-smith", "J. Smith", "J. Smith", {}),
    )
    ids = ids_of(link_corpus(*two)[0])
    assert len({ids[("a", "John Smith")], ids[("b", "Adam Smith")], ids[("c", "Smith")]}) == 3
    assert ids[("d", "J. Smith")] == ids[("a", "John Smith")]  # an initial fits one of them
    one = corpus(("a", "john-smith", "John Smith", "John Smith", {}), ("c", "smith", "Smith", "Mr Smith", {}))
    ids = ids_of(link_corpus(*one)[0])
    assert ids[("c", "Mr Smith")] == ids[("a", "John Smith")] == "john-smith"
    # an article that calls John Smith "Smith" attests the short name for him, not for Adam
    attested = corpus(
        ("a", "john-smith", "John Smith", "Smith", {"aliases": ("Smith",)}),
        ("b", "adam-smith", "Adam Smith", "Adam Smith", {}),
        ("c", "smith", "Smith", "Smith", {}),
    )
    ids = ids_of(link_corpus(*attested)[0])
    assert ids[("c", "Smith")] == ids[("a", "Smith")] == "john-smith" != ids[("b", "Adam Smith")]


def test_a_role_only_speaker_joins_the_one_holder_the_corpus_knows():
    minister = {"roles": ("prime minister of France",)}
    quotes, speakers = corpus(
        ("a", "jane-doe", "Jane Doe", "Jane Doe", minister),
        ("b", "role-prime-minister-of-france", "the French prime minister", "the French PM", minister),
        (
            "c",
            "role-prime-minister-of-spain",
            "Spain's prime minister",
            "Spain's prime minister",
            {"roles": ("prime minister of Spain",)},
        ),
        (
            "d",
            "role-prime-minister-of-spain",
            "the Spanish PM",
            "the Spanish PM",
            {"roles": ("prime minister of Spain",)},
        ),
        ("e", "role-minister", "the minister", "the minister", {"roles": ("minister",)}),
        ("f", "role-minister", "the minister", "the minister", {"roles": ("minister",)}),
    )
    linked, table = link_corpus(quotes, speakers)
    ids = ids_of(linked)
    assert ids[("b", "the French PM")] == "jane-doe"
    # no named holder: one role speaker for both articles
    assert (
        ids[("c", "Spain's prime minister")] == ids[("d", "the Spanish PM")] == "role-prime-minister-of-spain"
    )
    # a title without a country never leaves its article
    assert ids[("e", "the minister")] != ids[("f", "the minister")]
    jane = next(s for s in table if s.id == "jane-doe")
    assert jane.roles == ("prime minister of France",)
    assert dict(zip(jane.aliases, jane.alias_counts, strict=True))["the French prime minister"] == 0


def test_anonymous_sources_never_leave_their_article_and_places_are_governments():
    anonymous = {"type": "anonymous"}
    quotes, speakers = corpus(
        ("a", "a-source", "a source", "a source", anonymous),
        ("b", "a-source", "a source", "a source", anonymous),
        ("a", "france", "France", "Paris", {"type": "organization"}),
        ("b", "france", "France", "France", {"type": "organization"}),
    )
    linked, table = link_corpus(quotes, speakers)
    sources = [q.speaker_id for q in linked if q.speaker_mention == "a source"]
    assert len(set(sources)) == 2 and all(s.startswith("a-source-") for s in sources)
    places = {q.speaker_id for q in linked if q.speaker_mention in ("Paris", "France")}
    assert places == {"france"}
    assert next(s for s in table if s.id == "france").type == "organization"


def test_link_corpus_without_speakers_is_a_no_op():
    assert link_corpus([], []) == ([], [])


def test_merge_speakers_counts_aliases_by_mention():
    records = [
        Speaker(id="x", name="Jane Doe", aliases=("Doe", "finance minister", "DOE"), roles=("minister",))
    ]
    quotes = [
        said("a", "x", "Jane Doe", "Finance Minister Jane Doe", n=0),
        said("a", "x", "Jane Doe", "Doe", n=5),
        said("b", "x", "Jane Doe", "she", n=0),
    ]
    (merged,) = merge_speakers(records, quotes)
    counts = dict(zip(merged.aliases, merged.alias_counts, strict=True))
    assert counts == {"Doe": 1, "finance minister": 1}  # the longest aliases of a mention, once each
    assert (merged.quotes, merged.articles, merged.doc_ids) == (3, 2, ("a", "b"))
    assert merge_speakers(records, []) == []  # no quotes, no speaker


# ---------------------------------------------------------------------------- the registry


def test_the_example_registry_parses():
    registry = load_registry(EXAMPLE)
    jane = registry.by_id["jane-doe"]
    assert jane.external_ids == ("newsroom:staff-0042", "wikidata:Q999999999")
    assert "J. R. Doe" in jane.aliases
    assert registry.by_id["john-roe-coach"].articles == ("sports-0012", "sports-0044")
    assert registry.merges and registry.splits


def test_an_empty_registry_is_empty(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert not load_registry(path)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("speakers:\n  - name: [unclosed\n", r"not valid YAML: while parsing a flow sequence \(line 2\)", 3),
        ("speakers:\n  - nom: Jane Doe\n", r"speakers\[0\]\.nom: unknown key 'nom'", 2),
        (
            "speakers:\n  - id: Jane Doe\n    name: Jane Doe\n",
            r"speakers\[0\]\.id: 'Jane Doe' is not an id.*'jane-doe'",
            2,
        ),
        ("speakers:\n  - name: Jane Doe\n    type: robot\n", r"unknown type 'robot'; use one of person", 3),
        ("speakers:\n  - name: Jane Doe\n    ids: {wikidata: 42}\n", "not a Wikidata item id", 3),
        (
            "speakers:\n  - name: Jane Doe\n    aliases: {a: b}\n",
            r"aliases: expected a list of text, got a mapping",
            3,
        ),
        (
            "speakers:\n  - name: Jane Doe\n  - name: J. Doe\n    aliases: [Jane Doe]\n",
            "is a name of both",
            3,
        ),
        (
            "speakers:\n  - name: Jane Doe\n  - name: Jane Doe\n",
            "the id 'jane-doe' is given to two speakers",
            3,
        ),
        ("speakers:\n  - type: person\n", "a speaker needs a name", 2),
        ("merge:\n  - [Jane Doe]\n", "two or more", 2),
        ("split:\n  - name: John Roe\n", "needs the articles", 2),
        ("speakers: Jane Doe\n", "speakers: expected a list, got text", 1),
        ("people: []\n", "unknown key 'people'", 1),
        ("speakers:\n  - name: Jane Doe\n    name: John Roe\n", "given twice", 3),
        ("merge:\n  - [Jane Doe, John Roe]\nsplit:\n  - [John Roe, Jane Doe]\n", "both merged and split", 4),
        ("version: 2\n", "unsupported version 2", 1),
    ],
)
def test_a_malformed_registry_is_a_clear_error(tmp_path, text, message, line):
    path = tmp_path / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match=message) as caught:
        load_registry(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_a_missing_registry_file_is_a_clear_error(tmp_path):
    with pytest.raises(RegistryError, match="no such registry file"):
        load_registry(tmp_path / "nope.yaml")


def test_the_registry_pins_merges_and_splits():
    quotes, speakers = corpus(
        ("a", "j-roe-doe", "Jane Roe-Doe", "Jane Roe-Doe", {}),
        ("b", "jane-doe", "Jane Doe", "Jane Doe", {}),
        ("c", "rufus-firefly", "Rufus Firefly", "Rufus Firefly", {}),
        ("d", "hugo-z-hackenbush", "Hugo Z. Hackenbush", "Hugo Z. Hackenbush", {}),
        ("e", "tony-chicolini", "Tony Chicolini", "Tony Chicolini", {}),
        ("f", "chicolini", "Chicolini", "Chicolini", {}),
        ("g", "chico-chicolini", "Chico Chicolini", "Chico Chicolini", {}),
        ("sports-0012", "john-roe", "John Roe", "John Roe", {}),
        ("politics-0001", "john-roe", "John Roe", "Sen. John Roe", {}),
        ("h", "fwp", "FWP", "FWP", {"type": "unknown"}),
        (
            "i",
            "role-foreign-minister-of-estonia",
            "the Estonian foreign minister",
            "Estonia's FM",
            {"roles": ("foreign minister of Estonia",)},
        ),
    )
    registry = load_registry(EXAMPLE)
    linked, table = link_corpus(quotes, speakers, registry=registry)
    ids = ids_of(linked)
    assert ids[("a", "Jane Roe-Doe")] == ids[("b", "Jane Doe")] == "jane-doe"
    assert ids[("c", "Rufus Firefly")] == ids[("d", "Hugo Z. Hackenbush")]  # merge
    assert ids[("e", "Tony Chicolini")] != ids[("g", "Chico Chicolini")]  # split
    assert ids[("sports-0012", "John Roe")] == "john-roe-coach"
    assert ids[("politics-0001", "Sen. John Roe")] == "john-roe"
    assert ids[("h", "FWP")] == "freedonian-workers-party"
    assert ids[("i", "Estonia's FM")] == "estonian-foreign-minister"
    by_id = {s.id: s for s in table}
    assert by_id["jane-doe"].external_ids == ("newsroom:staff-0042", "wikidata:Q999999999")
    assert by_id["freedonian-workers-party"].type == "organization"
    assert by_id["freedonian-workers-party"].name == "Freedonian Workers' Party"
    # without the registry the same corpus links by the automatic rules only
    ids = ids_of(link_corpus(quotes, speakers)[0])
    assert ids[("sports-0012", "John Roe")] == ids[("politics-0001", "Sen. John Roe")] == "john-roe"
    assert ids[("c", "Rufus Firefly")] != ids[("d", "Hugo Z. Hackenbush")]


def test_a_registry_entry_takes_fuller_names_and_role_only_mentions():
    entry = {"id": "pm", "name": "Jane Doe", "roles": ["prime minister of France"], "ids": {"wikidata": "Q1"}}
    registry = parse_registry({"speakers": [entry]})
    minister = {"roles": ("prime minister of France",)}
    quotes, speakers = corpus(
        ("a", "dr-jane-alice-doe", "Dr Jane Alice Doe", "Dr Jane Alice Doe", {}),
        ("b", "role-prime-minister-of-france", "the French PM", "the French PM", minister),
        ("c", "john-doe", "John Doe", "John Doe", {}),
        ("d", "mary-roe", "Mary Roe", "Mary Roe", minister),  # a named holder is someone else
    )
    linked, table = link_corpus(quotes, speakers, registry=registry)
    ids = ids_of(linked)
    assert ids[("a", "Dr Jane Alice Doe")] == ids[("b", "the French PM")] == "pm"
    assert ids[("c", "John Doe")] == "john-doe" and ids[("d", "Mary Roe")] == "mary-roe"
    assert next(s for s in table if s.id == "pm").external_ids == ("wikidata:Q1",)


def test_parse_registry_accepts_data():
    registry = parse_registry({"speakers": [{"name": "Jane Doe", "aliases": "J. Doe"}]})
    assert registry.speakers[0].aliases == ("J. Doe",) and registry.speakers[0].id == "jane-doe"


# ---------------------------------------------------------------------------- B-cubed


labels = st.dictionaries(st.integers(0, 30), st.sampled_from("abcde"), min_size=1)


@given(labels)
def test_bcubed_of_the_gold_itself_is_perfect(gold):
    score = bcubed(gold, gold)
    assert (score.p, score.r, score.f1) == (1.0, 1.0, 1.0)


@given(labels, st.data())
def test_bcubed_bounds_and_symmetry(gold, data):
    predicted = {k: data.draw(st.sampled_from(["x", "y", "z", None])) for k in gold}
    score = bcubed(gold, predicted)
    assert 0 < score.p <= 1 and 0 < score.r <= 1 and 0 < score.f1 <= 1
    # precision against gold is recall with the roles swapped (None = a cluster of its own)
    named = {k: v if v is not None else f"alone-{k}" for k, v in predicted.items()}
    swapped = bcubed(named, gold)
    assert swapped.p == pytest.approx(score.r) and swapped.r == pytest.approx(score.p)


@given(labels)
def test_bcubed_extremes(gold):
    singletons = bcubed(gold, dict.fromkeys(gold))
    one_cluster = bcubed(gold, dict.fromkeys(gold, "all"))
    assert singletons.p == 1.0 and one_cluster.r == 1.0
    renamed = bcubed(gold, {k: f"other-{v}" for k, v in gold.items()})
    assert renamed.f1 == 1.0  # only the clustering counts, not the labels


def test_bcubed_needs_the_same_items():
    with pytest.raises(ValueError, match="same items"):
        bcubed({1: "a"}, {2: "a"})


def test_fits_is_about_name_words_in_order():
    assert fits("Sen. Jane Doe", "Doe") and fits("Doe", "Jane Doe")
    assert not fits("John Doe", "Jane Doe") and not fits(None, "Doe") and not fits("Doe", None)


# ---------------------------------------------------------------------------- the seed articles


THANI = "al thani"


def test_speaker_types_on_the_seed_text(seed_results):
    _, quotes, _ = seed_results
    by_mention = {(q.doc_id[:3], q.speaker_mention): q for q in quotes}
    assert by_mention[("004", "Hamas")].speaker_type == "organization"  # taught by article 001
    doha, mediator = by_mention[("000", "Doha")], by_mention[("004", "Mediator Qatar")]
    assert doha.speaker_id == mediator.speaker_id and doha.speaker_type == "organization"
    # the mention is the whole phrase that names the speaker, description included
    anonymous = by_mention[("004", "a source briefed on the talks")]
    assert anonymous.speaker_type == "anonymous"
    mentions = [(q, q.speaker_mention or "") for q in quotes if q.doc_id[:3] == "004"]
    later = [q for q, mention in mentions if mention.startswith("the source, ")]
    assert [q.speaker_id for q in later] == [anonymous.speaker_id]
    assert by_mention[("000", "Palestinian health officials")].speaker_type == "group"
    assert by_mention[("004", "Netanyahu’s staff")].speaker_type == "group"
    assert by_mention[("000", "The Israeli prime minister")].speaker_type == "person"
    assert by_mention[("004", "the Hamas-run territory’s health ministry")].speaker_type == "organization"


def test_every_statement_of_the_prime_minister_is_one_speaker(seed_results):
    _, quotes, speakers = seed_results
    gold = {(g.doc_id, g.start): g.speaker for g in load_speaker_gold(GOLD / "seeds.tsv")}
    ids = {q.speaker_id for q in quotes if gold.get((q.doc_id, q.content_start)) == "qatari-pm"}
    assert len(ids) == 1
    (pm,) = [s for s in speakers if s.id in ids]
    assert THANI in pm.name.lower() and pm.type == "person"
    assert "prime minister of Qatar" in pm.roles
    counts = dict(zip(pm.aliases, pm.alias_counts, strict=True))
    assert counts["Al Thani"] >= 4 and counts["Sheikh Mohammed"] >= 3
    assert pm.articles == 4


def test_the_seed_gold_set_scores_perfectly(seed_results):
    articles, quotes, _ = seed_results
    score = score_linking(
        "seeds", load_speaker_gold(GOLD / "seeds.tsv"), quotes, {k: a.text for k, a in articles.items()}
    )
    assert score.unmatched == 0 and score.bcubed.f1 == 1.0


@pytest.mark.parametrize(
    "query",
    [
        "Qatari PM",
        "Prime Minister of Qatar",
        "Sheikh Mohammed",
        "Al Thani",
        "qatar's prime minister",
        "AL-THANI",
        "Mohammed bin Abdulrahman",
    ],
)
def test_query_by_any_alias_or_role_finds_the_prime_minister(seed_store, query):
    result = runner.invoke(app, ["query", query, "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {row["doc_id"][:3] for row in rows} == {"000", "001", "002", "003"}
    assert all(THANI in row["speaker_name"].lower() for row in rows)
    assert {"kind", "speaker_mention", "doc_id", "text"} <= set(rows[0])
    assert {row["speaker_mention"] for row in rows} >= {
        "Al Thani",
        "Sheikh Mohammed",
        "the Qatari prime minister",
    }


def test_an_ambiguous_query_lists_the_candidates(seed_store):
    result = runner.invoke(app, ["query", "prime minister", "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["ambiguous"] and "--speaker-id" in answer["hint"]
    names = [c["name"].lower() for c in answer["candidates"]]
    assert any(THANI in n for n in names) and any("netanyahu" in n for n in names)
    pm = next(c["id"] for c in answer["candidates"] if THANI in c["name"].lower())
    result = runner.invoke(app, ["query", "--speaker-id", pm, "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0
    assert {r["doc_id"][:3] for r in json.loads(result.output)} == {"000", "001", "002", "003"}
    table = runner.invoke(app, ["query", "prime minister", "--store", str(seed_store)])
    assert table.exit_code == 0 and "fits 2 speakers" in table.output


def test_the_speakers_table_shows_aliases_with_counts(seed_store):
    result = runner.invoke(app, ["speakers", "--store", str(seed_store), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "Al Thani (" in result.output and "external_ids" in result.output.splitlines()[0]


def test_a_new_article_links_to_speakers_already_stored(tmp_path, seed_results):
    from quotes.pipeline import link_store
    from quotes.store import read_quotes, write_store

    articles, quotes, speakers = seed_results
    first = [q for q in quotes if not q.doc_id.startswith("003")]
    write_store(
        tmp_path,
        articles=[a for k, a in articles.items() if not k.startswith("003")],
        quotes=first,
        speakers=speakers,
        errors=[],
    )
    # article 003 names the prime minister only by role: resolved alone, it is a role speaker
    later = [q for q in quotes if q.doc_id.startswith("003")]
    role_only = [
        replace(q, speaker_id="role-prime-minister-of-qatar", speaker_name="Qatar’s prime minister")
        if q.speaker_name and THANI in q.speaker_name.lower()
        else q
        for q in later
    ]
    records = [
        Speaker(
            id="role-prime-minister-of-qatar",
            name="Qatar’s prime minister",
            roles=("prime minister of Qatar",),
            doc_ids=(later[0].doc_id,),
        )
    ]
    linked, _ = link_store(tmp_path, "parquet", role_only, records)
    pm_ids = {q.speaker_id for q in linked if q.speaker_name and THANI in q.speaker_name.lower()}
    assert len(pm_ids) == 1
    assert {q.doc_id[:3] for q in linked if q.speaker_id in pm_ids} == {"000", "001", "002", "003"}
    assert read_quotes(tmp_path).height == len(first)  # reading only; nothing written


def test_gold_files_are_well_formed():
    for path in GOLD.glob("*.tsv"):
        rows = load_speaker_gold(path)
        assert rows and len({(r.doc_id, r.start) for r in rows}) == len(rows)


INVENTED = (
    "A senior official who asked not to be named said the talks would resume on Monday. "
    "Health ministry officials said 40 people were hurt in the storm. "
    "Officials familiar with the plan said it was close to a deal. "
    "Paris said it would send aid to the region. "
    "The Freedonian Workers' Party said it would vote against the bill. "
    "A diplomat said the mood had changed."
)


def test_speaker_types_on_invented_text(parser):
    from quotes.pipeline import extract_quotes

    expected = {  # words of the statement: (a word of the speaker mention, type)
        "the talks would resume": ("official", "anonymous"),  # who asked not to be named
        "40 people were hurt": ("officials", "group"),  # health ministry officials
        "it was close": ("Officials", "anonymous"),  # familiar with the plan
        "it would send aid": ("Paris", "organization"),  # the French government
        "it would vote against": ("Party", "organization"),
        "the mood had changed": ("diplomat", "anonymous"),  # one unnamed person
    }
    quotes = extract_quotes(INVENTED, parser=parser, doc_id="x")
    found = {
        words: q
        for q in quotes
        for words, (mention, _) in expected.items()
        if words in q.text and mention in (q.speaker_mention or "")
    }
    assert len(found) >= 4, [(q.speaker_mention, q.text) for q in quotes]  # extraction finds most
    for words, quote in found.items():
        assert quote.speaker_type == expected[words][1], (quote.speaker_mention, quote.speaker_type)
    if "it would send aid" in found:
        assert found["it would send aid"].speaker_name == "France"


FIXTURE = ROOT / "tests" / "fixtures" / "eval"


def test_gold_referents_take_the_nearest_named_source():
    from quotes.evaluate import load_gold
    from quotes.speaker_eval import gold_referents

    doc = load_gold(FIXTURE)["breitbart_2016-09-15_pat-caddell-democrat-voters-worr"]
    referents = gold_referents(doc)
    by_text = {
        " ".join(doc.text[s:e] for s, e in a.source): referents[a.id] for a in doc.attributions if a.source
    }
    assert by_text["longtime Democratic pollster Pat Caddell"] == "Pat Caddell"
    assert by_text["Caddell"] == "Caddell"


def test_gold_speakers_score_perfectly_on_attribution():
    from quotes.evaluate import load_gold
    from quotes.speaker_eval import gold_referents, score_attribution

    gold = load_gold(FIXTURE)
    records = []
    for doc in gold.values():
        referents = gold_referents(doc)
        for a in doc.attributions:
            record = {"doc_id": doc.id, "content_fragments": [list(f) for f in a.content]}
            if a.source:
                record |= {"speaker_start": a.source[0][0], "speaker_end": a.source[0][1]}
                record["speaker_name"] = referents[a.id]
            records.append(record)
    score = score_attribution(gold, records)
    assert score.with_source > 10 and score.span == score.relaxed == score.resolved == 1.0
    nobody = score_attribution(
        gold, [{k: v for k, v in r.items() if not k.startswith("speaker")} for r in records]
    )
    assert nobody.span == 0.0 and nobody.matched == score.matched


def test_extract_with_a_malformed_registry_fails_before_parsing(tmp_path):
    (tmp_path / "a.txt").write_text('"Yes," she said.', encoding="utf-8")
    bad = tmp_path / "registry.yaml"
    bad.write_text("speakers:\n  - name: Jane Doe\n    type: robot\n", encoding="utf-8")
    args = ["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "s"), "--registry", str(bad)]
    result = runner.invoke(app, [*args, "--models", str(tmp_path / "no-models")])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}:3: speakers[0].type: unknown type 'robot'")
    assert not (tmp_path / "s").exists()
