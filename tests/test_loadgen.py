"""The load generator of the benchmark, at a small size, on SQLite and on PostgreSQL."""

import datetime
import io
import json
from array import array

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from actionlines.models import ActionLine, Activity, Organisation, Plan, Team
from commitments.loadgen.generate import BULK_MODELS, _stable_order
from commitments.loadgen.markers import NAME_SUFFIX, REFERENCE_PREFIX, USERNAME_PREFIX
from commitments.management.commands.setup_demo import TEAM as DEMO_TEAM
from commitments.models import (
    OPEN_STATUSES,
    STATUSES_NEEDING_EVIDENCE,
    Addressee,
    Bewindspersoon,
    Commitment,
    CommitmentStatus,
    Committee,
    DeadlineChange,
    Debate,
    FollowUpLetter,
    ParliamentaryDocument,
    ProgressUpdate,
)
from tests.factories import CommitmentFactory, UserFactory
from tracker.actors import system_actor

TODAY = datetime.date(2025, 11, 3)
SIZE = {"commitments": 500, "updates": 3000, "users": 30, "teams": 5}
# Every model the generator makes records of that keeps an audit history.
HISTORIED = [
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
    DeadlineChange,
    FollowUpLetter,
]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """The command's record of itself goes here, not over a real run's in var/bench/."""
    settings.VAR_DIR = tmp_path
    return tmp_path


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
    # Besides its users, the generator's own system actor, which wrote the history.
    others = get_user_model().objects.exclude(username__startswith="gen-user-")
    assert list(others.values_list("username", "is_active")) == [("system:loadgen", False)]
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
    assert get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).count() == 30
    assert get_user_model().objects.count() == 31  # and the one system:loadgen of both runs
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


def _history(of: dict[str, list] | None = None) -> dict[str, list]:
    """The history rows of every record, or of the records in `of`: (id, type, user) each."""
    rows = {}
    for model in HISTORIED:
        history = model.history.model.objects.all()
        if of is not None:
            history = history.filter(id__in={row[0] for row in of[model._meta.label]})
        rows[model._meta.label] = sorted(
            history.values_list("id", "history_type", "history_user__username")
        )
    return rows


def test_the_2016_plan_and_the_demo_setup_do_not_count_as_real_data(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load_plan", verbosity=0)
    call_command("setup_demo", verbosity=0)
    demo_team = Team.objects.get(name=DEMO_TEAM)
    members = sorted(demo_team.members.values_list("username", flat=True))
    before = _history()
    # What the plan and the demo setup wrote is theirs: by their system actors.
    assert {user for rows in before.values() for _i, _t, user in rows} == {
        "system:fixture",
        "system:demo",
    }

    generate()
    generate(seed=8)  # replacing generated data leaves theirs alone too

    assert Commitment.objects.filter(reference__startswith="KST-2016-").count() == 5
    assert (
        Commitment.objects.filter(
            Q(reference__startswith=REFERENCE_PREFIX) | Q(reference__startswith="KST-2016-")
        ).count()
        == 505
    )
    assert not Commitment.objects.filter(reference__startswith="KST-2016-", team=None).exists()
    assert sorted(demo_team.members.values_list("username", flat=True)) == members
    assert _history(of=before) == before
    assert get_user_model().objects.filter(username__startswith="system:").count() == 3


def test_a_user_named_like_a_system_actor_but_active_is_real_data():
    UserFactory(username="system:loadgen", is_active=True)

    with pytest.raises(CommandError, match="system:loadgen"):
        generate()


def _loadgen_rows(model):
    return model.history.model.objects.filter(history_type="+")


def test_every_generated_record_is_created_in_the_history_by_the_load_generator():
    generate()
    actor = system_actor("loadgen")

    for model in HISTORIED:
        records = model.objects.all()
        created = _loadgen_rows(model)
        assert records.exists(), model
        # Exactly one '+' row per record, by the generator's system actor, for its reason.
        assert sorted(created.values_list("id", flat=True)) == sorted(
            records.values_list("pk", flat=True)
        ), model
        assert not created.exclude(history_user=actor).exists(), model
        assert not created.exclude(history_change_reason="generate_load").exists(), model
        assert not created.filter(history_date__gt=timezone.now()).exists(), model
        assert not model.history.model.objects.filter(history_type="-").exists(), model
        if model is not Commitment:  # created as it is; a commitment's later saves follow
            assert model.history.model.objects.count() == records.count(), model
            # The same field values, the fields added later (version) among them.
            fields = [
                f.attname
                for f in model.history.model._meta.concrete_fields
                if not f.name.startswith("history")
            ]
            assert set(created.values_list(*fields)) == set(records.values_list(*fields)), model
            if any(f == "version" for f in fields):
                assert set(records.values_list("version", flat=True)) == {1}, model


def test_a_generated_commitment_begins_its_history_when_it_was_registered():
    generate()
    actor = system_actor("loadgen")

    commitments = Commitment.objects.filter(reference__startswith=REFERENCE_PREFIX)
    assert commitments.count() == 500
    created = Commitment.history.filter(history_type="+")
    assert created.count() == 500
    assert created.values("id").distinct().count() == 500
    assert not created.exclude(history_user=actor).exists()
    for commitment in commitments.order_by("?")[:20]:
        first = commitment.history.earliest()
        assert first.history_type == "+"
        assert first.history_date == commitment.created_at
        assert first.status == CommitmentStatus.OPEN
        assert first.due_date == commitment.original_due_date
        # What follows is the work of people, as the progress updates say.
        later = commitment.history.exclude(history_id=first.history_id)
        assert not later.filter(Q(history_user=actor) | Q(history_type="+")).exists()


def test_the_history_of_a_generated_team_shows_its_people():
    generate()

    for team in Team.objects.all():
        created = team.history.get()
        assert created.history_type == "+"
        for field in ("members", "managers"):
            now = sorted(getattr(team, field).values_list("pk", flat=True))
            then = sorted(getattr(created, field).values_list("user_id", flat=True))
            assert now == then, (team, field)
    assert Team.objects.filter(members__isnull=False).exists()


def _orphans(model) -> int:
    """History rows of records that no longer exist."""
    return model.history.model.objects.exclude(id__in=model.objects.values("pk")).count()


def test_running_again_replaces_the_history_too():
    generate()
    generate(seed=8)

    for model in HISTORIED:
        assert _orphans(model) == 0, model
        assert not model.history.model.objects.filter(history_type="-").exists(), model
        created = _loadgen_rows(model)
        assert created.count() == model.objects.count(), model
    assert Commitment.history.values("id").distinct().count() == 500
    for field in ("members", "managers"):
        m2m_history = getattr(Team.history.model, field).model
        assert not m2m_history.objects.exclude(
            history__in=Team.history.model.objects.all()
        ).exists()
        assert m2m_history.objects.count() == getattr(Team, field).through.objects.count()
    # Every reference is whole, as the commit would check.
    connection.check_constraints()


def test_a_forced_run_detaches_real_records_from_generated_ones_in_their_history():
    generate()
    team = Team.objects.first()
    real = CommitmentFactory(reference="TZ-00001", team=team)
    version = real.version

    generate(force=True)

    real.refresh_from_db()
    assert real.team is None
    assert real.version == version + 1
    latest = real.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == system_actor("loadgen")
    assert latest.history_change_reason == "generate_load"
    connection.check_constraints()


def _content():
    """What a run wrote, without the numbers the database hands out itself."""
    return (
        list(
            Commitment.objects.order_by("id").values_list(
                "id", "reference", "text", "status", "due_date", "original_due_date",
                "fulfilled_on", "owner__username", "team__name", "created_at", "updated_at",
                "version",
            )
        ),
        list(
            ProgressUpdate.objects.order_by("id").values_list(
                "commitment_id", "author__username", "created_at", "note", "status_after",
                "evidence_document_id",
            )
        ),
        list(
            Commitment.history.order_by("history_id").values_list(
                "id", "history_date", "status", "due_date", "version", "history_user__username"
            )
        ),
        list(
            DeadlineChange.objects.order_by("id").values_list(
                "commitment_id", "state", "new_due_date"
            )
        ),
    )  # fmt: skip


def test_the_same_seed_size_and_day_give_the_same_data():
    generate()
    first = _content()
    generate()  # replaces the first set by the same one

    assert _content() == first
    generate(seed=8)
    assert _content()[0] != first[0]


def test_progress_and_history_lie_in_their_tables_in_the_order_they_happened():
    generate()

    recorded = list(ProgressUpdate.objects.order_by("id").values_list("created_at", flat=True))
    assert recorded == sorted(recorded)
    history = list(Commitment.history.order_by("history_id").values_list("history_date", flat=True))
    assert history == sorted(history)
    # Interleaved across commitments, as in production, not one commitment after the other.
    commitments = list(ProgressUpdate.objects.order_by("id").values_list("commitment", flat=True))
    assert commitments != sorted(commitments)


def test_exactly_one_long_running_commitment_has_a_hundred_updates():
    generate()

    hundred = Commitment.objects.annotate(n=Count("updates")).filter(n=100)
    assert hundred.count() == 1
    showcase = hundred.get()
    assert showcase.status == CommitmentStatus.IN_PROGRESS
    assert (TODAY - showcase.made_on).days > 365
    assert showcase.history.count() == showcase.version >= 101


def test_the_generated_world_has_the_shape_of_a_ministry():
    generate()

    # Letters often fulfil several commitments at once.
    letters = Commitment.fulfilling_documents.through.objects.values("parliamentarydocument")
    assert letters.annotate(n=Count("commitment")).filter(n__gt=1).exists()
    # Moved deadlines were asked and approved; some requests were turned down.
    assert {"approved", "rejected"} <= set(DeadlineChange.objects.values_list("state", flat=True))
    assert FollowUpLetter.commitments.through.objects.exists()
    assert Commitment.objects.filter(relations_from__isnull=False).exists()
    assert Commitment.objects.filter(made_to__isnull=False).exists()
    assert Commitment.objects.filter(activities__isnull=False).exists()
    # Registered in the order they were made: the oldest have the lowest ids.
    made_on = list(Commitment.objects.order_by("id").values_list("made_on", flat=True))
    assert made_on == sorted(made_on)


def _constraints() -> dict[str, dict]:
    with connection.cursor() as cursor:
        return {
            model._meta.db_table: connection.introspection.get_constraints(
                cursor, model._meta.db_table
            )
            for model in BULK_MODELS
        }


def test_the_indexes_and_foreign_keys_set_aside_for_the_load_are_all_back():
    before = _constraints()

    generate()
    generate(seed=8)

    assert _constraints() == before
    connection.check_constraints()


def test_the_staging_tables_are_gone_after_a_run():
    generate()

    for table in ("loadgen_progress_update", "loadgen_history_event", "loadgen_note"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)}")


def test_a_run_on_postgresql_records_its_size_time_and_memory(var_dir):
    generate()

    record_file = var_dir / "bench" / "generate_load.json"
    if connection.vendor != "postgresql":
        assert not record_file.exists()  # the benchmark runs on PostgreSQL only
        return
    record = json.loads(record_file.read_text())
    assert set(record) == {
        "database", "vendor", "size", "seconds", "peak_rss_mb", "finished_at",
    }  # fmt: skip
    assert record["vendor"] == "postgresql"
    assert record["database"] == connection.settings_dict["NAME"]
    assert record["size"] == SIZE
    assert record["peak_rss_mb"] > 0


def test_the_stable_order_sorts_by_key_and_keeps_the_order_of_equal_keys():
    assert list(_stable_order(array("i", [3, 1, 3, 0, 1]))) == [3, 1, 4, 0, 2]
    assert list(_stable_order(array("i"))) == []
