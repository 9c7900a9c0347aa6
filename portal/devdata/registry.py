"""A realistic demo village for the registry: households in RT 1-12 / RW 1-4, about four
people each, valid NIKs that match birth date and sex, and need levels that vary.

It also plants what the registry must catch: the same person twice under spelling
variants, NIKs that disagree with the record, dead heads of households still enrolled,
and households receiving the same kind of aid from two programmes. Rows go in with
bulk inserts, so 5,000 households (about 20,000 people) take seconds. The caller commits.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from faker import Faker
from sqlalchemy import func, select, text, update

from portal.audit.services import record
from portal.devdata import registry_history as history
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.programmes.models import Programme
from portal.registry import scoring
from portal.registry.models import (
    BPS_CRITERIA,
    Enrolment,
    ExternalEnrolment,
    Household,
    KKNumber,
    Membership,
    Person,
)
from portal.registry.services import normalise_name
from portal.registry.validation import make_nik

# Province 14 (Riau), regency 03, district 09: the village's own region code.
REGION = "140309"
OCCUPATIONS = (
    "Petani",
    "Buruh Harian Lepas",
    "Pedagang",
    "Wiraswasta",
    "Mengurus Rumah Tangga",
    "Karyawan Swasta",
    "Nelayan",
    "Buruh Tani",
    "Sopir",
    "Guru",
    "Pensiunan",
    "Tukang Bangunan",
)
DISABILITIES = ("Cacat Fisik", "Cacat Netra/Buta", "Cacat Rungu/Wicara", "Cacat Mental/Jiwa")
EDUCATION = (
    "Tidak/Belum Sekolah",
    "Tamat SD/Sederajat",
    "SLTP/Sederajat",
    "SLTA/Sederajat",
    "Diploma IV/Strata I",
)
SIZES = (1, 2, 3, 4, 5, 6, 7, 8)
PLANTED_DUPLICATES_MIN = 3
SIZE_WEIGHTS = (10, 15, 20, 25, 15, 8, 5, 2)


class _Village:
    """Holds the random source, the name pools and the numbers already given out."""

    def __init__(self, seed: int, today: date, region: str = REGION):
        self.region = region
        self.rng = random.Random(seed)
        fake = Faker("id_ID")
        fake.seed_instance(seed)
        person = fake.provider("faker.providers.person")
        self.male = list(person.first_names_male)
        self.female = list(person.first_names_female)
        self.last_male = list(person.last_names_male)
        self.last_female = list(person.last_names_female)
        self.streets = sorted({fake.street_name() for _ in range(60)})
        self.today = today
        # Mothers' names come from a source of their own, so that adding them left the
        # rest of the demo village as it was.
        self.mother_rng = random.Random(seed + 1)
        self.niks: set[str] = set()
        self.kks: set[str] = set()

    def name(self, sex: str) -> str:
        r = self.rng
        if sex == "male":
            return f"{r.choice(self.male)} {r.choice(self.last_male)}"
        return f"{r.choice(self.female)} {r.choice(self.last_female)}"

    def mother_name(self) -> str:
        r = self.mother_rng
        return f"{r.choice(self.female)} {r.choice(self.last_female)}"

    def mothers(self, people: list[dict]) -> list[str]:
        """Each member's mother's name: the children's is the wife's, when there is one."""
        wife = next((p["name"] for p in people if p["relation"] == "wife"), None)
        return [wife if p["relation"] == "child" and wife else self.mother_name() for p in people]

    def nik(self, birth: date, sex: str) -> str:
        for _ in range(1000):
            nik = make_nik(self.region, birth, sex, self.rng.randint(1, 9999))
            if nik not in self.niks:
                self.niks.add(nik)
                return nik
        raise RuntimeError("ran out of NIK serials")

    def kk(self, issued: date) -> str:
        for _ in range(1000):
            kk = f"{self.region}{issued:%d%m%y}{self.rng.randint(1, 9999):04d}"
            if kk not in self.kks:
                self.kks.add(kk)
                return kk
        raise RuntimeError("ran out of KK serials")

    def birth(self, age: int) -> date:
        year = self.today.year - age
        start = date(year - 1, self.today.month, 1) + timedelta(days=self.rng.randint(0, 360))
        return min(start, self.today - timedelta(days=1))

    def spelling_variant(self, name: str) -> str:
        """The same name as an old register or a careless hand might write it."""
        r = self.rng
        variant = name
        for new, old in (("u", "oe"), ("j", "dj"), ("c", "tj"), ("y", "j")):
            if new in variant and r.random() < 0.7:
                variant = variant.replace(new, old, 1)
        if r.random() < 0.5:
            variant = r.choice(("H. ", "Hj. ", "Drs. ", "Bapak ", "Ibu ")) + variant
        else:
            variant = variant + r.choice((", S.Pd.", ", S.E.", ", Amd."))
        if normalise_name(variant) != normalise_name(name):
            variant = "H. " + name  # the title alone is always recognised
        return variant.upper() if r.random() < 0.3 else variant


def _criteria(rng: random.Random, poverty: float) -> dict[str, bool | None]:
    if rng.random() < 0.05:
        return dict.fromkeys(BPS_CRITERIA)  # not surveyed yet
    return {key: rng.random() < poverty for key in BPS_CRITERIA}


def _members(v: _Village, size: int) -> list[dict]:
    r = v.rng
    people = []
    # Many who live alone are elderly.
    head_age = r.randint(60, 88) if size == 1 and r.random() < 0.6 else r.randint(24, 70)
    head_sex = "male" if (size > 1 and r.random() < 0.88) or r.random() < 0.4 else "female"
    people.append(
        dict(
            relation="head",
            sex=head_sex,
            age=head_age,
            marital_status="married" if size > 1 else r.choice(("widowed", "single", "divorced")),
        )
    )
    if size >= 2 and r.random() < 0.85:
        spouse_sex = "female" if head_sex == "male" else "male"
        people.append(
            dict(
                relation="wife" if spouse_sex == "female" else "husband",
                sex=spouse_sex,
                age=max(18, head_age + r.randint(-8, 4)),
                marital_status="married",
            )
        )
    if len(people) < size and size >= 5 and r.random() < 0.35:
        people.append(
            dict(
                relation="parent",
                sex=r.choice(("male", "female")),
                age=min(95, head_age + r.randint(20, 30)),
                marital_status="widowed",
            )
        )
    while len(people) < size:
        max_child = max(0, min(head_age - 18, 30))
        people.append(
            dict(
                relation="child",
                sex=r.choice(("male", "female")),
                age=r.randint(0, max_child),
                marital_status="single",
            )
        )
    for p in people:
        p["name"] = v.name(p["sex"])
        p["birth_date"] = v.birth(p["age"])
        p["disability"] = r.choice(DISABILITIES) if r.random() < 0.03 else None
        if p["age"] < 5:
            p["occupation"], p["education"] = "Belum/Tidak Bekerja", "Tidak/Belum Sekolah"
        elif p["age"] < 18:
            p["occupation"], p["education"] = "Pelajar/Mahasiswa", r.choice(EDUCATION[:3])
        else:
            p["occupation"], p["education"] = r.choice(OCCUPATIONS), r.choice(EDUCATION)
        p["status"], p["status_date"] = "alive", None
        if p["relation"] != "head" and r.random() < 0.02:
            p["status"] = r.choice(("dead", "moved"))
            p["status_date"] = v.today - timedelta(days=r.randint(30, 700))
    return people


def _reserve_ids(model, n: int) -> list[int]:
    """Ids for rows inserted in bulk: known up front, so no RETURNING round trip is needed.

    Only for demo data in a database nobody else writes to at the same time; the
    PostgreSQL sequence is moved past them in _bulk_insert.
    """
    start = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    return list(range(start, start + n))


def _bulk_insert(model, rows: list[dict]) -> None:
    """One executemany per table: every row gets the same keys, defaults filled in."""
    if not rows:
        return
    keys = {k for row in rows for k in row}
    now = utcnow()
    for column in ("created_at", "updated_at"):
        if column in model.__table__.c:
            keys.add(column)
    full = []
    for row in rows:
        item = dict.fromkeys(keys)
        item.update(row)
        for column in ("created_at", "updated_at"):
            if column in keys and item[column] is None:
                item[column] = now
        full.append(item)
    db.session.execute(model.__table__.insert(), full)
    if "id" in keys and db.session.get_bind().dialect.name == "postgresql":
        # Table names come from the models, never from input.
        table = model.__tablename__
        sql = (
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608, E501
        )
        db.session.execute(text(sql))


def _score(h: dict, people: list[dict], now) -> None:
    """Score a household row with the rules the application uses."""
    members = [
        scoring.Member(age=p["age"], disabled=bool(p["disability"]), alive=p["status"] == "alive")
        for p in people
    ]
    result = scoring.assess({k: h[f"bps_{k}"] for k in BPS_CRITERIA}, h["desil"], members)
    h.update(
        score=result.score,
        need_level=result.need_level,
        scored_at=now,
        aid_types=(" " + " ".join(result.aid_types) + " ") if result.aid_types else " ",
    )


def generate(
    n_households: int = 5000, seed: int = 2026, today: date | None = None, region: str = REGION
) -> dict:
    """Add `n_households` demo households with their people, history and enrolments.

    Returns counts of what was made and planted. Needs the programmes to exist for
    village enrolments (demo.seed adds them first); without them only national
    enrolments are made. The caller commits. The steps draw from one random source in
    this order, so the order is part of the demo village. `region` is the six-digit
    district code of the NIK and KK numbers: a district's registry (bench/district.py)
    is made village by village, each with its own, so that no number repeats.
    """
    today = today or village_today()
    v = _Village(seed, today, region)
    db.session.flush()
    programmes = {
        p.aid_type: p for p in db.session.scalars(select(Programme).order_by(Programme.id))
    }
    now = utcnow()
    households, people_of = _households(v, n_households)
    counts = {
        "households": n_households,
        "duplicates": _plant_duplicates(v, people_of),
        "nik_mismatch": _give_niks(v, people_of),
        "dead_enrolled": 0,
        "overlaps": 0,
        "moves": 0,
    }
    for h, people in zip(households, people_of, strict=True):
        _score(h, people, now)
    issued_dates = [h.pop("_issued") for h in households]
    household_ids = _reserve_ids(Household, len(households))
    for hid, h in zip(household_ids, households, strict=True):
        h["id"] = hid
    _bulk_insert(Household, households)
    counts["people"] = _insert_people(v, household_ids, people_of)

    kk_rows, memberships = history.kk_and_memberships(
        v, household_ids, households, issued_dates, people_of, now
    )
    counts["moves"] = history.plant_moves(v, household_ids, people_of, memberships)
    _bulk_insert(KKNumber, kk_rows)
    _bulk_insert(Membership, memberships)

    enrolments, external, counts["overlaps"], enrolled = history.enrolments(
        v, programmes, household_ids, households, people_of
    )
    _bulk_insert(Enrolment, enrolments)
    _bulk_insert(ExternalEnrolment, external)
    counts["dead_enrolled"] = _plant_dead_heads(v, enrolled, n_households, now)
    counts["enrolments"] = len(enrolments)
    counts["external_enrolments"] = len(external)
    record("generate_demo", "registry", summary=f"demo registry: {counts}")
    return counts


def _households(v: _Village, n_households: int) -> tuple[list[dict], list[list[dict]]]:
    """The household rows (with `_issued`, the KK's date) and each one's members."""
    r, today = v.rng, v.today
    households, people_of = [], []
    for _ in range(n_households):
        poverty = min(0.95, max(0.02, r.betavariate(1.6, 2.6)))
        issued = today - timedelta(days=r.randint(200, 6000))
        criteria = _criteria(r, poverty)
        desil = (
            None
            if r.random() < 0.2
            else max(1, min(10, round(10 * (1 - poverty) + r.uniform(-1.5, 1.5))))
        )
        people = _members(v, r.choices(SIZES, SIZE_WEIGHTS)[0])
        households.append(
            dict(
                kk_number=v.kk(issued),
                address=f"{r.choice(v.streets)} No. {r.randint(1, 150)}",
                rt=r.randint(1, 12),
                rw=r.randint(1, 4),
                desil=desil,
                _issued=issued,
                **{f"bps_{k}": value for k, value in criteria.items()},
            )
        )
        people_of.append(people)
    return households, people_of


def _plant_duplicates(v: _Village, people_of: list[list[dict]]) -> int:
    """Planted: the same person again, in another household, under a spelling variant.
    One in a hundred households, and at least a few even in a small demo village, so
    that the duplicate screens always have something to show."""
    r, n_households = v.rng, len(people_of)
    wanted = min(n_households, max(PLANTED_DUPLICATES_MIN, n_households // 100))
    copied: set[int] = set()
    made = 0
    for _ in range(wanted * 3):
        if made >= wanted:
            break
        src, dst = r.randrange(n_households), r.randrange(n_households)
        original = next((p for p in people_of[src] if p["age"] >= 18), None)
        if original is None or id(original) in copied:
            continue
        copied.add(id(original))
        copy = dict(
            original,
            name=v.spelling_variant(original["name"]),
            relation="other_family",
            _duplicate=True,
        )
        people_of[dst].append(copy)
        made += 1
    return made


def _give_niks(v: _Village, people_of: list[list[dict]]) -> int:
    """NIKs, with about one in a hundred disagreeing with the record (how many)."""
    r = v.rng
    mismatched = 0
    for people in people_of:
        for p in people:
            p["nik"] = v.nik(p["birth_date"], p["sex"])
            p["nik_warning"] = None
            if r.random() < 0.01:
                wrong_sex = r.random() < 0.5
                if wrong_sex:
                    other = "female" if p["sex"] == "male" else "male"
                    p["nik"] = v.nik(p["birth_date"], other)
                    p["nik_warning"] = "sex"
                else:
                    p["nik"] = v.nik(p["birth_date"] + timedelta(days=r.randint(1, 40)), p["sex"])
                    p["nik_warning"] = "birth_date"
                mismatched += 1
    return mismatched


def _insert_people(v: _Village, household_ids: list[int], people_of: list[list[dict]]) -> int:
    """Insert the people (each member dict gets its `id`); how many."""
    person_rows = []
    for hid, people in zip(household_ids, people_of, strict=True):
        for p, mother in zip(people, v.mothers(people), strict=True):
            person_rows.append(
                dict(
                    household_id=hid,
                    nik=p["nik"],
                    name=p["name"],
                    name_norm=normalise_name(p["name"]),
                    sex=p["sex"],
                    birth_date=p["birth_date"],
                    birth_place="Duri",
                    mother_name=mother,
                    relation=p["relation"],
                    marital_status=p["marital_status"],
                    disability=p["disability"],
                    occupation=p["occupation"],
                    education=p["education"],
                    status=p["status"],
                    status_date=p["status_date"],
                    nik_warning=p["nik_warning"],
                )
            )
    person_ids = _reserve_ids(Person, len(person_rows))
    it = iter(person_ids)
    for people in people_of:
        for p in people:
            p["id"] = next(it)
    for pid, row in zip(person_ids, person_rows, strict=True):
        row["id"] = pid
    _bulk_insert(Person, person_rows)
    return len(person_ids)


def _plant_dead_heads(v: _Village, enrolled: list, n_households: int, now) -> int:
    """Planted: heads who died and whose households are still on the lists; their
    households are scored again (the dead no longer count)."""
    r, today = v.rng, v.today
    planted = 0
    for k in r.sample(range(len(enrolled)), k=min(len(enrolled), max(1, n_households // 200))):
        hid, h, people = enrolled[k]
        people[0].update(status="dead", status_date=today - timedelta(days=45))
        db.session.execute(
            update(Person)
            .where(Person.id == people[0]["id"])
            .values(status="dead", status_date=people[0]["status_date"])
        )
        _score(h, people, now)
        db.session.execute(
            update(Household)
            .where(Household.id == hid)
            .values(score=h["score"], need_level=h["need_level"], aid_types=h["aid_types"])
        )
        planted += 1
    return planted
