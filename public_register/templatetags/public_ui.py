"""Links of the public pages, built from the query the page was rendered for.

The public pages are cached per normalised query (public/cache.py), so their links must come
from that same query, not from the request's raw one: a parameter the pages do not read
would otherwise end up in a cached page that others receive.
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def public_query(context, **changes):
    """The page's query string with some parameters replaced (None removes one)."""
    query = context["query"].copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value not in (None, ""):
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""
