"""Parse articles with Stanza and turn each parse into a spaCy `Doc` over the exact text.

Stanza gives tokens, UPOS, lemmas and Universal Dependencies; the rest of the pipeline
reasons over a spaCy `Doc` (textacy works on Docs, and spaCy's Span/Token API is what the
rules are written in). spacy-stanza pins stanza<1.7, so the adapter is our own and small:
it is built on character offsets, so `doc.text == article.text` always holds and every
offset the later stages produce points into the article as it was read.

Articles are split into paragraphs at line breaks before parsing. News paragraphs are
lines, and a sentence never runs across one, so each paragraph is a separate Stanza
document (parsed in bulk) and the adapter marks a sentence start at each.

Model resolution order: an explicit folder (`--models DIR`), the `QUOTES_MODELS`
environment variable, then the models shipped in the repository under `data/models/`.
The special name ``official`` means Stanza's own downloaded English models
(`quotes models download`). Nothing here ever touches the network.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quotes.errors import ModelError

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

__all__ = [
    "PROCESSORS",
    "ModelSpec",
    "StanzaParser",
    "find_models",
    "official_models_dir",
    "paragraph_spans",
    "to_doc",
    "words_and_spaces",
]

log = logging.getLogger(__name__)

PROCESSORS = ("tokenize", "mwt", "pos", "lemma", "depparse")
"""The Stanza processors the rules need, in pipeline order (mwt only if the model has it)."""

SHIPPED_MODELS = Path(__file__).resolve().parent.parent / "data" / "models" / "stanza-en"
"""Where a clone of the repository keeps its own trained English pipeline."""

# Apostrophes and single quotation marks are not quote marks for pairing: news text is
# full of “Freedonia’s” and “the Smiths’”, and one lone ’ makes the count of marks odd.
_NOT_QUOTE_MARKS = ("'", "‘", "’", "`", "‚", "‛", "‹", "›")
_PARAGRAPH_RE = re.compile(r"[^\r\n]+")


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Which Stanza models to load.

    Attributes:
        dir: The stanza_resources-style folder (with resources.json), or None for Stanza's
            default resources folder (official models).
        name: How the models were chosen, for `quotes models info` and run summaries.
    """

    dir: Path | None
    name: str


def find_models(models: str | os.PathLike[str] | None = None) -> ModelSpec:
    """Decide which model folder to use, in the documented resolution order.

    Args:
        models: A folder, ``"official"``, or None to consult `QUOTES_MODELS` and then the
            shipped models.

    Raises:
        ModelError: The chosen folder does not exist or holds no Stanza English pipeline.
    """
    choice = models if models is not None else os.environ.get("QUOTES_MODELS") or None
    if choice is not None and str(choice) == "official":
        folder = official_models_dir()
        if not (folder / "resources.json").is_file() or not (folder / "en").is_dir():
            raise ModelError(
                f"Stanza's official English models are not in {folder}: run `quotes models download` "
                "(needs a network). Models downloaded to another folder are used with --models FOLDER "
                "or STANZA_RESOURCES_DIR=FOLDER."
            )
        return ModelSpec(dir=None, name="official")
    if choice is not None:
        path = Path(choice).expanduser()
        _check_model_dir(path)
        return ModelSpec(dir=path.resolve(), name=str(path))
    if (SHIPPED_MODELS / "resources.json").is_file():
        return ModelSpec(dir=SHIPPED_MODELS, name="shipped")
    raise ModelError(
        "no Stanza model found. Give a model folder with --models DIR or QUOTES_MODELS=DIR, "
        "train one with `quotes models train UD_DIR`, or, with a network, run "
        "`quotes models download` and use --models official."
    )


def official_models_dir() -> Path:
    """Where ``stanza.download`` keeps Stanza's official models and ``official`` loads them from.

    That is ``$STANZA_RESOURCES_DIR`` when set (read when stanza is first imported),
    else Stanza's per-version cache folder.
    """
    from stanza.resources.common import DEFAULT_MODEL_DIR

    return Path(DEFAULT_MODEL_DIR)


def _check_model_dir(path: Path) -> None:
    if not path.is_dir():
        raise ModelError(f"model folder {path} does not exist (from --models or QUOTES_MODELS)")
    if not (path / "resources.json").is_file() or not (path / "en").is_dir():
        raise ModelError(
            f"{path} is not a Stanza model folder: it needs resources.json and an en/ folder "
            "(the layout `stanza.download` and `quotes models train` write)"
        )


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of the non-blank lines of `text`.

    Examples:
        >>> paragraph_spans("Title\\n\\nFirst para.\\n  \\nSecond.")
        [(0, 5), (7, 18), (22, 29)]
    """
    return [(m.start(), m.end()) for m in _PARAGRAPH_RE.finditer(text) if m.group().strip()]


def words_and_spaces(text: str, offsets: Sequence[tuple[int, int]]) -> tuple[list[str], list[bool]]:
    """Turn token offsets into spaCy `words` and `spaces` that rebuild `text` exactly.

    One space after a token becomes its `spaces` flag; any other gap (several spaces, a
    newline, leading whitespace) becomes a whitespace token of its own, as spaCy does.

    Args:
        text: The full text.
        offsets: Sorted, non-overlapping (start, end) offsets of the tokens.

    Examples:
        >>> words_and_spaces("Hi  there.\\n", [(0, 2), (4, 9), (9, 10)])
        (['Hi', ' ', 'there', '.', '\\n'], [True, False, False, False, False])
    """
    words, spaces, _ = _align(text, offsets)
    return words, spaces


def _align(text: str, offsets: Sequence[tuple[int, int]]) -> tuple[list[str], list[bool], list[int]]:
    """`words_and_spaces`, plus the index of the token made from each offset."""
    words: list[str] = []
    spaces: list[bool] = []
    token_index: list[int] = []
    position = 0
    for start, end in offsets:
        _add_gap(text[position:start], words, spaces)
        token_index.append(len(words))
        words.append(text[start:end])
        spaces.append(False)
        position = end
    _add_gap(text[position:], words, spaces)
    return words, spaces, token_index


def _add_gap(gap: str, words: list[str], spaces: list[bool]) -> None:
    if not gap:
        return
    if words and not spaces[-1] and not words[-1].isspace() and gap[0] == " ":
        spaces[-1] = True
        gap = gap[1:]
    if gap:
        words.append(gap)
        spaces.append(False)


@dataclass(frozen=True, slots=True)
class _Word:
    """One syntactic word with absolute character offsets and a sentence-relative head."""

    start: int
    end: int
    lemma: str
    upos: str
    xpos: str
    feats: str
    head: int  # index of the head word within the sentence, -1 for the root
    deprel: str


def _sentence_words(sentence: Any, offset: int, text: str) -> list[_Word]:
    """Flatten a Stanza sentence into words with offsets into `text`.

    Multi-word tokens ("Freedonia’s" → Freedonia + ’s) are split at the word boundaries when the
    words spell the token exactly, as they do for English; otherwise the whole token is
    kept as one word carrying the annotation of its syntactic head word. A sentence that
    was not parsed (pruned, see `quotes.prune`) gets a flat tree, its first word the root
    and the others hanging on it as ``dep``, and its POS tags if it was tagged, else ``X``.
    """
    words: list[_Word] = []
    index_map: dict[int, int] = {}  # Stanza word id → our word index
    pending: list[tuple[list[Any], int, int]] = []
    for token in sentence.tokens:
        start, end = token.start_char + offset, token.end_char + offset
        surface = text[start:end]
        pieces = token.words
        if len(pieces) > 1 and "".join(w.text for w in pieces) != surface:
            pieces = [_head_word(pieces)]
            for w in token.words:
                index_map[w.id] = len(words)
            pending.append((pieces, start, end))
            words.append(_placeholder(start, end))
            continue
        position = start
        for w in pieces:
            w_end = end if len(pieces) == 1 else position + len(w.text)
            index_map[w.id] = len(words)
            pending.append(([w], position, w_end))
            words.append(_placeholder(position, w_end))
            position = w_end
    parsed = all(w.head is not None for w in sentence.words)
    tagged = all(w.upos is not None for w in sentence.words)
    for i, (ws, start, end) in enumerate(pending):
        w = ws[0]
        if not parsed:  # pruned (see quotes.prune): a flat tree, and tags only if it was tagged
            upos, xpos, feats = (w.upos, w.xpos or "", w.feats or "") if tagged else ("X", "", "")
            lemma = w.lemma or text[start:end]
            words[i] = _Word(start, end, lemma, upos, xpos, feats, 0 if i else -1, "dep" if i else "ROOT")
            continue
        head = index_map.get(w.head, -1) if w.head else -1
        if head == i:
            head = -1
        words[i] = _Word(
            start=start,
            end=end,
            lemma=w.lemma or text[start:end],
            upos=w.upos or "X",
            xpos=w.xpos or "",
            feats=w.feats or "",
            head=head,
            deprel=(w.deprel or "dep") if head >= 0 else "ROOT",
        )
    return words


def _placeholder(start: int, end: int) -> _Word:
    return _Word(start, end, "", "X", "", "", -1, "dep")


def _head_word(words: list[Any]) -> Any:
    """The word of a multi-word token whose head lies outside the token."""
    ids = {w.id for w in words}
    return next((w for w in words if w.head not in ids), words[0])


def to_doc(text: str, sentences: Iterable[tuple[Any, int]], vocab: Vocab) -> Doc:
    """Build a spaCy `Doc` whose text is exactly `text` from Stanza sentences.

    Requires: Stanza sentences with tokens, words (lemma, upos, xpos, feats, head, deprel).
    Adds: tokens, POS, tags, lemmas, morphology, heads and UD dependency labels (root is
    ``ROOT``), sentence boundaries; whitespace tokens hang on the token before them.

    Args:
        text: The article text.
        sentences: (Stanza sentence, character offset of its paragraph) pairs in order.
        vocab: A vocab from `english_vocab()` (lang "en", apostrophes not quote marks).
    """
    Doc = _text_doc_class()  # noqa: N806

    sent_words = [_sentence_words(sentence, offset, text) for sentence, offset in sentences]
    flat = [w for ws in sent_words for w in ws]
    words, spaces, token_of_word = _align(text, [(w.start, w.end) for w in flat])
    if not flat:
        doc = Doc(vocab, words=words, spaces=spaces)
        doc._quotes_text = text
        return doc
    heads, deps, sent_starts = _tree(words, sent_words, token_of_word)
    pos = ["SPACE"] * len(words)
    tags = ["_SP"] * len(words)
    lemmas = list(words)
    morphs = [""] * len(words)
    for word, t in zip(flat, token_of_word, strict=True):
        pos[t], tags[t], lemmas[t], morphs[t] = word.upos, word.xpos or word.upos, word.lemma, word.feats
    doc = Doc(
        vocab,
        words=words,
        spaces=spaces,
        pos=pos,
        tags=tags,
        lemmas=lemmas,
        morphs=morphs,
        heads=heads,
        deps=deps,
        sent_starts=sent_starts,
    )
    doc._quotes_text = text
    return doc


@cache
def _text_doc_class() -> type:
    """A spaCy `Doc` subclass that keeps its text instead of rebuilding it at each access.

    spaCy's `Doc.text` joins the text of every token, creating a Python object per token,
    each time it is read; the rules read `doc.text` thousands of times per article, which
    made that join most of the extraction time. The kept string is the same one (the Doc
    is never changed after it is built), so nothing else differs.
    """
    from spacy.tokens import Doc

    class ArticleDoc(Doc):
        @property
        def text(self) -> str:
            return self._quotes_text

        @property
        def text_with_ws(self) -> str:
            return self._quotes_text

    return ArticleDoc


def _tree(
    words: list[str], sent_words: list[list[_Word]], token_of_word: list[int]
) -> tuple[list[int], list[str], list[bool]]:
    """Absolute heads and labels for every token, whitespace tokens included."""
    n = len(words)
    heads = list(range(n))
    deps = ["dep"] * n
    sent_starts = [False] * n
    owner = [-1] * n  # the sentence-root token each token belongs to
    base = 0
    for ws in sent_words:
        root = token_of_word[base]
        for i, w in enumerate(ws):
            t = token_of_word[base + i]
            if w.head < 0:
                root = t
        for i, w in enumerate(ws):
            t = token_of_word[base + i]
            heads[t] = token_of_word[base + w.head] if w.head >= 0 else t
            deps[t] = w.deprel
            owner[t] = root
        sent_starts[token_of_word[base]] = True
        base += len(ws)
    # Whitespace tokens attach to the token before them (the first one to the one after).
    for t in range(n):
        if owner[t] >= 0:
            continue
        neighbour = t - 1 if t > 0 else next(i for i in range(n) if owner[i] >= 0)
        heads[t] = neighbour
        deps[t] = "dep"
        owner[t] = owner[neighbour]
        if t == 0:
            sent_starts[0] = True
            sent_starts[neighbour] = False
    # Stanza roots may have several; spaCy wants exactly one ROOT per sentence.
    return heads, deps, sent_starts


def _combined(sentences: list[Any]) -> Any:
    """One Stanza document over sentences of many documents, as Stanza's own bulk mode builds it."""
    import stanza

    combined = stanza.Document([])
    combined.sentences = sentences
    combined.num_tokens = sum(len(s.tokens) for s in sentences)
    combined.num_words = sum(len(s.words) for s in sentences)
    return combined


@cache
def _abbreviated_titles() -> frozenset[str]:
    """Lower-case titles written with a full stop ("sen.", "gov.", "mrs."), from the editable
    ``honorifics.txt``."""
    from quotes.names import word_set

    return frozenset(w for w in word_set("honorifics.txt") if w.endswith(".") and len(w) > 2)


def join_title_breaks(sentences: list[list[Any]]) -> list[list[Any]]:
    """Undo the sentence breaks Stanza's tokenizer makes after an abbreviated title.

    Trained on UD, where "Sen. Jane Doe" is rare, the tokenizer often ends a sentence at
    "Sen." (sometimes splitting "Sen" from its full stop), and the speaker of "…,” said Sen.
    Jane Doe" lands in a sentence of its own. A sentence that ends in a title of
    ``honorifics.txt`` and is followed by one that starts with a capital is joined to it.
    This is Stanza's ``tokenize_postprocessor`` hook: sentences of token strings (or
    ``(token, is_mwt)`` pairs) in, the same out.
    """
    titles = _abbreviated_titles()
    out: list[list[Any]] = []
    for sentence in sentences:
        previous = out[-1] if out else None
        if previous and sentence and _starts_capitalised(sentence[0]):
            last = _text(previous[-1])
            if last.lower() in titles:
                previous.extend(sentence)
                continue
            if last == "." and len(previous) > 1 and _text(previous[-2]).lower() + "." in titles:
                previous[-2:] = [_text(previous[-2]) + "."]
                previous.extend(sentence)
                continue
        out.append(list(sentence))
    return out


def _text(word: Any) -> str:
    return word if isinstance(word, str) else word[0]


def _starts_capitalised(word: Any) -> bool:
    text = _text(word)
    return bool(text) and text[0].isupper()


@cache
def english_vocab() -> Vocab:
    """A spaCy English vocab in which apostrophes and single marks are not quote marks.

    textacy needs `doc.lang_ == "en"`, so the vocab comes from `spacy.blank("en")`.
    """
    import spacy

    vocab = spacy.blank("en").vocab
    for mark in _NOT_QUOTE_MARKS:
        vocab[mark].is_quote = False
    return vocab


class StanzaParser:
    """A loaded Stanza English pipeline that turns texts into spaCy Docs.

    Load it once and reuse it: loading takes about a second, parsing a news article a
    fraction of one.

    Args:
        models: A model folder, ``"official"``, or None for the resolution order in
            `find_models`.
        use_gpu: Run Stanza on a GPU when one is present.
        batch_size: How many articles go through Stanza together (all their paragraphs
            in one bulk call).
        prune: Tag, lemmatise and parse only the sentences that can hold an attribution
            or that speaker resolution reads (see `quotes.prune`); the others are
            tokenized only.
        tag_rest: With `prune`, also POS-tag the sentences that are not parsed (on PolNeAR
            dev this changed no resolved speaker, so it is off by default).
        threads: Torch threads for this process (None: torch's default, one per core).
            Give ``cores // workers`` when several processes parse at once.
        context: With `prune`, how many sentences before an attribution sentence to parse.
    """

    def __init__(
        self,
        models: str | os.PathLike[str] | None = None,
        *,
        use_gpu: bool = False,
        batch_size: int = 64,
        prune: bool = True,
        threads: int | None = None,
        context: int = 1,
        tag_rest: bool = False,
    ) -> None:
        self.spec = find_models(models)
        self.batch_size = batch_size
        self.prune = prune
        self.tag_rest = tag_rest
        self.context = context
        self.use_gpu = use_gpu
        self.vocab = english_vocab()
        if threads is not None:
            import torch

            torch.set_num_threads(max(1, threads))
        self._nlp = self._load(use_gpu)

    def _load(self, use_gpu: bool) -> Any:
        import stanza

        processors = list(PROCESSORS)
        if self.spec.dir is not None and not (self.spec.dir / "en" / "mwt").is_dir():
            processors.remove("mwt")
        kwargs: dict[str, Any] = {
            "lang": "en",
            "processors": ",".join(processors),
            "download_method": None,
            "use_gpu": use_gpu,
            "logging_level": "WARN",
            "tokenize_batch_size": self.batch_size * 4,
            "tokenize_postprocessor": join_title_breaks,
            "pos_batch_size": 3000,
            "depparse_batch_size": 3000,
        }
        if self.spec.dir is not None:
            kwargs["dir"] = str(self.spec.dir)
        try:
            return stanza.Pipeline(**kwargs)
        except Exception as exc:  # Stanza raises bare exceptions for missing files
            where = self.spec.dir or "Stanza's resources folder"
            raise ModelError(
                f"could not load the Stanza English pipeline from {where}: {exc}. "
                "Check the folder, or see `quotes models --help`."
            ) from exc

    def __call__(self, text: str) -> Doc:
        """Parse one text into a Doc with `doc.text == text`."""
        return next(iter(self.pipe([text])))

    def pipe(self, texts: Iterable[str]) -> Iterator[Doc]:
        """Parse texts in bulk: all paragraphs of a batch of texts go through Stanza together."""
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if sum(len(t) for t in batch) > 200_000 or len(batch) >= self.batch_size:
                yield from self._parse_batch(batch)
                batch = []
        if batch:
            yield from self._parse_batch(batch)

    def _parse_batch(self, texts: list[str]) -> Iterator[Doc]:
        import stanza
        import torch

        spans = [paragraph_spans(text) for text in texts]
        paragraphs = [
            stanza.Document([], text=text[s:e]) for text, ps in zip(texts, spans, strict=True) for s, e in ps
        ]
        with torch.inference_mode():
            if not paragraphs:
                parsed = []
            elif self.prune:
                parsed = self._nlp.bulk_process(paragraphs, processors="tokenize")  # mwt comes along
            else:
                parsed = self._nlp.bulk_process(paragraphs)
        position = 0
        per_text = []
        for ps in spans:
            sentences = []
            for (start, _end), sdoc in zip(ps, parsed[position : position + len(ps)], strict=True):
                sentences.extend((sentence, start) for sentence in sdoc.sentences)
            position += len(ps)
            per_text.append(sentences)
        if self.prune:
            self._parse_selected(texts, spans, per_text)
        for text, ps, sentences in zip(texts, spans, per_text, strict=True):
            doc = to_doc(text, sentences, self.vocab)
            doc.user_data["paragraphs"] = ps
            if self.prune:
                doc.user_data["parsed_sentences"] = sum(s.words[0].head is not None for s, _ in sentences)
                doc.user_data["tagged_sentences"] = sum(s.words[0].upos is not None for s, _ in sentences)
                doc.user_data["sentences"] = len(sentences)
            yield doc

    def _parse_selected(
        self, texts: list[str], spans: list[list[tuple[int, int]]], per_text: list[list[tuple[Any, int]]]
    ) -> None:
        """Tag, lemmatise and parse the sentences `quotes.prune` selects, in one bulk call.

        Stanza tags and parses each sentence on its own, so a selected sentence gets the
        same annotation it would get in a full parse; the other sentences are POS-tagged
        in a second bulk call (with `tag_rest`). The annotation lands on the sentence
        objects of `per_text`.
        """
        import torch

        from quotes.prune import select_sentences

        chosen, rest = [], []
        for text, ps, sentences in zip(texts, spans, per_text, strict=True):
            offsets = [(s.tokens[0].start_char + o, s.tokens[-1].end_char + o) for s, o in sentences]
            keep = select_sentences(text, offsets, ps, context=self.context)
            for (sentence, _), flag in zip(sentences, keep, strict=True):
                (chosen if flag else rest).append(sentence)
        after_tokens = [p for p in PROCESSORS if p not in ("tokenize", "mwt")]
        with torch.inference_mode():
            if chosen:
                self._nlp.process(_combined(chosen), processors=after_tokens)
            if rest and self.tag_rest:
                self._nlp.process(_combined(rest), processors=["pos"])
