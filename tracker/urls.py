from django.contrib import admin
from django.urls import include, path

from tracker.views import switch_language

urlpatterns = [
    path("", include("commitments.urls")),
    path("", include("actionlines.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", switch_language, name="set_language"),
    path("admin/", admin.site.urls),
]
