from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionlinesConfig(AppConfig):
    name = "actionlines"
    verbose_name = _("Plans and action lines")

    def ready(self):
        from actionlines import access  # registers the access rules

        access.connect_signals()
