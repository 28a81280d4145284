"""The world commitments are made in: ministries, people, teams, plans, the Kamer's debates.

Built first, written at once; `generate.Generator` then makes the commitments in it. Its
parliamentary documents are a registry (`Documents`) that the commitments' letters join later.
Each record gets the '+' row of its audit history (`History`), dated when it came to be in
this world: organisations, teams, committees and addressees at the start of the decade, a plan
with its action lines and activities when it was adopted, a bewindspersoon on taking office, a
debate or document on its date.
"""

import datetime
import hashlib
import random
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from actionlines.models import ActionLine, Activity, Organisation, Plan, Profile, Team
from commitments.loadgen import vocabulary as words
from commitments.loadgen.markers import EMAIL_DOMAIN, NAME_SUFFIX, USERNAME_PREFIX
from commitments.loadgen.writer import BulkWriter, History, as_utc, next_ids
from commitments.models import Addressee, Bewindspersoon, Committee, Debate, ParliamentaryDocument
from commitments.roles import ensure_role_groups

USER_COLUMNS = (
    "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
    "is_staff", "is_active", "date_joined",
)  # fmt: skip
PLAN_COLUMNS = (
    "id", "title", "ministry", "summary", "adopted_on", "period_start", "period_end", "predecessor",
)  # fmt: skip
ACTIVITY_COLUMNS = (
    "id", "plan", "action_line", "title", "description", "kind", "lead_organisation", "start_date",
    "end_date", "status", "progress", "owner", "team", "version",
)  # fmt: skip
DOCUMENT_COLUMNS = ("id", "date", "kind", "title", "chamber", "dossier_number", "volgnummer", "url")
DEBATE_COLUMNS = (
    "id", "kind", "title", "date", "chamber", "committee", "activity_number", "report",
)  # fmt: skip


@dataclass(frozen=True)
class LoadSize:
    commitments: int = 100_000
    updates: int = 1_000_000
    users: int = 1_000
    teams: int = 40


@dataclass
class _Ministry:
    index: int
    id: int
    name: str
    abbreviation: str
    topics: list[str]
    committee_ids: dict[str, int] = field(default_factory=dict)  # chamber -> committee
    # (in office from, until or None, id, function) per bewindspersoon
    bewindspersonen: list[tuple] = field(default_factory=list)
    leaf_teams: list["_Team"] = field(default_factory=list)
    debates: "_Sources" = field(default_factory=lambda: _Sources())
    source_documents: "_Sources" = field(default_factory=lambda: _Sources())
    activity_ids: list[int] = field(default_factory=list)


class _Sources:
    """Where a ministry's commitments are made: (id, date, chamber) of debates or letters.

    Kept in arrays: at a million commitments there are 125,000 debates, and tuples of them
    would stay in memory, scattered among everything else, for the whole run.
    """

    CHAMBERS = ("tk", "ek")

    def __init__(self):
        self.ids, self.days, self.chambers = array("i"), array("i"), array("B")

    def append(self, source: tuple) -> None:
        source_id, day, chamber = source
        self.ids.append(source_id)
        self.days.append(day.toordinal())
        self.chambers.append(self.CHAMBERS.index(chamber))

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index: int) -> tuple:
        return (
            self.ids[index],
            datetime.date.fromordinal(self.days[index]),
            self.CHAMBERS[self.chambers[index]],
        )


@dataclass
class _Team:
    id: int
    name: str
    ministry: _Ministry
    topic: int
    managers: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)


def title_case(topic: str) -> str:
    """ "de jeugdbescherming" -> "Jeugdbescherming", as in a debate's or team's name."""
    for article in ("de ", "het "):
        if topic.startswith(article):
            topic = topic[len(article) :]
            break
    return topic[:1].upper() + topic[1:]


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class Documents:
    """The parliamentary documents of the world: registered as they arise, written in batches.

    Each topic of a ministry is one dossier; volgnummers follow the date within a dossier.
    The documents registered with `add` wait in memory until `write`; the many letters that
    fulfil commitments go straight to a sink instead (`open`, `send`), in date order.
    """

    def __init__(self, first_id: int, history: History):
        self.next_id = first_id
        self.history = history  # dated by the document's date
        self.rows: list[list] = []  # [id, date, kind, title, chamber, dossier, volgnummer]
        self.count = 0
        self.volgnummers: dict[tuple, int] = {}

    def __len__(self):
        return self.count

    def add(self, day, kind, title, ministry, topic, chamber) -> int:
        document_id = self._new_id()
        self.rows.append([document_id, day, kind, title, chamber, _dossier(ministry, topic), None])
        return document_id

    def _new_id(self) -> int:
        self.next_id += 1
        self.count += 1
        return self.next_id - 1

    def write(self, writer: BulkWriter) -> int:
        """Number and write the documents registered since the last write."""
        new, self.rows = self.rows, []
        for document in sorted(new, key=lambda d: (d[4], d[5], d[1], d[0])):
            document[6] = self._volgnummer(document[4], document[5])
        writer.write(
            ParliamentaryDocument, DOCUMENT_COLUMNS, map(self._row, new), history=self.history
        )
        return len(new)

    def open(self, writer: BulkWriter):
        return writer.open(ParliamentaryDocument, DOCUMENT_COLUMNS, history=self.history)

    def send(self, sink, day, kind, title, ministry, topic, chamber) -> int:
        """Write a document now; the caller sends each dossier's documents in date order."""
        document_id = self._new_id()
        dossier = _dossier(ministry, topic)
        number = self._volgnummer(chamber, dossier)
        sink.add(self._row((document_id, day, kind, title, chamber, dossier, number)))
        return document_id

    def _volgnummer(self, chamber, dossier) -> int:
        key = (chamber, dossier)
        self.volgnummers[key] = self.volgnummers.get(key, 0) + 1
        return self.volgnummers[key]

    @staticmethod
    def _row(document) -> tuple:
        i, day, kind, title, chamber, dossier, number = document
        return (i, day, kind, title + NAME_SUFFIX, chamber, dossier, number, "")


def _dossier(ministry, topic) -> str:
    number = 90_000 + ministry.index * 100 + topic  # fictional: real dossiers are < 40 000
    return f"{number // 1000} {number % 1000:03d}"


class World:
    """Everything a commitment points at; `people` and `context` build and write it."""

    def __init__(
        self,
        *,
        size: LoadSize,
        rng: random.Random,
        today: datetime.date,
        start: datetime.date,
        writer: BulkWriter,
        audit: Callable[..., History],
    ):
        self.size, self.rng, self.today, self.start, self.writer = size, rng, today, start, writer
        # audit(date, first_id=None): the '+' history rows by the generator's actor.
        self.audit = audit
        # Where the decade starts: the organisations, teams and people are there already.
        self.founded = as_utc(start, 8 * 3600)
        self.documents = Documents(
            next_ids(writer.connection, ParliamentaryDocument), audit("date")
        )

    # --- people ---------------------------------------------------------------------------

    def people(self):
        """Organisations, users and teams with their managers and members."""
        rng, size = self.rng, self.size
        n_ministries = max(1, min(len(words.MINISTRIES), round(size.teams / 7)))
        organisation_id = next_ids(self.writer.connection, Organisation)
        rows = []
        self.ministries: list[_Ministry] = []
        for index, (name, abbreviation, _committee, topics) in enumerate(
            words.MINISTRIES[:n_ministries]
        ):
            rows.append((organisation_id, name + NAME_SUFFIX, abbreviation, "ministry"))
            self.ministries.append(
                _Ministry(index, organisation_id, name, abbreviation, list(topics))
            )
            organisation_id += 1
        self.partner_organisation_ids = []
        for name, abbreviation, kind in words.OTHER_ORGANISATIONS:
            rows.append((organisation_id, name + NAME_SUFFIX, abbreviation, kind))
            self.partner_organisation_ids.append(organisation_id)
            organisation_id += 1
        self.writer.write(
            Organisation,
            ["id", "name", "abbreviation", "kind"],
            rows,
            history=self.audit(self.founded),
        )

        user_model = get_user_model()
        first_user = next_ids(self.writer.connection, user_model)
        self.user_ids = list(range(first_user, first_user + size.users))
        joined = self.founded
        users = []
        for number, user_id in enumerate(self.user_ids, start=1):
            username = f"{USERNAME_PREFIX}user-{number:05d}"
            # A password starting with "!" is unusable: generated users cannot log in.
            password = f"!{rng.getrandbits(160):040x}"
            first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
            email = f"{username}@{EMAIL_DOMAIN}"
            users.append(
                (user_id, password, None, False, username, first, last, email, False, True, joined)
            )
        self.writer.write(user_model, USER_COLUMNS, users)
        self.writer.write(
            Profile,
            ["user", "language"],
            ((user_id, "en" if rng.random() < 0.1 else "nl") for user_id in self.user_ids),
        )
        self._teams()

    def _teams(self):
        rng, size = self.rng, self.size
        n_directorates = max(1, round(size.teams / 5)) if size.teams > 1 else 0
        team_id = next_ids(self.writer.connection, Team)
        rows = []
        directorates = []
        per_ministry = {}
        for k in range(n_directorates):
            ministry = self.ministries[k % len(self.ministries)]
            count = per_ministry[ministry.index] = per_ministry.get(ministry.index, 0) + 1
            name = f"Directie {ministry.abbreviation} {count}{NAME_SUFFIX}"
            directorates.append(_Team(team_id, name, ministry, topic=0))
            rows.append((team_id, name, ministry.id, None))
            team_id += 1
        self.leaf_teams: list[_Team] = []
        topic_counters: dict[int, int] = {}
        for k in range(size.teams - n_directorates):
            parent = directorates[k % n_directorates] if directorates else None
            ministry = parent.ministry if parent else self.ministries[0]
            topic = topic_counters[ministry.index] = topic_counters.get(ministry.index, -1) + 1
            round_, topic = divmod(topic, len(ministry.topics))
            name = f"Team {title_case(ministry.topics[topic])}"
            name += f" {round_ + 1}" if round_ else ""
            team = _Team(team_id, name + NAME_SUFFIX, ministry, topic)
            self.leaf_teams.append(team)
            ministry.leaf_teams.append(team)
            rows.append((team_id, team.name, ministry.id, parent.id if parent else None))
            team_id += 1
        # The history rows of the teams are numbered here: their members point at them.
        first_history_id = next_ids(self.writer.connection, Team.history.model)
        history_ids = {row[0]: first_history_id + n for n, row in enumerate(rows)}
        self.writer.write(
            Team,
            ["id", "name", "organisation", "parent"],
            rows,
            history=self.audit(self.founded, first_id=first_history_id),
        )
        # Ministries without a team of their own have no commitments either.
        self.ministries = [m for m in self.ministries if m.leaf_teams]

        pool = self.user_ids[:]
        rng.shuffle(pool)
        for team in directorates:
            team.managers.append(pool.pop())
        for team in self.leaf_teams:
            team.managers.extend(pool.pop() for _ in range(rng.choice((1, 1, 2))))
        for team in self.leaf_teams:  # every team has at least one official
            team.members.append(pool.pop())
        for user_id in pool:
            teams = rng.sample(
                self.leaf_teams, 2 if rng.random() < 0.08 and len(self.leaf_teams) > 1 else 1
            )
            for team in teams:
                team.members.append(user_id)
        managers = [(t.id, u) for t in directorates + self.leaf_teams for u in t.managers]
        self._membership("managers", managers, history_ids)
        members = [(t.id, u) for t in self.leaf_teams for u in t.members]
        self._membership("members", members, history_ids)
        # Policy staff read everything: a few percent of the officials.
        staff = rng.sample(pool, max(1, len(pool) * 3 // 100)) if pool else []
        group = ensure_role_groups()
        self.writer.write(
            get_user_model().groups.through, ["user", "group"], ((u, group.id) for u in staff)
        )

    def _membership(self, field: str, pairs: list[tuple[int, int]], history_ids: dict) -> None:
        """The managers or members of the teams, and the same rows in the teams' history.

        simple-history keeps a team's people per history row: a copy of each link row (its
        id, team and user) that points at the team's history row (`history_id`), so the '+' row
        of each team shows who was in it.
        """
        through = Team._meta.get_field(field).remote_field.through
        first_id = next_ids(self.writer.connection, through)
        rows = [(first_id + n, team, user) for n, (team, user) in enumerate(pairs)]
        self.writer.write(through, ["id", "team", "user"], rows)
        self.writer.write(
            getattr(Team.history.model, field).model,  # e.g. HistoricalTeam_members
            ["id", "history", "team", "user"],
            ((link, history_ids[team], team, user) for link, team, user in rows),
        )

    # --- the context of commitments ---------------------------------------------------------

    def context(self):
        """Plans, bewindspersonen, committees, addressees, debates and their documents."""
        self._plans()
        self._bewindspersonen()
        self._committees_and_addressees()
        self._debates_and_source_documents()
        self.documents.write(self.writer)  # reports of debates, letters commitments are made in
        return f"{len(self.documents):,} documents, {self.debate_count:,} debates"

    def _plans(self):
        rng = self.rng
        plan_id = next_ids(self.writer.connection, Plan)
        line_id = next_ids(self.writer.connection, ActionLine)
        activity_id = next_ids(self.writer.connection, Activity)
        plans, lines, activities = [], [], []
        for ministry in self.ministries:
            topic = ministry.topics[rng.randrange(len(ministry.topics))]
            adopted = self._day_between(self.start, years_before(self.today, 2))
            title = f"Plan van aanpak {title_case(topic)} {adopted.year}{NAME_SUFFIX}"
            summary = f"Meerjarig plan van aanpak voor {topic}, in samenwerking met de partners."
            end = adopted + datetime.timedelta(days=365 * rng.randint(3, 6))
            plans.append((plan_id, title, ministry.id, summary, adopted, adopted, end, None))
            used = set()  # activity titles are unique within a plan
            for number, line_title in enumerate(
                rng.sample(words.ACTION_LINES, rng.randint(3, 5)), start=1
            ):
                lines.append((line_id, plan_id, number, line_title, f"{line_title} bij {topic}."))
                for _ in range(rng.randint(3, 5)):
                    activity_title = self._unique(
                        used,
                        f"{rng.choice(words.ACTIVITY_WORDS)} "
                        f"{title_case(rng.choice(ministry.topics))}",
                    )
                    activities.append(self._activity(activity_id, plan_id, line_id, ministry))
                    activities[-1][3] = activity_title + NAME_SUFFIX
                    ministry.activity_ids.append(activity_id)
                    activity_id += 1
                line_id += 1
            # An activity that serves the whole plan has no action line.
            activities.append(self._activity(activity_id, plan_id, None, ministry))
            activities[-1][3] = f"Aanjaagteam {title_case(topic)}{NAME_SUFFIX}"
            activity_id += 1
            plan_id += 1
        # A plan's action lines and activities were made with it, on the day it was adopted.
        adopted_at = {plan[0]: as_utc(plan[4], 8 * 3600) for plan in plans}
        with_plan = self.audit(lambda row: adopted_at[row[1]])  # row[1]: the plan's id
        self.writer.write(
            Plan, PLAN_COLUMNS, plans, history=self.audit(lambda row: adopted_at[row[0]])
        )
        self.writer.write(
            ActionLine,
            ["id", "plan", "number", "title", "description"],
            lines,
            history=with_plan,
        )
        self.writer.write(Activity, ACTIVITY_COLUMNS, activities, history=with_plan)

    def _activity(self, activity_id, plan_id, line_id, ministry) -> list:
        rng = self.rng
        team = rng.choice(ministry.leaf_teams)
        start = self._day_between(self.start, self.today)
        end = start + datetime.timedelta(days=rng.randint(180, 1500))
        if end < self.today:
            status, progress = rng.choice([("completed", 100), ("cancelled", 40)])
        else:
            progress = rng.randrange(0, 95, 5)
            status = "planned" if progress == 0 else rng.choice(["in_progress", "suspended"])
        lead = rng.choice([ministry.id, *self.partner_organisation_ids])
        return [
            activity_id,
            plan_id,
            line_id,
            "",
            "Een activiteit uit het plan van aanpak.",
            rng.choice(["new", "intensification", "continued", "governance"]),
            lead,
            start,
            end,
            status,
            progress,
            rng.choice(team.members),
            team.id,
            1,
        ]

    def _bewindspersonen(self):
        rng = self.rng
        first = next_ids(self.writer.connection, Bewindspersoon)
        span = (self.today - self.start).days
        cabinets = 4
        bounds = [self.start + datetime.timedelta(days=span * k // cabinets) for k in range(5)]
        rows = []
        names = set()
        for ministry in self.ministries:
            portfolio = ministry.name.removeprefix("Ministerie van ")
            for k in range(cabinets):
                start, until = bounds[k], bounds[k + 1] - datetime.timedelta(days=1)
                if k == cabinets - 1:
                    until = None
                for function in ("minister", "staatssecretaris"):
                    name = self._unique(
                        names,
                        f"{rng.choice(words.FIRST_NAMES)[0]}. {rng.choice(words.LAST_NAMES)}",
                    )
                    title = f"De {function.capitalize()} van {portfolio}"
                    rows.append(
                        (first, name + NAME_SUFFIX, function, title, ministry.id, start, until)
                    )
                    ministry.bewindspersonen.append((start, until, first, function))
                    first += 1
        self.writer.write(
            Bewindspersoon,
            ["id", "name", "function", "title", "ministry", "in_office_from", "in_office_until"],
            rows,
            history=self.audit("in_office_from"),
        )

    def _committees_and_addressees(self):
        rng = self.rng
        committee_id = next_ids(self.writer.connection, Committee)
        committees = []
        for ministry in self.ministries:
            committee = words.MINISTRIES[ministry.index][2]
            senate = committee.removeprefix("vaste ") + " (Eerste Kamer)"
            for chamber, name in (("tk", committee), ("ek", senate)):
                committees.append(
                    (committee_id, name + NAME_SUFFIX, ministry.abbreviation, chamber)
                )
                ministry.committee_ids[chamber] = committee_id
                committee_id += 1
        self.writer.write(
            Committee,
            ["id", "name", "abbreviation", "chamber"],
            committees,
            history=self.audit(self.founded),
        )

        addressee_id = next_ids(self.writer.connection, Addressee)
        rows = []
        for party in words.PARTIES:
            rows.append((addressee_id, f"Fractie {party}{NAME_SUFFIX}", "party", party))
            addressee_id += 1
        names = set()
        for _ in range(min(150, max(10, self.size.commitments // 500))):
            name = self._unique(
                names, f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
            )
            party = rng.choice(words.PARTIES)
            rows.append((addressee_id, name + NAME_SUFFIX, "member", party))
            addressee_id += 1
        self.addressee_ids = [row[0] for row in rows]
        self.writer.write(
            Addressee, ["id", "name", "kind", "party"], rows, history=self.audit(self.founded)
        )

    def _debates_and_source_documents(self):
        rng, size = self.rng, self.size
        debate_id = next_ids(self.writer.connection, Debate)
        weights = [len(m.leaf_teams) for m in self.ministries]
        # The debates go out as they are made; the ministries keep what commitments need.
        debates = self.writer.open(Debate, DEBATE_COLUMNS, history=self.audit("date"))
        # Titles are unique per day; their digests, not the titles, are what is kept.
        titles = set()

        def title_on_day(title):
            return hashlib.blake2b(f"{day} {title}".encode(), digest_size=8).digest()

        commissiedebat_since = datetime.date(2021, 1, 1)  # the AO was renamed in 2021
        for number in range(1, max(4 * len(self.ministries), size.commitments // 8) + 1):
            # Every ministry has debates, however small the load.
            if number <= len(self.ministries):
                ministry = self.ministries[number - 1]
            else:
                ministry = rng.choices(self.ministries, weights)[0]
            day = self._working_day(self._day_between(self.start, self.today))
            chamber = "ek" if rng.random() < 0.07 else "tk"
            draw = rng.random()
            if draw < 0.6:
                kind = "ao" if day < commissiedebat_since else "commissiedebat"
            elif draw < 0.85:
                kind = "plenair"
            elif draw < 0.93:
                kind = "wetgevingsoverleg"
            else:
                kind = "other"
            topic = rng.randrange(len(ministry.topics))
            label = {
                "ao": "Algemeen overleg",
                "commissiedebat": "Commissiedebat",
                "plenair": "Plenair debat over",
                "wetgevingsoverleg": "Wetgevingsoverleg",
                "other": "Schriftelijk overleg",
            }[kind]
            title = self._unique(
                titles, f"{label} {title_case(ministry.topics[topic])}", key=title_on_day
            )
            report = None
            report_day = day + datetime.timedelta(days=rng.randint(14, 45))
            if kind != "plenair" and report_day <= self.today and rng.random() < 0.5:
                report = self.documents.add(
                    report_day,
                    "verslag",
                    f"Verslag van het {label.lower()} over {ministry.topics[topic]}",
                    ministry,
                    topic,
                    chamber,
                )
            debates.add(
                (
                    debate_id,
                    kind,
                    title + NAME_SUFFIX,
                    day,
                    chamber,
                    ministry.committee_ids[chamber],
                    f"{day.year}G{number:05d}",  # "G" where the Kamer writes "A": never real
                    report,
                )
            )
            ministry.debates.append((debate_id, day, chamber))
            debate_id += 1
        self.debate_count = debates.close()
        for _ in range(max(2 * len(self.ministries), size.commitments // 20)):
            ministry = rng.choices(self.ministries, weights)[0]
            day = self._working_day(self._day_between(self.start, self.today))
            topic = rng.randrange(len(ministry.topics))
            kind, title = rng.choice(
                [
                    ("kamerbrief", f"Kamerbrief over {ministry.topics[topic]}"),
                    ("kamerbrief", f"Beantwoording vragen over {ministry.topics[topic]}"),
                    ("nota", f"Nota naar aanleiding van het verslag over {ministry.topics[topic]}"),
                ]
            )
            document = self.documents.add(day, kind, title, ministry, topic, "tk")
            ministry.source_documents.append((document, day, "tk"))

    # --- helpers ----------------------------------------------------------------------------

    def _day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def _working_day(self, day: datetime.date) -> datetime.date:
        weekday = day.weekday()
        return day - datetime.timedelta(days=weekday - 4) if weekday >= 5 else day

    def _unique(self, used: set, value: str, key=lambda value: value) -> str:
        candidate, number = value, 1
        while key(candidate) in used:
            number += 1
            candidate = f"{value} ({number})"
        used.add(key(candidate))
        return candidate
