from django.contrib import admin
from django.urls import include, path

from tracker.views import ThrottledPasswordResetView, switch_language

urlpatterns = [
    path("", include("commitments.urls")),
    path("", include("actionlines.urls")),
    path("", include("parliament.urls")),
    path("", include("api.urls")),
    path("", include("feeds.urls")),
    path("openbaar/", include("public_register.urls")),
    # Before Django's own auth URLs, so that the throttled view answers this path.
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", switch_language, name="set_language"),
    path("admin/", admin.site.urls),
]
