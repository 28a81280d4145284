"""The one-time display of a new feed's address, for whichever page shows the feeds."""

from django import template

register = template.Library()

# Set by the views that make an address (feeds.views), read once by the fragment.
NEW_ADDRESS_SESSION_KEY = "feeds_new_address"


@register.simple_tag(takes_context=True)
def feeds_new_address(context):
    """The address just made, taken out of the session: shown on this page, never again.

    A tag rather than a context variable, so that a page including the fragment needs to pass
    nothing but `feeds.selectors.profile_context(user)`.
    """
    session = getattr(context.get("request"), "session", None)
    if session is None:
        return None
    return session.pop(NEW_ADDRESS_SESSION_KEY, None)
