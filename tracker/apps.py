from django.apps import AppConfig


class TrackerConfig(AppConfig):
    """The project package, installed for its template tags, form templates and checks."""

    name = "tracker"
    verbose_name = "Tracker"

    def ready(self):
        from tracker import checks  # noqa: F401 - registers the checks
        from tracker.data_version import connect_signals

        connect_signals()
