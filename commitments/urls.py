from django.urls import path

app_name = "commitments"

urlpatterns: list = [
    # Pages are added per area: list and exports, detail and forms, dashboard, letters,
    # deadline decisions, notifications.
]
