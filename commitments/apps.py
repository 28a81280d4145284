from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Commitments")

    def ready(self):
        from commitments import access  # noqa: F401 - registers the access rules
        from commitments.dashboard_cache import connect_signals
        from commitments.roles import ensure_role_groups
        from commitments.search import connect_signals as connect_search_signals

        # Permissions exist only after migrate has run, so the group is made then.
        post_migrate.connect(ensure_role_groups, sender=self)
        connect_signals()
        # Before the first query: SQLite's search needs its fold function on every connection.
        connect_search_signals()
