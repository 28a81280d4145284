import os

import django
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup(set_prefix=False)

from tracker.checks import require_secret_key  # noqa: E402 - reads the settings loaded above

require_secret_key()

application = get_wsgi_application()
