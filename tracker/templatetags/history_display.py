"""People by their names in the admin's history, as everywhere in the tracker."""

from django import template

register = template.Library()


@register.filter
def person_name(user) -> str:
    """A person's full name; the username only for an account without one."""
    return (user.get_full_name() or user.get_username()) if user else ""
