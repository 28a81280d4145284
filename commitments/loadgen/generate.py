"""The commitments of the synthetic government: what was promised when, and what became of it.

The shape follows what the register of commitments shows over a decade: commitments are made
in debates (most) or letters, with a deadline in the minister's words that resolves to a date;
most past ones are fulfilled by a letter that often answers several at once; a few percent
are overdue, mostly recent ones; some lapse; about one in ten had its deadline moved by an
approved request. Rows are written in the order a real database would have received them
(commitments by the date they were made, progress updates by the moment they were recorded),
so that the physical order of the tables, and with it what the planner sees, is realistic.

The audit history is written as simple-history would have kept it: every record the generator
makes has its '+' row by the system actor `system:loadgen`, with the reason "generate_load"
(`markers`); a commitment's later rows are the saves of its progress updates and approved
deadline changes, by the people who made them.
"""

import bisect
import datetime
import heapq
import itertools
import math
import operator
import random

from django.contrib.auth import get_user_model

from actionlines.models import ActionLine, Activity, Organisation, Plan, Team
from commitments.loadgen import vocabulary as words
from commitments.loadgen.markers import (
    HISTORY_REASON,
    NAME_SUFFIX,
    REFERENCE_PREFIX,
    REGISTER_MARK,
)
from commitments.loadgen.world import LoadSize, World, years_before
from commitments.loadgen.writer import BulkWriter, History, as_utc, next_ids
from commitments.models import (
    Addressee,
    Bewindspersoon,
    Commitment,
    CommitmentRelation,
    CommitmentStatus,
    Committee,
    DeadlineChange,
    Debate,
    FollowUpLetter,
    ParliamentaryDocument,
    ProgressUpdate,
)

OPEN = CommitmentStatus.OPEN.value
IN_PROGRESS = CommitmentStatus.IN_PROGRESS.value
FULFILLED = CommitmentStatus.FULFILLED.value
PARTIALLY = CommitmentStatus.PARTIALLY_FULFILLED.value
LAPSED = CommitmentStatus.LAPSED.value
CLOSED = (FULFILLED, PARTIALLY, LAPSED)
WITH_LETTER = (FULFILLED, PARTIALLY)

# The models whose ids the generator numbers itself, so rows can point at each other without
# a round trip; their sequences are moved past the new ids at the end.
NUMBERED_MODELS = [
    get_user_model(),
    Organisation,
    Team,
    Plan,
    ActionLine,
    Activity,
    Bewindspersoon,
    Committee,
    Addressee,
    ParliamentaryDocument,
    Debate,
    Commitment,
    FollowUpLetter,
    DeadlineChange,
    Team.managers.through,
    Team.members.through,
    # The teams' history rows: their members at the time point at them.
    Team.history.model,
]

COMMITMENT_COLUMNS = (
    "id", "reference", "register_number", "text", "chamber", "made_by", "debate", "source_document",
    "made_on", "deadline_wording", "due_date", "original_due_date", "status", "fulfilled_on",
    "owner", "team", "created_at", "updated_at", "version",
)  # fmt: skip
DEADLINE_CHANGE_COLUMNS = (
    "id", "commitment", "original_due_date", "new_due_date", "reason", "requested_by",
    "requested_at", "state", "decided_by", "decided_at", "decision_note",
)  # fmt: skip
HISTORY_COLUMNS = (
    "id", "reference", "register_number", "text", "chamber", "made_on", "deadline_wording",
    "due_date", "original_due_date", "status", "fulfilled_on", "created_at", "version", "made_by",
    "debate", "source_document", "owner", "team", "history_date", "history_change_reason",
    "history_type", "history_user",
)  # fmt: skip
PROGRESS_UPDATE_COLUMNS = (
    "commitment", "author", "created_at", "note", "status_before", "status_after",
    "evidence_document",
)  # fmt: skip

NOTE_POOL_SIZE = 20_000
UPDATE_WORK_SECONDS = (7 * 3600, 16 * 3600)  # 08:00–17:00 in the Netherlands, in UTC


class _Commitment:
    __slots__ = (
        "id", "made_on", "team", "topic", "debate_id", "source_document_id", "chamber", "made_by",
        "function", "wording", "wording_kind", "original_due", "due", "shifts", "status", "target",
        "fulfilled_on", "document_id", "owner", "created_at", "updated_at", "reference",
        "register", "text", "update_count",
    )  # fmt: skip


def resolve_deadline(kind: str, made_on: datetime.date) -> datetime.date:
    """The due date that a deadline in the minister's words comes to, from the day it was said."""
    year = made_on.year

    def next_occurrence(month: int, day: int, said_before: datetime.date) -> datetime.date:
        return datetime.date(year if made_on < said_before else year + 1, month, day)

    match kind:
        case "before_summer":
            return next_occurrence(7, 1, datetime.date(year, 6, 1))
        case "this_autumn":
            return next_occurrence(12, 23, datetime.date(year, 10, 15))
        case "end_of_year":
            return next_occurrence(12, 31, datetime.date(year, 11, 30))
        case "spring":
            return next_occurrence(5, 31, datetime.date(year, 3, 1))
        case "budget_debate":
            return next_occurrence(11, 1, datetime.date(year, 9, 15))
        case "six_months":
            return made_on + datetime.timedelta(days=182)
        case "three_months":
            return made_on + datetime.timedelta(days=91)
        case "one_month":
            return made_on + datetime.timedelta(days=30)
        case _:
            return made_on + datetime.timedelta(days=365)


class Generator:
    """Generates and writes one synthetic data set, phase by phase (see `phases`)."""

    def __init__(
        self, *, size: LoadSize, seed: int, today: datetime.date, writer: BulkWriter, actor
    ):
        self.size = size
        self.rng = random.Random(seed)
        self.today = today
        self.start = years_before(today, 10)
        self.writer = writer
        self.actor = actor  # the system actor that every '+' history row names
        self.now = datetime.datetime.now(datetime.UTC)
        self.world = World(
            size=size,
            rng=self.rng,
            today=today,
            start=self.start,
            writer=writer,
            audit=self.audit,
        )
        self.fulfilling_links: list[tuple[int, int]] = []

    def audit(self, date, first_id: int | None = None) -> History:
        """The '+' history rows of new records, by the generator's actor (see `History`)."""
        return History(user_id=self.actor.pk, reason=HISTORY_REASON, date=date, first_id=first_id)

    def phases(self):
        """The phases as (name, callable), for the caller to time."""
        return [
            ("organisations, users and teams", self.world.people),
            ("plans, bewindspersonen, committees, debates", self.world.context),
            ("commitments (in memory)", self.draw_commitments),
            ("progress updates (in memory)", self.draw_updates),
            ("commitments and their letters", self.write_commitments),
            ("deadline changes and follow-up letters", self.write_deadlines_and_letters),
            ("progress updates", self.write_updates),
            ("audit history of commitments", self.write_history),
        ]

    # --- commitments ------------------------------------------------------------------------

    def draw_commitments(self):
        rng, size, today = self.rng, self.size, self.today
        # A few teams carry much of the work, as in any ministry.
        teams = self.world.leaf_teams[:]
        rng.shuffle(teams)
        cumulative = list(
            itertools.accumulate(1 / math.sqrt(rank) for rank in range(1, len(teams) + 1))
        )
        self.commitments: list[_Commitment] = []
        for _ in range(size.commitments):
            c = _Commitment()
            c.team = rng.choices(teams, cum_weights=cumulative)[0]
            ministry = c.team.ministry
            if rng.random() < 0.6:
                c.topic = c.team.topic
            else:
                c.topic = rng.randrange(len(ministry.topics))
            if rng.random() < 0.75 or not ministry.source_documents:
                c.debate_id, c.made_on, c.chamber = rng.choice(ministry.debates)
                c.source_document_id = None
            else:
                c.source_document_id, c.made_on, c.chamber = rng.choice(ministry.source_documents)
                c.debate_id = None
            c.made_by, c.function = self._bewindspersoon(ministry, c.made_on)
            c.owner = rng.choice(c.team.members)
            self.commitments.append(c)
        # Commitments are registered when they are made: the oldest have the lowest ids.
        self.commitments.sort(key=lambda c: c.made_on)
        first_id = next_ids(self.writer.connection, Commitment)
        for offset, c in enumerate(self.commitments):
            c.id = first_id + offset
            self._deadline(c)
            self._status(c)
            self._text(c)
            # Registered on the day it was made, before any progress on it.
            c.created_at = min(self.now, as_utc(c.made_on, rng.randint(6 * 3600, 7 * 3600)))
        self._fulfilling_letters()
        fulfilled_share = sum(c.status in WITH_LETTER for c in self.commitments) / size.commitments
        overdue = sum(
            c.status in (OPEN, IN_PROGRESS) and c.due is not None and c.due < today
            for c in self.commitments
        )
        return f"{fulfilled_share:.0%} fulfilled, {overdue / size.commitments:.1%} overdue"

    def _bewindspersoon(self, ministry, day):
        candidates = [
            (bid, function)
            for start, until, bid, function in ministry.bewindspersonen
            if start <= day and (until is None or day <= until)
        ] or [(bid, function) for _s, _u, bid, function in ministry.bewindspersonen[:2]]
        # Ministers make about two thirds of the commitments, state secretaries the rest.
        return candidates[0] if self.rng.random() < 0.65 else candidates[-1]

    def _deadline(self, c):
        rng = self.rng
        if rng.random() < 0.03:
            c.wording, c.wording_kind = "zodra de uitkomsten bekend zijn", "none"
            c.original_due = c.due = None
            c.shifts = []
            return
        c.wording, c.wording_kind = rng.choice(words.DEADLINE_WORDINGS)
        c.original_due = c.due = resolve_deadline(c.wording_kind, c.made_on)
        c.shifts = []
        if rng.random() < 0.10:
            # Moved by approved requests; the original due date stays as it was promised.
            for _ in range(2 if rng.random() < 0.15 else 1):
                new_due = c.due + datetime.timedelta(days=rng.randint(30, 240))
                c.shifts.append((c.due, new_due))
                c.due = new_due

    def _status(self, c):
        rng, today = self.rng, self.today
        c.target = None
        age = (today - c.made_on).days
        if c.due is None:
            if age > 365:
                c.status = rng.choices((FULFILLED, LAPSED, OPEN), (75, 10, 15))[0]
            else:
                c.status = OPEN
        elif c.due > today:
            c.status = rng.choices((OPEN, IN_PROGRESS, FULFILLED), (65, 30, 5))[0]
        else:
            # The longer ago the deadline, the likelier it was dealt with: overdue work is
            # mostly recent, with a long thin tail that nobody has cleared.
            days_past = (today - c.due).days
            if rng.random() < 0.4 * math.exp(-days_past / 365) + 0.01:
                c.status = rng.choice((OPEN, IN_PROGRESS))
            else:
                c.status = rng.choices((FULFILLED, PARTIALLY, LAPSED), (88, 6, 6))[0]
        if c.status in WITH_LETTER:
            if age < 1:
                c.status = OPEN  # made today: nothing can have fulfilled it yet
            elif c.due is None or c.due > today:
                c.target = c.made_on + datetime.timedelta(days=rng.randint(1, age))
            else:
                target = c.due + datetime.timedelta(days=round(rng.gauss(-10, 40)))
                c.target = min(today, max(c.made_on + datetime.timedelta(days=1), target))
        c.fulfilled_on = None
        c.document_id = None

    def _fulfilling_letters(self):
        """Group fulfilled commitments into the letters that fulfilled them.

        A letter to the Kamer often answers several commitments of a ministry at once (a
        voortgangsbrief); a letter is dated when its last commitment was ready, so no
        commitment is fulfilled before it was made.
        """
        rng = self.rng
        by_ministry: dict[int, list[_Commitment]] = {}
        for c in self.commitments:
            if c.target is not None:
                by_ministry.setdefault(c.team.ministry.index, []).append(c)
        ministries = {m.index: m for m in self.world.ministries}
        for index, pending in by_ministry.items():
            ministry = ministries[index]
            pending.sort(key=lambda c: c.target)
            position = 0
            while position < len(pending):
                limit = rng.choice((1, 1, 2, 3, 4, 6, 8))
                batch = [pending[position]]
                position += 1
                while (
                    position < len(pending)
                    and len(batch) < limit
                    and (pending[position].target - batch[0].target).days <= 30
                ):
                    batch.append(pending[position])
                    position += 1
                day = batch[-1].target
                topic = batch[0].topic
                title = rng.choice(
                    (
                        f"Voortgangsbrief {ministry.topics[topic]}",
                        f"Kamerbrief over {ministry.topics[topic]}",
                        f"Beantwoording toezeggingen over {ministry.topics[topic]}",
                    )
                )
                document = self.world.documents.add(day, "kamerbrief", title, ministry, topic, "tk")
                for c in batch:
                    c.fulfilled_on = day
                    c.document_id = document
                    self.fulfilling_links.append((c.id, document))

    # --- progress updates -------------------------------------------------------------------

    def draw_updates(self):
        """Decide how many updates each commitment has and when, oldest work the most."""
        rng, today = self.rng, self.today
        total = self.size.updates
        ends = []
        weights = []
        for c in self.commitments:
            if c.fulfilled_on is not None:
                end = c.fulfilled_on
            elif c.status == LAPSED:
                end = min(today, (c.due or c.made_on) + datetime.timedelta(days=60))
            else:
                end = today
            end = max(end, c.made_on)
            ends.append(end)
            weights.append(1 + min(40, (end - c.made_on).days / 45))
        scale = total / sum(weights)
        counts = [int(w * scale) for w in weights]
        for index in rng.sample(range(len(counts)), total - sum(counts)):
            counts[index] += 1
        self._showcase(counts)

        notes = self._note_pool()
        self.updates = []
        for c, end, count in zip(self.commitments, ends, counts, strict=True):
            c.update_count = count
            if not count:
                c.updated_at = c.created_at
                continue
            first_day = min(end, c.made_on + datetime.timedelta(days=1)).toordinal()
            days = sorted(rng.randint(first_day, end.toordinal()) for _ in range(count))
            if c.status in CLOSED:
                days[-1] = end.toordinal()  # the update that closed it is on the closing day
            progress_at = count // 3 if c.status != OPEN else -1
            before = OPEN
            team_members = c.team.members
            last = None
            for position, day in enumerate(days):
                after = before
                if position == progress_at:
                    after = IN_PROGRESS
                if c.status in CLOSED and position == count - 1:
                    after = c.status
                evidence = c.document_id if after in WITH_LETTER and before != after else None
                seconds = rng.randint(*UPDATE_WORK_SECONDS)
                moment = (day - 719_163) * 86_400 + seconds  # seconds since 1970-01-01 UTC
                author = c.owner if rng.random() < 0.7 else rng.choice(team_members)
                self.updates.append(
                    (moment, c.id, author, rng.randrange(len(notes)), before, after, evidence)
                )
                before = after
                last = moment
            updated = datetime.datetime.fromtimestamp(last, datetime.UTC)
            c.updated_at = min(self.now, max(c.created_at, updated))
        self.notes = notes
        # A real table receives updates in the order they are recorded, interleaved across
        # commitments: one commitment's timeline is spread over many pages, as in production.
        self.updates.sort(key=operator.itemgetter(0))
        return f"{len(self.updates):,} updates"

    def _showcase(self, counts: list[int]) -> None:
        """Give one long-running commitment exactly 100 updates: the benchmark's detail page."""
        if sum(counts) < 100:
            return
        rng = self.rng
        candidates = [
            i
            for i, c in enumerate(self.commitments)
            if c.status == IN_PROGRESS and (self.today - c.made_on).days > 365
        ] or list(range(len(self.commitments)))
        chosen = rng.choice(candidates)
        difference = 100 - counts[chosen]
        counts[chosen] = 100
        others = [i for i in range(len(counts)) if i != chosen]
        while difference > 0:
            index = rng.choice(others)
            if counts[index]:
                counts[index] -= 1
                difference -= 1
        while difference < 0:
            counts[rng.choice(others)] += 1
            difference += 1

    def _note_pool(self) -> list[str]:
        """Notes of 20 to 600 characters, mostly short, built from a few sentences each."""
        rng = self.rng
        topics = [t for m in self.world.ministries for t in m.topics]
        pool = []
        for _ in range(NOTE_POOL_SIZE):
            length = int(min(600, max(20, rng.lognormvariate(4.9, 0.7))))
            sentences = []
            size = 0
            while size < length:
                sentence = rng.choice(words.NOTE_SENTENCES).format(
                    partner=rng.choice(words.PARTNERS),
                    who=rng.choice(("minister", "staatssecretaris")),
                    topic=rng.choice(topics),
                    aspect=rng.choice(words.ASPECTS),
                )
                sentences.append(sentence)
                size += len(sentence) + 1
            note = " ".join(sentences)
            if len(note) > length:
                cut = note.rfind(" ", 0, length)
                note = note[: cut if cut >= 20 else length].rstrip(",;") + "…"
            pool.append(note)
        return pool

    # --- writing ----------------------------------------------------------------------------

    def write_commitments(self):
        rng = self.rng
        letters = self.world.documents.write(self.writer)  # the fulfilling letters
        self.writer.write(
            Commitment,
            COMMITMENT_COLUMNS,
            (self._commitment_row(c) for c in self.commitments),
        )
        self.writer.write(
            Commitment.fulfilling_documents.through,
            ["commitment", "parliamentarydocument"],
            self.fulfilling_links,
        )
        made_to = []
        activities = []
        relations = set()
        for position, c in enumerate(self.commitments):
            if rng.random() < 0.6:
                for addressee in rng.sample(
                    self.world.addressee_ids, 1 if rng.random() < 0.8 else 2
                ):
                    made_to.append((c.id, addressee))
            ministry_activities = c.team.ministry.activity_ids
            if ministry_activities and rng.random() < 0.4:
                for activity in rng.sample(ministry_activities, 2 if rng.random() < 0.05 else 1):
                    activities.append((c.id, activity))
            if position and rng.random() < 0.02:
                # Repeats, supplements or modifies an earlier commitment.
                other = self.commitments[rng.randrange(max(0, position - 2000), position)]
                relations.add((c.id, other.id, rng.choice(("repeats", "supplements", "modifies"))))
        self.writer.write(Commitment.made_to.through, ["commitment", "addressee"], made_to)
        self.writer.write(Commitment.activities.through, ["commitment", "activity"], activities)
        self.writer.write(
            CommitmentRelation, ["from_commitment", "to_commitment", "kind"], sorted(relations)
        )
        return f"{letters:,} fulfilling letters"

    def _text(self, c):
        rng = self.rng
        text = rng.choice(words.COMMITMENT_TEMPLATES).format(
            who=c.function,
            when=c.wording,
            topic=c.team.ministry.topics[c.topic],
            aspect=rng.choice(words.ASPECTS),
            partner=rng.choice(words.PARTNERS),
            member=rng.choice(words.LAST_NAMES).replace("van ", "Van ").replace("de ", "De "),
        )
        c.text = text[:1].upper() + text[1:]
        c.reference = f"{REFERENCE_PREFIX}{c.made_on.year}-{c.id:06d}"
        c.register = f"TZ{c.made_on:%Y%m}{REGISTER_MARK}{c.id:06d}" if rng.random() < 0.85 else ""

    def _commitment_row(self, c):
        return (
            c.id, c.reference, c.register, c.text, c.chamber, c.made_by, c.debate_id,
            c.source_document_id, c.made_on, c.wording, c.due, c.original_due, c.status,
            c.fulfilled_on, c.owner, c.team.id, c.created_at, c.updated_at,
            # Every save through a service bumps the version: each update and approved change.
            1 + c.update_count + len(c.shifts),
        )  # fmt: skip

    def write_deadlines_and_letters(self):
        rng, today = self.rng, self.today
        rows = []
        self.approvals = []  # (moment, commitment, new due date, decided by) for the history
        change_id = itertools.count(next_ids(self.writer.connection, DeadlineChange))

        def change(c, old_due, new_due, requested_at, state, decided_by=None, note=""):
            requested_by = self.rng.choice(c.team.members)
            decided_at = None
            if state != "requested":
                # Four eyes: an official asks, a manager who is someone else decides.
                requested_by, decided_by = self._requester_and_decider(c)
                decided_at = min(self.now, requested_at + datetime.timedelta(rng.randint(1, 10)))
            reason = rng.choice(words.DEADLINE_CHANGE_REASONS)
            if state == "approved":
                self.approvals.append((decided_at.timestamp(), c.id, new_due, decided_by))
            rows.append(
                (next(change_id), c.id, old_due, new_due, reason, requested_by, requested_at,
                 state, decided_by, decided_at, note)
            )  # fmt: skip

        for c in self.commitments:
            for old_due, new_due in c.shifts:
                asked = max(c.made_on, min(today, old_due) - datetime.timedelta(rng.randint(5, 30)))
                change(c, old_due, new_due, self._at(asked), "approved")
            if c.original_due is not None and rng.random() < 0.015:
                asked = max(c.made_on, min(today, c.original_due) - datetime.timedelta(days=20))
                new_due = c.original_due + datetime.timedelta(rng.randint(60, 180))
                note = "De Kamer is al eerder uitstel gemeld; eerst een tussenbericht sturen."
                change(c, c.original_due, new_due, self._at(asked), "rejected", note=note)
            if (
                c.status in (OPEN, IN_PROGRESS)
                and c.due is not None
                and c.due >= today - datetime.timedelta(days=60)
                and rng.random() < 0.04
            ):
                # An open request waiting for the manager's decision.
                asked = today - datetime.timedelta(rng.randint(0, 14))
                new_due = c.due + datetime.timedelta(rng.randint(60, 120))
                change(c, c.due, new_due, min(self.now, self._at(asked)), "requested")
        self.writer.write(
            DeadlineChange, DEADLINE_CHANGE_COLUMNS, rows, history=self.audit("requested_at")
        )
        return f"{len(rows):,} deadline changes, " + self._follow_up_letters()

    def _at(self, day: datetime.date) -> datetime.datetime:
        return as_utc(day, self.rng.randint(*UPDATE_WORK_SECONDS))

    def _requester_and_decider(self, c):
        requested_by = self.rng.choice(c.team.members)
        managers = [m for m in c.team.managers if m != requested_by] or [
            m for t in self.world.leaf_teams for m in t.managers if m != requested_by
        ]
        return requested_by, self.rng.choice(managers)

    def _follow_up_letters(self) -> str:
        """Two voortgangsbrieven a year per team; past ones sent as a Kamerbrief."""
        rng, today = self.rng, self.today
        letter_id = next_ids(self.writer.connection, FollowUpLetter)
        rows, links = [], []
        letters_by_team: dict[int, list[tuple[datetime.date, int]]] = {}
        for team in self.world.leaf_teams:
            for year in range(self.start.year, today.year + 2):
                for half, (month, day) in (("I", (6, 15)), ("II", (12, 15))):
                    planned = datetime.date(year, month, day)
                    if planned < self.start or planned > today + datetime.timedelta(days=365):
                        continue
                    name = team.name.removesuffix(NAME_SUFFIX).removeprefix("Team ")
                    title = f"Voortgangsbrief {name} {year}-{half}"
                    sent_day = planned + datetime.timedelta(days=rng.randint(0, 20))
                    sent_as = None
                    if sent_day <= today and planned + datetime.timedelta(days=20) <= today:
                        status = "sent"
                        sent_as = self.world.documents.add(
                            sent_day, "kamerbrief", title, team.ministry, team.topic, "tk"
                        )
                    elif planned <= today + datetime.timedelta(days=60):
                        status = "drafting"
                    else:
                        status = "planned"
                    rows.append(
                        (letter_id, title + NAME_SUFFIX, planned, rng.choice(team.members),
                         team.id, status, sent_as)
                    )  # fmt: skip
                    letters_by_team.setdefault(team.id, []).append((planned, letter_id))
                    letter_id += 1
        for c in self.commitments:
            if c.wording_kind != "six_months":  # "in de volgende voortgangsbrief"
                continue
            letters = letters_by_team.get(c.team.id, [])
            position = bisect.bisect_left(letters, (c.made_on, 0))
            if position < len(letters):
                links.append((letters[position][1], c.id))
        self.world.documents.write(self.writer)  # the letters as sent
        self.writer.write(
            FollowUpLetter,
            ["id", "title", "planned_date", "drafter", "team", "status", "sent_as"],
            rows,
            history=self.audit(self._letter_planned),
        )
        self.writer.write(
            FollowUpLetter.commitments.through, ["followupletter", "commitment"], links
        )
        return f"{len(rows):,} follow-up letters"

    def _letter_planned(self, row) -> datetime.datetime:
        """When a follow-up letter was put in the planning: half a year before it is due."""
        planned = as_utc(row[2] - datetime.timedelta(days=182), 8 * 3600)
        return min(self.now, max(as_utc(self.start, 8 * 3600), planned))

    def write_updates(self):
        notes = self.notes
        utc = datetime.UTC
        from_timestamp = datetime.datetime.fromtimestamp
        self.writer.write(
            ProgressUpdate,
            PROGRESS_UPDATE_COLUMNS,
            (
                (commitment, author, from_timestamp(moment, utc), notes[note], before, after, doc)
                for moment, commitment, author, note, before, after, doc in self.updates
            ),
        )
        return f"{len(self.updates):,} rows"

    def write_history(self):
        """The audit history simple-history would have recorded: a row per save.

        The commitment page reads it for its timeline, so it is as long as in production: a row
        when the commitment was registered (by the generator's actor), one per progress update
        (the service saves the commitment each time, as the update's author) and one per
        approved deadline change (as the manager who approved it), in the order they happened.
        """
        first_id = self.commitments[0].id
        by_id = self.commitments
        status = [OPEN] * len(by_id)
        due = [c.original_due for c in by_id]
        fulfilled = [None] * len(by_id)
        version = [0] * len(by_id)
        # Registered by the generator; the owner and the team are who it was registered for.
        created = sorted((c.created_at.timestamp(), c.id, "+", self.actor.pk, None) for c in by_id)
        self.approvals.sort(key=operator.itemgetter(0))
        approvals = (
            (m, cid, "deadline-change", user, new_due) for m, cid, new_due, user in self.approvals
        )
        updates = (
            (m, cid, "progress", author, after)
            for m, cid, author, _n, _b, after, _e in self.updates
        )
        from_timestamp = datetime.datetime.fromtimestamp
        utc = datetime.UTC

        def rows():
            for moment, cid, reason, user, value in heapq.merge(
                created, approvals, updates, key=operator.itemgetter(0)
            ):
                i = cid - first_id
                c = by_id[i]
                if reason == "progress":
                    status[i] = value
                    fulfilled[i] = c.fulfilled_on if value in WITH_LETTER else None
                elif reason == "deadline-change":
                    due[i] = value
                version[i] += 1
                yield (
                    cid, c.reference, c.register, c.text, c.chamber, c.made_on, c.wording,
                    due[i], c.original_due, status[i], fulfilled[i], c.created_at, version[i],
                    c.made_by, c.debate_id, c.source_document_id, c.owner, c.team.id,
                    from_timestamp(moment, utc), HISTORY_REASON if reason == "+" else reason,
                    "+" if reason == "+" else "~", user,
                )  # fmt: skip

        count = self.writer.write(Commitment.history.model, HISTORY_COLUMNS, rows())
        return f"{count:,} rows"
