"""The learned extent model: the phrases it weighs, that it never takes in another
statement, that it is off when told so, and the shipped model's card data."""

from __future__ import annotations

import pytest

from quotes.extract import extract_attributions
from quotes.extract.cuemodel import CueModel
from quotes.extract.extent import _best_accuracy, extend_contents, extent_model, phrases_after
from quotes.extract.syntax import Attribution

ALWAYS = CueModel(weights={}, bias=10.0, threshold=0.5, meta={})
NEVER = CueModel(weights={}, bias=-10.0, threshold=0.5, meta={})


def _said(doc, found):
    return next(a for a in found if a.cue and doc.text[a.cue[0] : a.cue[1]].endswith("said"))


def test_phrases_follow_the_content_in_order(parser):
    doc = parser("The mayor said the bridge would reopen in May, but the repairs could take longer.")
    found = extract_attributions(doc, extend=False)
    attribution = _said(doc, found)
    phrases = phrases_after(doc, attribution)
    content_end = doc.char_span(*attribution.content[-1], alignment_mode="expand").end
    assert phrases, [doc.text[s:e] for s, e in attribution.content]
    assert phrases[0].start >= content_end
    for before, after in zip(phrases, phrases[1:], strict=False):
        assert before.end < after.start
    assert all(p.end < len(doc) and doc[p.end].sent.start == doc[p.start].sent.start for p in phrases)
    assert all(not doc[p.end].is_punct for p in phrases)


def test_extension_stops_at_another_statement(parser):
    doc = parser("The mayor said the bridge would reopen in May, the governor said on Friday.")
    found = extract_attributions(doc, extend=False)
    extend_contents(doc, found, model=ALWAYS)
    for a in found:
        for other in found:
            if other is not a and other.cue is not None:
                assert not any(s <= other.cue[0] < e for s, e in a.content)


def test_a_model_that_never_extends_changes_nothing(parser):
    doc = parser("The mayor said the bridge would reopen in May, but the repairs could take longer.")
    found = extract_attributions(doc, extend=False)
    before = [list(a.content) for a in found]
    extend_contents(doc, found, model=NEVER)
    assert [a.content for a in found] == before


def test_an_extended_content_ends_on_a_word(parser):
    doc = parser("The senator said the tax cut would pay for itself, citing a study from 2015.")
    found = extract_attributions(doc, extend=False)
    extend_contents(doc, found, model=ALWAYS)
    for a in found:
        text = doc.text[a.content[-1][0] : a.content[-1][1]]
        assert text[-1].isalnum() or text[-1] in "\"'”’)", text


def test_a_whole_quotation_is_never_extended(parser):
    """The quotation is the statement; what follows its closing mark is narration."""
    doc = parser("The minister reported “good progress” after a meeting in Paris on Friday.")
    quoted = (doc.text.index("“"), doc.text.index("”") + 1)
    verb = next(t for t in doc if t.lower_ == "reported")
    attribution = Attribution(
        kind="indirect", content=[quoted], cue=(verb.idx, verb.idx + 8), cue_token=verb.i
    )
    assert phrases_after(doc, attribution) == []
    extend_contents(doc, [attribution], model=ALWAYS)
    assert attribution.content == [quoted]


def test_best_accuracy_picks_the_cut_that_decides_best():
    scored = [(0.9, 1), (0.7, 1), (0.6, 0), (0.4, 0), (0.2, 0)]
    threshold, accuracy = _best_accuracy(scored)
    assert accuracy == 1.0
    assert 0.6 < threshold <= 0.7


def test_shipped_model_has_its_card_data():
    model = extent_model()
    if model is None:
        pytest.skip("no extent model shipped")
    assert 0 < model.threshold < 1
    assert model.meta["phrases"] > 0
    assert model.meta["cv_accuracy"] > model.meta["cv_accuracy_never_extend"]
