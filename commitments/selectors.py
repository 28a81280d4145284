"""Reads of commitments: the querysets that pages, exports and reminders share.

Each selector fixes its own `select_related` / `prefetch_related`, so a page costs the same
number of queries for ten rows as for ten thousand.
"""

import datetime
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Left, Length, RowNumber, TruncQuarter
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext_lazy

from actionlines.access import managed_team_ids, member_team_ids
from actionlines.models import ActionLine, Activity, Plan
from commitments import keyset
from commitments.access import reads_everything
from commitments.filters import DEFAULT_SORT, CommitmentFilter
from commitments.models import (
    OPEN_STATUSES,
    Bewindspersoon,
    Commitment,
    CommitmentRelation,
    CommitmentStatus,
    DeadlineChange,
    Debate,
    FollowUpLetter,
    LetterPostponement,
    LinkChange,
    Notification,
    ParliamentaryDocument,
    ProgressUpdate,
)
from tracker import data_version
from tracker.actors import is_system_actor
from tracker.prefetch import Part, keep_together, read_together_kept, read_values_kept

# Fields whose changes the timeline shows through richer events (progress updates and deadline
# changes), or which are bookkeeping.
TIMELINE_SILENT_FIELDS = {"version", "updated_at"}
SERVICE_CHANGE_REASONS = {"progress", "deadline-change"}


def commitments_overdue(*, today: datetime.date) -> QuerySet[Commitment]:
    """Open or in-progress commitments whose due date has passed, oldest first.

    "Overdue" is not a status: it is derived from the date each time it is asked.
    Served by the index `commitment_status_due_ref`.
    """
    return Commitment.objects.filter(status__in=OPEN_STATUSES, due_date__lt=today).order_by(
        "due_date", "reference"
    )


def overdue_oldest_per_team(*, today: datetime.date, per_team: int) -> QuerySet:
    """The `per_team` longest-overdue commitments of every team, as (pk, team, parent team,
    due date) rows, oldest first: what the manager digests list, in one query.

    The oldest of a team are also the ones overdue longest, so the escalated part of a team
    (overdue for more than `ESCALATION_DAYS`) is a prefix of these rows.
    """
    ranked = (
        commitments_overdue(today=today)
        .filter(team__isnull=False)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("team_id")],
                order_by=[F("due_date").asc(), F("reference").asc()],
            )
        )
    )
    return ranked.filter(rank__lte=per_team).values_list(
        "pk", "team_id", "team__parent_id", "due_date"
    )


def overdue_counts_by_team(*, today: datetime.date, team_ids=None) -> dict[int, tuple[int, int]]:
    """Per team: how many of its commitments are overdue, and how many of those for more than
    `ESCALATION_DAYS`; one GROUP BY for every digest of a batch."""
    escalation_line = today - datetime.timedelta(days=settings.ESCALATION_DAYS)
    overdue = commitments_overdue(today=today).filter(team__isnull=False)
    if team_ids is not None:
        overdue = overdue.filter(team_id__in=team_ids)
    rows = (
        overdue.order_by()
        .values("team_id")
        .annotate(
            overdue=Count("pk"), escalated=Count("pk", filter=Q(due_date__lt=escalation_line))
        )
        .values_list("team_id", "overdue", "escalated")
    )
    return {team_id: (overdue, escalated) for team_id, overdue, escalated in rows}


def commitment_visibility(user, prefix: str = "") -> Q:
    """The condition `commitments.view_commitment` grants, as SQL: everything for staff and
    admins, else the user's teams' and what they own. `prefix` reaches commitments through a
    relation (`"commitments__"`), so counts of other records count only what the user may read.
    """
    if reads_everything(user) or is_system_actor(user):
        return Q()
    if not user.is_authenticated:
        return Q(pk__in=[])
    teams = member_team_ids(user) | managed_team_ids(user)
    return Q(**{f"{prefix}team_id__in": teams}) | Q(**{f"{prefix}owner_id": user.pk})


def commitments_visible_to(user) -> QuerySet[Commitment]:
    """The commitments a user may read: everything for staff and admins, else their teams'."""
    return Commitment.objects.filter(commitment_visibility(user))


def commitments_changeable_by(user) -> QuerySet[Commitment]:
    """The commitments `commitments.change_commitment` lets a user change, as one query."""
    commitments = Commitment.objects.all()
    if user.is_superuser or is_system_actor(user):
        return commitments
    return commitments.filter(Q(team_id__in=member_team_ids(user)) | Q(owner_id=user.pk))


def commitment_filter(*, user, data, today: datetime.date | None = None) -> CommitmentFilter:
    """The filtered list behind the list page and both exports."""
    return CommitmentFilter(
        data or None,
        queryset=commitments_visible_to(user),
        today=today,
        letters=letters_visible_to(user),
    )


# The list shows the start of a commitment's text; the database cuts it, so a page of fifty
# rows never carries their full texts.
LIST_TEXT_LENGTH = 160


# The rows a text search's walk may test, at most, before it sorts the matches instead.
SEARCH_WALK_BUDGET = 5_000


def _walked_ids(base: QuerySet, condition, *, offset: int, size: int, matches: int):
    """The ids of matches `offset` to `offset + size` in the order of `base` (the list without
    its search), found by walking that order and testing `condition` on each row; None when
    they are not among the first rows the budget allows.

    The budget is four times the rows an even spread of the matches would need, at most
    SEARCH_WALK_BUDGET: beyond that the matches are bunched late in the order (a search for
    one year of references, sorted by due date) and sorting them is the cheaper way.
    """
    if size <= 0:
        return []
    # The statistics may lag behind (a table never analysed has none): there are at least as
    # many rows as matches.
    rows = max(_commitments_estimate(), matches)
    spread = (offset + size) * rows / max(1, matches)
    budget = int(min(SEARCH_WALK_BUDGET, 4 * spread))
    if budget < offset + size:
        return None
    walk = base.annotate(
        page_id=F("pk"), search_match=ExpressionWrapper(condition, output_field=BooleanField())
    ).values_list("page_id", "search_match")[:budget]
    sql, params = walk.query.sql_with_params()
    with connection.cursor() as cursor:
        # The walk is read in its own order; the outer query only filters and stops, so the
        # database stops reading the walk as soon as the page is full.
        cursor.execute(
            f"SELECT page_id FROM ({sql}) walk WHERE search_match LIMIT %s OFFSET %s",  # noqa: S608 - the ORM's own SQL and parameters
            [*params, size, offset],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) == size else None


def search_matches_sorted(per_page: int) -> int:
    """Up to how many matches a text search sorts them all rather than walk the order's index.

    Both ways test rows against the search, at about the same cost a row (about 1 µs on
    PostgreSQL at 100,000 commitments, reading the stored search column): sorting tests the
    matches the trigram index proposes, walking tests rows in order until `per_page` match, about
    per_page × rows / matches of them when matches are spread through the order. The two are
    equal at √(per_page × rows): about 2,200 matches for 50 a page of 100,000 commitments,
    7,000 of a million. (Matches bunched late in the order make any walk long; below this
    they are sorted whatever their order, above it `_walked_ids` gives up within a budget.)
    """
    return int(math.sqrt(per_page * _commitments_estimate()))


_estimate: list = [0.0, 0]  # when read (monotonic seconds), the number of commitments


def _commitments_estimate() -> int:
    """The number of commitments as the database's statistics have it, read every 5 minutes."""
    read_at, rows = _estimate
    if time.monotonic() - read_at > 300:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [Commitment._meta.db_table],
                )
                rows = max(cursor.fetchone()[0], 0)
        else:
            rows = Commitment.objects.count()
        _estimate[:] = [time.monotonic(), rows]
    return rows


def _paginator(queryset, per_page: int, count) -> Paginator:
    """Pages of the ids of `queryset`, counted by `count` (a function) when it is given."""
    ids_query = queryset.values_list("pk", flat=True)
    if count is None:
        return Paginator(ids_query, per_page)
    return _KnownCountPaginator(ids_query, per_page, count=count)


class _KnownCountPaginator(Paginator):
    """A paginator that counts through a function: the list's count may be kept."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self):
        return self._count()


@dataclass(frozen=True)
class KeptList:
    """Where the list keeps its two dear reads for one reader, filter and day: the count and
    the ids of each page, until the next write.

    The count is the list's dearest query (every matching row the reader may see) and the same
    for every page of the filter; a page's ids cost as much again for a filter no index
    serves in its order (a search for a whole year of references walks or sorts ten thousand
    matches for fifty). Both are kept under the data version (tracker.data_version: a progress
    note that keeps the status does not replace it), the reader's visibility, the day (the
    overdue filter moves with it) and the filter's parameters. The page's columns are read
    again on every view, by id: what a row shows is never kept.
    """

    key: str
    # The sort asked for (the `sort` parameter), which the count leaves out but a page's ids
    # follow: a search pages by number in every order, so `page`'s own sort can be None.
    order: tuple[str, ...] = ()

    def count(self, queryset: QuerySet[Commitment]) -> Callable[[], int]:
        """The number of rows of `queryset` (the filtered list), counted once per key."""
        key = f"list-count:{self.key}"

        def count() -> int:
            found = cache.get(key)
            if found is None:
                found = queryset.count()
                cache.set(key, found, settings.LIST_COUNT_CACHE_SECONDS)
            return found

        return count

    def page(self, *, number: int, per_page: int, sort: str | None, cursor: str | None):
        """The place of one page's ids: `get()` gives them or None, `set(ids)` keeps them."""
        where = repr((self.order, number, per_page, sort, cursor))
        where = hashlib.sha256(where.encode()).hexdigest()[:16]
        return _KeptIds(f"list-page:{self.key}:{where}")


@dataclass(frozen=True)
class _KeptIds:
    key: str

    def get(self) -> list[int] | None:
        return cache.get(self.key)

    def set(self, ids: list[int]) -> None:
        cache.set(self.key, ids, settings.LIST_COUNT_CACHE_SECONDS)


def kept_list(*, user, data, today) -> KeptList:
    """The `KeptList` of a reader's filter (`data`, the query string) on `today`."""
    parameters = sorted(
        (name, value)
        for name, values in data.lists()
        if name not in UNCOUNTED_PARAMETERS
        for value in values
        if value
    )
    if reads_everything(user) or is_system_actor(user):
        reader = "all"
    else:
        teams = sorted(member_team_ids(user) | managed_team_ids(user))
        reader = f"{user.pk}:{','.join(map(str, teams))}"
    digest = hashlib.sha256(repr((reader, parameters)).encode()).hexdigest()[:32]
    return KeptList(
        f"{data_version.current()}:{today.isoformat()}:{digest}",
        order=tuple(data.getlist("sort")),
    )


# Parameters that page or sort the list but do not change what it finds.
UNCOUNTED_PARAMETERS = {"page", "per_page", "sort", "cursor", "page_size"}


def commitment_page(
    *,
    queryset: QuerySet[Commitment],
    number,
    per_page: int,
    today,
    sort: str | None = DEFAULT_SORT,
    cursor: str | None = None,
    search_order: tuple | None = None,
    search_parts: Callable[[], tuple | None] | None = None,
    sort_groups: tuple[str, ...] | None = None,
    kept: KeptList | None = None,
) -> Page:
    """One page of the list as plain rows, in three queries whatever the page's depth: two
    when the count is kept, one when the page's ids are too (`KeptList`, given as `kept`).

    The ids of the page come first, from an index in the filter's order; the columns the list
    shows are then read for those fifty ids only. One query with OFFSET would join every
    skipped row: on page 1,000 of 100,000 commitments that costs 80 ms instead of a few.
    Reached through Next, Previous or Last (`cursor`, commitments.keyset), the ids start from
    the neighbouring page's row instead, so that page 10,000 costs what page 1 does; the page
    carries the tokens of its own neighbours (`next_cursor`, `previous_cursor`, `last_cursor`).
    A text search reads its page in one of two ways, by the number of its matches (see
    `search_matches_sorted`): few are all taken from the trigram indexes and sorted
    (`search_order`); many are found by walking the list's order without the search, testing
    each row (`search_parts`, `_walked_ids`), unless the walk finds too few within its budget:
    the matches then lie deep in the order and are sorted after all. A sort that no index
    holds as one gives no `search_parts` (filters.CommitmentFilter.search_parts).
    """
    paginator = _paginator(queryset, per_page, kept.count(queryset) if kept else None)
    position = keyset.decode(cursor, sort)
    if position and position.is_end:
        number = paginator.num_pages
    elif position is None and str(number or 1) == "1":
        position = keyset.first_page_in_parts(sort)
    page = paginator.get_page(number)  # the slice of ids_query is lazy: not read by position
    kept_ids = (
        kept.page(number=page.number, per_page=per_page, sort=sort, cursor=cursor) if kept else None
    )
    ids = kept_ids.get() if kept_ids else None
    if ids is None:
        ids = _page_ids(
            queryset,
            page,
            position=position,
            search_order=search_order,
            search_parts=search_parts,
            sort_groups=sort_groups,
        )
        if kept_ids:
            kept_ids.set(ids)
    labels = dict(CommitmentStatus.choices)
    rows = {
        row["id"]: row
        for row in read_values_kept(
            _page_rows, ids, key=("commitment_page_rows", per_page), size=per_page
        )
    }
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    for row in page.object_list:
        row["status_label"] = labels[row["status"]]
        row["is_overdue"] = (
            row["status"] in OPEN_STATUSES
            and row["due_date"] is not None
            and row["due_date"] < today
        )
        row["owner_name"] = (
            f"{row['owner_first_name']} {row['owner_last_name']}".strip() or row["owner_username"]
        )
        # Formatted once here, as the list shows them (the Dutch numeric form, 23-12-2016):
        # the template's date filter would cost more for the hundred dates of a page.
        row["due_display"] = f"{row['due_date']:%d-%m-%Y}" if row["due_date"] else "—"
        row["made_on_display"] = f"{row['made_on']:%d-%m-%Y}"
    if page.object_list:
        if page.has_next():
            page.next_cursor = keyset.encode(sort, keyset.FORWARD, page.object_list[-1])
            page.last_cursor = keyset.encode_end(sort)
        if page.has_previous():
            page.previous_cursor = keyset.encode(sort, keyset.BACKWARD, page.object_list[0])
    return page


def _page_rows(ids: list[int]) -> QuerySet:
    """The columns the list shows, of the commitments `ids`."""
    return (
        Commitment.objects.filter(pk__in=ids)
        .annotate(
            text_start=Left("text", LIST_TEXT_LENGTH),
            text_length=Length("text"),
            made_by_name=F("made_by__name"),
            team_name=F("team__name"),
            owner_first_name=F("owner__first_name"),
            owner_last_name=F("owner__last_name"),
            owner_username=F("owner__username"),
        )
        .values(
            "id",
            "reference",
            "status",
            "due_date",
            "made_on",
            "text_start",
            "text_length",
            "made_by_name",
            "team_name",
            "owner_first_name",
            "owner_last_name",
            "owner_username",
        )
    )


def _page_ids(
    queryset: QuerySet[Commitment],
    page: Page,
    *,
    position,
    search_order: tuple | None,
    search_parts: Callable[[], tuple | None] | None,
    sort_groups: tuple[str, ...] | None,
) -> list[int]:
    """The ids of `page` of `queryset`, read as `commitment_page` describes."""
    per_page, matches = page.paginator.per_page, page.paginator.count
    walked = None
    if search_order is not None:
        parts = (
            search_parts() if matches > search_matches_sorted(per_page) and search_parts else None
        )
        if parts is not None:
            offset = (page.number - 1) * per_page
            walked = _walked_ids(
                *parts, offset=offset, size=min(per_page, matches - offset), matches=matches
            )
        if walked is None:
            # Few matches, many that lie deep in the order, or an order no index holds as one:
            # take them all from the trigram indexes and sort them (filters.SEARCH_SORTS).
            page = _paginator(queryset.order_by(*search_order), per_page, lambda: matches).get_page(
                page.number
            )
    if position:
        expected = min(per_page, matches - (page.number - 1) * per_page)
        ids = keyset.page_ids(queryset, position, expected, groups=sort_groups)
        # A position whose row has gone, or a page number that no longer fits the count (rows
        # came or went since the link was made): the page by its number instead.
        if len(ids) == expected:
            return ids
    return walked if walked is not None else list(page.object_list)


def commitment_detail(*, pk: int, user) -> Commitment:
    """A commitment with everything its page shows; linked letters and commitments only as far
    as the user may read them.

    Its short lists (addressees, documents, letters, activities, relations, deadline changes,
    link changes, register notes) come in one query (tracker.prefetch). The progress updates
    and the audit history are read by `commitment_timeline`, one query each, whatever the
    length of the history; the user's teams and permissions are kept (actionlines.access).
    """
    # Few joins here: PostgreSQL took longer to plan this row with its seven related records
    # joined (5 ms) than the whole page's SQL takes to run; the union below reads them.
    commitment = Commitment.objects.select_related("owner", "team").get(pk=pk)
    visible, letters = commitment_visibility(user), _letter_scope(user)
    # The union is compiled once per process for each kind of reader (tracker.prefetch): the
    # ids below are its only other inputs. An absent record is asked as id 0, which no row has.
    values = {
        "commitment": commitment.pk,
        "made_by": commitment.made_by_id or 0,
        "debate": commitment.debate_id or 0,
        "source_document": commitment.source_document_id or 0,
    }
    found = read_together_kept(
        lambda ids: _detail_parts(ids, visible=visible, letters=letters),
        values,
        key=("commitment_detail", visible, letters),
    )
    keep_together(commitment, found)
    return commitment


def _detail_parts(ids: dict[str, int], *, visible: Q, letters: Q) -> dict[str, Part]:
    """The short lists of a commitment's page (`commitment_detail`), for the records `ids`
    names; `visible` and `letters` are what the reader may see of commitments and letters."""
    from parliament.models import RegisterEntry  # parliament builds on commitments

    commitment = Commitment(pk=ids["commitment"])
    readable = Commitment.objects.filter(visible)
    return {
        "made_by": Part(
            Bewindspersoon.objects.filter(pk=ids["made_by"]), related=("ministry",), single=True
        ),
        "debate": Part(
            Debate.objects.filter(pk=ids["debate"]),
            related=("committee", "report"),
            single=True,
        ),
        "source_document": Part(
            ParliamentaryDocument.objects.filter(pk=ids["source_document"]), single=True
        ),
        "register_entry": Part(
            RegisterEntry.objects.filter(commitment=ids["commitment"]), single=True
        ),
        "made_to": Part(commitment.made_to.all(), order_by=("name",)),
        "fulfilling_documents": Part(
            commitment.fulfilling_documents.all(),
            order_by=("-date", "dossier_number", "volgnummer"),
        ),
        "activities": Part(
            commitment.activities.all(),
            # The plan's own activities first, on every database.
            order_by=("plan", F("action_line__number").asc(nulls_first=True), "title"),
            related=("action_line", "plan"),
        ),
        "follow_up_letters": Part(
            FollowUpLetter.objects.filter(letters).filter(commitments=ids["commitment"]),
            order_by=("planned_date", "title"),
        ),
        "relations_from": Part(
            CommitmentRelation.objects.filter(
                from_commitment=ids["commitment"], to_commitment__in=readable
            ),
            order_by=("id",),
            related=("to_commitment",),
        ),
        "relations_to": Part(
            CommitmentRelation.objects.filter(
                to_commitment=ids["commitment"], from_commitment__in=readable
            ),
            order_by=("id",),
            related=("from_commitment",),
        ),
        "deadline_changes": Part(
            commitment.deadline_changes.all(),
            order_by=("-requested_at", "-id"),
            related=("requested_by", "decided_by"),
        ),
        "link_changes": Part(
            commitment.link_changes.all(),
            order_by=("-changed_at", "-id"),
            related=("changed_by",),
        ),
        # What the register differences (parliament.selectors.differences_of) answer.
        "register_notes": Part(commitment.register_notes.all(), order_by=("id",)),
    }


@dataclass
class TimelineEntry:
    """One event in a commitment's history, newest first on the page."""

    kind: str  # created | edited | links | progress | deadline-requested | deadline-decided
    at: datetime.datetime
    who: object
    progress: ProgressUpdate | None = None
    deadline_change: DeadlineChange | None = None
    link_change: LinkChange | None = None
    changes: list[tuple[str, object, object]] = field(default_factory=list)


def commitment_timeline(*, commitment: Commitment) -> list[TimelineEntry]:
    """Progress updates, deadline changes and edits in one list: who, when, before and after.

    Uses the deadline and link changes `commitment_detail` read, one query for the progress
    updates and one for the audit history, whatever the length of the history.
    """
    entries: list[TimelineEntry] = []
    people = _People()
    updates = (
        ProgressUpdate.objects.filter(commitment=commitment)
        .select_related("evidence_document")
        .annotate(**people.columns("author"))
    )
    for update in updates:
        # A hundred updates by a handful of people: one User each, not one per update.
        author = people.of(update, "author")
        update._state.fields_cache["author"] = author
        entries.append(TimelineEntry("progress", update.created_at, author, progress=update))
    for change in commitment.deadline_changes.all():
        entries.append(
            TimelineEntry(
                "deadline-requested",
                change.requested_at,
                change.requested_by,
                deadline_change=change,
            )
        )
        if change.decided_at:
            entries.append(
                TimelineEntry(
                    "deadline-decided",
                    change.decided_at,
                    change.decided_by,
                    deadline_change=change,
                )
            )
    for link_change in commitment.link_changes.all():
        entries.append(
            TimelineEntry(
                "links", link_change.changed_at, link_change.changed_by, link_change=link_change
            )
        )
    entries.extend(_edits(commitment))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


class _People:
    """The users a timeline names, made once each from a few columns of the rows that name them."""

    FIELDS = ("username", "first_name", "last_name", "is_active")

    def __init__(self):
        self.known: dict[int, object] = {}

    def columns(self, relation: str) -> dict:
        return {f"_{relation}_{name}": F(f"{relation}__{name}") for name in self.FIELDS}

    def of(self, row, relation: str):
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        pk = get(f"{relation}_id")
        if pk is None:
            return None
        if pk not in self.known:
            values = {name: get(f"_{relation}_{name}") for name in self.FIELDS}
            self.known[pk] = get_user_model()(pk=pk, **values)
        return self.known[pk]


def commitment_timeline_key(*, commitment: Commitment) -> str:
    """What the timeline of `commitment_detail`'s commitment depends on, as a cache key.

    Every progress update and every edit saves the commitment, and so moves its version; a
    deadline change (requested, decided) and a change of links are rows of their own, read
    with the page. People's names and documents' titles in it may be up to
    TIMELINE_CACHE_SECONDS old.
    """
    changes = [(c.pk, c.version, c.state) for c in commitment.deadline_changes.all()]
    links = [c.pk for c in commitment.link_changes.all()]
    digest = hashlib.sha256(repr((changes, links)).encode()).hexdigest()[:16]
    return f"{commitment.pk}:{commitment.version}:{digest}:{get_language()}"


def _edits(commitment: Commitment) -> list[TimelineEntry]:
    """Edits from the audit history, with related records shown by name, not by id.

    The history is read as plain values: only the edits by hand (not the saves of progress
    updates and deadline decisions, which the timeline shows as their own events) are
    compared field by field with the record before them.
    """
    fields = {f.name: f for f in Commitment._meta.concrete_fields}
    history_fields = {f.name for f in Commitment.history.model._meta.concrete_fields}
    compared = [
        f
        for f in Commitment._meta.concrete_fields
        if f.name in history_fields and f.name not in TIMELINE_SILENT_FIELDS and not f.primary_key
    ]
    people = _People()
    records = (
        commitment.history.order_by("history_date", "history_id")
        .annotate(**people.columns("history_user"))
        .values(
            "history_date",
            "history_type",
            "history_change_reason",
            "history_user_id",
            *people.columns("history_user"),
            *(f.attname for f in compared),
        )
    )
    edits = []
    previous = None
    for record in records:
        who = people.of(record, "history_user")
        if record["history_type"] == "+":
            edits.append(TimelineEntry("created", record["history_date"], who))
        elif previous is not None and record["history_change_reason"] not in SERVICE_CHANGE_REASONS:
            changes = [
                (f.name, previous[f.attname], record[f.attname])
                for f in compared
                if previous[f.attname] != record[f.attname]
            ]
            if changes:
                edits.append(TimelineEntry("edited", record["history_date"], who, changes=changes))
        previous = record
    _name_related_values(edits, fields)
    return edits


def _name_related_values(edits: list[TimelineEntry], fields) -> None:
    """Replace foreign-key ids by the records' names: one query per kind of related record."""
    wanted: dict = {}
    for entry in edits:
        for name, old, new in entry.changes:
            field = fields.get(name)
            if field is not None and field.is_relation:
                wanted.setdefault(field, set()).update(v for v in (old, new) if v is not None)
    names = {
        field: {obj.pk: str(obj) for obj in field.related_model._default_manager.filter(pk__in=ids)}
        for field, ids in wanted.items()
    }
    for entry in edits:
        entry.changes = [
            (
                fields[name].verbose_name if name in fields else name,
                names.get(fields.get(name), {}).get(old, old),
                names.get(fields.get(name), {}).get(new, new),
            )
            for name, old, new in entry.changes
        ]


def my_work(*, user, today: datetime.date, limit: int = 200):
    """What an official answers for: own and team commitments and activities, overdue first."""
    teams = member_team_ids(user)
    commitments = (
        Commitment.objects.filter(Q(owner_id=user.pk) | Q(team_id__in=teams))
        .filter(status__in=OPEN_STATUSES)
        .select_related("made_by", "team", "owner")
        .annotate(
            overdue_rank=Case(
                When(due_date__lt=today, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("overdue_rank", F("due_date").asc(nulls_last=True), "reference")
    )
    activities = (
        Activity.objects.filter(Q(owner_id=user.pk) | Q(team_id__in=teams))
        .exclude(status__in=[Activity.Status.COMPLETED, Activity.Status.CANCELLED])
        .select_related("action_line", "plan")
        .order_by(F("end_date").asc(nulls_last=True), "title")
    )
    # A letter whose commitments are all answered is no longer a to-do, whatever its status
    # says; one planned before any commitment was put on it still is.
    letters = (
        FollowUpLetter.objects.filter(Q(drafter_id=user.pk) | Q(team_id__in=teams))
        .exclude(status__in=FollowUpLetter.CLOSED_STATUSES)
        .annotate(open_count=_open_commitment_count(user), answers=Count("commitments"))
        .filter(Q(open_count__gt=0) | Q(answers=0))
        .order_by("planned_date")
    )
    return {
        "commitments": list(commitments[:limit]),
        "activities": list(activities[:limit]),
        "letters": list(letters[:limit]),
        "requests": list(
            DeadlineChange.objects.filter(requested_by=user)
            .select_related("commitment", "decided_by")
            .order_by("-requested_at")[:10]
        ),
    }


def deadline_changes_to_decide(*, user) -> QuerySet[DeadlineChange]:
    """Open requests on the commitments of the teams a manager manages, oldest first."""
    changes = DeadlineChange.objects.filter(state=DeadlineChange.State.REQUESTED)
    if not user.is_superuser:
        changes = changes.filter(commitment__team_id__in=managed_team_ids(user))
    return (
        changes.exclude(requested_by=user)
        .select_related("commitment__team", "commitment__owner", "requested_by")
        .order_by("requested_at")
    )


def dashboard_summary(*, user, today: datetime.date, horizon_days: int = 30, limit: int = 15):
    """The manager's overview: commitments by status, what is late or near, letters, requests,
    the on-time trend and where the overdue ones sit (team, bewindspersoon).

    Seven queries whatever the number of commitments, teams or quarters; the page keeps what it
    renders of them until a change of what they count (commitments/dashboard_cache.py).
    """
    visible = commitments_visible_to(user)
    horizon = today + datetime.timedelta(days=horizon_days)
    is_open = Q(status__in=OPEN_STATUSES)
    is_overdue = is_open & Q(due_date__lt=today)
    # One pass over the visible commitments for all the counts.
    counts = dict.fromkeys(CommitmentStatus.values, 0)
    overdue_count = soon_count = 0
    for row in (
        visible.order_by()
        .values("status")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=is_overdue),
            soon=Count("id", filter=is_open & Q(due_date__gte=today, due_date__lte=horizon)),
        )
    ):
        counts[row["status"]] = row["n"]
        overdue_count += row["overdue"]
        soon_count += row["soon"]
    open_visible = visible.filter(is_open).select_related("owner", "team")
    overdue = open_visible.filter(due_date__lt=today).order_by("due_date", "reference")
    soon = open_visible.filter(due_date__gte=today, due_date__lte=horizon).order_by(
        "due_date", "reference"
    )
    letters = (
        FollowUpLetter.objects.exclude(status__in=FollowUpLetter.CLOSED_STATUSES)
        .filter(_letter_scope(user))
        .annotate(open_count=_open_commitment_count(user))
        .select_related("drafter")
        .order_by("planned_date")
    )
    by_team, by_bewindspersoon = _overdue_by_team_and_bewindspersoon(visible.filter(is_overdue))
    return {
        "status_counts": [
            (status, label, counts[status]) for status, label in CommitmentStatus.choices
        ],
        "total": sum(counts.values()),
        "overdue_count": overdue_count,
        "overdue": list(overdue[:limit]),
        "soon_count": soon_count,
        "soon": list(soon[:limit]),
        "letters": list(letters[:limit]),
        "requests_count": deadline_changes_to_decide(user=user).count(),
        "trend": fulfilment_trend(visible=visible, today=today),
        "overdue_by_team": by_team,
        "overdue_by_bewindspersoon": by_bewindspersoon,
    }


@dataclass
class QuarterFulfilment:
    """The commitments fulfilled in one quarter: on or before their due date, or after it."""

    start: datetime.date
    on_time: int = 0
    late: int = 0

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def total(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_percentage(self) -> int | None:
        return round(100 * self.on_time / self.total) if self.total else None


TREND_QUARTERS = 8


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def fulfilment_trend(
    *, visible: QuerySet[Commitment], today: datetime.date, quarters: int = TREND_QUARTERS
) -> list[QuarterFulfilment]:
    """Fulfilment per quarter over the last `quarters` quarters (the current one last), in one
    GROUP BY.

    Only "fulfilled" counts: a partially fulfilled commitment still owes the Kamer an answer.
    "On time" compares the fulfilling date with the due date as it stands, so a deadline moved
    by an approved change counts from its new date; one without a due date cannot be late.
    """
    current = _quarter_start(today)
    starts = []
    year, month = current.year, current.month
    for _ in range(quarters):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 3) if month > 3 else (year - 1, month + 9)
    trend = {start: QuarterFulfilment(start=start) for start in reversed(starts)}
    rows = (
        visible.filter(
            status=CommitmentStatus.FULFILLED,
            fulfilled_on__gte=starts[-1],
            fulfilled_on__lte=today,
        )
        .order_by()
        .annotate(quarter=TruncQuarter("fulfilled_on"))
        .values("quarter")
        .annotate(
            on_time=Count(
                "id", filter=Q(due_date__isnull=True) | Q(fulfilled_on__lte=F("due_date"))
            ),
            late=Count("id", filter=Q(fulfilled_on__gt=F("due_date"))),
        )
    )
    for row in rows:
        quarter = row["quarter"]
        if isinstance(quarter, datetime.datetime):
            quarter = quarter.date()
        if quarter in trend:
            trend[quarter].on_time = row["on_time"]
            trend[quarter].late = row["late"]
    return list(trend.values())


@dataclass
class OverdueGroup:
    """How many overdue commitments one team, bewindspersoon or action line has."""

    pk: int | None
    name: str
    count: int


def _overdue_by_team_and_bewindspersoon(overdue: QuerySet[Commitment]):
    """Both breakdowns from one GROUP BY over (team, bewindspersoon): the pairs are few even
    when the commitments are many. Largest first; ties by name, so the order is stable."""
    teams: dict[int | None, OverdueGroup] = {}
    people: dict[int, OverdueGroup] = {}
    rows = (
        overdue.order_by()
        .values("team_id", "team__name", "made_by_id", "made_by__name")
        .annotate(n=Count("id"))
    )
    for row in rows:
        team = teams.setdefault(
            row["team_id"], OverdueGroup(row["team_id"], row["team__name"] or "", 0)
        )
        team.count += row["n"]
        person = people.setdefault(
            row["made_by_id"], OverdueGroup(row["made_by_id"], row["made_by__name"], 0)
        )
        person.count += row["n"]

    def ranked(groups):
        return sorted(groups.values(), key=lambda group: (-group.count, group.name))

    return ranked(teams), ranked(people)


DASHBOARD_PLAN_COUNT = 5
# "Overdue" is not a status but the dashboard shows it as one: open, past its due date.
OVERDUE_LABEL = gettext_lazy("overdue")


def _dashboard_plan_ids() -> QuerySet[Plan]:
    return Plan.objects.order_by(F("adopted_on").desc(nulls_last=True)).values("pk")[
        :DASHBOARD_PLAN_COUNT
    ]


def dashboard_plans() -> list[Plan]:
    """The five newest plans with their action lines and activities: the same for everyone."""
    plans = Plan.objects.prefetch_related(
        Prefetch(
            "action_lines",
            queryset=ActionLine.objects.prefetch_related(
                Prefetch("activities", queryset=Activity.objects.order_by("title"))
            ),
        ),
        Prefetch(
            "activities",
            queryset=Activity.objects.filter(action_line__isnull=True).order_by("title"),
            to_attr="plan_wide_activities",
        ),
    ).order_by(F("adopted_on").desc(nulls_last=True))
    return list(plans[:DASHBOARD_PLAN_COUNT])


@dataclass
class ActionLineState:
    """One action line on the dashboard: the status mix of the commitments its activities serve
    (as far as the reader may see them) beside the progress its activities report."""

    line: ActionLine
    # (key, label, count) per status, "overdue" apart from the open statuses it is taken from.
    segments: list = field(default_factory=list)
    overdue: int = 0
    activity_count: int = 0
    completed_count: int = 0
    average_progress: float | None = None

    @property
    def total(self) -> int:
        return sum(count for _key, _label, count in self.segments)


def dashboard_action_lines(*, user, today: datetime.date) -> list[ActionLineState]:
    """The action lines of the dashboard's plans, each with its commitments' status mix and its
    activities' progress, in one query.

    A commitment that serves two activities of one line counts once for that line (distinct
    counts); its activities' figures come from subqueries, so the join over commitments does
    not multiply them.
    """
    prefix = "activities__commitments__"
    readable = commitment_visibility(user, prefix)
    overdue = Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}due_date__lt": today})
    not_yet_due = Q(**{f"{prefix}due_date__isnull": True}) | Q(**{f"{prefix}due_date__gte": today})
    counts = {"overdue": Count("activities__commitments", filter=readable & overdue, distinct=True)}
    for status in CommitmentStatus.values:
        condition = readable & Q(**{f"{prefix}status": status})
        if status in OPEN_STATUSES:
            condition &= not_yet_due
        counts[f"n_{status}"] = Count("activities__commitments", filter=condition, distinct=True)
    activities = (
        Activity.objects.filter(action_line=OuterRef("pk")).order_by().values("action_line")
    )
    working = activities.exclude(status=Activity.Status.CANCELLED)
    lines = (
        ActionLine.objects.filter(plan_id__in=_dashboard_plan_ids())
        .select_related("plan")
        .annotate(
            **counts,
            activity_count=Subquery(
                activities.annotate(n=Count("pk")).values("n"), output_field=IntegerField()
            ),
            completed_count=Subquery(
                activities.filter(status=Activity.Status.COMPLETED)
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            average_progress=Subquery(working.annotate(average=Avg("progress")).values("average")),
        )
        .order_by(F("plan__adopted_on").desc(nulls_last=True), "plan_id", "number")
    )
    states = []
    for line in lines:
        segments = [("overdue", OVERDUE_LABEL, line.overdue)] + [
            (status, label, getattr(line, f"n_{status}"))
            for status, label in CommitmentStatus.choices
        ]
        states.append(
            ActionLineState(
                line=line,
                segments=segments,
                overdue=line.overdue,
                activity_count=line.activity_count or 0,
                completed_count=line.completed_count or 0,
                average_progress=line.average_progress,
            )
        )
    return states


def _letter_scope(user) -> Q:
    if reads_everything(user) or is_system_actor(user):
        return Q(pk__isnull=False)
    if not user.is_authenticated:
        return Q(pk__in=[])
    teams = member_team_ids(user) | managed_team_ids(user)
    return Q(team_id__in=teams) | Q(drafter_id=user.pk)


def _open_commitment_count(user) -> Count:
    """How many of a letter's commitments are open, counting only those the user may read."""
    return Count(
        "commitments",
        filter=Q(commitments__status__in=OPEN_STATUSES)
        & commitment_visibility(user, "commitments__"),
    )


def letters_changeable_by(user) -> QuerySet[FollowUpLetter]:
    """The letters `commitments.change_followupletter` lets a user change, as one query."""
    letters = FollowUpLetter.objects.order_by("planned_date", "title")
    if user.is_superuser or is_system_actor(user):
        return letters
    return letters.filter(Q(team_id__in=member_team_ids(user)) | Q(drafter_id=user.pk))


def letters_visible_to(user) -> QuerySet[FollowUpLetter]:
    return FollowUpLetter.objects.filter(_letter_scope(user))


def letter_list(*, user) -> QuerySet[FollowUpLetter]:
    return (
        letters_visible_to(user)
        .select_related("drafter", "team", "sent_as")
        .annotate(
            commitment_count=Count(
                "commitments", filter=commitment_visibility(user, "commitments__")
            ),
            open_count=_open_commitment_count(user),
        )
        .order_by(
            Case(When(status__in=FollowUpLetter.CLOSED_STATUSES, then=Value(1)), default=Value(0)),
            "planned_date",
        )
    )


def letter_detail(*, pk: int, user) -> FollowUpLetter:
    """A letter with the commitments it answers, as far as the user may read them."""
    return (
        FollowUpLetter.objects.select_related("drafter", "team", "sent_as")
        .prefetch_related(
            Prefetch(
                "postponements",
                queryset=LetterPostponement.objects.select_related("postponed_by"),
            ),
            Prefetch(
                "commitments",
                queryset=commitments_visible_to(user)
                .select_related("owner", "made_by", "team")
                .order_by("due_date", "reference"),
            ),
        )
        .get(pk=pk)
    )


# --- the reminder scan and the notifications page ----------------------------------------------


def commitments_due_on(*, dates) -> QuerySet[Commitment]:
    """Open or in-progress commitments due on one of `dates`: the owner-reminder scan.

    Served by the index `commitment_status_due_ref` (status IN (…) AND due_date IN (…)).
    """
    return (
        Commitment.objects.filter(status__in=OPEN_STATUSES, due_date__in=sorted(set(dates)))
        .select_related("owner", "team")
        .order_by("due_date", "reference")
    )


def letters_to_remind(*, dates) -> QuerySet[FollowUpLetter]:
    """Follow-up letters still to be sent, planned on one of `dates`: the letter-reminder scan.

    Served by the index `letter_status_planned`.
    """
    return (
        FollowUpLetter.objects.filter(
            status__in=[FollowUpLetter.Status.PLANNED, FollowUpLetter.Status.DRAFTING],
            planned_date__in=sorted(set(dates)),
        )
        .select_related("drafter", "team")
        .prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.order_by("due_date", "reference"))
        )
        .order_by("planned_date", "title")
    )


def notifications_visible_to(*, user, state: str = "", kind: str = "") -> QuerySet[Notification]:
    """The notifications page: the reminders sent to a user; every reminder for an admin.

    Served by `notification_recipient_new` for a user and `notification_state_new` for an
    admin's status filter; the commitments each e-mail was about come in one more query.
    """
    notifications = Notification.objects.select_related("recipient", "letter").prefetch_related(
        Prefetch("commitments", queryset=Commitment.objects.only("pk", "reference"))
    )
    if not user.is_superuser:
        notifications = notifications.filter(recipient=user, state=Notification.State.SENT)
    elif state:
        notifications = notifications.filter(state=state)
    if kind:
        notifications = notifications.filter(kind=kind)
    return notifications.order_by("-created_at", "-pk")
