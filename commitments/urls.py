from django.urls import path

from commitments.views import (
    dashboard,
    decisions,
    detail,
    letters,
    lists,
    notifications,
    records,
    work,
)

app_name = "commitments"

urlpatterns = [
    path("", work.my_work, name="my_work"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("commitments/", lists.commitment_list, name="list"),
    path("commitments/export.csv", lists.commitment_export_csv, name="export_csv"),
    path("commitments/export.xlsx", lists.commitment_export_xlsx, name="export_xlsx"),
    path("commitments/new/", detail.commitment_create, name="create"),
    path("commitments/<int:pk>/", detail.commitment_detail, name="detail"),
    path("commitments/<int:pk>/edit/", detail.commitment_edit, name="edit"),
    path("commitments/<int:pk>/progress/", detail.progress_create, name="progress"),
    path("commitments/<int:pk>/deadline/", detail.deadline_change_request, name="deadline_request"),
    path("evidence/<int:pk>/", detail.evidence_file, name="evidence_file"),
    path("deadline-changes/", decisions.deadline_change_list, name="deadline_changes"),
    path(
        "deadline-changes/<int:pk>/decide/",
        decisions.deadline_change_decide,
        name="deadline_decide",
    ),
    path("letters/", letters.letter_list, name="letter_list"),
    path("letters/new/", letters.letter_create, name="letter_create"),
    path("letters/<int:pk>/", letters.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/edit/", letters.letter_edit, name="letter_edit"),
    path("letters/<int:pk>/sent/", letters.letter_record_sent, name="letter_sent"),
    path("documents/", records.record_list, {"kind": "document"}, name="document_list"),
    path("documents/new/", records.record_form, {"kind": "document"}, name="document_create"),
    path(
        "documents/<int:pk>/edit/",
        records.record_form,
        {"kind": "document"},
        name="document_edit",
    ),
    path("debates/", records.record_list, {"kind": "debate"}, name="debate_list"),
    path("debates/new/", records.record_form, {"kind": "debate"}, name="debate_create"),
    path("debates/<int:pk>/edit/", records.record_form, {"kind": "debate"}, name="debate_edit"),
    path("notifications/", notifications.notification_list, name="notifications"),
]
