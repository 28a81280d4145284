"""The commitments of the synthetic government: what was promised when, and what became of it.

The shape follows what the register of commitments shows over a decade: commitments are made
in debates (most) or letters, with a deadline in the minister's words that resolves to a date;
most past ones are fulfilled by a letter that often answers several at once; a few percent
are overdue, mostly recent ones; some lapse; about one in ten had its deadline moved by an
approved request. Rows are written in the order a real database would have received them
(commitments by the date they were made, progress updates by the moment they were recorded),
so that the physical order of the tables, and with it what the planner sees, is realistic.

A million commitments with their millions of updates do not fit in memory as objects, so the
generator never holds them: it draws what the later phases need of each commitment into
compact arrays (`_Commitments`), writes the fulfilling letters as it groups them, and then
writes each commitment with everything that follows from it in one pass, drawing it as it
goes. What must be sorted across commitments (progress updates and history rows by moment)
is staged in temporary tables and sorted by the database (`Generator.write_commitments`).

The audit history is written as simple-history would have kept it: every record the generator
makes has its '+' row by the system actor `system:loadgen`, with the reason "generate_load"
(`markers`); a commitment's later rows are the saves of its progress updates and approved
deadline changes, by the people who made them.
"""

import bisect
import datetime
import itertools
import math
import random
from array import array

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import models

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

# The tables that grow with the number of commitments: loaded without their secondary indexes
# and foreign keys, which are built again afterwards (`writer.IndexesSetAside`).
BULK_MODELS = [
    Commitment,
    Commitment.history.model,
    Commitment.fulfilling_documents.through,
    Commitment.made_to.through,
    Commitment.activities.through,
    CommitmentRelation,
    FollowUpLetter.commitments.through,
    ProgressUpdate,
    DeadlineChange,
    DeadlineChange.history.model,
    ParliamentaryDocument,
    ParliamentaryDocument.history.model,
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
NOTE_POOL_SIZE = 20_000
UPDATE_WORK_SECONDS = (7 * 3600, 16 * 3600)  # 08:00–17:00 in the Netherlands, in UTC
REGISTERED_SECONDS = (6 * 3600, 7 * 3600)  # a commitment is registered early on its day
UNIX_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()

# The compact arrays number statuses and wordings; 0 stands for "no date" in date arrays.
STATUSES = (OPEN, IN_PROGRESS, FULFILLED, PARTIALLY, LAPSED)
STATUS_NUMBER = {status: number for number, status in enumerate(STATUSES)}
NO_DATE = 0
NO_WORDING = 255  # "zodra de uitkomsten bekend zijn": no date to resolve to

# The staging tables that the database sorts by moment (see `write_commitments`).
UPDATE_STAGING = "loadgen_progress_update"
NOTE_STAGING = "loadgen_note"
EVENT_STAGING = "loadgen_history_event"
UPDATE_STAGING_COLUMNS = {
    "commitment": models.IntegerField(),
    "seq": models.IntegerField(),
    "author": models.IntegerField(),
    "created_at": models.DateTimeField(),
    "note": models.IntegerField(),
    "status_before": models.CharField(max_length=20),
    "status_after": models.CharField(max_length=20),
    "evidence_document": models.IntegerField(null=True),
}
EVENT_STAGING_COLUMNS = {
    "commitment": models.IntegerField(),
    "version": models.IntegerField(),
    "history_date": models.DateTimeField(),
    "status": models.CharField(max_length=20),
    "due_date": models.DateField(null=True),
    "fulfilled_on": models.DateField(null=True),
    "reason": models.CharField(max_length=100),
    "type": models.CharField(max_length=1),
    "history_user": models.IntegerField(),
}
# How the history rows' fields that change over a commitment's life come from the events;
# the others are the commitment's own, as they are today.
EVENT_FIELDS = {
    "status": "status",
    "due_date": "due_date",
    "fulfilled_on": "fulfilled_on",
    "version": "version",
    "history_date": "history_date",
    "history_change_reason": "reason",
    "history_type": "type",
    "history_user": "history_user",
}


class _Commitments:
    """What the later phases need of every commitment, in arrays by position (made_on order).

    A commitment's id is `first_id` + its position. Everything else of it (its text, its
    deadline changes, its progress) is drawn when it is written, and is not kept: at a
    million commitments these arrays are some 50 MB, where objects would be gigabytes.
    """

    def __init__(self, first_id: int, drawn: dict[str, array], order: array):
        self.first_id = first_id
        self.count = len(order)
        for name, values in drawn.items():  # team, topic, source, made_on, made_by, owner
            setattr(self, name, array(values.typecode, (values[i] for i in order)))
        self.wording = array("B", bytes(self.count))
        self.original_due = array("i", bytes(4 * self.count))
        self.due = array("i", bytes(4 * self.count))
        self.shifts = array("B", bytes(self.count))  # approved deadline changes: 0, 1 or 2
        self.first_shift: dict[int, int] = {}  # the due date in between, when moved twice
        self.status = array("B", bytes(self.count))
        self.target = array("i", bytes(4 * self.count))  # when it is ready to be fulfilled
        self.fulfilled_on = array("i", bytes(4 * self.count))
        self.document = array("i", bytes(4 * self.count))  # the letter that fulfilled it
        self.registered_at = array("i", bytes(4 * self.count))  # seconds into made_on
        self.update_count = array("I", bytes(4 * self.count))

    def shifted_dues(self, position: int) -> list[tuple[int, int]]:
        """The approved moves of the due date, (old, new) as ordinals, in order."""
        count = self.shifts[position]
        if not count:
            return []
        original, due = self.original_due[position], self.due[position]
        if count == 1:
            return [(original, due)]
        middle = self.first_shift[position]
        return [(original, middle), (middle, due)]


def _stable_order(keys: array) -> array:
    """The positions of `keys` sorted by key, equal keys in their order: a counting sort.

    The keys are days or (ministry, day) pairs, a few thousand values at most: this sorts a
    million of them without a list of a million Python objects.
    """
    if not keys:
        return array("i")
    low = min(keys)
    starts = [0] * (max(keys) - low + 2)
    for key in keys:
        starts[key - low + 1] += 1
    for slot in range(1, len(starts)):
        starts[slot] += starts[slot - 1]
    order = array("i", bytes(4 * len(keys)))
    for index, key in enumerate(keys):
        slot = key - low
        order[starts[slot]] = index
        starts[slot] += 1
    return order


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
        self.showcase_id: int | None = None

    def audit(self, date, first_id: int | None = None) -> History:
        """The '+' history rows of new records, by the generator's actor (see `History`)."""
        return History(user_id=self.actor.pk, reason=HISTORY_REASON, date=date, first_id=first_id)

    def phases(self):
        """The phases as (name, callable), for the caller to time."""
        return [
            ("organisations, users and teams", self.world.people),
            ("plans, bewindspersonen, committees, debates", self.world.context),
            ("commitments drawn, their fulfilling letters", self.draw_commitments),
            ("progress updates per commitment", self.count_updates),
            ("follow-up letters", self.follow_up_letters),
            ("commitments, deadline changes, staged progress", self.write_commitments),
            ("progress updates (sorted by moment)", self.write_updates),
            ("audit history of commitments (by moment)", self.write_history),
        ]

    # --- commitments ------------------------------------------------------------------------

    def draw_commitments(self):
        """Who made which commitment when, in compact arrays, ordered by the day it was made."""
        rng, size, today = self.rng, self.size, self.today
        # A few teams carry much of the work, as in any ministry.
        self.teams = self.world.leaf_teams[:]
        rng.shuffle(self.teams)
        cumulative = list(
            itertools.accumulate(1 / math.sqrt(rank) for rank in range(1, len(self.teams) + 1))
        )
        team_numbers = range(len(self.teams))
        self.functions = {
            bid: function
            for ministry in self.world.ministries
            for _s, _u, bid, function in ministry.bewindspersonen
        }
        drawn = {
            "team": array("H"),
            "topic": array("B"),
            # >= 0: the debate it was made in, by its place in the ministry's debates;
            # < 0: the letter, as -1 - its place in the ministry's source documents.
            "source": array("i"),
            "made_on": array("i"),  # ordinal
            "made_by": array("i"),
            "owner": array("i"),
        }
        for _ in range(size.commitments):
            number = rng.choices(team_numbers, cum_weights=cumulative)[0]
            team = self.teams[number]
            ministry = team.ministry
            topic = team.topic if rng.random() < 0.6 else rng.randrange(len(ministry.topics))
            if rng.random() < 0.75 or not ministry.source_documents:
                source = rng.randrange(len(ministry.debates))
                made_on = ministry.debates[source][1]
            else:
                place = rng.randrange(len(ministry.source_documents))
                source, made_on = -1 - place, ministry.source_documents[place][1]
            made_by, _function = self._bewindspersoon(ministry, made_on)
            for name, value in (
                ("team", number),
                ("topic", topic),
                ("source", source),
                ("made_on", made_on.toordinal()),
                ("made_by", made_by),
                ("owner", rng.choice(team.members)),
            ):
                drawn[name].append(value)
        # Commitments are registered when they are made: the oldest have the lowest ids.
        order = _stable_order(drawn["made_on"])
        first_id = next_ids(self.writer.connection, Commitment)
        self.c = c = _Commitments(first_id, drawn, order)
        del drawn, order
        overdue = fulfilled = 0
        today_ordinal = today.toordinal()
        for position in range(c.count):
            self._deadline(position)
            self._status(position)
            c.registered_at[position] = rng.randint(*REGISTERED_SECONDS)
            status = STATUSES[c.status[position]]
            fulfilled += status in WITH_LETTER
            due = c.due[position]
            overdue += status in (OPEN, IN_PROGRESS) and due != NO_DATE and due < today_ordinal
        letters = self._fulfilling_letters()
        return (
            f"{fulfilled / c.count:.0%} fulfilled, {overdue / c.count:.1%} overdue, "
            f"{letters:,} fulfilling letters"
        )

    def _bewindspersoon(self, ministry, day):
        candidates = [
            (bid, function)
            for start, until, bid, function in ministry.bewindspersonen
            if start <= day and (until is None or day <= until)
        ] or [(bid, function) for _s, _u, bid, function in ministry.bewindspersonen[:2]]
        # Ministers make about two thirds of the commitments, state secretaries the rest.
        return candidates[0] if self.rng.random() < 0.65 else candidates[-1]

    def _deadline(self, position: int) -> None:
        rng, c = self.rng, self.c
        if rng.random() < 0.03:
            c.wording[position] = NO_WORDING
            return  # no due date, nothing to move
        wording = rng.randrange(len(words.DEADLINE_WORDINGS))
        c.wording[position] = wording
        made_on = datetime.date.fromordinal(c.made_on[position])
        due = resolve_deadline(words.DEADLINE_WORDINGS[wording][1], made_on).toordinal()
        c.original_due[position] = due
        if rng.random() < 0.10:
            # Moved by approved requests; the original due date stays as it was promised.
            moves = 2 if rng.random() < 0.15 else 1
            for move in range(moves):
                if move == 1:
                    c.first_shift[position] = due
                due += rng.randint(30, 240)
            c.shifts[position] = moves
        c.due[position] = due

    def _status(self, position: int) -> None:
        rng, today, c = self.rng, self.today, self.c
        made_on = datetime.date.fromordinal(c.made_on[position])
        due = None if c.due[position] == NO_DATE else datetime.date.fromordinal(c.due[position])
        age = (today - made_on).days
        if due is None:
            status = OPEN if age <= 365 else rng.choices((FULFILLED, LAPSED, OPEN), (75, 10, 15))[0]
        elif due > today:
            status = rng.choices((OPEN, IN_PROGRESS, FULFILLED), (65, 30, 5))[0]
        else:
            # The longer ago the deadline, the likelier it was dealt with: overdue work is
            # mostly recent, with a long thin tail that nobody has cleared.
            days_past = (today - due).days
            if rng.random() < 0.4 * math.exp(-days_past / 365) + 0.01:
                status = rng.choice((OPEN, IN_PROGRESS))
            else:
                status = rng.choices((FULFILLED, PARTIALLY, LAPSED), (88, 6, 6))[0]
        if status in WITH_LETTER:
            if age < 1:
                status = OPEN  # made today: nothing can have fulfilled it yet
            elif due is None or due > today:
                target = made_on + datetime.timedelta(days=rng.randint(1, age))
                c.target[position] = target.toordinal()
            else:
                target = due + datetime.timedelta(days=round(rng.gauss(-10, 40)))
                target = min(today, max(made_on + datetime.timedelta(days=1), target))
                c.target[position] = target.toordinal()
        c.status[position] = STATUS_NUMBER[status]

    def _fulfilling_letters(self) -> int:
        """Group fulfilled commitments into the letters that fulfilled them, and write those.

        A letter to the Kamer often answers several commitments of a ministry at once (a
        voortgangsbrief); a letter is dated when its last commitment was ready, so no
        commitment is fulfilled before it was made. The letters are made per ministry in the
        order of their dates, so they go to the database as they are made.
        """
        rng, c = self.rng, self.c
        first_day = self.start.toordinal()
        days = self.today.toordinal() - first_day + 1
        ready = array("i", (p for p in range(c.count) if c.target[p] != NO_DATE))
        keys = array(
            "i",
            (self.teams[c.team[p]].ministry.index * days + c.target[p] - first_day for p in ready),
        )
        # By ministry, then by the day each was ready; as made, where that is the same day.
        pending = array("i", (ready[k] for k in _stable_order(keys)))
        del ready, keys
        documents = self.world.documents
        sink = documents.open(self.writer)
        position = 0
        while position < len(pending):
            ministry = self.teams[c.team[pending[position]]].ministry
            limit = rng.choice((1, 1, 2, 3, 4, 6, 8))
            first = pending[position]
            batch = [first]
            position += 1
            while (
                position < len(pending)
                and len(batch) < limit
                and self.teams[c.team[pending[position]]].ministry is ministry
                and c.target[pending[position]] - c.target[first] <= 30
            ):
                batch.append(pending[position])
                position += 1
            day = datetime.date.fromordinal(c.target[batch[-1]])
            topic = c.topic[first]
            title = rng.choice(
                (
                    f"Voortgangsbrief {ministry.topics[topic]}",
                    f"Kamerbrief over {ministry.topics[topic]}",
                    f"Beantwoording toezeggingen over {ministry.topics[topic]}",
                )
            )
            document = documents.send(sink, day, "kamerbrief", title, ministry, topic, "tk")
            for p in batch:
                c.fulfilled_on[p] = c.target[batch[-1]]
                c.document[p] = document
        return sink.close()

    # --- progress updates -------------------------------------------------------------------

    def _work_ends(self, position: int) -> int:
        """The last day anyone worked on the commitment (ordinal): when it was closed, or today."""
        c = self.c
        status = STATUSES[c.status[position]]
        if c.fulfilled_on[position] != NO_DATE:
            end = c.fulfilled_on[position]
        elif status == LAPSED:
            due = c.due[position] or c.made_on[position]
            end = min(self.today.toordinal(), due + 60)
        else:
            end = self.today.toordinal()
        return max(end, c.made_on[position])

    def count_updates(self):
        """Decide how many updates each commitment has, oldest work the most.

        Each commitment gets its share of the total, rounded so that the running sum of the
        shares is whole: the counts add up to the total exactly without a draw.
        """
        c, total = self.c, self.size.updates
        weights = array(
            "d", (1 + min(40, (self._work_ends(p) - c.made_on[p]) / 45) for p in range(c.count))
        )
        scale = total / sum(weights)
        running, given = 0.0, 0
        for position, weight in enumerate(weights):
            running += weight * scale
            share = min(total, round(running)) if position < c.count - 1 else total
            c.update_count[position] = share - given
            given = share
        del weights
        self._showcase()
        return f"{total:,} updates" + (
            f", commitment {self.showcase_id} has 100" if self.showcase_id else ""
        )

    def _showcase(self) -> None:
        """Give one long-running commitment exactly 100 updates: the benchmark's detail page."""
        c, rng = self.c, self.rng
        if self.size.updates < 100:
            return
        year_ago = self.today.toordinal() - 365
        in_progress = STATUS_NUMBER[IN_PROGRESS]
        candidates = array(
            "i",
            (p for p in range(c.count) if c.status[p] == in_progress and c.made_on[p] < year_ago),
        ) or array("i", range(c.count))
        chosen = rng.choice(candidates)
        del candidates
        difference = 100 - c.update_count[chosen]
        c.update_count[chosen] = 100
        while difference > 0:
            other = rng.randrange(c.count)
            if other != chosen and c.update_count[other]:
                c.update_count[other] -= 1
                difference -= 1
        while difference < 0:
            other = rng.randrange(c.count)
            if other != chosen:
                c.update_count[other] += 1
                difference += 1
        self.showcase_id = c.first_id + chosen

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

    # --- follow-up letters ------------------------------------------------------------------

    def follow_up_letters(self) -> str:
        """Two voortgangsbrieven a year per team; past ones sent as a Kamerbrief."""
        rng, today = self.rng, self.today
        letter_id = next_ids(self.writer.connection, FollowUpLetter)
        rows = []
        # The commitments "in de volgende voortgangsbrief" are linked as they are written.
        self.letters_by_team: dict[int, list[tuple[datetime.date, int]]] = {}
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
                    self.letters_by_team.setdefault(team.id, []).append((planned, letter_id))
                    letter_id += 1
        self.world.documents.write(self.writer)  # the letters as sent
        self.writer.write(
            FollowUpLetter,
            ["id", "title", "planned_date", "drafter", "team", "status", "sent_as"],
            rows,
            history=self.audit(self._letter_planned),
        )
        return f"{len(rows):,} follow-up letters"

    def _letter_planned(self, row) -> datetime.datetime:
        """When a follow-up letter was put in the planning: half a year before it is due."""
        planned = as_utc(row[2] - datetime.timedelta(days=182), 8 * 3600)
        return min(self.now, max(as_utc(self.start, 8 * 3600), planned))

    # --- writing ----------------------------------------------------------------------------

    def write_commitments(self):
        """Write every commitment with what follows from it, in one pass in made_on order.

        Its text, links, deadline changes and progress are drawn as it is written and go out
        in batches, so memory holds a batch per table, not the data set. Progress updates and
        the history rows should lie in the tables in the order they happened, across all
        commitments, as they would in production: they go to temporary staging tables here,
        narrow (a note is a number in a pool), and the database sorts them when it copies
        them over (`write_updates`, `write_history`), on disk if it must. The history rows
        take the fields that never change from the commitment itself, there.
        """
        writer, c = self.writer, self.c
        notes = writer.open_staging(
            NOTE_STAGING, {"id": models.IntegerField(), "note": models.TextField()}
        )
        for number, note in enumerate(self._note_pool()):
            notes.add((number, note))
        notes.close()
        self.sinks = {
            "commitments": writer.open(Commitment, COMMITMENT_COLUMNS),
            "fulfilling": writer.open(
                Commitment.fulfilling_documents.through, ["commitment", "parliamentarydocument"]
            ),
            "made_to": writer.open(Commitment.made_to.through, ["commitment", "addressee"]),
            "activities": writer.open(Commitment.activities.through, ["commitment", "activity"]),
            "relations": writer.open(
                CommitmentRelation, ["from_commitment", "to_commitment", "kind"]
            ),
            "follow_up": writer.open(
                FollowUpLetter.commitments.through, ["followupletter", "commitment"]
            ),
            "deadline_changes": writer.open(
                DeadlineChange, DEADLINE_CHANGE_COLUMNS, history=self.audit("requested_at")
            ),
            "updates": writer.open_staging(UPDATE_STAGING, UPDATE_STAGING_COLUMNS),
            "events": writer.open_staging(EVENT_STAGING, EVENT_STAGING_COLUMNS),
        }
        self.change_ids = itertools.count(next_ids(writer.connection, DeadlineChange))
        for position in range(c.count):
            self._write_commitment(position)
        counts = {name: sink.close() for name, sink in self.sinks.items()}
        del self.sinks
        return (
            f"{counts['commitments']:,} commitments, "
            f"{counts['deadline_changes']:,} deadline changes, "
            f"{counts['updates']:,} updates and {counts['events']:,} history rows staged"
        )

    def _write_commitment(self, position: int) -> None:
        rng, c, sinks = self.rng, self.c, self.sinks
        commitment_id = c.first_id + position
        team = self.teams[c.team[position]]
        ministry = team.ministry
        made_on = datetime.date.fromordinal(c.made_on[position])
        source = c.source[position]
        if source >= 0:
            debate_id, _day, chamber = ministry.debates[source]
            source_document_id = None
        else:
            source_document_id, _day, chamber = ministry.source_documents[-1 - source]
            debate_id = None
        if c.wording[position] == NO_WORDING:
            wording, wording_kind = "zodra de uitkomsten bekend zijn", "none"
        else:
            wording, wording_kind = words.DEADLINE_WORDINGS[c.wording[position]]
        original_due = _date(c.original_due[position])
        due = _date(c.due[position])
        status = STATUSES[c.status[position]]
        fulfilled_on = _date(c.fulfilled_on[position])
        document = c.document[position] or None
        made_by, owner = c.made_by[position], c.owner[position]
        function = self.functions[made_by]
        text = rng.choice(words.COMMITMENT_TEMPLATES).format(
            who=function,
            when=wording,
            topic=ministry.topics[c.topic[position]],
            aspect=rng.choice(words.ASPECTS),
            partner=rng.choice(words.PARTNERS),
            member=rng.choice(words.LAST_NAMES).replace("van ", "Van ").replace("de ", "De "),
        )
        text = text[:1].upper() + text[1:]
        reference = f"{REFERENCE_PREFIX}{made_on.year}-{commitment_id:06d}"
        register = (
            f"TZ{made_on:%Y%m}{REGISTER_MARK}{commitment_id:06d}" if rng.random() < 0.85 else ""
        )
        # Registered on the day it was made, before any progress on it.
        created_at = min(self.now, as_utc(made_on, c.registered_at[position]))
        approvals = self._deadline_changes(position, team, made_on, original_due, due, status)
        updates = self._updates(position, team, made_on, status, document, owner)
        updated_at = created_at
        if updates:
            updated_at = min(self.now, max(created_at, updates[-1][0]))
        shifts = c.shifts[position]
        sinks["commitments"].add(
            (commitment_id, reference, register, text, chamber, made_by, debate_id,
             source_document_id, made_on, wording, due, original_due, status, fulfilled_on,
             owner, team.id, created_at, updated_at,
             # Every save through a service bumps the version: each update and approved change.
             1 + len(updates) + shifts)
        )  # fmt: skip
        if document is not None:
            sinks["fulfilling"].add((commitment_id, document))
        self._links(position, commitment_id, ministry)
        if wording_kind == "six_months":  # "in de volgende voortgangsbrief"
            letters = self.letters_by_team.get(team.id, [])
            following = bisect.bisect_left(letters, (made_on, 0))
            if following < len(letters):
                sinks["follow_up"].add((letters[following][1], commitment_id))
        self._history_events(
            commitment_id, created_at, original_due, fulfilled_on, approvals, updates
        )

    def _links(self, position: int, commitment_id: int, ministry) -> None:
        rng, sinks = self.rng, self.sinks
        if rng.random() < 0.6:
            for addressee in rng.sample(self.world.addressee_ids, 1 if rng.random() < 0.8 else 2):
                sinks["made_to"].add((commitment_id, addressee))
        if ministry.activity_ids and rng.random() < 0.4:
            for activity in rng.sample(ministry.activity_ids, 2 if rng.random() < 0.05 else 1):
                sinks["activities"].add((commitment_id, activity))
        if position and rng.random() < 0.02:
            # Repeats, supplements or modifies an earlier commitment.
            other = self.c.first_id + rng.randrange(max(0, position - 2000), position)
            kind = rng.choice(("repeats", "supplements", "modifies"))
            sinks["relations"].add((commitment_id, other, kind))

    def _deadline_changes(self, position, team, made_on, original_due, due, status):
        """Write the commitment's deadline changes; return the approvals (moment, new due, by)."""
        rng, today = self.rng, self.today
        approvals = []

        def change(old_due, new_due, requested_at, state, note=""):
            requested_by = rng.choice(team.members)
            decided_by = decided_at = None
            if state != "requested":
                # Four eyes: an official asks, a manager who is someone else decides.
                requested_by, decided_by = self._requester_and_decider(team)
                decided_at = min(self.now, requested_at + datetime.timedelta(rng.randint(1, 10)))
            reason = rng.choice(words.DEADLINE_CHANGE_REASONS)
            if state == "approved":
                approvals.append((decided_at, new_due, decided_by))
            self.sinks["deadline_changes"].add(
                (next(self.change_ids), commitment_id, old_due, new_due, reason, requested_by,
                 requested_at, state, decided_by, decided_at, note)
            )  # fmt: skip

        commitment_id = self.c.first_id + position
        for old, new in self.c.shifted_dues(position):
            old_due, new_due = _date(old), _date(new)
            asked = max(made_on, min(today, old_due) - datetime.timedelta(rng.randint(5, 30)))
            change(old_due, new_due, self._at(asked), "approved")
        if original_due is not None and rng.random() < 0.015:
            asked = max(made_on, min(today, original_due) - datetime.timedelta(days=20))
            new_due = original_due + datetime.timedelta(rng.randint(60, 180))
            note = "De Kamer is al eerder uitstel gemeld; eerst een tussenbericht sturen."
            change(original_due, new_due, self._at(asked), "rejected", note=note)
        if (
            status in (OPEN, IN_PROGRESS)
            and due is not None
            and due >= today - datetime.timedelta(days=60)
            and rng.random() < 0.04
        ):
            # An open request waiting for the manager's decision.
            asked = today - datetime.timedelta(rng.randint(0, 14))
            new_due = due + datetime.timedelta(rng.randint(60, 120))
            change(due, new_due, min(self.now, self._at(asked)), "requested")
        return approvals

    def _at(self, day: datetime.date) -> datetime.datetime:
        return as_utc(day, self.rng.randint(*UPDATE_WORK_SECONDS))

    def _requester_and_decider(self, team):
        requested_by = self.rng.choice(team.members)
        managers = [m for m in team.managers if m != requested_by] or [
            m for t in self.world.leaf_teams for m in t.managers if m != requested_by
        ]
        return requested_by, self.rng.choice(managers)

    def _updates(self, position, team, made_on, status, document, owner):
        """Stage the commitment's progress updates; return them as (moment, author, after)."""
        rng, c = self.rng, self.c
        count = c.update_count[position]
        if not count:
            return []
        end = self._work_ends(position)
        first_day = min(end, made_on.toordinal() + 1)
        # random() rather than randint(): millions of draws, at a fraction of the cost each.
        draw = rng.random
        first_second = (first_day - UNIX_EPOCH_ORDINAL) * 86_400 + UPDATE_WORK_SECONDS[0]
        day_span = end - first_day + 1
        work_span = UPDATE_WORK_SECONDS[1] - UPDATE_WORK_SECONDS[0]
        moments = [
            first_second + int(draw() * day_span) * 86_400 + int(draw() * work_span)
            for _ in range(count)
        ]
        moments.sort()
        if status in CLOSED:
            # The update that closed it is on the closing day, and the last one.
            moments[-1] += (end - UNIX_EPOCH_ORDINAL) * 86_400 - moments[-1] // 86_400 * 86_400
        progress_at = count // 3 if status != OPEN else -1
        before = OPEN
        members = team.members
        commitment_id = c.first_id + position
        staged = self.sinks["updates"]
        updates = []
        for number, moment in enumerate(moments):
            after = before
            if number == progress_at:
                after = IN_PROGRESS
            if status in CLOSED and number == count - 1:
                after = status
            evidence = document if after in WITH_LETTER and before != after else None
            author = owner if draw() < 0.7 else members[int(draw() * len(members))]
            at = datetime.datetime.fromtimestamp(moment, datetime.UTC)
            staged.add(
                (commitment_id, number, author, at, int(draw() * NOTE_POOL_SIZE), before,
                 after, evidence)
            )  # fmt: skip
            updates.append((at, author, after))
            before = after
        return updates

    def _history_events(
        self, commitment_id, created_at, original_due, fulfilled_on, approvals, updates
    ):
        """Stage the rows simple-history would have recorded of the commitment: one per save.

        The commitment page reads them for its timeline, so it is as long as in production: a
        row when the commitment was registered (by the generator's actor), one per progress
        update (the service saves the commitment each time, as the update's author) and one
        per approved deadline change (as the manager who approved it), in the order they
        happened; at the same moment, registration before approvals before progress.
        """
        events = [(created_at, 0, 0, self.actor.pk, None)]
        events += [(at, 1, n, user, new_due) for n, (at, new_due, user) in enumerate(approvals)]
        events += [(at, 2, n, user, after) for n, (at, user, after) in enumerate(updates)]
        events.sort(key=lambda event: event[:3])
        staged = self.sinks["events"]
        status, due, fulfilled = OPEN, original_due, None
        for version, (at, kind, _n, user, value) in enumerate(events, start=1):
            if kind == 0:
                reason, history_type = HISTORY_REASON, "+"
            elif kind == 1:
                reason, history_type, due = "deadline-change", "~", value
            else:
                reason, history_type, status = "progress", "~", value
                fulfilled = fulfilled_on if value in WITH_LETTER else None
            staged.add(
                (commitment_id, version, at, status, due, fulfilled, reason, history_type, user)
            )

    def write_updates(self):
        """Copy the staged progress updates into their table in the order they were recorded.

        A real table receives updates in the order they are recorded, interleaved across
        commitments: one commitment's timeline is spread over many pages, as in production.
        """
        quote = self.writer.connection.ops.quote_name
        self._analyze_staging(UPDATE_STAGING, NOTE_STAGING)
        count = self.writer.insert_from(
            ProgressUpdate,
            {
                "commitment": "u.commitment",
                "author": "u.author",
                "created_at": "u.created_at",
                "note": "n.note",
                "status_before": "u.status_before",
                "status_after": "u.status_after",
                "evidence_document": "u.evidence_document",
            },
            f"FROM {quote(UPDATE_STAGING)} u JOIN {quote(NOTE_STAGING)} n ON n.id = u.note "
            "ORDER BY u.created_at, u.commitment, u.seq",
        )
        self.writer.drop_staging(UPDATE_STAGING, NOTE_STAGING)
        return f"{count:,} rows"

    def write_history(self):
        """Copy the staged history rows into the audit history, in the order they happened."""
        quote = self.writer.connection.ops.quote_name
        history_model = Commitment.history.model
        own_columns = {field.column for field in Commitment._meta.concrete_fields}
        values = {}
        for field in history_model._meta.concrete_fields:
            if field.name == "history_id":
                continue
            if field.name in EVENT_FIELDS:
                values[field.name] = f"e.{quote(EVENT_FIELDS[field.name])}"
            elif field.column in own_columns:
                values[field.name] = f"c.{quote(field.column)}"
            else:
                raise ImproperlyConfigured(
                    f"generate_load does not write {field.name} of the history of commitments."
                )
        self._analyze_staging(EVENT_STAGING)
        count = self.writer.insert_from(
            history_model,
            values,
            f"FROM {quote(EVENT_STAGING)} e "
            f"JOIN {quote(Commitment._meta.db_table)} c ON c.id = e.commitment "
            "ORDER BY e.history_date, e.commitment, e.version",
        )
        self.writer.drop_staging(EVENT_STAGING)
        return f"{count:,} rows"

    def _analyze_staging(self, *tables: str) -> None:
        # Nothing vacuums temporary tables: without statistics the planner guesses their size.
        if self.writer.is_postgresql:
            with self.writer.connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"ANALYZE {self.writer.connection.ops.quote_name(table)}")


def _date(ordinal: int) -> datetime.date | None:
    return None if ordinal == NO_DATE else datetime.date.fromordinal(ordinal)
