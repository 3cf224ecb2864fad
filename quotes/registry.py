"""The speaker registry: a YAML file a user edits to add, merge and split canonical speakers.

Corpus linking (`quotes.link.link_corpus`) works without a registry; a registry refines it:
it pins a speaker's id, name, type and external ids, adds aliases and roles the corpus does
not teach, and forces merges or splits the automatic rules would not make. The format
(documented in the README, "Speaker registry"; an example is in data/registry/example.yaml):

    version: 1                          # optional
    speakers:
      - id: jane-doe                    # optional; default: the slug of the name
        name: Jane Doe                  # required
        type: person                    # person (default), organization, group or anonymous
        aliases: [J. Doe, Janie Doe]    # names and descriptions used for her
        roles: [finance minister of Freedonia]
        ids: {wikidata: Q00000000}      # external ids, scheme: value
    merge:                              # these are one speaker (names, aliases or ids)
      - [Jane Doe, J. A. Doe]
    split:
      - [John Roe, Johnny Roe]          # never one speaker, whatever the names suggest
      - name: John Roe                  # another John Roe: the one of these articles
        articles: [sports-0012]
        id: john-roe-coach

Every problem is a `RegistryError` naming the file, the line and the entry
("speakers[2].aliases: expected a list of strings, got a number").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quotes.errors import RegistryError
from quotes.names import name_key, normalize_name, slug

__all__ = ["SPEAKER_TYPES", "Registry", "RegistrySpeaker", "load_registry", "parse_registry"]

SPEAKER_TYPES = ("person", "organization", "group", "anonymous")
"""The types a registry speaker may have."""

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9_.-]*$")
_WIKIDATA_RE = re.compile(r"^Q[1-9][0-9]*$")
_TOP_KEYS = ("version", "speakers", "merge", "split")
_SPEAKER_KEYS = ("id", "name", "type", "aliases", "roles", "ids", "articles")
_SPLIT_KEYS = ("name", "articles", "id", "type", "aliases", "roles", "ids")


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrySpeaker:
    """One canonical speaker the registry defines.

    Attributes:
        id: The speaker id (a slug: lower-case letters, digits and hyphens).
        name: The name shown for the speaker.
        type: person, organization, group or anonymous.
        aliases: Other names and descriptions that mean this speaker.
        roles: Role phrases ("finance minister of Freedonia"), matched after normalisation.
        external_ids: ``scheme:value`` pairs ("wikidata:Q42").
        articles: When given, the speaker only takes mentions in these articles (a split of
            a name two people share).
    """

    id: str
    name: str
    type: str = "person"
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    external_ids: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Registry:
    """A parsed registry: speakers, forced merges and forced splits (see the module docstring).

    Attributes:
        speakers: The canonical speakers it defines.
        merges: Groups of names, aliases or ids that must be one speaker.
        splits: Groups of names, aliases or ids that must never be one speaker.
        source: The file it was read from, for messages.
    """

    speakers: tuple[RegistrySpeaker, ...] = ()
    merges: tuple[tuple[str, ...], ...] = ()
    splits: tuple[tuple[str, ...], ...] = ()
    source: str = "<registry>"
    by_id: dict[str, RegistrySpeaker] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({s.id: s for s in self.speakers})

    def __bool__(self) -> bool:
        return bool(self.speakers or self.merges or self.splits)


def load_registry(path: str | Path) -> Registry:
    """Read and check a registry file.

    Raises:
        RegistryError: If the file cannot be read, is not YAML, or does not have the
            documented format; the message names the line and the entry.
    """
    import yaml

    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError(source, "no such registry file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(source, f"cannot read the registry ({exc})") from exc
    lines: dict[tuple[Any, ...], int] = {}
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = _plain(loader, node, (), lines, source) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        context = ""
        if exc.context and exc.context_mark is not None:
            context = f"{exc.context} (line {exc.context_mark.line + 1}): "
        raise RegistryError(source, f"not valid YAML: {context}{exc.problem or exc}", line=line) from exc
    except yaml.YAMLError as exc:
        raise RegistryError(source, f"not valid YAML: {exc}") from exc
    return parse_registry(data, source=source, lines=lines)


def _plain(
    loader: Any, node: Any, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int], source: str
) -> Any:
    """Build plain Python data from a YAML node, remembering the line of every path."""
    import yaml

    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise RegistryError(
                    source, f"{_where(path)}: keys must be text, got {key!r}", line=lines[path]
                )
            if key in out:
                raise RegistryError(
                    source, f"{_where((*path, key))}: given twice", line=key_node.start_mark.line + 1
                )
            out[key] = _plain(loader, value_node, (*path, key), lines, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(loader, item, (*path, k), lines, source) for k, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def parse_registry(
    data: object, *, source: str = "<registry>", lines: dict[tuple[Any, ...], int] | None = None
) -> Registry:
    """Check registry data (as loaded from YAML) and build a `Registry`.

    An empty document is an empty registry.

    Raises:
        RegistryError: For the first problem found.
    """
    check = _Checker(source, lines or {})
    if data is None:
        return Registry(source=source)
    top = check.mapping(data, (), _TOP_KEYS)
    version = top.get("version", 1)
    if version != 1:
        check.fail(("version",), f"unsupported version {version!r}; this quotes reads version 1")
    speakers = [check.speaker(item, ("speakers", k)) for k, item in enumerate(check.items(top, "speakers"))]
    merges = [check.group(item, ("merge", k)) for k, item in enumerate(check.items(top, "merge"))]
    splits: list[tuple[str, ...]] = []
    for k, item in enumerate(check.items(top, "split")):
        if isinstance(item, dict):
            speakers.append(check.speaker(item, ("split", k), split=True))
        else:
            splits.append(check.group(item, ("split", k)))
    check.unique(speakers)
    check.consistent(merges, splits)
    return Registry(speakers=tuple(speakers), merges=tuple(merges), splits=tuple(splits), source=source)


def _where(path: tuple[Any, ...]) -> str:
    """A readable path: ("speakers", 2, "aliases") → "speakers[2].aliases"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the file"


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class _Checker:
    """Validation helpers that raise `RegistryError` with the file, line and entry path."""

    def __init__(self, source: str, lines: dict[tuple[Any, ...], int]) -> None:
        self.source = source
        self.lines = lines

    def fail(self, path: tuple[Any, ...], reason: str) -> None:
        line = next((self.lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in self.lines), None)
        raise RegistryError(self.source, f"{_where(path)}: {reason}", line=line)

    def mapping(self, value: object, path: tuple[Any, ...], keys: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping with the keys {', '.join(keys)}, got {_kind(value)}")
        assert isinstance(value, dict)
        unknown = [k for k in value if k not in keys]
        if unknown:
            self.fail((*path, unknown[0]), f"unknown key {unknown[0]!r}; expected one of {', '.join(keys)}")
        return value

    def items(self, top: dict[str, Any], key: str) -> list[Any]:
        value = top.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail((key,), f"expected a list, got {_kind(value)}")
        return value

    def text(self, value: object, path: tuple[Any, ...], what: str = "text") -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(path, f"expected {what}, got {_kind(value)}")
        text = str(value).strip()
        if not text:
            self.fail(path, f"expected {what}, got empty text")
        return text

    def texts(self, value: object, path: tuple[Any, ...]) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (self.text(value, path),)
        if not isinstance(value, list):
            self.fail(path, f"expected a list of text, got {_kind(value)}")
        assert isinstance(value, list)
        out = tuple(self.text(item, (*path, k)) for k, item in enumerate(value))
        return tuple(dict.fromkeys(out))

    def group(self, value: object, path: tuple[Any, ...]) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.fail(path, f"expected a list of two or more names or ids, got {_kind(value)}")
        group = self.texts(value, path)
        if len(group) < 2:
            self.fail(path, "expected a list of two or more different names or ids")
        return group

    def speaker(self, value: object, path: tuple[Any, ...], *, split: bool = False) -> RegistrySpeaker:
        entry = self.mapping(value, path, _SPLIT_KEYS if split else _SPEAKER_KEYS)
        if "name" not in entry:
            self.fail(path, "a speaker needs a name")
        name = self.text(entry["name"], (*path, "name"), "a name")
        speaker_id = entry.get("id")
        if speaker_id is None:
            speaker_id = slug(name)
            if split:
                articles = self.texts(entry.get("articles"), (*path, "articles"))
                speaker_id = slug(f"{name} {articles[0] if articles else ''}")
        speaker_id = self.text(speaker_id, (*path, "id"), "an id")
        if not _ID_RE.match(speaker_id):
            self.fail(
                (*path, "id"),
                f"{speaker_id!r} is not an id: use lower-case letters, digits and single hyphens "
                f"(such as {slug(speaker_id) or 'jane-doe'!r})",
            )
        kind = self.text(entry.get("type", "person"), (*path, "type"), "a type")
        if kind not in SPEAKER_TYPES:
            self.fail((*path, "type"), f"unknown type {kind!r}; use one of {', '.join(SPEAKER_TYPES)}")
        articles = self.texts(entry.get("articles"), (*path, "articles"))
        if split and not articles:
            self.fail(path, "a split entry with a name needs the articles where the other speaker is meant")
        return RegistrySpeaker(
            id=speaker_id,
            name=name,
            type=kind,
            aliases=tuple(a for a in self.texts(entry.get("aliases"), (*path, "aliases")) if a != name),
            roles=self.texts(entry.get("roles"), (*path, "roles")),
            external_ids=self.external_ids(entry.get("ids"), (*path, "ids")),
            articles=articles,
        )

    def external_ids(self, value: object, path: tuple[Any, ...]) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping of id schemes to ids (wikidata: Q42), got {_kind(value)}")
        assert isinstance(value, dict)
        out = []
        for scheme, ident in value.items():
            if not _SCHEME_RE.match(scheme):
                self.fail(
                    (*path, scheme), f"{scheme!r} is not an id scheme: use lower-case words such as wikidata"
                )
            text = self.text(ident, (*path, scheme), "an id")
            if scheme == "wikidata" and not _WIKIDATA_RE.match(text):
                self.fail(
                    (*path, scheme), f"{text!r} is not a Wikidata item id (Q followed by digits, such as Q42)"
                )
            out.append(f"{scheme}:{text}")
        return tuple(sorted(out))

    def unique(self, speakers: list[RegistrySpeaker]) -> None:
        """No id twice; no name or alias given to two speakers that apply to the same articles."""
        ids: dict[str, int] = {}
        names: dict[str, RegistrySpeaker] = {}
        for k, speaker in enumerate(speakers):
            if speaker.id in ids:
                self.fail(("speakers", k, "id"), f"the id {speaker.id!r} is given to two speakers")
            ids[speaker.id] = k
            for alias in (speaker.name, *speaker.aliases):
                key = name_key(alias) or normalize_name(alias)
                other = names.get(key)
                if other is not None and other.id != speaker.id and not (speaker.articles or other.articles):
                    self.fail(
                        ("speakers", k),
                        f"{alias!r} is a name of both {other.id!r} and {speaker.id!r}; remove it from "
                        "one, or limit one to its articles with a split entry",
                    )
                names.setdefault(key, speaker)

    def consistent(self, merges: list[tuple[str, ...]], splits: list[tuple[str, ...]]) -> None:
        """A pair of names may not be both merged and split."""
        merged = [{normalize_name(k) for k in group} for group in merges]
        for k, group in enumerate(splits):
            keys = [normalize_name(name) for name in group]
            for together in merged:
                both = [name for name in keys if name in together]
                if len(both) >= 2:
                    self.fail(("split", k), f"{both[0]!r} and {both[1]!r} are both merged and split")
