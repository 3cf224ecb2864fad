"""Invariants on any input: extraction never crashes and every offset slices back."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from quotes.extract.marks import quote_regions
from quotes.parse import paragraph_spans, words_and_spaces

NEWSY = st.lists(
    st.sampled_from(
        list("abc XYZ.,;:'’‘\"“”«»\n-—") + ["said", " he ", "According to ", "that ", "Sheikh Al "]
    ),
    max_size=80,
).map("".join)


@given(st.text(max_size=300))
def test_words_and_spaces_rebuild_the_text(text):
    import re

    offsets = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    words, spaces = words_and_spaces(text, offsets)
    assert "".join(w + (" " if s else "") for w, s in zip(words, spaces, strict=True)) == text


@given(NEWSY)
def test_quote_regions_are_ordered_and_inside_the_text(text):
    regions = quote_regions(text, paragraph_spans(text))
    last = 0
    for r in regions:
        assert last <= r.start < r.end <= len(text)
        last = r.end


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(NEWSY)
@example('«b "said')  # a lone quotation mark parsed as a second subject of "said"
@example("b, saying, “")  # a content of an opening mark alone, emptied by snapping to it
@example(', saying, “a""')  # two touching fragments, left unjoined
@example("Asked whether , saying, “aSheikh Al , saying, “")  # a question of one word
def test_any_text_gives_quotes_whose_offsets_slice_back(parser, text):
    from quotes.extract import extract_attributions
    from quotes.resolve import resolve_speakers

    doc = parser(text)
    assert doc.text == text
    found = extract_attributions(doc)
    assert len({tuple(a.content) for a in found}) == len(found), "one attribution per content"
    for a in found:
        for (_, end), (start, _) in zip(a.content, a.content[1:], strict=False):
            gap = text[end:start]
            assert any(ch.isalnum() or ch in "\"'“”‘’«»" for ch in gap), f"fragments split by {gap!r}"
    quotes, _ = resolve_speakers(doc, found, doc_id="x")
    for q in quotes:
        assert text[q.content_start : q.content_end] == q.text
        if q.speaker_start is not None:
            assert text[q.speaker_start : q.speaker_end] == q.speaker_mention
