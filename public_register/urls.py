"""The public register under /openbaar/: pages and open data, no login, GET (and HEAD) only."""

from django.urls import path

from public_register import views

app_name = "public"

urlpatterns = [
    path("", views.commitment_list, name="list"),
    path("plannen/", views.plan_list, name="plan_list"),
    path("plannen/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("toezeggingen.csv", views.export_csv, name="export_csv"),
    path("toezeggingen.json", views.export_json, name="export_json"),
    path("taal/", views.switch_language, name="language"),
]
