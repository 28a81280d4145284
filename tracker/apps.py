from django.apps import AppConfig


class TrackerConfig(AppConfig):
    """The project package, installed for its template tags and shared form templates."""

    name = "tracker"
    verbose_name = "Tracker"
