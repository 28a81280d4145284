"""The admin maintains every model from day one."""

import pytest
from django.contrib import admin
from django.urls import reverse

from commitments.models import Commitment, DeadlineChange

pytestmark = pytest.mark.django_db


def test_every_model_of_the_tracker_is_in_the_admin():
    from django.apps import apps

    for app_label in ("actionlines", "commitments"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.auto_created or model.__name__.startswith("Historical"):
                continue
            if model.__name__ == "CommitmentRelation":
                continue  # edited inline on the commitment
            assert admin.site.is_registered(model), model.__name__


def test_every_changelist_and_add_form_opens_with_the_plan_loaded(client, cast, plan_2016):
    client.force_login(cast.admin)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("actionlines", "commitments"):
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = client.get(reverse(f"{info}_changelist"), {"q": "kinder"})
        assert changelist.status_code == 200, info
        if model_admin.has_add_permission(changelist.wsgi_request):
            assert client.get(reverse(f"{info}_add")).status_code == 200, info
    commitment = Commitment.objects.get(reference="KST-2016-03")
    page = client.get(reverse("admin:commitments_commitment_change", args=[commitment.pk]))
    assert page.status_code == 200
    assert "Green Notices" in page.content.decode()


def test_a_year_beyond_any_date_leaves_every_date_hierarchy_unfiltered(client, cast):
    # Django parses the year of a date hierarchy and refuses it when it is no number, but not
    # when it is too large for a date: without SafeChangeList that was a server error.
    client.force_login(cast.admin)
    checked = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.date_hierarchy:
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        response = client.get(
            reverse(info), {f"{model_admin.date_hierarchy}__year": "9223372036854775808"}
        )
        assert response.status_code == 302 and response["Location"].endswith("?e=1"), info
        checked.append(model._meta.app_label)
    assert "axes" in checked and "commitments" in checked


def test_admin_search_finds_a_commitment_by_its_text(client, cast, plan_2016):
    client.force_login(cast.admin)
    page = client.get(reverse("admin:commitments_commitment_changelist"), {"q": "Green Notices"})
    assert [c.reference for c in page.context["cl"].result_list] == ["KST-2016-03"]


def test_admin_refuses_fulfilled_without_a_document(client, cast, commitment):
    client.force_login(cast.admin)
    url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        status="fulfilled",
        made_by=commitment.made_by_id,
        debate=commitment.debate_id,
        **{
            f"{prefix}-{key}": 0
            for prefix in ("relations_from", "updates", "deadline_changes")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "fulfilling_documents" in response.context["adminform"].form.errors
    commitment.refresh_from_db()
    assert commitment.status == "open"


def test_admin_action_approves_a_deadline_change_through_the_service(client, cast, commitment):
    import datetime

    change = DeadlineChange.objects.create(
        commitment=commitment,
        original_due_date=commitment.due_date,
        new_due_date=datetime.date(2026, 2, 1),
        reason="Vertraging.",
        requested_by=cast.official,
    )
    client.force_login(cast.admin)
    client.post(
        reverse("admin:commitments_deadlinechange_changelist"),
        {"action": "approve", "_selected_action": [change.pk]},
    )
    change.refresh_from_db()
    commitment.refresh_from_db()
    assert change.state == "approved"
    assert commitment.due_date == datetime.date(2026, 2, 1)
    assert commitment.original_due_date == datetime.date(2025, 9, 30)
