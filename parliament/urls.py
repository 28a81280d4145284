from django.urls import path

from parliament import views

app_name = "parliament"

urlpatterns = [
    path("debate-reports/upload/", views.report_upload, name="report_upload"),
    path("review/", views.review_inbox, name="inbox"),
    path("review/<int:pk>/", views.proposal_review, name="proposal_review"),
    path("review/debate/<int:pk>/accept-all/", views.debate_accept_all, name="debate_accept_all"),
    path("register/differences/", views.register_differences, name="register_differences"),
    path(
        "register/differences/<int:pk>/",
        views.register_difference_resolve,
        name="register_difference_resolve",
    ),
    path("register/export.json", views.register_export_download, name="register_export"),
]
