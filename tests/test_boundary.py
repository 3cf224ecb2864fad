"""The learned cue/content boundary: the seams it considers on a real parse, that it moves
words between the cue and its content or before the cue, and nothing else."""

from __future__ import annotations

import pytest

from quotes.extract.boundary import end_seams, move_seams, start_seams
from quotes.extract.cuemodel import CueModel, using
from quotes.extract.syntax import Attribution

CALL_ON = CueModel(weights={"head_words=call|on": 6.0}, bias=-3.0, threshold=0.5, meta={})
"""A model that puts "on" into the cue of "called" and nothing else anywhere."""

TEXT = "The senator called on Congress to act quickly."


def _attribution(text: str, cue: str, content: str) -> Attribution:
    start = text.index(content)
    cue_start = text.index(cue)
    return Attribution(
        kind="indirect",
        content=[(start, start + len(content))],
        cue=(cue_start, cue_start + len(cue)),
    )


def test_seams_are_the_first_words_of_a_content_right_after_its_cue(parser):
    doc = parser(TEXT)
    found = end_seams(doc, _attribution(TEXT, "called", "on Congress to act quickly"))
    moved = [TEXT[TEXT.index("on Congress") : s.offset] for s in found]
    assert moved == ["on", "on Congress", "on Congress to", "on Congress to act"]


def test_no_end_seam_when_the_content_comes_first(parser):
    text = "Congress must act quickly, the senator said."
    doc = parser(text)
    assert end_seams(doc, _attribution(text, "said", "Congress must act quickly")) == []


def test_start_seams_stop_at_the_speaker_and_at_punctuation(parser):
    text = "The senator went on to explain that the bill was dead."
    doc = parser(text)
    attribution = _attribution(text, "explain", "the bill was dead")
    attribution.speaker = (0, len("The senator"))
    starts = [text[s.offset : attribution.cue[1]] for s in start_seams(doc, attribution)]
    assert starts == ["to explain", "on to explain", "went on to explain"]
    text = "Asked about it, she declined to comment."
    doc = parser(text)
    attribution = _attribution(text, "declined", "to comment")
    attribution.speaker = (text.index("she"), text.index("she") + 3)
    assert start_seams(doc, attribution) == []


@pytest.mark.parametrize(
    ("text", "cue", "content", "feature", "moved"),
    [
        (
            "The senator went on to explain that the bill was dead.",
            "explain",
            "that the bill was dead",
            "start:head_words=explain|went on to",
            "went on to explain",
        ),
        (
            "The campaign said in a statement that the plan would fail.",
            "said",
            "that the plan would fail",
            "head_words=say|in a statement",
            "said in a statement",
        ),
    ],
    ids=["start-seam", "gap-seam"],
)
def test_a_seam_outside_the_content_moves_only_the_cue(parser, text, cue, content, feature, moved):
    """A start seam takes in the words before the cue; a gap seam the words between the cue
    and its content. Neither touches the content."""
    doc = parser(text)
    attribution = _attribution(text, cue, content)
    model = CueModel(weights={feature: 6.0}, bias=-3.0, threshold=0.5, meta={})
    with using(model, role="boundary"):
        move_seams(doc, [attribution])
    assert text[slice(*attribution.cue)] == moved
    assert text[slice(*attribution.content[0])] == content


def test_a_seam_moves_words_from_content_to_cue(parser):
    doc = parser(TEXT)
    attribution = _attribution(TEXT, "called", "on Congress to act quickly")
    with using(CALL_ON, role="boundary"):
        move_seams(doc, [attribution])
    assert TEXT[slice(*attribution.cue)] == "called on"
    assert TEXT[slice(*attribution.content[0])] == "Congress to act quickly"


def test_below_the_threshold_nothing_moves(parser):
    text = "The senator talked about the budget on Monday."
    doc = parser(text)
    attribution = _attribution(text, "talked", "about the budget")
    with using(CALL_ON, role="boundary"):
        move_seams(doc, [attribution])
    assert text[slice(*attribution.cue)] == "talked"
    assert text[slice(*attribution.content[0])] == "about the budget"


GAP = "The campaign said in a statement that the plan would fail."


def test_words_between_cue_and_content_are_end_seams_of_their_own(parser):
    doc = parser(GAP)
    found = end_seams(doc, _attribution(GAP, "said", "that the plan would fail"))
    assert [GAP[GAP.index("in a") : s.offset] for s in found] == ["in", "in a", "in a statement"]
    assert all("gap" in s.features for s in found)
    text = "The campaign said, in a statement, that the plan would fail."
    doc = parser(text)
    assert end_seams(doc, _attribution(text, "said", "that the plan would fail")) == []
