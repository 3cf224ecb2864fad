"""The parse stage's own repairs of Stanza's output."""

from __future__ import annotations

from quotes.extract import extract_attributions
from quotes.parse import join_title_breaks


def test_sentence_break_after_a_title_is_undone():
    sentences = [["“", "Yes", ",", "”", "said", "Sen."], ["Jane", "Doe", "."], ["It", "rained", "."]]
    assert join_title_breaks(sentences) == [
        ["“", "Yes", ",", "”", "said", "Sen.", "Jane", "Doe", "."],
        ["It", "rained", "."],
    ]


def test_title_split_from_its_full_stop_is_rejoined():
    assert join_title_breaks([["said", "Gov", "."], ["John", "Roe", "."]]) == [
        ["said", "Gov.", "John", "Roe", "."]
    ]


def test_real_sentence_ends_are_kept():
    sentences = [["He", "left", "."], ["Mr.", "Roe", "stayed", "."], ["See", "Rep."], ["and", "more"]]
    assert join_title_breaks(sentences) == sentences


def test_speaker_after_an_abbreviated_title_is_whole(parser):
    doc = parser("“We will win this fight,” said Sen. Jane Doe of Ohio, who leads the committee.")
    assert len(list(doc.sents)) == 1
    (a,) = extract_attributions(doc)
    assert doc.text[a.speaker[0] : a.speaker[1]].startswith("Sen. Jane Doe")
