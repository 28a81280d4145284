from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    """Calendar feeds (iCalendar) of due dates, letters and deadline requests, at secret URLs.

    It reads `commitments` (the selectors of "My work" and of what a user may read) and
    `actionlines` (teams); neither knows of it.
    """

    name = "feeds"
    verbose_name = _("Calendar feeds")

    def ready(self):
        from feeds import access  # noqa: F401 - registers the access rules
