"""The site's menu is rendered once per state and kept (tracker.templatetags.site_menu): every
page and user still gets the menu of their own."""

import re

import pytest

from tracker.templatetags import site_menu

pytestmark = pytest.mark.django_db

TAG_WORDS = {"if", "or", "and", "not", "with", "endwith", "endif", "url", "translate", "load"}


@pytest.fixture(autouse=True)
def no_kept_menus():
    site_menu._MENUS.clear()
    yield
    site_menu._MENUS.clear()


def _menu(response) -> str:
    body = response.content.decode()
    return body[body.index('<nav class="site-nav"') : body.index("</nav>")]


def _current(menu: str) -> list[str]:
    return re.findall(r'<a href="([^"]*)" aria-current="page">', menu)


def _reads(source: str) -> set[str]:
    """The context variables a template's tags read (names of tags, libraries and filters
    left out)."""
    read = set()
    for tag in re.findall(r"{[{%](.*?)[%}]}", source):
        tag = re.sub(r"(['\"]).*?\1", " ", tag)  # no string literals: url names, messages
        words = re.findall(r"[A-Za-z_][\w.]*(?:\|\w+)?", tag)
        if words and words[0] == "load":
            continue
        for word in words:
            name = word.partition("|")[0]
            if name not in TAG_WORDS:
                read.add(name)
    return read


def test_the_menus_template_reads_only_what_its_key_holds():
    from django.conf import settings

    source = (settings.BASE_DIR / "templates" / site_menu.MENU_TEMPLATE).read_text()
    read = _reads(source)
    # `with current=…` names its source as well: both are in the key.
    assert read and read <= site_menu.MENU_READS, read - site_menu.MENU_READS
    # A new variable in the menu is noticed, and would have to join the key.
    assert _reads(source + "{% if user.email %}{{ badge|upper }}{% endif %}") - read == {
        "user.email",
        "badge",
    }


def test_a_kept_menu_marks_the_page_it_is_on(client, cast):
    client.force_login(cast.official)
    for _ in range(2):  # rendered, then kept
        assert _current(_menu(client.get("/commitments/"))) == ["/commitments/"]
        assert _current(_menu(client.get("/dashboard/"))) == ["/dashboard/"]
    assert len(site_menu._MENUS) == 2


def test_each_kind_of_user_keeps_a_menu_of_their_own(client, cast):
    client.force_login(cast.admin)
    assert "/admin/" in _menu(client.get("/commitments/"))
    client.force_login(cast.official)
    official_menu = _menu(client.get("/commitments/"))
    assert "/admin/" not in official_menu
    client.force_login(cast.admin)
    assert "/admin/" in _menu(client.get("/commitments/"))


def test_a_kept_menu_speaks_the_pages_language(client, cast):
    client.force_login(cast.official)
    dutch = _menu(client.get("/commitments/", HTTP_ACCEPT_LANGUAGE="nl"))
    client.cookies["django_language"] = "en"
    english = _menu(client.get("/commitments/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Toezeggingen" in dutch and "Commitments" in english
    assert "Toezeggingen" not in english


def test_with_debug_on_the_menu_is_rendered_every_time(client, cast, settings):
    settings.DEBUG = True
    client.force_login(cast.official)
    client.get("/commitments/")
    assert len(site_menu._MENUS) == 0
