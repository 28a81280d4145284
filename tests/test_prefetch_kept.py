"""A commitment's short lists read by a query compiled once per kind of reader
(tracker.prefetch.read_together_kept): the same rows as a query built afresh, one query per
page, and never one reader's view for another."""

import datetime

import pytest

from commitments import selectors
from commitments.models import Commitment, CommitmentRelation
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    DeadlineChangeFactory,
    FollowUpLetterFactory,
)
from tracker import prefetch
from tracker.prefetch import Part, read_together, read_together_kept


@pytest.fixture(autouse=True)
def no_kept_queries():
    prefetch._KEPT.clear()
    yield
    prefetch._KEPT.clear()


def _parts(ids):
    commitment = Commitment(pk=ids["commitment"])
    return {
        "activities": Part(commitment.activities.all(), order_by=("title",)),
        "deadline_changes": Part(commitment.deadline_changes.all(), order_by=("-id",)),
        "itself": Part(Commitment.objects.filter(pk=ids["commitment"]), single=True),
    }


def _pks(found):
    return {name: [row.pk for row in rows] for name, rows in found.items()}


def test_a_kept_query_reads_what_a_query_built_afresh_reads(db, django_assert_num_queries):
    first, second = CommitmentFactory(), CommitmentFactory()
    first.activities.add(ActivityFactory(title="B"), ActivityFactory(title="A"))
    DeadlineChangeFactory(commitment=second)
    built = []

    def build(ids):
        built.append(dict(ids))
        return _parts(ids)

    read = []
    for commitment in (first, second, first):
        values = {"commitment": commitment.pk}
        with django_assert_num_queries(1):
            kept = read_together_kept(build, values, key="test")
        assert _pks(kept) == _pks(read_together(_parts(values)))
        read.append({name: len(rows) for name, rows in kept.items()})
    assert read[0] == read[2] == {"activities": 2, "deadline_changes": 0, "itself": 1}
    assert read[1] == {"activities": 0, "deadline_changes": 1, "itself": 1}
    # Built once, with stand-ins for the ids: the other calls only filled them in.
    assert len(built) == 1 and built[0]["commitment"] < 0
    assert [
        row.title
        for row in read_together_kept(build, {"commitment": first.pk}, key="test")["activities"]
    ] == ["A", "B"]


def test_a_build_that_does_not_pass_its_value_on_is_built_every_time(db):
    first, second = CommitmentFactory(), CommitmentFactory()
    built = []

    def build(ids):
        built.append(ids)
        # Decides in Python instead of asking the database: no stand-in in the parameters.
        wanted = first.pk if ids["commitment"] == first.pk else second.pk
        return {"itself": Part(Commitment.objects.filter(pk=wanted), single=True)}

    for commitment in (first, second, first):
        found = read_together_kept(build, {"commitment": commitment.pk}, key="deciding")
        assert _pks(found) == {"itself": [commitment.pk]}
    assert prefetch._KEPT["deciding"] is None
    assert len(built) == 4  # once with stand-ins, found unfit, then once per call


def test_the_least_recently_used_queries_are_let_go(db, monkeypatch):
    monkeypatch.setattr(prefetch._KEPT, "size", 2)
    commitment = CommitmentFactory()
    for key in ("a", "b", "a", "c"):
        read_together_kept(_parts, {"commitment": commitment.pk}, key=key)
    assert list(prefetch._KEPT) == ["a", "c"]


def test_each_reader_sees_only_their_own_on_a_commitments_page(cast):
    ours = CommitmentFactory(team=cast.team)
    theirs = CommitmentFactory(team=cast.other_team)
    CommitmentRelation.objects.create(from_commitment=ours, to_commitment=theirs, kind="repeats")
    FollowUpLetterFactory(team=cast.other_team).commitments.add(ours)

    def shown(user):
        page = selectors.commitment_detail(pk=ours.pk, user=user)
        return (
            [r.to_commitment_id for r in page.relations_from.all()],
            len(page.follow_up_letters.all()),
        )

    # In turn, in one process: a reader's kept query never answers for another.
    assert shown(cast.official) == ([], 0)
    assert shown(cast.admin) == ([theirs.pk], 1)
    assert shown(cast.official) == ([], 0)
    cast.team.members.add(cast.outsider)  # the outsider now reads both teams
    assert shown(cast.outsider) == ([theirs.pk], 1)
    assert len(prefetch._KEPT) == 3


# --- rows by id through a kept values() query (tracker.prefetch.read_values_kept) ---------


def _rows(ids):
    return (
        Commitment.objects.filter(pk__in=ids)
        .annotate(team_name=selectors.F("team__name"), text_length=selectors.Length("text"))
        .values("id", "reference", "due_date", "team_name", "text_length")
    )


def test_kept_rows_are_the_rows_a_values_query_reads(db, django_assert_num_queries):
    first = CommitmentFactory(due_date=datetime.date(2026, 3, 1))
    second = CommitmentFactory(due_date=None, team=None)
    third = CommitmentFactory()
    built = []

    def build(ids):
        built.append(list(ids))
        return _rows(ids)

    def by_id(rows):
        return sorted(rows, key=lambda row: row["id"])

    for ids in ([first.pk, second.pk], [third.pk], [], [second.pk, third.pk, first.pk]):
        with django_assert_num_queries(1):
            kept = prefetch.read_values_kept(build, ids, key="rows", size=3)
        assert by_id(kept) == by_id(_rows(ids))
    # Compiled once, with stand-ins; the dates come as dates and the lengths as numbers on
    # either database, as the ORM gives them.
    assert len(built) == 1 and all(stand_in < 0 for stand_in in built[0])
    row = prefetch.read_values_kept(build, [first.pk], key="rows", size=3)[0]
    assert row["due_date"] == datetime.date(2026, 3, 1)
    assert row["text_length"] == len(first.text) and isinstance(row["text_length"], int)
    assert prefetch.read_values_kept(build, [second.pk], key="rows", size=3)[0]["team_name"] is None


def test_more_ids_than_a_kept_query_holds_are_read_by_the_orm(db):
    commitments = CommitmentFactory.create_batch(3)
    ids = [c.pk for c in commitments]
    rows = prefetch.read_values_kept(_rows, ids, key="small", size=2)
    assert sorted(row["id"] for row in rows) == sorted(ids)
    assert ("values", "small") not in prefetch._KEPT


def test_a_values_build_that_does_not_pass_its_ids_on_is_not_kept(db):
    first, second = CommitmentFactory(), CommitmentFactory()

    def build(ids):
        # Asks for the first id only, in Python: most stand-ins never reach the parameters.
        return _rows(ids[:1])

    rows = prefetch.read_values_kept(build, [second.pk, first.pk], key="deciding", size=2)
    assert [row["id"] for row in rows] == [second.pk]
    assert prefetch._KEPT[("values", "deciding")] is None


def test_the_list_reads_its_page_rows_through_one_kept_query(client, cast):
    for number in range(3):
        CommitmentFactory(team=cast.team, reference=f"TZ-{number}")
    client.force_login(cast.official)
    first = client.get("/commitments/?sort=reference")
    assert [row["reference"] for row in first.context["page"]] == ["TZ-0", "TZ-1", "TZ-2"]
    assert ("values", ("commitment_page_rows", 50)) in prefetch._KEPT
    assert prefetch._KEPT[("values", ("commitment_page_rows", 50))] is not None
    again = client.get("/commitments/?sort=reference")
    assert [row["due_display"] for row in again.context["page"]] == [
        row["due_display"] for row in first.context["page"]
    ]
