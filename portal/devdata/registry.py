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

    def __init__(self, seed: int, today: date):
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
            nik = make_nik(REGION, birth, sex, self.rng.randint(1, 9999))
            if nik not in self.niks:
                self.niks.add(nik)
                return nik
        raise RuntimeError("ran out of NIK serials")

    def kk(self, issued: date) -> str:
        for _ in range(1000):
            kk = f"{REGION}{issued:%d%m%y}{self.rng.randint(1, 9999):04d}"
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


def generate(n_households: int = 5000, seed: int = 2026, today: date | None = None) -> dict:
    """Add `n_households` demo households with their people, history and enrolments.

    Returns counts of what was made and planted. Needs the programmes to exist for
    village enrolments (demo.seed adds them first); without them only national
    enrolments are made. The caller commits.
    """
    today = today or village_today()
    v = _Village(seed, today)
    db.session.flush()
    programmes = {
        p.aid_type: p for p in db.session.scalars(select(Programme).order_by(Programme.id))
    }
    now = utcnow()
    households, people_of = _draw_households(v, n_households)
    counts = {
        "households": n_households,
        "duplicates": 0,
        "nik_mismatch": 0,
        "dead_enrolled": 0,
        "overlaps": 0,
        "moves": 0,
    }
    _plant_duplicates(v, people_of, counts)
    _give_niks(v, people_of, counts)
    for h, people in zip(households, people_of, strict=True):
        _score(h, people, now)

    issued_dates = [h.pop("_issued") for h in households]
    household_ids = _reserve_ids(Household, len(households))
    for hid, h in zip(household_ids, households, strict=True):
        h["id"] = hid
    _bulk_insert(Household, households)
    person_ids = _insert_people(v, household_ids, people_of)

    kk_rows, memberships = _history(v, household_ids, households, issued_dates, people_of, now)
    _plant_moves(v, household_ids, people_of, memberships, counts)
    _bulk_insert(KKNumber, kk_rows)
    _bulk_insert(Membership, memberships)

    enrolments, external, enrolled = _enrolments(v, programmes, household_ids, households,
                                                 people_of, counts)  # fmt: skip
    if enrolments:
        _bulk_insert(Enrolment, enrolments)
    if external:
        _bulk_insert(ExternalEnrolment, external)
    _plant_dead_heads(v, enrolled, n_households, counts, now)
    counts["people"] = len(person_ids)
    counts["enrolments"] = len(enrolments)
    counts["external_enrolments"] = len(external)
    record("generate_demo", "registry", summary=f"demo registry: {counts}")
    return counts


def _draw_households(v: _Village, n_households: int) -> tuple[list[dict], list[list[dict]]]:
    """The households' rows (KK number, address, poverty criteria) and their people."""
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


def _plant_duplicates(v: _Village, people_of: list[list[dict]], counts: dict) -> None:
    """Planted: the same person again, in another household, under a spelling variant.
    One in a hundred households, and at least a few even in a small demo village, so
    that the duplicate screens always have something to show."""
    r = v.rng
    n_households = len(people_of)
    wanted = min(n_households, max(PLANTED_DUPLICATES_MIN, n_households // 100))
    copied: set[int] = set()
    for _ in range(wanted * 3):
        if counts["duplicates"] >= wanted:
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
        counts["duplicates"] += 1


def _give_niks(v: _Village, people_of: list[list[dict]], counts: dict) -> None:
    """NIKs, with about one in a hundred disagreeing with the record."""
    r = v.rng
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
                counts["nik_mismatch"] += 1


def _insert_people(v: _Village, household_ids: list[int], people_of: list[list[dict]]) -> list[int]:
    """Insert everyone; each person's dict gets its id."""
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
    return person_ids


def _history(v: _Village, household_ids, households, issued_dates, people_of, now):
    """History: the KK numbers, and who joined when; some families came from a split."""
    r, today = v.rng, v.today
    kk_rows, memberships = [], []
    for hid, h, issued, people in zip(
        household_ids, households, issued_dates, people_of, strict=True
    ):
        if r.random() < 0.05:
            earlier = issued - timedelta(days=r.randint(400, 3000))
            kk_rows.append(
                dict(
                    household_id=hid,
                    kk_number=v.kk(earlier),
                    valid_from=earlier,
                    valid_to=issued,
                    reason="first",
                    recorded_at=now,
                )
            )
            kk_rows.append(
                dict(
                    household_id=hid,
                    kk_number=h["kk_number"],
                    valid_from=issued,
                    reason=r.choice(("split", "moved", "head_changed")),
                    recorded_at=now,
                )
            )
        else:
            kk_rows.append(
                dict(
                    household_id=hid,
                    kk_number=h["kk_number"],
                    valid_from=issued,
                    reason="first",
                    recorded_at=now,
                )
            )
        for p in people:
            start = max(issued, p["birth_date"])
            reason = "birth" if p["birth_date"] > issued else "registered"
            if p.get("_duplicate"):
                start, reason = today - timedelta(days=r.randint(10, 300)), "moved_in"
            memberships.append(
                dict(
                    person_id=p["id"],
                    household_id=hid,
                    relation=p["relation"],
                    start_date=start,
                    start_reason=reason,
                )
            )
    return kk_rows, memberships


def _plant_moves(v: _Village, household_ids, people_of, memberships, counts: dict) -> None:
    """A few people who moved between households: a closed stay before the current one."""
    r, today = v.rng, v.today
    n_households = len(household_ids)
    current = {m["person_id"]: m for m in memberships}
    for _ in range(max(1, n_households // 50)):
        i, j = r.randrange(n_households), r.randrange(n_households)
        mover = next((p for p in people_of[i] if p["relation"] == "child" and p["age"] >= 20), None)
        if mover is None or i == j:
            continue
        m = current[mover["id"]]
        moved_on = max(m["start_date"], today - timedelta(days=r.randint(60, 900)))
        memberships.append(
            dict(
                person_id=mover["id"],
                household_id=household_ids[j],
                relation="child",
                start_date=m["start_date"],
                end_date=moved_on,
                start_reason="registered",
                end_reason="moved_out",
            )
        )
        m["start_date"], m["start_reason"] = moved_on, "moved_in"
        counts["moves"] += 1


def _enrolments(v: _Village, programmes, household_ids, households, people_of, counts):
    """Enrolments: village programmes by fit, national ones from the "DTKS" data. Also
    the households on the village's food programme whose head is listed first."""
    enrolments, external, enrolled = [], [], []
    for hid, h, people in zip(household_ids, households, people_of, strict=True):
        village_food = _village_enrolments(v, programmes, hid, h, people, enrolments)
        national_food = _national_enrolments(v, hid, h, people, external)
        if village_food and national_food:
            counts["overlaps"] += 1
        if village_food and people[0]["relation"] == "head":
            enrolled.append((hid, h, people))
    return enrolments, external, enrolled


def _village_enrolments(v: _Village, programmes, hid, h, people, enrolments) -> bool:
    """The village programmes a household fits, most of the time; True if food."""
    r, today = v.rng, v.today
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    food, cash = programmes.get("food"), programmes.get("cash")
    education, health = programmes.get("education"), programmes.get("health")
    fits = h["aid_types"].split()
    village_food = food is not None and "food" in fits and r.random() < 0.85
    if village_food:
        enrolments.append(
            dict(
                household_id=hid,
                programme_id=food.id,
                period_start=year_start,
                period_end=year_end,
            )
        )
    if cash is not None and "cash" in fits and r.random() < 0.5:
        enrolments.append(
            dict(
                household_id=hid,
                programme_id=cash.id,
                period_start=year_start,
                period_end=year_end,
            )
        )
    if education is not None and "education" in fits and r.random() < 0.6:
        enrolments.append(
            dict(
                household_id=hid,
                programme_id=education.id,
                period_start=date(today.year, 7, 1),
                period_end=date(today.year, 7, 31),
            )
        )
    if health is not None and "health" in fits:
        for p in people:
            if p["age"] >= 60 and p["status"] == "alive" and r.random() < 0.6:
                enrolments.append(
                    dict(
                        household_id=hid,
                        programme_id=health.id,
                        person_id=p["id"],
                        period_start=year_start,
                    )
                )
    return village_food


def _national_enrolments(v: _Village, hid, h, people, external) -> bool:
    """National programmes: the data lags behind and knows households the village rates
    lower. True if the household receives BPNT (food)."""
    r, today = v.rng, v.today
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    poor = h["need_level"] in ("sangat_miskin", "miskin")
    national_food = False
    if (poor and r.random() < 0.3) or (not poor and r.random() < 0.03):
        external.append(
            dict(
                household_id=hid,
                programme_code="BPNT",
                period_start=year_start,
                period_end=year_end,
                source="DTKS",
            )
        )
        national_food = True
    if poor and r.random() < 0.2:
        external.append(
            dict(household_id=hid, programme_code="PKH", period_start=year_start, source="DTKS")
        )
    for p in people:
        if poor and p["status"] == "alive" and r.random() < 0.15:
            external.append(
                dict(
                    person_id=p["id"],
                    programme_code="PBI",
                    period_start=date(today.year - 1, 1, 1),
                    source="DTKS",
                )
            )
    return national_food


def _plant_dead_heads(v: _Village, enrolled, n_households: int, counts: dict, now) -> None:
    """Planted: heads who died and whose households are still on the lists; their
    households are scored again (the dead no longer count)."""
    r, today = v.rng, v.today
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
        counts["dead_enrolled"] += 1
