"""The site's menu, rendered once per process for each state it can be in."""

from django import template
from django.conf import settings
from django.urls import get_script_prefix
from django.utils.translation import get_language

from commitments.templatetags.kamer_overview import makes_kamer_overview
from tracker.kept import KeptInProcess

register = template.Library()

MENU_TEMPLATE = "_nav.html"
# What the menu's template reads from the page's context. Each is part of the key in
# `site_menu`; tests/test_site_menu.py fails when the template reads anything else.
MENU_READS = frozenset(
    {
        "current",
        "request.resolver_match.url_name",
        "nav_shows_my_work",
        "user",
        "nav_review.shown",
        "nav_review.count",
        "nav_shows_decisions",
        "user.is_staff",
    }
)
# A key per language, page, kind of user and count of proposals to review: a few hundred.
_MENUS = KeptInProcess(512)


@register.simple_tag(takes_context=True)
def site_menu(context):
    """The menu's items (`_nav.html`) for this page and user, as rendered before in the same
    state.

    The menu is a function of the language, the page and a few facts about the user
    (MENU_READS): rendering it, fourteen links and their translations, cost 0.65 ms of every
    page (in-process, at 100,000 commitments); kept, it costs a look-up. With DEBUG on it is
    rendered every time, so that an edited template shows at once.
    """
    user = context["user"]
    review = context.get("nav_review") or {}
    match = getattr(context["request"], "resolver_match", None)
    key = (
        get_language(),
        get_script_prefix(),
        match.url_name if match else None,
        bool(context.get("nav_shows_my_work")),
        makes_kamer_overview(user),
        bool(review.get("shown")),
        review.get("count"),
        bool(context.get("nav_shows_decisions")),
        user.is_staff,
    )
    return _MENUS.get_or_make(
        key,
        lambda: context.template.engine.get_template(MENU_TEMPLATE).render(context),
        keep=not settings.DEBUG,
    )
