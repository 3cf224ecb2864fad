"""The corpus half of the resolve stage: join the speakers of every article into canonical speakers.

Requires: the `Quote`s of a corpus and the per-article `Speaker` records of
`quotes.resolve.resolve_speakers` (optionally a speaker registry, `quotes.registry`).
Adds: a canonical `speaker_id`, `speaker_name` and `speaker_type` on every quote, and one
`Speaker` row per canonical speaker with aliases (and how often each was used), roles,
type, external ids and counts.

An article's speaker is a *unit*; units are joined by these rules, in order, and a join
never breaks a constraint (below):

1. registry: a unit whose name, alias, role or description is one a registry speaker lists
   joins it, and so does a named unit whose fuller name the entry's name fits ("Jane Doe"
   for "Dr Jane Alice Doe"), when one entry alone fits;
   `merge` groups are joined whatever the rules say;
2. same name: units whose names have the same core words (`quotes.names.name_core`: case,
   accents, honorifics, particles and spelling variants aside: "al-Amin" = "Al Amin" =
   "Amin") are one speaker;
3. places: a country and its capital quoted as speakers ("Paris said", "France said") are
   one speaker, the country's government;
4. name variants: a name whose words are part of longer names ("Doe", "Dr Jane", "J. Doe")
   joins the one speaker whose longer name fits it. When several fit (Jane Doe and John
   Doe for "Doe"), it joins the one that other articles call by this short name (an
   article that says "Jane Doe … Doe said" attests "Doe" for Jane) if exactly one is so
   attested, and otherwise none: people who share a surname are never merged, and a
   bare "Doe" goes nowhere rather than to the wrong Doe;
5. roles: a role-only speaker ("the Freedonian finance minister", in an article that never
   names her) joins the one named speaker whom any article gives that role, in an
   apposition or a title ("Freedonia's Finance Minister, Jane Doe"); role-only speakers of
   one role with no named holder are one speaker; a title without a country ("the
   minister") is too vague to leave its article;
6. descriptions: groups and organisations named by the same description of two or more
   words ("health ministry officials") are one speaker.

Constraints: anonymous speakers ("a source briefed on the talks") never leave their article;
two registry speakers, two names a registry `split` group separates, and two different
names of one article (which resolution kept apart) are never joined.

Canonical ids are slugs of the best name ("jane-doe"), of the role ("role-finance-minister-
of-freedonia") or, for speakers that stay in their article, of the description plus a short
hash of the article id ("a-source-3f2a1c"); a registry speaker keeps its registry id.

`merge_speakers` is the one place where speaker records that share an id are merged: it is
used here and when a store is written (`quotes.store.write_store`).
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from quotes.model import Quote, Speaker, stable_id
from quotes.names import (
    core_fits,
    fold,
    name_core,
    name_key,
    normalise_role,
    normalize_name,
    place_country,
    role_label,
    slug,
    word_set,
)
from quotes.registry import Registry, RegistrySpeaker

__all__ = ["link_corpus", "looks_like_name", "merge_speakers"]

log = logging.getLogger(__name__)

_PRONOUNS = frozenset("i me we us you he him she her it they them who".split())
_STOP = frozenset("the a an of and for in on at to s my his her our their your its".split())


def looks_like_name(text: str) -> bool:
    """Whether `text` is written as a proper name: every word capitalised, particles aside.

    Examples:
        >>> looks_like_name("Jane van der Berg"), looks_like_name("health ministry officials")
        (True, False)
    """
    particles = word_set("name_particles.txt")
    found = re.findall(r"[^\W\d_][^\s\-]*", text)
    content = [w for w in found if fold(w).rstrip(".") not in particles and w.lower() not in _STOP]
    return bool(content) and all(w[0].isupper() for w in content)


# ---------------------------------------------------------------------------- units


@dataclass(eq=False, slots=True)
class _Unit:
    """One speaker of one article (or a registry speaker) while the corpus is linked.

    Attributes:
        doc_id: The article ("" for a registry speaker).
        local_id: The speaker id inside its article (the registry id for a registry speaker).
        kind: "name", "place", "role", "description", "anonymous" or "registry".
    """

    doc_id: str
    local_id: str
    name: str
    type: str
    kind: str
    names: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    roles: set[tuple[str, str]] = field(default_factory=set)
    free_roles: set[str] = field(default_factory=set)
    quotes: int = 0
    place: str = ""
    registry: RegistrySpeaker | None = None

    @property
    def cores(self) -> list[tuple[str, ...]]:
        return [core for core in (name_core(n) for n in self.names) if core]

    @property
    def longest(self) -> tuple[str, ...]:
        return max(self.cores, key=len, default=())


def _units(quotes: Sequence[Quote], speakers: Sequence[Speaker]) -> list[_Unit]:
    """One unit per (article, speaker id) quoted or recorded; see `link_corpus`."""
    per_doc: dict[tuple[str, str], list[Speaker]] = defaultdict(list)
    anywhere: dict[str, list[Speaker]] = defaultdict(list)
    for record in speakers:
        if record.doc_ids:
            for doc_id in record.doc_ids:
                per_doc[(doc_id, record.id)].append(record)
        else:
            anywhere[record.id].append(record)
    said: dict[tuple[str, str], list[Quote]] = defaultdict(list)
    for quote in quotes:
        if quote.speaker_id is not None:
            said[(quote.doc_id, quote.speaker_id)].append(quote)
    units = []
    for key in sorted(set(per_doc) | set(said)):
        records = per_doc.get(key) or anywhere.get(key[1], [])
        units.append(_unit(key, records, said.get(key, [])))
    return units


def _unit(key: tuple[str, str], records: list[Speaker], said: list[Quote]) -> _Unit:
    doc_id, local_id = key
    names = [r.name for r in records] + [q.speaker_name for q in said if q.speaker_name]
    name = names[0] if names else local_id
    types = [r.type for r in records] + [q.speaker_type or "unknown" for q in said]
    kind_of = next((t for t in types if t != "unknown"), "unknown")
    aliases = list(dict.fromkeys(a for r in records for a in r.aliases))
    roles: set[tuple[str, str]] = set()
    free: set[str] = set()
    for label in {label for r in records for label in r.roles}:
        role = normalise_role(label)
        if role is None:
            free.add(label)
        else:
            roles.add(role)
    unit = _Unit(
        doc_id, local_id, name, kind_of, "description", aliases=aliases, roles=roles, free_roles=free
    )
    unit.quotes = len(said)
    place = place_country(name) if kind_of in ("organization", "unknown") else None
    if kind_of == "anonymous":
        unit.kind = "anonymous"
    elif local_id.startswith("role-"):
        unit.kind = "role"
    elif place:
        unit.kind, unit.place, unit.type = "place", place, "organization"
        unit.names = [name, *(a for a in aliases if place_country(a) == place)]
    elif looks_like_name(name) and name_core(name):
        unit.kind = "name"
        unit.names = list(dict.fromkeys([name, *(a for a in aliases if _is_name(a))]))
    elif roles and kind_of == "person":
        unit.kind = "role"
    return unit


def _is_name(alias: str) -> bool:
    """Whether an alias is a proper name: capitalised, with name words and no title in it
    ("Interim Party Chairwoman" or "Former Northland Gov." are roles written in capitals)."""
    return looks_like_name(alias) and bool(name_core(alias)) and normalise_role(alias) is None


def _registry_unit(speaker: RegistrySpeaker) -> _Unit:
    roles = {r for r in (normalise_role(label) for label in speaker.roles) if r is not None}
    free = {label for label in speaker.roles if normalise_role(label) is None}
    names = [n for n in (speaker.name, *speaker.aliases) if looks_like_name(n) and name_core(n)]
    places = {p for p in (place_country(n) for n in (speaker.name, *speaker.aliases)) if p}
    return _Unit(
        "",
        speaker.id,
        speaker.name,
        speaker.type,
        "registry",
        names=names,
        aliases=list(speaker.aliases),
        roles=roles,
        free_roles=free,
        place=next(iter(places)) if len(places) == 1 else "",
        registry=speaker,
    )


# ---------------------------------------------------------------------------- clusters


class _Clusters:
    """Union-find over units, with exclusive tags that forbid some joins.

    A tag is (namespace, value); two clusters that both carry a namespace with different
    values cannot be joined (two registry speakers, the two sides of a split, two names
    of one article).
    """

    def __init__(self, units: list[_Unit]) -> None:
        self.units = units
        self.parent = list(range(len(units)))
        self.tags: list[dict[tuple[str, ...], set[str]]] = [{} for _ in units]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def tag(self, i: int, namespace: tuple[str, ...], value: str) -> None:
        self.tags[self.find(i)].setdefault(namespace, set()).add(value)

    def allowed(self, i: int, j: int) -> bool:
        a, b = self.tags[self.find(i)], self.tags[self.find(j)]
        return all(a[ns] == b[ns] for ns in a.keys() & b.keys())

    def union(self, i: int, j: int, *, force: bool = False) -> bool:
        """Join the clusters of units i and j; False (and nothing done) if a tag forbids it."""
        a, b = self.find(i), self.find(j)
        if a == b:
            return True
        if not force and not self.allowed(a, b):
            return False
        if b < a:
            a, b = b, a
        self.parent[b] = a
        for namespace, values in self.tags[b].items():
            self.tags[a].setdefault(namespace, set()).update(values)
        self.tags[b] = {}
        return True

    def groups(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.units)):
            out[self.find(i)].append(i)
        return out


def _linkable(unit: _Unit) -> bool:
    return unit.kind != "anonymous"


def _matches_registry(unit: _Unit, speaker: RegistrySpeaker, keys: dict[str, set[str]]) -> bool:
    """Whether a unit is the registry speaker by name, alias, place, role or description."""
    if not _linkable(unit):
        return False
    if unit.kind in ("name", "place") and any(name_key(n) in keys["names"] for n in unit.names):
        return True
    if unit.kind == "place" and unit.place in keys["places"]:
        return True
    if unit.kind == "role" and any(role[1] and role_label(role) in keys["roles"] for role in unit.roles):
        return True
    return unit.kind == "description" and normalize_name(_label(unit.name)) in keys["texts"]


def _registry_keys(speaker: RegistrySpeaker) -> dict[str, set[str]]:
    every = (speaker.name, *speaker.aliases)
    return {
        "names": {name_key(n) for n in every if name_key(n)},
        "places": {p for p in (place_country(n) for n in every) if p},
        "roles": {role_label(r) for r in (normalise_role(x) for x in speaker.roles) if r and r[1]},
        "texts": {normalize_name(_label(n)) for n in every},
    }


def _label(text: str) -> str:
    """A description without its determiner: "the health ministry" → "health ministry"."""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) == 2 and parts[0].lower() in ("the", "a", "an") else text


def _matches_key(unit: _Unit, key: str) -> bool:
    """Whether a merge or split key (a name, alias or id) designates a unit."""
    if key in (unit.local_id, unit.registry.id if unit.registry else None):
        return True
    wanted = normalize_name(key)
    texts = [unit.name, *unit.names, *unit.aliases]
    if any(normalize_name(t) == wanted for t in texts):
        return True
    key_core = name_key(key)
    return (
        bool(key_core)
        and unit.kind in ("name", "registry")
        and any(name_key(n) == key_core for n in unit.names)
    )


def _apply_registry(clusters: _Clusters, registry: Registry) -> None:
    """Rule 1, and the registry's constraints."""
    units = clusters.units
    registry_units = [i for i, u in enumerate(units) if u.registry is not None]
    for i in registry_units:
        clusters.tag(i, ("registry",), units[i].registry.id)  # type: ignore[union-attr]
    keys = {units[i].registry.id: _registry_keys(units[i].registry) for i in registry_units}  # type: ignore[union-attr]
    for j, unit in enumerate(units):
        if unit.registry is not None:
            continue
        fits = [
            i for i in registry_units if _matches_registry(unit, units[i].registry, keys[units[i].local_id])
        ]  # type: ignore[arg-type]
        here = [i for i in fits if unit.doc_id in units[i].registry.articles]  # type: ignore[union-attr]
        anywhere = [i for i in fits if not units[i].registry.articles]  # type: ignore[union-attr]
        chosen = here or anywhere
        if len(chosen) == 1:
            clusters.union(chosen[0], j, force=True)
        elif len(chosen) > 1:
            log.warning(
                "%s: %r fits several registry speakers; left to the automatic rules", unit.doc_id, unit.name
            )
        elif fits:  # the name of a registry speaker limited to other articles: someone else
            for i in fits:
                clusters.tag(j, ("registry",), f"~{units[i].local_id}")
    _registry_by_fit(clusters, registry_units)
    for group in registry.merges:
        members = [
            j for j, u in enumerate(units) if any(_matches_key(u, key) for key in group) and _linkable(u)
        ]
        if len(members) < 2:
            log.info("registry merge %s: %d speaker(s) in this corpus fit it", list(group), len(members))
        for j in members[1:]:
            clusters.union(members[0], j, force=True)
    for g, group in enumerate(registry.splits):
        for k, key in enumerate(group):
            for j, unit in enumerate(units):
                if _matches_key(unit, key):
                    clusters.tag(j, ("split", str(g)), str(k))


def _registry_by_fit(clusters: _Clusters, registry_units: list[int]) -> None:
    """A named speaker no registry entry names exactly joins the one entry whose name fits
    in its fuller name ("Jane Doe" for "Dr Jane Alice Doe"). A role is no reason to join two
    named people (offices change hands): registry roles take role-only mentions only."""
    units = clusters.units
    taken = {clusters.find(i) for i in registry_units}
    for j, unit in enumerate(units):
        if unit.kind != "name" or clusters.find(j) in taken or not unit.longest:
            continue
        fits = []
        for i in registry_units:
            entry = units[i]
            if entry.registry.articles and unit.doc_id not in entry.registry.articles:  # type: ignore[union-attr]
                continue
            if any(core_fits(core, unit.longest) for core in entry.cores):
                fits.append(i)
        if len(fits) == 1:
            clusters.union(fits[0], j)


def _link_same_names(clusters: _Clusters) -> None:
    """Rules 2 and 3: the same name, or the same country."""
    first: dict[str, int] = {}
    for j, unit in enumerate(clusters.units):
        if unit.kind == "name":  # its full name: a short alias ("Doe") is for rule 4 to place
            keys = {f"name:{' '.join(core)}" for core in unit.cores if len(core) == len(unit.longest)}
        elif unit.kind == "registry" and not unit.registry.articles:  # type: ignore[union-attr]
            keys = {f"name:{name_key(n)}" for n in unit.names if name_key(n)}
        elif unit.kind == "place" or (unit.kind == "registry" and unit.place):
            keys = {f"place:{unit.place}"} | {f"name:{name_key(n)}" for n in unit.names if name_key(n)}
        else:
            continue
        for key in sorted(keys):
            if key in first:
                clusters.union(first[key], j)
            else:
                first[key] = j


def _link_name_variants(clusters: _Clusters) -> None:
    """Rule 4: a shorter name joins the one speaker whose longer name fits it."""
    units = clusters.units

    def profile(root: int, members: list[int]) -> tuple[tuple[str, ...], list[tuple[str, ...]], str]:
        cores = [c for m in members if units[m].kind in ("name", "registry") for c in units[m].cores]
        longest = max(cores, key=len, default=())
        types = {units[m].type for m in members} - {"unknown"}
        return longest, cores, (types.pop() if len(types) == 1 else "")

    groups = clusters.groups()
    profiles = {root: profile(root, members) for root, members in groups.items()}
    named = [root for root, (longest, _, _) in profiles.items() if longest]
    used_as: dict[tuple[str, ...], set[int]] = defaultdict(set)  # a short name → units whose
    for j, unit in enumerate(units):  # article resolved it to a longer name ("Doe" for "Jane Doe")
        if unit.kind == "name":
            for core in unit.cores:
                if len(core) < len(unit.longest):
                    used_as[core].add(j)
    by_word: dict[str, set[int]] = defaultdict(set)
    for root in named:
        for word in profiles[root][0]:
            by_word[word].add(root)

    def spec(core: tuple[str, ...]) -> tuple[int, int]:  # "John Smith" says more than "J. Smith"
        return len(core), sum(len(w) > 1 for w in core)

    for root in sorted(named, key=lambda r: (tuple(-x for x in spec(profiles[r][0])), r)):
        longest, cores, kind = profiles[root]
        if any(units[m].registry is not None for m in groups[root]):
            continue  # a registry speaker takes shorter names; it never joins another speaker
        words_needed = [w for w in longest if len(w) > 1]
        if not words_needed:
            continue
        pool = set.intersection(*(by_word.get(w, set()) for w in words_needed))
        candidates = set()
        for other in pool:
            other_longest, _, other_kind = profiles[other]
            if spec(other_longest) <= spec(longest) or clusters.find(other) == clusters.find(root):
                continue
            if kind and other_kind and kind != other_kind:
                continue
            if all(core_fits(core, other_longest) for core in cores):
                candidates.add(clusters.find(other))
        if len(candidates) > 1:  # keep those some article calls by this very short name
            own = clusters.find(root)
            candidates &= {clusters.find(u) for u in used_as.get(longest, ())} - {own}
        if len(candidates) == 1:
            clusters.union(root, candidates.pop())


def _link_roles(clusters: _Clusters) -> None:
    """Rule 5: a role-only speaker joins the one named holder of its role."""
    units = clusters.units
    holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    for j, unit in enumerate(units):
        if unit.kind in ("name", "registry"):
            for role in unit.roles:
                if role[1]:
                    holders[role].add(j)
    office: dict[tuple[str, str], int] = {}
    for j, unit in enumerate(units):
        if unit.kind != "role":
            continue
        roles = sorted(r for r in unit.roles if r[1])
        found = {clusters.find(h) for role in roles for h in holders.get(role, ())}
        if len(found) == 1:
            clusters.union(found.pop(), j)
        elif not found and len(roles) == 1:
            if roles[0] in office:
                clusters.union(office[roles[0]], j)
            else:
                office[roles[0]] = j


def _description_key(text: str) -> str:
    """The words of a description that tell it apart, or "" when too few to leave its article."""
    content = [w for w in normalize_name(_label(text)).split() if w not in _STOP]
    return " ".join(content) if len(content) >= 2 else ""


def _link_descriptions(clusters: _Clusters) -> None:
    """Rule 6: groups and organisations named by one description of two or more words."""
    first: dict[str, int] = {}
    for j, unit in enumerate(clusters.units):
        if unit.kind != "description" or unit.type not in ("group", "organization"):
            continue
        key = _description_key(unit.name)
        if not key:
            continue
        if key in first:
            clusters.union(first[key], j)
        else:
            first[key] = j


# ---------------------------------------------------------------------------- canonical speakers


@dataclass(slots=True)
class _Canonical:
    id: str
    name: str
    type: str
    aliases: list[str]
    roles: list[str]
    external_ids: tuple[str, ...]
    doc_ids: tuple[str, ...]
    local: bool
    quotes: int


def _canonical(units: list[_Unit], members: list[int]) -> _Canonical:
    """The id, name, type, aliases and roles of one cluster of units."""
    group = [units[m] for m in members]
    registry = next((u.registry for u in group if u.registry is not None), None)
    docs = tuple(sorted({u.doc_id for u in group if u.doc_id}))
    named = [u for u in group if u.kind in ("name", "registry")]
    places = [u for u in group if u.kind == "place"]
    roles = [u for u in group if u.kind == "role"]
    aliases = [a for u in group for a in (u.name, *u.names, *u.aliases)]
    role_labels = sorted(
        {role_label(r) for u in group for r in u.roles} | {r for u in group for r in u.free_roles}
    )
    local = False
    if registry is not None:
        ident, name, kind = registry.id, registry.name, registry.type
    elif named:
        name = _best_name(named)
        ident, kind = slug(name), _vote(group)
    elif places:
        name = places[0].place
        ident, kind = slug(name), "organization"
    elif roles:
        role = sorted(r for u in roles for r in u.roles)[0] if any(u.roles for u in roles) else None
        best = max(roles, key=lambda u: (u.quotes, -len(u.name)))
        name = _label(best.name)
        local = role is None or not role[1]
        ident = "role-" + slug(role_label(role) if role else name)
        kind = "person"
    else:
        best = max(group, key=lambda u: (u.quotes, -len(u.name)))
        name, kind = best.name, _vote(group)
        local = len(docs) <= 1 and (best.kind == "anonymous" or not _description_key(best.name))
        ident = slug(name) or "speaker"
    if local and docs:
        ident = f"{ident}-{stable_id(docs[0], length=6)}"
    external = tuple(sorted(set(registry.external_ids))) if registry else ()
    quotes = sum(u.quotes for u in group)
    return _Canonical(ident, name, kind, aliases, role_labels, external, docs, local, quotes)


def _best_name(named: list[_Unit]) -> str:
    """The full name most units use, then the one with most name words, then its most used
    spelling that is not in capitals and has the fewest other words (no honorific).

    A full name has two or more name words when any name has; so "Jane Doe" in three
    articles beats "Rival Jane Doe" (a stray capital) in one, and "Doe" is shown only when
    no article gives more.
    """
    by_core: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for unit in named:
        for name in dict.fromkeys(unit.names or [unit.name]):
            by_core[name_core(name)][name] += 1
    longest = max(len(core) for core in by_core)
    full = [core for core in by_core if len(core) >= min(2, longest)]
    core = max(sorted(full), key=lambda c: (sum(by_core[c].values()), len(c)))
    spellings = by_core[core]
    return max(sorted(spellings), key=lambda n: (not n.isupper(), spellings[n], -len(n.split())))


def _vote(group: list[_Unit]) -> str:
    """The type most units say, "unknown" aside; ties go to the unit with the most quotes."""
    votes = Counter(u.type for u in group if u.type != "unknown")
    if not votes:
        return "unknown"
    top = max(votes.values())
    tied = {t for t, n in votes.items() if n == top}
    return max((u for u in group if u.type in tied), key=lambda u: u.quotes).type


def _unique_ids(canonical: list[_Canonical]) -> None:
    """Give clusters that would share an id a numbered suffix, in a stable order (quoted ones first)."""
    seen: Counter[str] = Counter()
    for item in sorted(canonical, key=lambda c: (c.id, not c.quotes, c.doc_ids, c.name)):
        seen[item.id] += 1
        if seen[item.id] > 1:
            item.id = f"{item.id}-{seen[item.id]}"


# ---------------------------------------------------------------------------- the stage


def link_corpus(
    quotes: Sequence[Quote], speakers: Sequence[Speaker], *, registry: Registry | None = None
) -> tuple[list[Quote], list[Speaker]]:
    """Join the per-article speakers of a corpus into canonical speakers; see the module docstring.

    Args:
        quotes: The quotes of every article, with their in-article speaker ids.
        speakers: The per-article speaker records (`Speaker.doc_ids` names the article; a
            record without `doc_ids` describes its id in any article, as a stored
            canonical speaker does).
        registry: A speaker registry (`quotes.registry.load_registry`), or None.

    Returns:
        The quotes with canonical speaker ids, names and types, and one `Speaker` per
        canonical speaker with at least one quote.
    """
    registry = registry or Registry()
    units = [_registry_unit(s) for s in registry.speakers] + _units(quotes, speakers)
    clusters = _Clusters(units)
    for j, unit in enumerate(units):
        if unit.kind == "name" and unit.doc_id:
            clusters.tag(j, ("doc", unit.doc_id), unit.local_id)
    _apply_registry(clusters, registry)
    _link_same_names(clusters)
    _link_name_variants(clusters)
    _link_roles(clusters)
    _link_descriptions(clusters)
    canonical: dict[int, _Canonical] = {}
    for root, members in clusters.groups().items():
        canonical[root] = _canonical(units, members)
    _unique_ids(list(canonical.values()))
    of_unit = {(u.doc_id, u.local_id): canonical[clusters.find(j)] for j, u in enumerate(units) if u.doc_id}
    linked = []
    for quote in quotes:
        target = of_unit.get((quote.doc_id, quote.speaker_id)) if quote.speaker_id is not None else None
        if target is not None:
            quote = replace(quote, speaker_id=target.id, speaker_name=target.name, speaker_type=target.type)
        linked.append(quote)
    records = [
        Speaker(
            id=c.id,
            name=c.name,
            type=c.type,
            aliases=tuple(c.aliases),
            roles=tuple(c.roles),
            external_ids=c.external_ids,
            doc_ids=c.doc_ids,
        )
        for c in canonical.values()
    ]
    return linked, merge_speakers(records, linked)


# ---------------------------------------------------------------------------- merging records


def merge_speakers(records: Iterable[Speaker], quotes: Iterable[Quote]) -> list[Speaker]:
    """Merge speaker records that share an id, and count each speaker from `quotes`.

    The one place where speaker records are merged, by corpus linking and by
    `quotes.store.write_store`. For each speaker id with at least one quote:

    - name: among the records' names and the quotes' ``speaker_name``, the one with the
      most name words (`quotes.names.name_core`), then the most frequent, then the first
      in alphabetical order;
    - type: the most common of the records' types and the quotes' ``speaker_type``,
      "unknown" aside (ties: alphabetical); "unknown" if there is no other;
    - aliases: every alias and every other name, one spelling per normalised form (the one
      most used as a mention); ``alias_counts`` says how many of the speaker's quotes use
      each alias in their speaker mention; most used first;
    - roles, external ids: sorted unions; quotes, articles, doc_ids: from `quotes`.

    Speaker ids that only quotes name get a record; records without quotes are dropped.
    Returns the speakers sorted by id.
    """
    rows: dict[str, list[Speaker]] = defaultdict(list)
    for record in records:
        rows[record.id].append(record)
    said: dict[str, list[Quote]] = defaultdict(list)
    for quote in quotes:
        if quote.speaker_id is not None:
            said[quote.speaker_id].append(quote)
    return [_merged(sid, rows.get(sid, []), said[sid]) for sid in sorted(said)]


def _merged(sid: str, rows: list[Speaker], said: list[Quote]) -> Speaker:
    names = Counter(r.name for r in rows if r.name) + Counter(q.speaker_name for q in said if q.speaker_name)
    name = max(sorted(names), key=lambda n: (len(name_core(n)), names[n])) if names else sid
    types = Counter(r.type for r in rows if r.type and r.type != "unknown")
    types += Counter(q.speaker_type for q in said if q.speaker_type and q.speaker_type != "unknown")
    kind = max(sorted(types), key=lambda t: types[t]) if types else "unknown"
    mentions = [q.speaker_mention for q in said if q.speaker_mention]
    candidates = [a for r in rows for a in r.aliases] + [n for n in sorted(names) if n != name]
    aliases = _one_spelling(candidates, mentions, exclude=normalize_name(name))
    counts = _alias_counts([*aliases, name], mentions)[:-1]  # the name takes its words, uncounted
    order = sorted(range(len(aliases)), key=lambda k: (-counts[k], aliases[k].lower(), aliases[k]))
    return Speaker(
        id=sid,
        name=name,
        type=kind,
        aliases=tuple(aliases[k] for k in order),
        alias_counts=tuple(counts[k] for k in order),
        roles=tuple(sorted({role for r in rows for role in r.roles})),
        external_ids=tuple(sorted({x for r in rows for x in r.external_ids})),
        quotes=len(said),
        articles=len({q.doc_id for q in said}),
        doc_ids=tuple(sorted({q.doc_id for q in said})),
    )


def _one_spelling(candidates: list[str], mentions: list[str], *, exclude: str) -> list[str]:
    """One alias per normalised form (the spelling most used as a mention, then A-Z); no pronouns."""
    used = Counter(mentions)
    forms: dict[str, list[str]] = defaultdict(list)
    for alias in candidates:
        key = normalize_name(alias)
        if key and key != exclude and key not in _PRONOUNS and alias not in forms[key]:
            forms[key].append(alias)
    return [max(sorted(spellings), key=lambda a: used[a]) for spellings in forms.values()]


def _alias_counts(aliases: list[str], mentions: list[str]) -> list[int]:
    """For each alias, how many mentions use it: the longest aliases found in a mention, as
    whole words and without overlap ("Finance Minister Jane Doe" counts "finance minister"
    and "Jane Doe" once each, not "Doe")."""
    keys = [normalize_name(a) for a in aliases]
    order = sorted(range(len(aliases)), key=lambda k: -len(keys[k]))
    counts = [0] * len(aliases)
    for mention in mentions:
        text = f" {normalize_name(mention)} "
        taken = [False] * len(text)
        for k in order:
            needle = f" {keys[k]} "
            start = text.find(needle)
            while start >= 0:
                span = range(start + 1, start + len(needle) - 1)
                if not any(taken[i] for i in span):
                    for i in span:
                        taken[i] = True
                    counts[k] += 1
                    break
                start = text.find(needle, start + 1)
    return counts
