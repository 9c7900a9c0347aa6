"""Demo data for participation: one open ballot, one closed ballot with published
results (household votes from the demo registry), an open needs survey, and a few
proposals with supports, one of them on the next meeting's agenda. Also the bulk
generators the benchmark uses (a ballot with many votes, many proposals).

Rows are written directly into the caller's transaction (fast, no password hashing);
the counters are kept consistent with what the services would have produced.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from portal.accounts.models import User
from portal.extensions import db
from portal.models_base import utcnow, village_tz
from portal.participation.models import (
    Ballot,
    BallotOption,
    BallotVote,
    BallotVoteChoice,
    Proposal,
    ProposalSupport,
    Survey,
    SurveyQuestion,
)
from portal.participation.services import next_meeting
from portal.privacy import mask_name
from portal.registry.models import Household, Membership

OPEN_OPTIONS = [
    ("Perbaikan jalan usaha tani", "Repair of the farm road", 120_000_000),
    ("Sumur bor dan air bersih RW 3", "Borehole and clean water for RW 3", 85_000_000),
    ("Pelatihan usaha untuk ibu rumah tangga", "Business training for mothers", 40_000_000),
    ("Posyandu lansia", "Health post for older residents", 30_000_000),
]
CLOSED_OPTIONS = [
    ("Paket pangan bulanan", "Monthly food packages"),
    ("Bantuan biaya sekolah", "School fee support"),
    ("Perbaikan rumah tidak layak huni", "Repair of unfit houses"),
]
PROPOSALS = [
    ("Lampu jalan di gang RT 2", "Gang menuju masjid gelap di malam hari.", "infrastructure"),
    ("Bank sampah RW 1", "Sampah plastik bisa dijual dan ditabung.", "environment"),
    ("Kelas menjahit untuk ibu-ibu", "Banyak ibu ingin membuka usaha jahit.", "economy"),
    ("Perbaikan saluran air RT 5", "Saluran tersumbat dan banjir saat hujan.", "water"),
    ("Posyandu remaja", "Pemeriksaan kesehatan untuk remaja tiap bulan.", "health"),
]


def _village_hour(moment: datetime, hour: int) -> datetime:
    """That day in the village at a whole hour (a ballot opens or closes at 17.00, not
    at whatever minute the demo was seeded)."""
    local = moment.astimezone(village_tz()).replace(hour=hour, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC)


def seed() -> None:
    """Add the demo ballots, survey and proposals (the caller commits)."""
    now = utcnow()
    residents = list(
        db.session.scalars(
            select(User).where(User.role == "resident", User.verification_status == "verified")
        )
    )
    _open_ballot(now)
    _closed_ballot(now)
    _survey()
    _proposals(residents, now)


def _open_ballot(now: datetime) -> None:
    """The open participatory-budget ballot."""
    open_ballot = Ballot(
        question_id="Anggaran partisipatif 2027: kegiatan mana yang didanai?",
        question_en="Participatory budget 2027: which projects get funded?",
        description_id="Pilih kegiatan dengan jumlah biaya paling banyak Rp200.000.000.",
        description_en="Choose projects costing at most Rp200,000,000 in total.",
        method="budget",
        budget=200_000_000,
        per_household=False,
        opens_at=_village_hour(now - timedelta(days=2), 8),
        closes_at=_village_hour(now + timedelta(days=12), 17),
        results_mode="live",
    )
    for position, (label_id, label_en, cost) in enumerate(OPEN_OPTIONS):
        open_ballot.options.append(
            BallotOption(position=position, label_id=label_id, label_en=label_en, cost=cost)
        )
    db.session.add(open_ballot)


def _closed_ballot(now: datetime) -> None:
    """The closed household ballot with published results."""
    closed = Ballot(
        question_id="Prioritas bantuan sosial tahun 2026",
        question_en="Social assistance priority for 2026",
        description_id="Satu suara per keluarga.",
        description_en="One vote per household.",
        method="single",
        per_household=True,
        opens_at=_village_hour(now - timedelta(days=40), 8),
        closes_at=_village_hour(now - timedelta(days=10), 17),
        results_mode="hidden",
        results_published_at=now - timedelta(days=9),
    )
    for position, (label_id, label_en) in enumerate(CLOSED_OPTIONS):
        closed.options.append(BallotOption(position=position, label_id=label_id, label_en=label_en))
    db.session.add(closed)
    db.session.flush()
    # Seven in ten of the households with a verified resident voted.
    homes = db.session.execute(
        select(Household.id, Household.rt, Household.rw)
        .where(
            Household.id.in_(
                select(Membership.household_id)
                .join(User, User.person_id == Membership.person_id)
                .where(Membership.end_date.is_(None), User.verification_status == "verified")
            )
        )
        .order_by(Household.id)
    ).all()
    rng = random.Random(2026)
    homes = sorted(rng.sample(homes, round(len(homes) * 0.7)))
    add_votes(
        closed,
        [(h.id, h.rt, h.rw) for h in homes],
        lambda: [rng.choices(closed.options, weights=(5, 3, 2))[0].id],
    )


def _survey() -> None:
    """The open needs survey."""
    survey = Survey(
        title_id="Survei kebutuhan warga 2027",
        title_en="Residents' needs survey 2027",
        intro_id="Bantu desa mengetahui kebutuhan keluarga Anda. Jawaban dihitung tanpa nama.",
        intro_en="Help the village learn what your household needs. Answers are counted "
        "without names.",
        status="open",
        responses_count=0,
    )
    survey.questions = [
        SurveyQuestion(
            position=0,
            kind="single",
            text_id="Apa kebutuhan paling mendesak keluarga Anda?",
            text_en="What does your household need most urgently?",
            choices_id="Pangan\nAir bersih\nPekerjaan\nBiaya sekolah\nKesehatan",
            choices_en="Food\nClean water\nWork\nSchool fees\nHealth",
            required=True,
        ),
        SurveyQuestion(
            position=1,
            kind="multiple",
            text_id="Pelatihan apa yang Anda minati?",
            text_en="Which training would you join?",
            choices_id="Menjahit\nPengolahan makanan\nPertanian\nKeuangan keluarga",
            choices_en="Sewing\nFood processing\nFarming\nHousehold finance",
            required=False,
        ),
        SurveyQuestion(
            position=2,
            kind="number",
            text_id="Berapa orang yang tinggal di rumah Anda?",
            text_en="How many people live in your house?",
            required=True,
        ),
        SurveyQuestion(
            position=3,
            kind="text",
            text_id="Saran untuk desa",
            text_en="Your suggestion for the village",
            required=False,
        ),
    ]
    db.session.add(survey)


def _proposals(residents: list[User], now: datetime) -> None:
    """Proposals with supports; the first on the next meeting's agenda."""
    meeting = next_meeting()
    author = residents[0] if residents else None
    for i, (title, description, category) in enumerate(PROPOSALS):
        supporters = residents[1 : 1 + (len(PROPOSALS) - i)] if residents else []
        proposal = Proposal(
            author_id=author.id if author else None,
            author_label=mask_name(author.name) if author else "W***a",
            title=title,
            description=description,
            category=category,
            rt=1 + i,
            rw=1 + i % 3,
            supports_count=len(supporters),
            comments_count=0,
            flags_count=0,
            meeting_id=meeting.id if (meeting is not None and i == 0) else None,
            scheduled_at=now if (meeting is not None and i == 0) else None,
        )
        db.session.add(proposal)
        db.session.flush()
        for user in supporters:
            db.session.add(ProposalSupport(proposal_id=proposal.id, user_id=user.id))
    db.session.flush()


def add_votes(ballot: Ballot, voters, choose) -> None:
    """Bulk votes for a ballot: `voters` are (voter key, rt, rw); `choose()` gives the
    option ids of one ballot."""
    if not voters:
        return
    db.session.execute(
        insert(BallotVote),
        [
            {
                "ballot_id": ballot.id,
                "voter_key": k,
                # On a per-person ballot the key is the account that cast the vote.
                "cast_by": None if ballot.per_household else k,
                "rt": rt,
                "rw": rw,
            }
            for k, rt, rw in voters
        ],
    )
    ids = dict(
        db.session.execute(
            select(BallotVote.voter_key, BallotVote.id).where(BallotVote.ballot_id == ballot.id)
        ).all()
    )
    rows = []
    for key, _rt, _rw in voters:
        rows += [{"vote_id": ids[key], "option_id": option_id} for option_id in choose()]
    db.session.execute(insert(BallotVoteChoice), rows)


def bench_ballot(votes: int = 20_000, seed: int = 7) -> Ballot:
    """An open approval ballot with `votes` votes spread over 12 RTs in 4 RWs."""
    now = utcnow()
    ballot = Ballot(
        question_id="Uji beban: prioritas desa",
        question_en="Load test: village priorities",
        description_id="",
        method="approval",
        max_choices=2,
        per_household=False,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        results_mode="live",
    )
    for position in range(5):
        ballot.options.append(
            BallotOption(position=position, label_id=f"Pilihan {position + 1}", label_en=None)
        )
    db.session.add(ballot)
    db.session.flush()
    rng = random.Random(seed)
    ids = [o.id for o in ballot.options]
    add_votes(
        ballot,
        [(1_000_000 + n, 1 + n % 12, 1 + n % 4) for n in range(votes)],
        lambda: rng.sample(ids, rng.choice((1, 2))),
    )
    return ballot


def bench_proposals(count: int = 1000, seed: int = 11) -> None:
    """Many proposals with varied support counts (counters only)."""
    rng = random.Random(seed)
    categories = [c for _t, _d, c in PROPOSALS]
    db.session.execute(
        insert(Proposal),
        [
            {
                "author_label": "W***a",
                "title": f"Usulan uji beban nomor {n}",
                "description": "Uraian singkat usulan untuk uji beban.",
                "category": rng.choice(categories),
                "rt": 1 + n % 12,
                "rw": 1 + n % 4,
                "supports_count": rng.randint(0, 40),
                "comments_count": rng.randint(0, 5),
                "flags_count": 0,
                "created_at": utcnow() - timedelta(minutes=n),
                "updated_at": utcnow(),
            }
            for n in range(count)
        ],
    )
