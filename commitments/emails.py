"""E-mails of the tracker: rendered from `templates/emails/` in the recipient's language.

E-mails are read outside any request, so every link in them is absolute (`SITE_URL`).
"""

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from actionlines.models import Profile


def absolute_url(path: str) -> str:
    """`path` inside the app as a link that works from a mail client."""
    return f"{settings.SITE_URL}/{path.lstrip('/')}"


def commitment_path(pk: int) -> str:
    return reverse("commitments:detail", args=[pk])


def letter_path(pk: int) -> str:
    return reverse("commitments:letter_detail", args=[pk])


def notifications_path() -> str:
    return reverse("commitments:notifications")


def overdue_list_path(team_id: int) -> str:
    """The commitment list filtered on a team's overdue work, as the list page reads its query.

    Partially fulfilled commitments are open work too (`OPEN_STATUSES`)."""
    return (
        f"{reverse('commitments:list')}?status=open&status=in_progress&overdue=1&team={team_id}"
        "&status=partially_fulfilled"
    )


def recipient_language(user) -> str:
    profile = getattr(user, "profile", None)  # users made outside the app may have none
    return profile.language if profile is not None else Profile.Language.DUTCH


def email_message(*, name: str, recipient, context: dict) -> EmailMultiAlternatives:
    """Render `emails/<name>_subject.txt`, `<name>.txt` and `<name>.html` for one recipient.

    Everything language-dependent (labels, dates, plurals) is rendered inside the recipient's
    language, so the context holds plain values and model instances, never translated text.
    """
    language = recipient_language(recipient)
    context = {
        **context,
        "recipient": recipient,
        "site_url": settings.SITE_URL,
        "notifications_url": absolute_url(notifications_path()),
    }
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
        context["subject"] = subject
        text = render_to_string(f"emails/{name}.txt", context).strip() + "\n"
        html = render_to_string(f"emails/{name}.html", context)
    display_name = recipient.get_full_name() or recipient.get_username()
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[formataddr((display_name, recipient.email))],
        # RFC 3834: out-of-office replies and auto-responders leave these alone.
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message
