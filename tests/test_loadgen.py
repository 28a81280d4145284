"""The load generator of the benchmark, at a small size, on SQLite and on PostgreSQL."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Q

from actionlines.models import ActionLine, Activity, Organisation, Plan, Team
from commitments.loadgen.markers import NAME_SUFFIX, REFERENCE_PREFIX, USERNAME_PREFIX
from commitments.models import (
    OPEN_STATUSES,
    STATUSES_NEEDING_EVIDENCE,
    Commitment,
    CommitmentStatus,
    DeadlineChange,
    FollowUpLetter,
    ParliamentaryDocument,
    ProgressUpdate,
)
from tests.factories import CommitmentFactory, UserFactory

TODAY = datetime.date(2025, 11, 3)
SIZE = {"commitments": 500, "updates": 3000, "users": 30, "teams": 5}

pytestmark = pytest.mark.django_db


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_load", **{**SIZE, "seed": 7, "today": TODAY, **options}, stdout=out)
    return out.getvalue()


def test_generate_load_writes_the_requested_numbers_and_times_its_phases():
    output = generate()

    assert Commitment.objects.filter(reference__startswith=REFERENCE_PREFIX).count() == 500
    assert ProgressUpdate.objects.count() == 3000
    assert get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).count() == 30
    assert Team.objects.count() == 5
    assert Team.objects.filter(parent__isnull=False).count() == 4
    assert Team.objects.filter(managers__isnull=False).distinct().count() == 5
    assert Plan.objects.exists() and ActionLine.objects.exists() and Activity.objects.exists()
    assert "progress updates" in output and "total" in output


def test_every_generated_record_is_recognisable_as_generated():
    generate()

    assert not Organisation.objects.exclude(name__endswith=NAME_SUFFIX).exists()
    assert not Team.objects.exclude(name__endswith=NAME_SUFFIX).exists()
    assert not ParliamentaryDocument.objects.exclude(title__endswith=NAME_SUFFIX).exists()
    assert not FollowUpLetter.objects.exclude(title__endswith=NAME_SUFFIX).exists()
    assert not Commitment.objects.exclude(reference__startswith=REFERENCE_PREFIX).exists()
    assert not get_user_model().objects.exclude(username__startswith="gen-user-").exists()
    # Generated users cannot log in.
    assert not any(user.has_usable_password() for user in get_user_model().objects.all())


def test_the_mix_of_statuses_looks_like_ten_years_of_a_ministry():
    generate()
    commitments = Commitment.objects.all()
    total = commitments.count()

    made_on = sorted(commitments.values_list("made_on", flat=True))
    assert (made_on[-1] - made_on[0]).days > 9 * 365
    assert made_on[-1] <= TODAY

    past = commitments.filter(due_date__lt=TODAY)
    fulfilled = past.filter(status=CommitmentStatus.FULFILLED).count()
    assert fulfilled > 0.7 * past.count()
    overdue = commitments.filter(status__in=OPEN_STATUSES, due_date__lt=TODAY).count()
    assert 0.01 * total <= overdue <= 0.10 * total
    assert commitments.filter(status=CommitmentStatus.LAPSED).exists()
    future = commitments.filter(due_date__gt=TODAY)
    assert future.exists()
    assert future.filter(status__in=OPEN_STATUSES).count() > 0.8 * future.count()


def test_fulfilled_commitments_have_the_letter_that_fulfilled_them():
    generate()
    done = Commitment.objects.filter(status__in=STATUSES_NEEDING_EVIDENCE)

    assert done.exists()
    assert not done.filter(fulfilling_documents__isnull=True).exists()
    assert not done.filter(fulfilled_on__isnull=True).exists()
    # The letter is dated on the day the commitment counts as fulfilled, after it was made.
    assert not done.exclude(fulfilling_documents__date=F("fulfilled_on")).exists()
    assert not done.filter(fulfilled_on__lt=F("made_on")).exists()


def test_moved_deadlines_keep_the_original_and_record_the_approved_change():
    generate()
    moved = Commitment.objects.filter(due_date__isnull=False).exclude(
        due_date=F("original_due_date")
    )

    assert moved.exists()
    assert not moved.filter(due_date__lt=F("original_due_date")).exists()
    for commitment in moved[:20]:
        approved = commitment.deadline_changes.filter(state="approved").order_by("new_due_date")
        assert approved.first().original_due_date == commitment.original_due_date
        assert approved.last().new_due_date == commitment.due_date
    assert not DeadlineChange.objects.filter(decided_by=F("requested_by")).exists()


def test_progress_and_history_tell_the_same_story_as_the_commitment():
    generate()
    closed = Commitment.objects.filter(
        status__in=[CommitmentStatus.FULFILLED, CommitmentStatus.LAPSED]
    ).annotate(updates_count=Count("updates"))
    for commitment in closed.filter(updates_count__gt=0)[:30]:
        last = commitment.updates.order_by("-created_at", "-id").first()
        assert last.status_after == commitment.status
        # One audit row per save: the creation, each update, each approved change.
        assert commitment.history.count() == commitment.version

    lengths = [len(note) for note in ProgressUpdate.objects.values_list("note", flat=True)]
    assert min(lengths) >= 20 and max(lengths) <= 601
    assert max(lengths) > 300  # some long notes, not only one-liners
    assert (
        ProgressUpdate.objects.values("commitment").annotate(n=Count("id")).filter(n=100).exists()
    )


def test_running_again_replaces_the_generated_data():
    generate()
    generate(seed=8)

    assert Commitment.objects.count() == 500
    assert ProgressUpdate.objects.count() == 3000
    assert get_user_model().objects.count() == 30
    # The sequences moved past the generated ids: new records get new ids.
    assert (
        CommitmentFactory().pk
        > Commitment.objects.exclude(reference__startswith="TZ").aggregate(max_id=Max("id"))[
            "max_id"
        ]
    )


def test_refuses_a_database_with_real_commitments_unless_forced():
    CommitmentFactory(reference="TZ-00001")

    with pytest.raises(CommandError, match="TZ-00001"):
        generate()
    assert not Commitment.objects.filter(reference__startswith=REFERENCE_PREFIX).exists()

    generate(force=True)
    assert Commitment.objects.filter(reference="TZ-00001").exists()
    assert Commitment.objects.filter(reference__startswith=REFERENCE_PREFIX).count() == 500


def test_refuses_a_database_with_real_users():
    UserFactory(username="j.jansen")

    with pytest.raises(CommandError, match="j.jansen"):
        generate()


def test_the_2016_plan_and_the_demo_users_do_not_count_as_real_data(plan_2016):
    UserFactory(username="official")
    UserFactory(username="admin", is_staff=True, is_superuser=True)

    generate()

    assert Commitment.objects.filter(reference__startswith="KST-2016-").count() == 5
    assert (
        Commitment.objects.filter(
            Q(reference__startswith=REFERENCE_PREFIX) | Q(reference__startswith="KST-2016-")
        ).count()
        == 505
    )
