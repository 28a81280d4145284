"""The rules of the domain, each enforced in a service or in the database."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from actionlines.models import Activity
from actionlines.services import activity_update_progress
from commitments import services
from commitments.models import Commitment, DeadlineChange, ProgressUpdate
from commitments.selectors import commitments_overdue
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    DeadlineChangeFactory,
    DebateFactory,
    DocumentFactory,
)
from tracker.concurrency import ConcurrentUpdateError

# Written for the suite's day (tests/conftest.py test_day).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_day")]


# --- fulfilled only with a fulfilling document ----------------------------------------------
def test_commitment_cannot_be_fulfilled_without_a_fulfilling_document(commitment, cast):
    with pytest.raises(ValidationError) as error:
        services.commitment_update_progress(
            commitment=commitment, author=cast.official, status="fulfilled", note="Klaar."
        )
    assert "evidence_document" in error.value.message_dict
    commitment.refresh_from_db()
    assert commitment.status == "open"
    assert not ProgressUpdate.objects.exists()


def test_commitment_cannot_be_partially_fulfilled_without_a_document(commitment, cast):
    with pytest.raises(ValidationError):
        services.commitment_update_progress(
            commitment=commitment, author=cast.official, status="partially_fulfilled"
        )


def test_fulfilling_with_a_kamerstuk_records_it_as_evidence(commitment, cast):
    letter = DocumentFactory(date=datetime.date(2025, 9, 20))
    services.commitment_update_progress(
        commitment=commitment, author=cast.official, status="fulfilled", evidence_document=letter
    )
    commitment.refresh_from_db()
    assert commitment.status == "fulfilled"
    assert list(commitment.fulfilling_documents.all()) == [letter]
    assert commitment.fulfilled_on == datetime.date(2025, 9, 20)


# --- the original due date is never overwritten ----------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_database_refuses_to_overwrite_the_original_due_date(cast):
    commitment = CommitmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk).unaudited_update(
            original_due_date=datetime.date(2026, 1, 1)
        )
    commitment.refresh_from_db()
    assert commitment.original_due_date == datetime.date(2025, 9, 30)


def test_first_due_date_may_be_set_when_there_was_none(cast):
    commitment = CommitmentFactory(
        team=cast.team, due_date=None, original_due_date=None, deadline_wording=""
    )
    services.commitment_update(
        commitment=commitment,
        author=cast.official,
        expected_version=commitment.version,
        due_date=datetime.date(2025, 12, 1),
    )
    commitment.refresh_from_db()
    assert commitment.due_date == commitment.original_due_date == datetime.date(2025, 12, 1)


def test_editing_a_commitment_does_not_move_its_due_date(commitment, cast):
    services.commitment_update(
        commitment=commitment,
        author=cast.official,
        expected_version=commitment.version,
        text="Nieuwe tekst.",
        due_date=datetime.date(2026, 6, 1),
    )
    commitment.refresh_from_db()
    assert commitment.text == "Nieuwe tekst."
    assert commitment.due_date == datetime.date(2025, 9, 30)


def test_commitment_update_refuses_status_as_a_field(commitment, cast):
    with pytest.raises(ValueError):
        services.commitment_update(
            commitment=commitment, author=cast.official, expected_version=None, status="lapsed"
        )


def test_approved_deadline_change_moves_due_date_and_keeps_original(commitment, cast):
    change = services.deadline_change_request(
        commitment=commitment,
        requested_by=cast.official,
        new_due_date=datetime.date(2025, 12, 15),
        reason="Het onderzoek loopt vertraging op.",
    )
    services.deadline_change_approve(change=change, decided_by=cast.manager, note="Akkoord.")
    commitment.refresh_from_db()
    change.refresh_from_db()
    assert commitment.due_date == datetime.date(2025, 12, 15)
    assert commitment.original_due_date == datetime.date(2025, 9, 30)
    assert change.state == "approved"
    assert change.original_due_date == datetime.date(2025, 9, 30)
    assert change.decided_by == cast.manager and change.decided_at is not None


def test_rejected_deadline_change_leaves_the_due_date(commitment, cast):
    change = DeadlineChangeFactory(commitment=commitment, requested_by=cast.official)
    services.deadline_change_reject(change=change, decided_by=cast.manager, note="Niet nodig.")
    commitment.refresh_from_db()
    assert commitment.due_date == datetime.date(2025, 9, 30)
    assert DeadlineChange.objects.get().state == "rejected"


def test_rejection_needs_a_reason(commitment, cast):
    change = DeadlineChangeFactory(commitment=commitment, requested_by=cast.official)
    with pytest.raises(ValidationError):
        services.deadline_change_reject(change=change, decided_by=cast.manager, note="  ")


def test_nobody_approves_their_own_deadline_change(commitment, cast):
    change = DeadlineChangeFactory(commitment=commitment, requested_by=cast.manager)
    with pytest.raises(PermissionDenied):
        services.deadline_change_approve(change=change, decided_by=cast.manager)


def test_database_refuses_a_self_decided_deadline_change(commitment, cast):
    change = DeadlineChangeFactory(commitment=commitment, requested_by=cast.manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlineChange.objects.filter(pk=change.pk).unaudited_update(
            state="approved",
            decided_by=cast.manager,
            decided_at=datetime.datetime.now(datetime.UTC),
        )


def test_a_request_is_decided_once(commitment, cast):
    change = DeadlineChangeFactory(commitment=commitment, requested_by=cast.official)
    services.deadline_change_approve(change=change, decided_by=cast.manager)
    with pytest.raises(ValidationError):
        services.deadline_change_reject(change=change, decided_by=cast.director, note="Toch niet.")
    assert DeadlineChange.objects.get().state == "approved"


def test_only_one_open_deadline_request_per_commitment(commitment, cast):
    services.deadline_change_request(
        commitment=commitment,
        requested_by=cast.official,
        new_due_date=datetime.date(2025, 12, 1),
        reason="Vertraging.",
    )
    with pytest.raises(ValidationError):
        services.deadline_change_request(
            commitment=commitment,
            requested_by=cast.official,
            new_due_date=datetime.date(2026, 1, 1),
            reason="Nog meer vertraging.",
        )
    assert DeadlineChange.objects.count() == 1


def test_deadline_request_needs_a_reason(commitment, cast):
    with pytest.raises(ValidationError):
        services.deadline_change_request(
            commitment=commitment,
            requested_by=cast.official,
            new_due_date=datetime.date(2025, 12, 1),
            reason=" ",
        )


# --- overdue is derived ------------------------------------------------------------------------
def test_overdue_is_derived_from_the_date_not_stored(cast):
    late = CommitmentFactory(due_date=datetime.date(2025, 10, 1))
    in_progress = CommitmentFactory(due_date=datetime.date(2025, 10, 2), status="in_progress")
    CommitmentFactory(due_date=datetime.date(2025, 11, 3))  # due today: not yet overdue
    CommitmentFactory(due_date=datetime.date(2025, 10, 1), status="lapsed")
    assert list(commitments_overdue(today=datetime.date(2025, 11, 3))) == [late, in_progress]
    assert list(commitments_overdue(today=datetime.date(2025, 10, 1))) == []
    assert "overdue" not in {field.name for field in Commitment._meta.get_fields()}
    assert late.is_overdue(datetime.date(2025, 11, 3))
    assert late.days_overdue(datetime.date(2025, 11, 3)) == 33


# --- progress within 0-100 -----------------------------------------------------------------------
def test_database_keeps_activity_progress_within_0_and_100(db):
    activity = ActivityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).unaudited_update(progress=101)


def test_activity_progress_service_refuses_more_than_100(cast):
    activity = ActivityFactory()
    with pytest.raises(ValidationError):
        activity_update_progress(
            activity=activity, author=cast.official, status="in_progress", progress=120
        )
    activity.refresh_from_db()
    assert activity.progress == 0


def test_activity_progress_update_records_before_and_after(cast):
    activity = ActivityFactory(team=cast.team)
    update = activity_update_progress(
        activity=activity, author=cast.official, status="in_progress", progress=40, note="Gestart."
    )
    activity.refresh_from_db()
    assert (activity.status, activity.progress) == ("in_progress", 40)
    assert (update.status_before, update.status_after) == ("planned", "in_progress")
    assert (update.progress_before, update.progress_after) == (0, 40)
    assert activity.history.first().history_user == cast.official


# --- unique references ---------------------------------------------------------------------------
def test_references_are_unique(db):
    CommitmentFactory(reference="TZ-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(reference="TZ-1")


def test_register_numbers_are_unique_when_given(db):
    CommitmentFactory(register_number="")
    CommitmentFactory(register_number="")
    CommitmentFactory(register_number="TZ202412-116")
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(register_number="TZ202412-116")


# --- status changes are recorded with who made them -----------------------------------------------
def test_status_change_is_recorded_with_its_author(commitment, cast):
    services.commitment_update_progress(
        commitment=commitment, author=cast.official, status="in_progress", note="Brief in de maak."
    )
    update = ProgressUpdate.objects.get()
    assert (update.status_before, update.status_after) == ("open", "in_progress")
    assert update.author == cast.official
    assert update.status_changed
    latest = commitment.history.first()
    assert latest.status == "in_progress"
    assert latest.history_user == cast.official


def test_made_in_a_debate_or_a_document(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(debate=None, source_document=None)


def test_commitment_create_resolves_the_worded_deadline(cast):
    template = CommitmentFactory(debate=DebateFactory(date=datetime.date(2025, 3, 4)))
    commitment = services.commitment_create(
        author=cast.official,
        reference="TZ-NEW",
        text="De minister stuurt voor de zomer een brief.",
        made_by=template.made_by,
        debate=template.debate,
        made_on=datetime.date(2025, 3, 4),
        deadline_wording="voor de zomer",
        team=cast.team,
    )
    assert commitment.due_date == commitment.original_due_date == datetime.date(2025, 7, 4)
    assert commitment.status == "open"
    assert commitment.history.first().history_user == cast.official


# --- optimistic locking --------------------------------------------------------------------------
def test_a_save_from_a_stale_version_is_refused(commitment, cast):
    opened_at = commitment.version
    services.commitment_update(
        commitment=commitment, author=cast.official, expected_version=opened_at, text="Eerste."
    )
    with pytest.raises(ConcurrentUpdateError):
        services.commitment_update(
            commitment=Commitment.objects.get(pk=commitment.pk),
            author=cast.admin,
            expected_version=opened_at,
            text="Tweede.",
        )
    assert Commitment.objects.get(pk=commitment.pk).text == "Eerste."


# --- the Kamer's register -------------------------------------------------------------------------
def test_every_status_maps_to_the_register_and_back_to_an_equivalent_status():
    from commitments.models import STATUS_TO_REGISTER, CommitmentStatus, status_from_register

    assert set(STATUS_TO_REGISTER) == set(CommitmentStatus.values)
    for status, register_value in STATUS_TO_REGISTER.items():
        back = status_from_register(register_value)
        # "In progress" is the ministry's own nuance: the register knows it as open.
        assert back == (CommitmentStatus.OPEN if status == CommitmentStatus.IN_PROGRESS else status)
    # Every spelling the feed has been seen to use, and nothing else.
    assert status_from_register("Deels voldaan") == CommitmentStatus.PARTIALLY_FULFILLED
    assert status_from_register(" Deels  Afgedaan ") == CommitmentStatus.PARTIALLY_FULFILLED
    assert status_from_register("Afgedaan") == CommitmentStatus.FULFILLED
    assert status_from_register("Ingetrokken") is None
    assert status_from_register("") is None
