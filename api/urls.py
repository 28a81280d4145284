from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from api import profile, views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("deadline-changes", views.DeadlineChangeViewSet, basename="deadlinechange")
router.register("letters", views.LetterViewSet, basename="letter")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("debates", views.DebateViewSet, basename="debate")
router.register("bewindspersonen", views.BewindspersoonViewSet, basename="bewindspersoon")
router.register("committees", views.CommitteeViewSet, basename="committee")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("action-lines", views.ActionLineViewSet, basename="actionline")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    # The person's own page: API tokens and calendar feeds.
    path("profile/", profile.profile, name="profile"),
    path("profile/tokens/", profile.token_create, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", profile.token_revoke, name="token_revoke"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its start-up script as a file of its own, so the strict CSP holds.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # ReDoc styles itself inline and renders in a worker: only its page allows that.
    path(
        "api/v1/redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema")
        ),
        name="redoc",
    ),
    path("api/v1/", include(router.urls)),
    # Anything else under the API is a JSON 404, not the site's HTML page.
    re_path(r"^api/v1/", profile.api_not_found, name="not_found"),
]
