from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API (`/api/v1/`) and the personal API tokens scripts and systems use."""

    name = "api"

    def ready(self):
        from api import access, schema  # noqa: F401  (registers the rules and schema hooks)
