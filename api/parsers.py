"""JSON bodies, refused with a message when a string holds a NUL (PostgreSQL cannot store one).

The input guard (`tracker/input_guard.py`) checks query strings and form bodies before any view
runs; a JSON body is only read here, so the same rule is kept here.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

NUL = "\x00"


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


class GuardedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _holds_nul(data):
            raise ParseError(
                _(
                    "Your input contains a character that is not allowed (NUL). Remove it "
                    "and try again; nothing was changed."
                )
            )
        return data
