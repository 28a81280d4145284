from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParliamentConfig(AppConfig):
    """The Kamer's own formats: debate reports (VLOS) now, the register of commitments next.

    Reading a format is `vlos.py` (plain Python, no database); what the tracker does with what
    it read (proposals to review, matching debates and bewindspersonen) is this app's models
    and services. It depends on `commitments`, never the other way round.
    """

    name = "parliament"
    verbose_name = _("Parliament's data")

    def ready(self):
        from parliament import access  # noqa: F401 - registers the access rules
