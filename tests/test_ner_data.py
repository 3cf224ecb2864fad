"""GUM ``Entity=`` annotations → BIO named-entity data for Stanza's NER trainer (`quotes.ner_data`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quotes.ner_data import (
    _repair_bio,
    gum_to_bio,
    parse_entity_field,
    prepare_ner_data,
    sentence_mentions,
    write_ner_json,
)

UD = Path(__file__).resolve().parents[2] / "shared" / "data" / "ud"


def conllu(rows: list[tuple[str, str, str, str, str, str]]) -> str:
    """CoNLL-U lines from (id, form, upos, head, deprel, misc)."""
    lines = ["# sent_id = test-1"]
    for ident, form, upos, head, deprel, misc in rows:
        lines.append("\t".join([ident, form, "_", upos, "_", "_", head, deprel, "_", misc]))
    return "\n".join(lines) + "\n\n"


# "Jane Doe, president of the University of Chicago, said it."
# Mentions: Jane Doe ... Chicago (person, head Jane), president ... Chicago (person, head
# president), the University of Chicago (organization, minimal span University + Chicago),
# Chicago (place), it (abstract).
APPOSITION = conllu(
    [
        ("1", "Jane", "PROPN", "11", "nsubj", "Entity=(1-person-new-sssss-cf1-1,2-coref-Jane_Doe"),
        ("2", "Doe", "PROPN", "1", "flat", "_"),
        ("3", ",", "PUNCT", "4", "punct", "_"),
        ("4", "president", "NOUN", "1", "appos", "Entity=(2-person-new-nnnnn-cf2-1-appos"),
        ("5", "of", "ADP", "7", "case", "_"),
        (
            "6",
            "the",
            "DET",
            "7",
            "det",
            "Entity=(3-organization-new-nnnnn-cf3-2,4-coref-University_of_Chicago",
        ),
        ("7", "University", "PROPN", "4", "nmod", "_"),
        ("8", "of", "ADP", "9", "case", "_"),
        (
            "9",
            "Chicago",
            "PROPN",
            "7",
            "nmod",
            "Entity=(4-place-new-nnnnn-cf4-1-coref-Chicago)3)2)1)|SpaceAfter=No",
        ),
        ("10", ",", "PUNCT", "1", "punct", "_"),
        ("11", "said", "VERB", "0", "root", "_"),
        ("12", "it", "PRON", "11", "obj", "Entity=(5-abstract-giv:act-nnnnn-cf5-1-sgl)|SpaceAfter=No"),
        ("13", ".", "PUNCT", "11", "punct", "_"),
    ]
)

# "Qatar's minister spoke." with the multi-word token Qatar's = Qatar + 's.
MWT = conllu(
    [
        ("1-2", "Qatar's", "_", "_", "_", "_"),
        (
            "1",
            "Qatar",
            "PROPN",
            "3",
            "nmod:poss",
            "Entity=(2-person-new-nnnnn-cf2-3-coref(1-place-new-nnnnn-cf1-1-coref-Qatar",
        ),
        ("2", "'s", "PART", "1", "case", "Entity=1)"),
        ("3", "minister", "NOUN", "4", "nsubj", "Entity=2)"),
        ("4", "spoke", "VERB", "0", "root", "SpaceAfter=No"),
        ("5", ".", "PUNCT", "4", "punct", "_"),
    ]
)


def test_parse_entity_field_splits_openings_and_closings():
    parts = parse_entity_field(
        "(45-object-giv:inact-sssss-cf4-2-coref(47-person-giv-sssss-cf5-1-coref-Jane_Doe)3)"
    )
    assert [kind for kind, _ in parts] == ["open", "single", "close"]
    assert parts[0][1][:2] == ["45", "object"] and len(parts[0][1]) == 7
    assert parts[1][1][7] == "Jane_Doe"
    assert parts[2][1] == ["3"]


def test_sentence_mentions_are_outer_first_with_absolute_minimal_spans():
    misc = [line.split("\t")[9] for line in APPOSITION.splitlines()[1:] if line]
    mentions = sentence_mentions(misc)
    assert [(m.start, m.end, m.etype) for m in mentions] == [
        (0, 8, "person"),
        (3, 8, "person"),
        (5, 8, "organization"),
        (8, 8, "place"),
        (11, 11, "abstract"),
    ]
    assert mentions[2].minspan == (6, 8) and mentions[2].identity == "University_of_Chicago"


def test_names_not_noun_phrases_and_outer_names_win():
    [sentence] = gum_to_bio(APPOSITION)
    assert sentence == [
        ("Jane", "B-PER"),
        ("Doe", "I-PER"),
        (",", "O"),
        ("president", "O"),  # a person mention, but headed by a common noun
        ("of", "O"),
        ("the", "O"),
        ("University", "B-ORG"),  # minimal span joined over "of"
        ("of", "I-ORG"),
        ("Chicago", "I-ORG"),  # the nested place is dropped
        (",", "O"),
        ("said", "O"),
        ("it", "O"),
        (".", "O"),
    ]


def test_whole_mentions_when_not_named_only():
    [sentence] = gum_to_bio(APPOSITION, named_only=False)
    assert [tag for _, tag in sentence][:10] == ["B-PER"] + ["I-PER"] * 8 + ["O"]


def test_multi_word_tokens_get_one_label():
    [sentence] = gum_to_bio(MWT)
    assert sentence == [("Qatar's", "B-LOC"), ("minister", "O"), ("spoke", "O"), (".", "O")]


def test_other_types_can_be_chosen():
    [sentence] = gum_to_bio(MWT, types={"person": "PER"})
    assert all(tag == "O" for _, tag in sentence)  # the person mention is headed by "minister"


def test_repair_bio_starts_a_name_that_begins_inside_a_token():
    tokens = [("a", "I-PER"), ("b", "I-PER"), ("c", "O"), ("d", "I-ORG"), ("e", "B-ORG"), ("f", "I-LOC")]
    assert [tag for _, tag in _repair_bio(tokens)] == ["B-PER", "I-PER", "O", "B-ORG", "B-ORG", "B-LOC"]


def test_unbalanced_entities_are_errors():
    with pytest.raises(ValueError, match="never opened"):
        sentence_mentions(["Entity=3)"])
    with pytest.raises(ValueError, match="not closed"):
        sentence_mentions(["Entity=(3-person-new-nnnnn-cf1-1-coref", "_"])


def test_json_is_what_stanzas_ner_trainer_reads(tmp_path):
    from stanza.models.common.doc import NER, TEXT, Document

    path = tmp_path / "train.json"
    write_ner_json(gum_to_bio(APPOSITION + MWT), path)
    doc = Document(json.loads(path.read_text(encoding="utf-8")))
    sentences = doc.get([TEXT, NER], as_sentences=True, from_token=True)
    assert len(sentences) == 2
    assert sentences[1][0] == ["Qatar's", "B-LOC"]


@pytest.mark.skipif(
    not (UD / "en_gum-ud-dev.conllu").is_file(), reason="UD English-GUM (../shared/data/ud) absent"
)
def test_real_gum_converts_to_valid_bio(tmp_path):
    counts = prepare_ner_data(UD, tmp_path)
    assert counts["train"]["sentences"] > 9000
    for split in ("train", "dev", "test"):
        assert min(counts[split][label] for label in ("PER", "ORG", "LOC")) > 100
        data = json.loads((tmp_path / f"en_gum.{split}.json").read_text(encoding="utf-8"))
        for sentence in data:
            previous = "O"
            for token in sentence:
                tag = token["ner"]
                assert tag == "O" or tag[:2] in ("B-", "I-")
                assert not (tag.startswith("I-") and previous[2:] != tag[2:])
                previous = tag
