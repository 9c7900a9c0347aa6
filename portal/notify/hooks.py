"""What the features tell the notify service, which may not import them.

- `register_audience(kind, provider)`: who a broadcast to "a recipient list", "a
  course's participants" or "a distribution round" reaches. The provider names the
  choices staff pick from and the phone numbers (E.164) of one choice; a broadcast
  reaches the confirmed, not stopped subscribers with those phones.
- `register_household_phones(finder)`: the registry tells which phones belong to a set
  of households (the verified accounts living there), for providers that know
  households rather than phones.
- `register_household_entries(finder)`: the registry tells, for the printed list of
  the households no phone reaches, each household's RT/RW, head's name and phones.
- `register_poster(kind, provider)`: what a poster or flyer of an announcement, a
  programme, a meeting, a course, a round (or the complaint poster) says and where its
  QR code leads.

Registrations happen once at app setup; a kind registered twice is replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, Select, cast, func, literal_column, null, select, union_all

from portal.database import read
from portal.extensions import db


@dataclass(frozen=True)
class ChoiceRows:
    """A provider's choices as a statement, so that a page listing several providers'
    reads them all in one (`choices_of`). statement(): built once per process, it
    selects the choices in their order, with columns labelled id, title_id, title_en,
    number (optional) and position (`ranked`'s); label(row): the choice's words."""

    statement: Callable[[], Select]
    label: Callable[[Any], str]

    def read(self) -> list[tuple[int, str]]:
        """The choices read alone: [(id, label)]."""
        return [(row.id, self.label(row)) for row in db.session.execute(self.statement())]


def ranked(statement: Select, *order) -> Select:
    """`statement` in `order`, with each row's place in it (the column "position")."""
    position = func.row_number().over(order_by=order).label("position")
    return statement.add_columns(position).order_by(*order)


@dataclass(frozen=True)
class AudienceProvider:
    """label: what staff read ("Households of a recipient list"); choices(): [(id,
    label)] to pick from; phones(id): the E.164 numbers it reaches; rows: the choices
    as a statement (ChoiceRows), if the provider offers it."""

    label: object
    choices: Callable[[], list[tuple[int, str]]]
    phones: Callable[[int], set[str]]
    # households(id): the household ids it targets, for the printed list (None: people)
    households: Callable[[int], list[int]] | None = None
    rows: ChoiceRows | None = None


@dataclass(frozen=True)
class HouseholdEntry:
    """One household for the printed list: where it lives, its head's name (unmasked:
    notify masks it), and the phones that might reach it."""

    household_id: int
    rt: int
    rw: int | None
    name: str
    phones: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PosterContent:
    """What a poster says: a title, a few short lines (date, place, what to bring), and
    the path of the page its QR code opens (a path: the site's address is added)."""

    title: str
    lines: list[str] = field(default_factory=list)
    path: str = "/"


@dataclass(frozen=True)
class PosterProvider:
    """label: the kind's name; choices(): [(id, label)]; content(id): PosterContent or
    None when there is no such item (or it is not public); rows: the choices as a
    statement (ChoiceRows), if the provider offers it."""

    label: object
    choices: Callable[[], list[tuple[int, str]]]
    content: Callable[[int], PosterContent | None]
    rows: ChoiceRows | None = None


_AUDIENCES: dict[str, AudienceProvider] = {}
_POSTERS: dict[str, PosterProvider] = {}
_HOUSEHOLD_PHONES: list[Callable[[Iterable[int]], set[str]]] = []
_HOUSEHOLD_ENTRIES: list[Callable[[Iterable[int]], list[HouseholdEntry]]] = []


def register_audience(kind: str, provider: AudienceProvider) -> None:
    """Offer broadcasts an audience kind ("list", "course", "round", ...)."""
    if kind in ("topic", "rt") or not kind.isidentifier() or len(kind) > 20:
        raise ValueError(f"audience kind {kind!r} is reserved or not a short name")
    _AUDIENCES[kind] = provider


def audiences() -> dict[str, AudienceProvider]:
    return dict(_AUDIENCES)


def register_poster(kind: str, provider: PosterProvider) -> None:
    """Offer posters and flyers of a kind of page ("announcement", "course", ...)."""
    if not kind.isidentifier() or len(kind) > 20:
        raise ValueError(f"poster kind {kind!r} is not a short name")
    _POSTERS[kind] = provider


def posters() -> dict[str, PosterProvider]:
    return dict(_POSTERS)


def choices_of(providers: dict) -> dict[str, list[tuple[int, str]]]:
    """Each provider's choices ([(id, label)] by kind): those offering rows read in one
    statement (a UNION ALL of theirs, in their order), the others by their choices()."""
    found = {kind: [] if p.rows else p.choices() for kind, p in providers.items()}
    together = tuple((kind, p.rows) for kind, p in providers.items() if p.rows)
    if together:
        labels = [rows.label for _kind, rows in together]
        lists = [found[kind] for kind, _rows in together]
        statement = _union(tuple(rows.statement() for _kind, rows in together))
        # Plain rows past the ORM's execution path (portal.database.read).
        for row in read(db.session, statement):
            lists[row.part].append((row.id, labels[row.part](row)))
    return found


_UNIONS: dict[tuple, tuple] = {}


def _union(statements: tuple[Select, ...]) -> Select:
    """The statements' rows in one UNION ALL, by statement ("part") and position; kept
    per process under the statements (each built once per process by its provider)."""
    key = tuple(id(statement) for statement in statements)
    kept = _UNIONS.get(key)
    if kept is not None and all(a is b for a, b in zip(kept[0], statements, strict=True)):
        return kept[1]
    branches = []
    for part, statement in enumerate(statements):
        rows = statement.subquery()
        # A typed NULL: PostgreSQL takes two untyped ones for text.
        number = rows.c.number if "number" in rows.c else cast(null(), Integer)
        branches.append(
            select(
                literal_column(str(part)).label("part"),
                rows.c.id.label("id"),
                rows.c.title_id.label("title_id"),
                rows.c.title_en.label("title_en"),
                number.label("number"),
                rows.c.position.label("position"),
            )
        )
    union = union_all(*branches).order_by("part", "position")
    _UNIONS[key] = (statements, union)
    return union


def register_household_phones(finder: Callable[[Iterable[int]], set[str]]) -> None:
    """The registry's finder of the phones of households (replaces an earlier one)."""
    _HOUSEHOLD_PHONES[:] = [finder]


def household_phones(household_ids: Iterable[int]) -> set[str]:
    """The phones of these households (empty with no finder registered)."""
    ids = list(household_ids)
    if not _HOUSEHOLD_PHONES or not ids:
        return set()
    return _HOUSEHOLD_PHONES[0](ids)


def register_household_entries(finder: Callable[[Iterable[int]], list[HouseholdEntry]]) -> None:
    """The registry's finder of households' RT/RW, head and phones (replaces one)."""
    _HOUSEHOLD_ENTRIES[:] = [finder]


def household_entries(household_ids: Iterable[int]) -> list[HouseholdEntry]:
    """These households as entries for the printed list (empty with no finder)."""
    ids = list(household_ids)
    if not _HOUSEHOLD_ENTRIES or not ids:
        return []
    return _HOUSEHOLD_ENTRIES[0](ids)
