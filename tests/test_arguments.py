"""The learned argument model: the content and cue a (verb, argument) pair gives on a real
parse, and that it only adds what the rest of the extractor leaves out."""

from __future__ import annotations

from quotes.extract import extract_attributions
from quotes.extract.arguments import candidates, content_span
from quotes.extract.cuemodel import CueModel, using
from quotes.extract.marks import quote_regions

LASH = CueModel(weights={"lemma=lash": 6.0}, bias=-3.0, threshold=0.5, meta={})
"""A model that calls "lash (out at)" a report and nothing else."""


def _text(doc, span):
    return doc.text[span[0] : span[1]]


def test_content_is_the_argument_with_the_rest_of_the_predicate(parser):
    doc = parser("The senator accused the governor of lying about the budget.")
    verb = next(t for t in doc if t.lower_ == "accused")
    obj = next(c for c in verb.children if c.dep_ == "obj")
    assert _text(doc, content_span(verb, obj)).startswith("the governor")
    assert _text(doc, content_span(verb, obj)).endswith("the budget")


def test_an_oblique_leaves_its_preposition_to_the_cue(parser):
    doc = parser("The mayor lashed out at the new stadium plan on Monday.")
    with using(LASH, role="argument"):
        found = [a for a in extract_attributions(doc) if a.rule == "argument"]
    assert len(found) == 1
    (attribution,) = found
    assert _text(doc, attribution.cue) == "lashed out at"
    assert _text(doc, attribution.content[0]).startswith("the new stadium plan")
    assert _text(doc, attribution.speaker) == "The mayor"
    assert attribution.extra["learned"] is True


def test_turned_off_it_adds_nothing(parser):
    doc = parser("The mayor lashed out at the new stadium plan on Monday.")
    with using(None, role="argument"):
        assert not [a for a in extract_attributions(doc) if a.rule == "argument"]


def test_a_verb_the_rules_already_use_is_no_candidate(parser):
    doc = parser("The governor said the bill was dead, and the mayor lashed out at the plan.")
    regions = quote_regions(doc.text, [(0, len(doc.text))])
    with using(None, role="argument"):
        found = extract_attributions(doc)
    verbs = {c.verb.lower_ for c in candidates(doc, regions, found)}
    assert "said" not in verbs
    assert "lashed" in verbs
    held = {i for a in found for s, e in a.content for i in range(s, e)}
    for cand in candidates(doc, regions, found):
        inside = sum(1 for i in range(*cand.content) if i in held)
        assert inside * 2 < cand.content[1] - cand.content[0]
