"""Colon- and dash-introduced statements: "Senator Doe: Budget Deal 'a Disaster'".

News headlines, transcripts and vox pops name the speaker first and give the statement after a
colon or a dash, with no verb at all:

    Jane Doe: The Budget Is "Dead on Arrival"
    DOE: We will not support it.
    Maria Lopez ― “I came here to vote for change.”

A line (or paragraph) that starts with a short proper-name label followed by ":" or a dash is an
attribution: the label is the speaker, the mark is the cue, the rest of the line the content.

Vox pops and epigraphs also sign a quotation after it:

    “I came here to vote for change.” ― Maria Lopez
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quotes.extract.lexicon import read_word_list
from quotes.extract.syntax import Attribution, char_offsets

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from quotes.extract.marks import QuoteRegion

__all__ = ["label_attributions", "signature_attributions"]

_MARKS = (":", "―", "—", "–")
_MAX_LABEL = 5
_MIN_CONTENT_WORDS = 3


def _not_labels() -> frozenset[str]:
    return frozenset(" ".join(row).lower() for row in read_word_list("not_speaker_labels.txt"))


def label_attributions(doc: Doc, paragraphs: list[tuple[int, int]]) -> list[Attribution]:
    """One attribution per line that opens with "<Name>:" or "<Name> ―"."""
    out = []
    refused = _not_labels()
    for p_start, p_end in paragraphs:
        line_start = p_start
        for line in doc.text[p_start:p_end].split("\n"):
            found = _label_line(doc, line_start, line_start + len(line), refused)
            if found is not None:
                out.append(found)
            line_start += len(line) + 1
    return out


def _label_line(doc: Doc, start: int, end: int, refused: frozenset[str]) -> Attribution | None:
    span = doc.char_span(start, end, alignment_mode="contract")
    if span is None:
        return None
    tokens = [t for t in span if not t.is_space]
    mark = next((i for i, t in enumerate(tokens[: _MAX_LABEL + 1]) if t.text in _MARKS), None)
    if not mark:
        return None
    label, rest = tokens[:mark], tokens[mark + 1 :]
    while label and label[0].is_quote:  # a turn of a quoted transcript: “DOE: …
        label = label[1:]
    if not _is_name(label) or " ".join(t.text for t in label).lower() in refused:
        return None
    cue = tokens[mark]
    if cue.text != ":" and not (rest and rest[0].is_quote):
        return None  # a dash introduces a statement only when a quotation follows
    words = [t for t in rest if t.is_alpha]
    if len(words) < _MIN_CONTENT_WORDS:
        return None
    first, last = rest[0], rest[-1]
    return Attribution(
        kind="indirect",
        content=[(first.idx, last.idx + len(last.text))],
        cue=(cue.idx, cue.idx + len(cue.text)),
        speaker=char_offsets(label),
        speaker_root=label[-1].i,
        rule="label",
        cue_token=cue.i,
    )


def _is_name(label: list[Token]) -> bool:
    """A speaker label: capitalised words, at least one of them a proper noun or all capitals."""
    if not label:
        return False
    words = [t for t in label if t.is_alpha]
    if not words or any(not (t.text[0].isupper() or t.text in ("'s", "’s")) for t in label if t.is_alpha):
        return False
    return any(t.pos_ == "PROPN" or (t.is_upper and len(t.text) > 1) for t in words)


_SIGNATURE_DASHES = ("―", "—", "–")


def signature_attributions(doc: Doc, regions: list[QuoteRegion]) -> list[Attribution]:
    """One attribution per closed quotation signed right after it: “…” ― Jane Doe."""
    out = []
    for region in regions:
        if not region.closed:
            continue
        found = _signature(doc, region)
        if found is not None:
            out.append(found)
    return out


def _signature(doc: Doc, region: QuoteRegion) -> Attribution | None:
    text = doc.text
    i = region.end
    while i < len(text) and text[i] in " \t\u00a0":
        i += 1
    if i >= len(text) or text[i] not in _SIGNATURE_DASHES:
        return None
    dash = doc.char_span(i, i + 1, alignment_mode="expand")
    if dash is None:
        return None
    label: list[Token] = []
    for token in doc[dash.end : dash.end + _MAX_LABEL + 1]:
        if token.is_space:
            if label and "\n" in token.text:
                break
            continue
        if not (token.is_alpha or token.text.endswith(".")) or not token.text[0].isupper():
            break
        label.append(token)
    if not label or len(label) > _MAX_LABEL or not _is_name(label):
        return None
    after = doc[label[-1].i + 1] if label[-1].i + 1 < len(doc) else None
    if after is not None and not (after.is_space or after.is_punct or after.is_quote):
        return None  # the dash starts a sentence, not a signature
    words = [w for w in text[region.start : region.end].split() if any(c.isalnum() for c in w)]
    if len(words) < _MIN_CONTENT_WORDS:
        return None
    return Attribution(
        kind="direct",
        content=[(region.start, region.end)],
        cue=(i, i + 1),
        speaker=char_offsets(label),
        speaker_root=label[-1].i,
        rule="signature",
        cue_token=dash.start,
    )
