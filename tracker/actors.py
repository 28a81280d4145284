"""Who made a change, when no person did: the tracker's named system actors.

Every write has an actor. A person's is `request.user`; a fixture load, the demo setup, the
load generator and (later) imports and the Kamer's register each write as a *system actor*:
an inactive user that cannot log in, whose name says what it is ("systeem: gegevenslading").
Because it is a user, the audit history (`history_user`), progress updates and link changes
point at it like at anyone else, and the timeline shows who changed what.

A system actor's username starts with `system:`. Django's username validator refuses a colon,
so no account made through a form or the admin can ever pass for one.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

SYSTEM_PREFIX = "system:"

# key: the name shown in the interface (Dutch first; English through the translation).
SYSTEM_ACTORS = {
    "fixture": _("data load"),
    "demo": _("demo setup"),
    "loadgen": _("load generator"),
    "debate-import": _("debate report import"),
    "register-sync": _("register sync"),
}


def system_actor(key: str):
    """The user that writes on behalf of `key`, made on first use."""
    if key not in SYSTEM_ACTORS:
        raise ValueError(f"Unknown system actor {key!r}; known: {', '.join(SYSTEM_ACTORS)}")
    user, created = get_user_model().objects.get_or_create(
        username=f"{SYSTEM_PREFIX}{key}",
        defaults={
            "first_name": "systeem:",
            "last_name": str(SYSTEM_ACTORS[key]),
            "is_active": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_system_actor(user) -> bool:
    username = getattr(user, "username", "") or ""
    return username.startswith(SYSTEM_PREFIX) and not user.is_active


def actor_name(user) -> str:
    """How the interface names the author of a change: a person's name, or the system job."""
    if user is None:
        return str(_("system"))
    if is_system_actor(user):
        key = user.username.removeprefix(SYSTEM_PREFIX)
        label = SYSTEM_ACTORS.get(key, key)
        return str(_("system: %(job)s") % {"job": label})
    return user.get_full_name() or user.username
