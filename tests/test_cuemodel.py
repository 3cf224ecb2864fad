"""The learned cue model: its JSON form, its features on a real parse, training by
cross-validation, and that it only ever adds cues the lexicon lacks; and the shipped models
trained the same way."""

from __future__ import annotations

import math

import pytest

from quotes.extract.arguments import argument_model
from quotes.extract.boundary import boundary_model
from quotes.extract.cuemodel import CueModel, _best_threshold, cue_model, features, train_cue_model
from quotes.extract.syntax import subject_of


def test_json_round_trip_keeps_the_scores():
    weights = {"lemma=attack": 1.25, "subj=PROPN": 0.5}
    model = CueModel(weights=weights, bias=-2.0, threshold=0.4, meta={"C": 0.5})
    again = CueModel.from_json(model.to_json())
    assert again == model


def test_best_threshold_maximises_f1():
    scored = [(0.9, 1), (0.8, 1), (0.7, 0), (0.3, 1), (0.2, 0)]
    threshold, (precision, recall, f1) = _best_threshold(scored)
    assert threshold == pytest.approx(0.25)
    assert (precision, recall) == (0.75, 1.0)
    assert f1 == pytest.approx(2 * 0.75 / 1.75)


def test_training_learns_a_lemma_that_reports():
    pytest.importorskip("sklearn")
    # per article: "attack" with a named subject is a cue, "eat" never is
    data = [
        [(["lemma=attack", "subj=PROPN", "child=obj"], 1), (["lemma=eat", "subj=PROPN", "child=obj"], 0)]
        for _ in range(20)
    ]
    model = train_cue_model(data, folds=4)
    z = model.bias + model.weights["lemma=attack"] + model.weights["subj=PROPN"] + model.weights["child=obj"]
    assert 1 / (1 + math.exp(-z)) >= model.threshold
    assert model.meta["positives"] == 20
    assert model.meta["cv_f1"] == 1.0


def test_features_describe_the_verb_in_its_parse(parser):
    doc = parser("The senator attacked the plan on Tuesday, calling it a giveaway.")
    verb = next(t for t in doc if t.lower_ == "attacked")
    found = features(verb, subject_of(verb))
    assert "lemma=attack" in found
    assert "child=obj" in found
    assert "child=nsubj" in found
    assert "subj=NOUN" in found
    assert "subj_kind=speaker_word" in found  # "senator": someone who can state something
    assert "obj_head=plan" in found
    assert "lemma_next=attack|the" in found


def test_shipped_model_only_adds_cues(parser):
    """A lexicon verb is never scored; the shipped model is readable and has its card data."""
    from quotes.extract.cuemodel import candidate
    from quotes.extract.marks import quote_regions

    model = cue_model()
    if model is None:
        pytest.skip("no cue model shipped")
    assert 0 < model.threshold < 1
    assert model.meta["articles"] > 0
    doc = parser("The governor said the bill was dead.")
    said = next(t for t in doc if t.lower_ == "said")
    assert not candidate(said, quote_regions(doc.text, [(0, len(doc.text))]))


@pytest.mark.parametrize("load", [argument_model, boundary_model])
def test_shipped_models_trained_on_what_the_extractor_leaves_have_their_card_data(load):
    """The argument and boundary models (`cuemodel.train_on_split`) ship their training data
    and held-out scores with them."""
    model = load()
    if model is None:
        pytest.skip("model not shipped")
    assert 0 < model.threshold < 1
    assert model.meta["positives"] > 0
    assert str(model.threshold) in model.meta["held_out_scores"]
