from django.urls import path

from feeds import views

app_name = "feeds"

urlpatterns = [
    path("calendar/", views.feed_manage, name="manage"),
    path("calendar/new/", views.feed_create, name="create"),
    path("calendar/<int:pk>/regenerate/", views.feed_regenerate, name="regenerate"),
    path("calendar/<int:pk>/revoke/", views.feed_revoke, name="revoke"),
    # The address calendar clients subscribe to; the token is the credential.
    path("calendar/<str:token>.ics", views.feed_ics, name="ics"),
]
