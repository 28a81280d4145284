"""Whether the menu offers the overview for the Kamer: to policy staff and admins, who send it.

The answer comes from the policy-staff permissions that the pages' access rules read once per
request (commitments.access), so the menu costs no query of its own on most pages.
"""

from django import template

from commitments.access import can_export, reads_everything

register = template.Library()


@register.filter
def makes_kamer_overview(user) -> bool:
    return reads_everything(user) or can_export(user)
