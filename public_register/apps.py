from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public register (`/openbaar/`): what the ministry promised, readable without a login."""

    name = "public_register"
    # The URL namespace, the templates and the label stay "public".
    label = "public"

    def ready(self):
        from public_register.cache import connect_signals

        connect_signals()
