"""The access matrix: every URL of the project, for every role, by GET and by POST.

`ACCESS` holds, for every URL pattern the resolver knows, which record fills its path and what
each role gets by GET and by POST with data that would succeed for a role that is allowed. A
refused request (403, 404, a redirect to a login page) must leave every table as it was; an
allowed POST must change something, so the matrix cannot pass by refusing everything. No page
may show the text, reference or title of a record the role may not read.

The world: team A (`cast.team`: member `official`, manager `manager`, its parent team managed
by `director`), team B (member `b_official`, managed by `hybrid`) and team C (member
`hybrid`). So `hybrid` is an official of one team and the manager of another: for team B's
records it reads but does not change, for team A's it is an outsider. `outsider` is a member
of `cast.other_team`, `staff` is policy staff, `admin` a superuser (also of /admin/). Each
record that is not public carries a marker in its text or title (`SECRETS`), searched for in
every answer. Debate A has a report whose captured commitments (proposals) are public: open ones
of no team, of team A and of team B, one that may be A1 and one linked to A2; their pages may
name A1 and A2 only to those who read them. The register sync, reading a local OData server,
links A3 of team A to the Kamer's record of it, which differs in status and text; another record
may be A4 (team A, not in the register) and waits in the review inbox; B2 has a note on why it
is not in the register.

The REST API (`/api/v1/`) answers JSON, anonymous users 401; its rows post JSON, and a write to
a record names the record's version in `If-Match` (without it 428, stale 412, both refusals).
Each role has an API token; the rows "by token" send it instead of relying on the session.
A calendar feed answers by the token in its address, whoever asks: its body is checked against
what the feed's owner may read (`Row.reader`). The public register (`/openbaar/`) is the same
for everyone and is checked against what nobody may read: no secret, whoever asks. The one
public commitment of the world (team A's, in a plan public by default) carries a progress note
that only team A's readers may see, on the tracker's pages and never on the public ones.

Each role's cells run on one world: every cell runs in a savepoint that is rolled back after
it, so the next cell finds the world as it was built, as if on a fresh one. The tables are
compared with the snapshot taken before the first cell whenever the cell's request issued a
writing SQL statement (`WriteLog`); a request that issued none cannot have changed them.
"""

import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from actionlines.models import ActivityUpdate, Place, Profile
from api import services as api_services
from commitments import services
from commitments.models import (
    Addressee,
    Commitment,
    CommitmentRelation,
    EmailPreference,
    FollowUpLetter,
    LetterPostponement,
    LinkChange,
    Notification,
    ParliamentaryDocument,
    ProgressUpdate,
    ReminderScan,
)
from commitments.reminders.scan import reminders_send_due
from commitments.views.overview import DOCX_TYPE
from feeds import services as feed_services
from feeds.models import CalendarFeed
from parliament import selectors as parliament_selectors
from parliament import services as parliament_services
from parliament import sync, vlos
from parliament.models import ImportedReport, Proposal, RegisterCursor, RegisterEntry, RegisterNote
from tests.factories import (
    ActionLineFactory,
    ActivityFactory,
    BewindspersoonFactory,
    CommitmentFactory,
    CommitteeFactory,
    DeadlineChangeFactory,
    DebateFactory,
    DocumentFactory,
    FollowUpLetterFactory,
    OrganisationFactory,
    PlanFactory,
    TeamFactory,
    UserFactory,
)
from tests.register_server import RegisterServer
from tests.test_register_sync import MINISTRY as REGISTER_MINISTRY
from tests.test_register_sync import toezegging
from tracker.access import allowed
from tracker.models import DataLoad, SourceRecord

pytestmark = pytest.mark.django_db

User = get_user_model()

ROLES = ("anonymous", "official", "outsider", "hybrid", "staff", "manager", "director", "admin")
LOGGED_IN = frozenset(ROLES) - {"anonymous"}
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory
NEW_PASSWORD = "Een heel ander wachtwoord, 2025!"

# Who reads and who changes the records of each team (README, "Using the tracker").
READERS = {
    "A": frozenset({"official", "manager", "director", "staff", "admin"}),
    "B": frozenset({"hybrid", "staff", "admin"}),
    "C": frozenset({"hybrid", "staff", "admin"}),
}
CHANGERS = {
    "A": frozenset({"official", "admin"}),
    "B": frozenset({"admin"}),
    "C": frozenset({"hybrid", "admin"}),
}
DECIDERS = {"A": frozenset({"manager", "director", "admin"}), "B": frozenset({"hybrid", "admin"})}
# Members of any team register commitments, letters, documents and debates.
OFFICIALS = frozenset({"official", "outsider", "hybrid", "admin"})
MANAGERS = frozenset({"manager", "director", "hybrid", "admin"})
EXPORTERS = frozenset({"staff", "admin"})
# Debate reports are public: officials of any team, policy staff and admins upload them and read
# what was captured. A proposal is reviewed by an official of its team (any official while it has
# no team), policy staff and admins (parliament/access.py).
DEBATE_READERS = frozenset({"official", "outsider", "hybrid", "staff", "admin"})
PROPOSAL_REVIEWERS = {
    None: DEBATE_READERS,
    "A": frozenset({"official", "staff", "admin"}),
    "B": frozenset({"staff", "admin"}),
}

# The secrets of the world: text a role outside READERS[team] must never get to see.
SECRETS = {
    "A1 text": ("A", "GEHEIM-A1-7f3c91d2"),
    "A1 reference": ("A", "TZ-SECRET-A1"),
    "A1 progress note": ("A", "NOTITIE-A1-52be07"),
    "A1 evidence": ("A", "PDFGEHEIM-A1-c0ffee"),
    "A1 deadline reason": ("A", "REDEN-A1-d34d11"),
    "A2 text": ("A", "GEHEIM-A2-19aa4e70"),
    "A2 reference": ("A", "TZ-SECRET-A2"),
    "A3 text": ("A", "GEHEIM-A3-5e2d7a90"),
    "A3 reference": ("A", "TZ-SECRET-A3"),
    # What the Kamer's register says of A3, shown beside ours on the differences page.
    "A3 register text": ("A", "KAMERTEKST-A3-4b1f06"),
    "A4 text": ("A", "GEHEIM-A4-c81e3b57"),
    "A4 reference": ("A", "TZ-SECRET-A4"),
    "letter A title": ("A", "GEHEIMEBRIEF-A-8e1f"),
    "B1 text": ("B", "GEHEIM-B1-3d5c88aa"),
    "B1 reference": ("B", "TZ-SECRET-B1"),
    "B1 progress note": ("B", "NOTITIE-B1-6610fe"),
    "B1 evidence": ("B", "PDFGEHEIM-B1-beef00"),
    "B1 deadline reason": ("B", "REDEN-B1-77aa02"),
    "B2 text": ("B", "GEHEIM-B2-0b7e5a11"),
    "B2 reference": ("B", "TZ-SECRET-B2"),
    "B2 register note": ("B", "REGISTERNOTITIE-B2-9d3a"),
    "letter B title": ("B", "GEHEIMEBRIEF-B-41c7"),
    "letter C title": ("C", "GEHEIMEBRIEF-C-a9d0"),
    # The public commitment's progress is internal: team A reads it, the public register never.
    "public progress note": ("A", "NOTITIE-OPENBAAR-3c9e1a"),
    # The subjects of the reminders sent to the official (on A1) and the hybrid (on B1): each
    # recipient's own, on the notifications page and in the API's list of them.
    "A1 reminder subject": ("A", "HERINNERING-A1-e0d4"),
    "B1 digest subject": ("B", "OVERZICHT-B1-71c2"),
}


def secret(name: str) -> str:
    return SECRETS[name][1]


def unreadable_secrets(role: str) -> dict[str, str]:
    return {name: marker for name, (team, marker) in SECRETS.items() if role not in READERS[team]}


# --- expected answers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """A 302 to this path (the query string aside): a login page, the admin's index."""

    to: str
    refusal: bool = True

    def __str__(self):
        return f"302 → {self.to}"


LOGIN = Redirect("/accounts/login/")
ADMIN_LOGIN = Redirect("/admin/login/")
LOGGED_OUT = Redirect("/accounts/login/", refusal=False)  # LOGOUT_REDIRECT_URL
# 401: the API's answer to anonymous users; 412 and 428: a write with a stale or no `If-Match`.
REFUSALS = (400, 401, 403, 404, 405, 412, 428)

# What an allowed POST does to the tables.
CHANGES = "changes"  # the snapshot differs afterwards
UNCHANGED = "unchanged"  # a page that does not write (or a form that refuses): nothing differs
MAILS = "mails"  # an e-mail goes out; the tables stay as they were
UNCHECKED = "unchecked"  # logging in and out: sessions and the login log only


def refused(expected) -> bool:
    return expected.refusal if isinstance(expected, Redirect) else expected in REFUSALS


def everyone(value) -> dict[str, object]:
    return dict.fromkeys(ROLES, value)


def logged_in(roles, ok, otherwise=403) -> dict[str, object]:
    """`ok` for `roles`, `otherwise` for the other logged-in users, the login for anonymous."""
    return {
        role: LOGIN if role == "anonymous" else ok if role in roles else otherwise for role in ROLES
    }


PAGE = logged_in(LOGGED_IN, 200)
LANDING = {
    **PAGE,
    "staff": Redirect("/commitments/", refusal=False),
    "manager": Redirect("/dashboard/", refusal=False),
    "director": Redirect("/dashboard/", refusal=False),
    # An admin reads everything, as policy staff, and lands on the list of it
    # (commitments.access.landing_page; tests/test_list_search.py).
    "admin": Redirect("/commitments/", refusal=False),
}


def team_read(team: str, ok=200) -> dict[str, object]:
    """Readers of the team's records get `ok`; for everyone else the record does not exist."""
    return logged_in(READERS[team], ok, otherwise=404)


def team_change(team: str, ok, roles=None) -> dict[str, object]:
    """`roles` (the team's changers) get `ok`; other readers 403; the rest 404."""
    roles = CHANGERS[team] if roles is None else roles
    expected = team_read(team, ok=403)
    expected.update(dict.fromkeys(roles, ok))
    return expected


def admin_only(value, others=ADMIN_LOGIN) -> dict[str, object]:
    return {role: value if role == "admin" else others for role in ROLES}


@dataclass(frozen=True)
class Row:
    """One URL pattern filled with one record, and what each role gets by GET and by POST.

    `payload(world, role, client)` builds data that succeeds for a role that may do it;
    `post_path` replaces the path for the POST (a flow whose GET leads elsewhere); `effect`
    says what an allowed POST does, per role where it differs. `content_type` is the POST's
    body (the API's JSON); `headers(world, role)` are sent with both methods (`If-Match`, an
    API token); `media_type` is what a 2xx answer must be; `reader` is the role whose reading
    rights the body is checked against when not the requester's (a feed's owner; "anonymous"
    for the public register: nobody's secrets).
    """

    label: str
    path: Callable
    get: dict
    post: dict
    payload: Callable | None = None
    effect: object = CHANGES
    query: Callable | None = None
    post_path: Callable | None = None
    content_type: str | None = None
    headers: Callable | None = None
    media_type: str | None = None
    reader: str | None = None

    def effect_for(self, role):
        return self.effect.get(role, UNCHANGED) if isinstance(self.effect, dict) else self.effect


def named(name, key=None, *extra):
    """The path of URL `name`, its argument the pk of world record `key`."""

    def path(world, role):
        args = [world[key].pk] if key else []
        return reverse(name, args=[*args, *extra])

    return path


def read_only(label, path, get, post=None, query=None):
    """A page that does not write: a POST answers like a GET and changes nothing."""
    return Row(label, path, get, get if post is None else post, effect=UNCHANGED, query=query)


# --- payloads: data that succeeds for a role that is allowed -----------------------------------


def _commitment_create(world, role, client):
    return {
        "reference": f"TZ-NIEUW-{role}",
        "text": "De minister zal de Kamer voor de zomer informeren.",
        "chamber": "tk",
        "made_by": world["minister"].pk,
        "debate": f"[id {world['debate A'].pk}]",
        "made_on": "2025-07-02",
        "deadline_wording": "na de zomer",
        "team": world.own_team(role).pk,
    }


def _api_commitment_create(world, role, client):
    """The same commitment by the API, which names the debate by its pk (the form's lookup box
    takes its suggestion, "… [id 7]")."""
    return {**_commitment_create(world, role, client), "debate": world["debate A"].pk}


def _commitment_edit(key):
    def payload(world, role, client):
        commitment = Commitment.objects.get(pk=world[key].pk)
        return {
            "reference": commitment.reference,
            "register_number": commitment.register_number,
            "text": f"{commitment.text} Bijgewerkt.",
            "chamber": commitment.chamber,
            "made_by": commitment.made_by_id,
            "debate": f"[id {commitment.debate_id}]",
            "made_on": commitment.made_on.isoformat(),
            "deadline_wording": commitment.deadline_wording,
            "owner": commitment.owner_id or "",
            "team": commitment.team_id,
            "activities": [activity.pk for activity in commitment.activities.all()],
            "version": commitment.version,
        }

    return payload


def _progress(key):
    def payload(world, role, client):
        commitment = Commitment.objects.get(pk=world[key].pk)
        return {"status": "in_progress", "note": "Er is voortgang.", "version": commitment.version}

    return payload


def _deadline_request(world, role, client):
    # A new due date lies after today (services.deadline_change_request).
    return {"new_due_date": "2027-03-01", "reason": "De regelgeving is vertraagd."}


def _decision(world, role, client):
    return {"decision": "approve", "note": "Akkoord."}


def _letter_create(world, role, client):
    user = world.user(role)
    return {
        "title": f"Nieuwe voortgangsbrief ({role})",
        "planned_date": "2026-02-01",
        "drafter": user.pk,
        "team": world.own_team(role).pk,
        "commitments": [world["A1"].pk] if role in ("official", "admin") else [],
    }


def _letter_edit(key):
    def payload(world, role, client):
        letter = FollowUpLetter.objects.get(pk=world[key].pk)
        user = world.user(role)
        mine = [
            c.pk
            for c in letter.commitments.all()
            if allowed(user, "commitments.change_commitment", c)
        ]
        return {
            "title": f"{letter.title} (herzien)",
            "planned_date": "2026-02-01",
            "drafter": letter.drafter_id or "",
            "team": letter.team_id or "",
            # Those the role may change; a role that may not change the letter asks for all.
            "commitments": mine
            if allowed(user, "commitments.change_followupletter", letter)
            else [c.pk for c in letter.commitments.all()],
            "version": letter.version,
        }

    return payload


def _letter_sent(key):
    def payload(world, role, client):
        letter = FollowUpLetter.objects.get(pk=world[key].pk)
        return {
            "new_document_dossier": "31 015",
            "new_document_volgnummer": "9001",
            "new_document_date": "2025-10-01",
            "new_document_title": "Voortgangsbrief zoals verzonden",
            "version": letter.version,
            # Every commitment on the letter, as a hand-made POST would send them.
            **{f"outcome_{c.pk}": "fulfilled" for c in letter.commitments.all()},
        }

    return payload


def _letter_postpone(key):
    """To a later day than the letter's plan and than today, with the reason."""

    def payload(world, role, client):
        letter = FollowUpLetter.objects.get(pk=world[key].pk)
        return {
            "planned_date": "2027-02-01",
            "reason": "Het onderzoek loopt uit; de Kamer krijgt een uitstelbericht.",
            "version": letter.version,
        }

    return payload


def _letter_cancel(key):
    """Cancelled without a letter to move to: its open commitments stay open, off the letter."""

    def payload(world, role, client):
        letter = FollowUpLetter.objects.get(pk=world[key].pk)
        return {
            "cancellation_reason": "De brief gaat op in de jaarrapportage.",
            "move_to": "",
            "version": letter.version,
        }

    return payload


def _document(world, role, client):
    return {
        "chamber": "tk",
        "dossier_number": "31 015",
        "volgnummer": "9002",
        "date": "2025-10-01",
        "title": "Nieuwe Kamerbrief",
        "kind": "kamerbrief",
        "url": "",
    }


def _document_edit(world, role, client):
    document = ParliamentaryDocument.objects.get(pk=world["document A"].pk)
    return {
        "chamber": document.chamber,
        "dossier_number": document.dossier_number,
        "volgnummer": document.volgnummer,
        "date": document.date.isoformat(),
        "title": f"{document.title} (gecorrigeerd)",
        "kind": document.kind,
        "url": "",
        "version": document.version,
    }


def _debate(world, role, client):
    return {
        "kind": "commissiedebat",
        "title": "Nieuw commissiedebat",
        "date": "2025-10-01",
        "chamber": "tk",
        "committee": world["committee"].pk,
        "activity_number": "",
        "report": "",
    }


def _debate_edit(world, role, client):
    debate = type(world["debate A"]).objects.get(pk=world["debate A"].pk)
    return {
        "kind": debate.kind,
        "title": f"{debate.title} (gecorrigeerd)",
        "date": debate.date.isoformat(),
        "chamber": debate.chamber,
        "committee": debate.committee_id or "",
        "activity_number": debate.activity_number,
        "report": debate.report_id or "",
        "version": debate.version,
    }


def _activity_progress(key):
    def payload(world, role, client):
        activity = type(world[key]).objects.get(pk=world[key].pk)
        return {
            "status": "in_progress",
            "progress": "40",
            "note": "Halverwege.",
            "link": "",
            "version": activity.version,
        }

    return payload


def _credentials(world, role, client):
    return {"username": world.user(role).username, "password": PASSWORD}


def _password_change(world, role, client):
    return {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}


def _password_reset(world, role, client):
    return {"email": world.user(role).email}


def _new_password(world, role, client):
    return {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}


def _reset_link(world, role):
    user = world.user(role)
    return reverse(
        "password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )


def _reset_form(client, world, role):
    """The reset link puts its token in the session and leads to the set-password form."""
    response = client.get(_reset_link(world, role))
    assert response.status_code == 302, response.status_code
    return response["Location"]


def _language(world, role, client):
    return {"language": "en", "next": "/"}


# A small report in the real format whose chair reads out commitments: an allowed upload
# captures them (test_the_uploaded_report_captures_commitments).
VLOS_REPORT = Path(__file__).resolve().parent / "data" / "vlos" / "several_turns_corrections.xml"


def _report_upload(world, role, client):
    return {
        "reports": SimpleUploadedFile(
            VLOS_REPORT.name, VLOS_REPORT.read_bytes(), content_type="text/xml"
        )
    }


def _proposal_accept(key):
    """Accepted as read, into a team the reviewer may fill: an official's own team; staff and
    admins the proposal's team where it has one."""

    def payload(world, role, client):
        proposal = Proposal.objects.get(pk=world[key].pk)
        team = world.own_team(role)
        if role in ("staff", "admin") and proposal.team_id:
            team = proposal.team
        return {
            "action": "accept",
            "version": proposal.version,
            "reference": f"TZ-VOORSTEL-{role}",
            "text": proposal.text,
            "made_by": proposal.made_by_id,
            "team": team.pk,
            "owner": "",
            "deadline_wording": proposal.deadline_wording,
            "due_date": "",
        }

    return payload


def _proposal_reject(key):
    def payload(world, role, client):
        proposal = Proposal.objects.get(pk=world[key].pk)
        return {
            "action": "reject",
            "version": proposal.version,
            "reason": "Geen toezegging: de minister herhaalde een eerdere brief.",
        }

    return payload


def _proposal_link(key):
    """Linked to the registered commitment it may be, which only its team's readers may read."""

    def payload(world, role, client):
        proposal = Proposal.objects.get(pk=world[key].pk)
        return {
            "action": "link",
            "version": proposal.version,
            "commitment": proposal.possible_duplicate_id,
        }

    return payload


def _accept_all(world, role, client):
    return {"team": world.own_team(role).pk}


def _keep_apart(key):
    def payload(world, role, client):
        return {"action": "keep_apart", "version": Proposal.objects.get(pk=world[key].pk).version}

    return payload


def _difference(key, action, kind, **extra):
    """One answer to one difference with the Kamer's register, as the differences page posts it."""

    def payload(world, role, client):
        commitment = Commitment.objects.get(pk=world[key].pk)
        return {
            "action": action,
            "kind": kind,
            "version": commitment.version,
            "page": "1",
            **extra,
        }

    return payload


# --- the table -----------------------------------------------------------------------------------


def _site_rows() -> dict[str, list[Row]]:
    """The tracker's own pages and the accounts pages."""
    a1, b1 = "A1", "B1"
    rows = {
        # Only officials have work of their own; the others land where theirs is.
        "commitments:my_work": [read_only("", named("commitments:my_work"), LANDING)],
        "commitments:dashboard": [read_only("", named("commitments:dashboard"), PAGE)],
        # The list, also filtered on each team's letter and searched for the secrets: the
        # filter names only a letter the user may read, and lists only what they may read.
        "commitments:list": [
            read_only("", named("commitments:list"), PAGE),
            *(
                read_only(
                    f"{key} filter",
                    named("commitments:list"),
                    PAGE,
                    query=lambda world, key=key: {"letter": world[key].pk},
                )
                for key in ("letter A", "letter B", "letter C")
            ),
            read_only(
                "search", named("commitments:list"), PAGE, query=lambda world: {"q": "GEHEIM"}
            ),
            read_only(
                "register_differs filter",
                named("commitments:list"),
                PAGE,
                query=lambda world: {"register_differs": "1"},
            ),
        ],
        "commitments:export_csv": [
            read_only("", named("commitments:export_csv"), logged_in(EXPORTERS, 200)),
            read_only(
                "letter C filter",
                named("commitments:export_csv"),
                logged_in(EXPORTERS, 200),
                query=lambda world: {"letter": world["letter C"].pk},
            ),
        ],
        "commitments:export_xlsx": [
            read_only("", named("commitments:export_xlsx"), logged_in(EXPORTERS, 200))
        ],
        # The same rows as export_csv, for Excel with Dutch settings: for exporters only.
        "commitments:export_csv_nl": [
            Row(
                "",
                named("commitments:export_csv_nl"),
                logged_in(EXPORTERS, 200),
                logged_in(EXPORTERS, 200),
                effect=UNCHANGED,
                media_type="text/csv",
            ),
            Row(
                "letter C filter",
                named("commitments:export_csv_nl"),
                logged_in(EXPORTERS, 200),
                logged_in(EXPORTERS, 200),
                effect=UNCHANGED,
                query=lambda world: {"letter": world["letter C"].pk},
                media_type="text/csv",
            ),
        ],
        **_kamer_overview_rows(),
        "commitments:create": [
            Row(
                "",
                named("commitments:create"),
                logged_in(OFFICIALS, 200),
                logged_in(OFFICIALS, 302),
                _commitment_create,
            )
        ],
        "commitments:detail": [
            read_only(key, named("commitments:detail", key), team_read(team))
            # A3 is in the Kamer's register: its page shows the register's status and links
            # to the differences.
            for key, team in ((a1, "A"), (b1, "B"), ("A3", "A"))
        ],
        "commitments:edit": [
            Row(
                key,
                named("commitments:edit", key),
                team_change(team, 200),
                team_change(team, 302),
                _commitment_edit(key),
            )
            for key, team in ((a1, "A"), (b1, "B"))
        ],
        "commitments:progress": [
            Row(
                key,
                named("commitments:progress", key),
                team_change(team, 200),
                team_change(team, 302),
                _progress(key),
            )
            for key, team in ((a1, "A"), (b1, "B"))
        ],
        # A2 and B2 have no open request yet; A1 and B1 have one.
        "commitments:deadline_request": [
            Row(
                key,
                named("commitments:deadline_request", key),
                team_change(team, 200),
                team_change(team, 302),
                _deadline_request,
            )
            for key, team in (("A2", "A"), ("B2", "B"))
        ],
        "commitments:evidence_file": [
            read_only(key, named("commitments:evidence_file", key), team_read(team))
            for key, team in (("evidence A", "A"), ("evidence B", "B"))
        ],
        "commitments:deadline_changes": [
            read_only("", named("commitments:deadline_changes"), logged_in(MANAGERS, 200))
        ],
        "commitments:deadline_decide": [
            Row(
                key,
                named("commitments:deadline_decide", key),
                team_change(team, 200, DECIDERS[team]),
                team_change(team, 302, DECIDERS[team]),
                _decision,
            )
            for key, team in (("deadline change A", "A"), ("deadline change B", "B"))
        ],
        "commitments:letter_list": [read_only("", named("commitments:letter_list"), PAGE)],
        "commitments:letter_create": [
            Row(
                "",
                named("commitments:letter_create"),
                logged_in(OFFICIALS, 200),
                logged_in(OFFICIALS, 302),
                _letter_create,
            )
        ],
        "commitments:letter_detail": [
            read_only(key, named("commitments:letter_detail", key), team_read(team))
            for key, team in (("letter A", "A"), ("letter B", "B"), ("letter C", "C"))
        ],
        "commitments:letter_edit": [
            Row(
                key,
                named("commitments:letter_edit", key),
                team_change(team, 200),
                team_change(team, 302),
                _letter_edit(key),
            )
            for key, team in (("letter A", "A"), ("letter B", "B"), ("letter C", "C"))
        ],
        "commitments:letter_sent": [
            Row(
                key,
                named("commitments:letter_sent", key),
                team_change(team, 200),
                team_change(team, 302),
                _letter_sent(key),
            )
            for key, team in (("letter A", "A"), ("letter B", "B"), ("letter C", "C"))
        ],
        "commitments:letter_postpone": [
            Row(
                key,
                named("commitments:letter_postpone", key),
                team_change(team, 200),
                team_change(team, 302),
                _letter_postpone(key),
            )
            for key, team in (("letter A", "A"), ("letter B", "B"), ("letter C", "C"))
        ],
        # Cancelling takes the letter's open commitments off it, a change to each of them
        # (services.follow_up_letter_cancel): team C's letter answers A1 and B1, which its
        # changer (the hybrid) may not change, so only the admin cancels it.
        "commitments:letter_cancel": [
            *(
                Row(
                    key,
                    named("commitments:letter_cancel", key),
                    team_change(team, 200),
                    team_change(team, 302),
                    _letter_cancel(key),
                )
                for key, team in (("letter A", "A"), ("letter B", "B"))
            ),
            Row(
                "letter C",
                named("commitments:letter_cancel", "letter C"),
                team_change("C", 200),
                team_change("C", 302, roles={"admin"}),
                _letter_cancel("letter C"),
            ),
        ],
        "commitments:document_list": [read_only("", named("commitments:document_list"), PAGE)],
        "commitments:document_create": [
            Row(
                "",
                named("commitments:document_create"),
                logged_in(OFFICIALS, 200),
                logged_in(OFFICIALS, 302),
                _document,
            )
        ],
        "commitments:document_edit": [
            Row(
                "document A",
                named("commitments:document_edit", "document A"),
                logged_in(OFFICIALS, 200),
                logged_in(OFFICIALS, 302),
                _document_edit,
            )
        ],
        "commitments:debate_list": [read_only("", named("commitments:debate_list"), PAGE)],
        "commitments:debate_create": [
            Row(
                "",
                named("commitments:debate_create"),
                logged_in(OFFICIALS, 200),
                logged_in(OFFICIALS, 302),
                _debate,
            )
        ],
        "commitments:debate_edit": [
            Row(
                "debate A",
                named("commitments:debate_edit", "debate A"),
                logged_in(OFFICIALS, 200),
                logged_in(OFFICIALS, 302),
                _debate_edit,
            )
        ],
        "commitments:notifications": [read_only("", named("commitments:notifications"), PAGE)],
        # The suggestions of the forms' lookup boxes: the Kamer's records, which every user
        # reads; GET only (require_GET answers a POST before the login is asked).
        "commitments:lookup": [
            *(
                Row(
                    kind,
                    named("commitments:lookup", None, kind),
                    PAGE,
                    everyone(405),
                    effect=UNCHANGED,
                    query=lambda world, q=q: {"q": q},
                    media_type=JSON,
                )
                for kind, q in (("documents", "31 015"), ("debates", "Commissiedebat"))
            ),
            read_only(
                "unknown kind",
                named("commitments:lookup", None, "toezeggingen"),
                logged_in(LOGGED_IN, 404),
                everyone(405),
                query=lambda world: {"q": "GEHEIM"},
            ),
        ],
        "actionlines:plan_list": [read_only("", named("actionlines:plan_list"), PAGE)],
        "actionlines:plan_detail": [
            read_only("plan", named("actionlines:plan_detail", "plan"), PAGE)
        ],
        "actionlines:activity_detail": [
            read_only(key, named("actionlines:activity_detail", key), PAGE)
            for key in ("activity A", "activity B", "plan-wide activity")
        ],
        "actionlines:activity_progress": [
            Row(
                key,
                named("actionlines:activity_progress", key),
                logged_in(CHANGERS[team], 200),
                logged_in(CHANGERS[team], 302),
                _activity_progress(key),
            )
            for key, team in (("activity A", "A"), ("activity B", "B"))
        ],
        **_parliament_rows(),
        **_register_rows(),
        **_api_rows(),
        **_profile_rows(),
        **_feed_rows(),
        **_public_rows(),
        # The accounts pages: open to anonymous users.
        "login": [
            Row(
                "",
                named("login"),
                everyone(200),
                everyone(302),
                _credentials,
                effect=UNCHECKED,
            )
        ],
        "logout": [Row("", named("logout"), everyone(405), everyone(LOGGED_OUT), effect=UNCHECKED)],
        "password_change": [
            Row(
                "",
                named("password_change"),
                PAGE,
                logged_in(LOGGED_IN, 302),
                _password_change,
            )
        ],
        "password_change_done": [
            read_only("", named("password_change_done"), PAGE, logged_in(LOGGED_IN, 405))
        ],
        "password_reset": [
            Row(
                "",
                named("password_reset"),
                everyone(200),
                everyone(302),
                _password_reset,
                effect=MAILS,
            )
        ],
        "password_reset_done": [
            read_only("", named("password_reset_done"), everyone(200), everyone(405))
        ],
        "password_reset_confirm": [
            Row(
                "own account",
                _reset_link,
                everyone(302),
                everyone(302),
                _new_password,
                post_path=_reset_form,
            )
        ],
        "password_reset_complete": [
            read_only("", named("password_reset_complete"), everyone(200), everyone(405))
        ],
        "set_language": [
            Row(
                "",
                named("set_language"),
                everyone(302),
                everyone(302),
                _language,
                # A logged-in user's choice is kept in their profile; anonymous in a cookie.
                effect=dict.fromkeys(LOGGED_IN, CHANGES),
            )
        ],
    }
    return rows


def _overview_of(key, as_of=None):
    """The overview's pick form filled in: whose (world record `key`, a bewindspersoon or a
    committee) and as of which day (today: the reference date may not lie in the future)."""
    field = "committee" if key == "committee" else "bewindspersoon"

    def query(world):
        return {field: world[key].pk, "as_of": (as_of or timezone.localdate()).isoformat()}

    return query


def _kamer_overview_rows() -> dict[str, list[Row]]:
    """The overview of open commitments for the Kamer, as a page and as a Word document.

    The menu offers it to policy staff and admins (templatetags/kamer_overview.py), but the
    views ask only for a login: every user gets the overview of the commitments they may
    read (commitments_visible_to), policy staff and admins of all. The pick form is sent by
    GET; a POST carries no choice, so the page shows the empty form and the document, with
    nothing to write, answers 400.
    """
    page, docx = "commitments:kamer_overview", "commitments:kamer_overview_docx"
    no_choice = logged_in(LOGGED_IN, 400)
    overviews = (("minister", "minister"), ("committee", "committee"))
    return {
        page: [
            read_only("", named(page), PAGE),
            *(
                read_only(label, named(page), PAGE, query=_overview_of(key))
                for label, key in overviews
            ),
            # A reference date in the future is an error on the form, shown on the page.
            read_only(
                "future date",
                named(page),
                PAGE,
                query=_overview_of("minister", datetime.date(2099, 1, 1)),
            ),
        ],
        docx: [
            *(
                Row(
                    label,
                    named(docx),
                    PAGE,
                    no_choice,
                    effect=UNCHANGED,
                    query=_overview_of(key),
                    media_type=DOCX_TYPE,
                )
                for label, key in overviews
            ),
            read_only("no choice", named(docx), no_choice),
        ],
    }


def _parliament_rows() -> dict[str, list[Row]]:
    """Uploading debate reports and reviewing the commitments captured from them."""
    review = "parliament:proposal_review"
    readers = logged_in(DEBATE_READERS, 200)
    # Accepting all of a debate with a team's proposal in it is for that team's reviewers; a
    # user who reviews nothing has no team to choose and is sent back to the inbox.
    not_reviewing = dict.fromkeys(LOGGED_IN - DEBATE_READERS, 403)
    return {
        "parliament:report_upload": [
            Row(
                "",
                named("parliament:report_upload"),
                readers,
                readers,
                _report_upload,
            )
        ],
        "parliament:inbox": [read_only("", named("parliament:inbox"), readers)],
        review: [
            *(
                Row(
                    f"{key}: accept",
                    named(review, key),
                    readers,
                    logged_in(PROPOSAL_REVIEWERS[team], 302),
                    _proposal_accept(key),
                )
                for key, team in (("proposal open", None), ("proposal A", "A"), ("proposal B", "B"))
            ),
            Row(
                "proposal A: reject",
                named(review, "proposal A"),
                readers,
                logged_in(PROPOSAL_REVIEWERS["A"], 302),
                _proposal_reject("proposal A"),
            ),
            # Its possible duplicate is A1: only A1's readers may link to it; the form offers
            # other reviewers no commitment to choose.
            Row(
                "proposal duplicate: link",
                named(review, "proposal duplicate"),
                readers,
                {
                    **logged_in(DEBATE_READERS, 200),
                    **dict.fromkeys(DEBATE_READERS & READERS["A"], 302),
                },
                _proposal_link("proposal duplicate"),
                effect=dict.fromkeys(DEBATE_READERS & READERS["A"], CHANGES),
            ),
            # A record of the Kamer's register that may be A4: linking it gives A4 its register
            # number (and lets the register's status follow), a change to A4; keeping it apart
            # makes a commitment of the record, as the register sync.
            Row(
                "proposal register: link",
                named(review, "proposal register"),
                readers,
                {
                    **logged_in(LOGGED_IN, 403),
                    **dict.fromkeys(PROPOSAL_REVIEWERS["A"] & CHANGERS["A"], 302),
                },
                _proposal_link("proposal register"),
            ),
            Row(
                "proposal register: keep apart",
                named(review, "proposal register"),
                readers,
                logged_in(PROPOSAL_REVIEWERS["A"], 302),
                _keep_apart("proposal register"),
            ),
            # Linked to A2 already: read by every reader, reviewed by nobody again.
            Row(
                "proposal linked: reject",
                named(review, "proposal linked"),
                readers,
                logged_in(LOGGED_IN, 403),
                _proposal_reject("proposal linked"),
            ),
        ],
        "parliament:debate_accept_all": [
            Row(
                "debate to accept",
                named("parliament:debate_accept_all", "debate to accept"),
                logged_in(LOGGED_IN, 405),
                {**logged_in(DEBATE_READERS, 302), **not_reviewing},
                _accept_all,
            ),
            # Debate A holds proposals of teams A and B: only who may accept both accepts all.
            Row(
                "debate A",
                named("parliament:debate_accept_all", "debate A"),
                logged_in(LOGGED_IN, 405),
                {
                    **logged_in(PROPOSAL_REVIEWERS["A"] & PROPOSAL_REVIEWERS["B"], 302),
                    **not_reviewing,
                },
                _accept_all,
            ),
        ],
    }


def _register_rows() -> dict[str, list[Row]]:
    """The differences with the Kamer's register, their answers, and the export.

    A3 (team A) is in the register, which says "Voldaan" without naming a letter and words it
    otherwise: a status and a text difference. A4 (team A) and B1 (team B) are not in it: the
    griffie missed them. An answer changes the commitment, so it is for its team's changers;
    the other readers get 403, the rest 404 (the commitment does not exist for them).
    """
    differences = "parliament:register_differences"
    resolve = "parliament:register_difference_resolve"
    not_by_get = logged_in(LOGGED_IN, 405)
    note = "De brief is verstuurd; de griffie verwerkt hem nog."
    return {
        # Every user sees the differences of what they read; a POST shows the page again.
        differences: [read_only("", named(differences), PAGE)],
        resolve: [
            Row(
                "A3: keep status",
                named(resolve, "A3"),
                not_by_get,
                team_change("A", 302),
                _difference("A3", "keep", "status", note=note),
            ),
            Row(
                "A3: accept text",
                named(resolve, "A3"),
                not_by_get,
                team_change("A", 302),
                _difference("A3", "accept", "text"),
            ),
            # The register says fulfilled but names no letter: nothing is fulfilled here
            # without one, by hand neither. Refused, and nothing written.
            Row(
                "A3: accept status",
                named(resolve, "A3"),
                not_by_get,
                team_change("A", 400),
                _difference("A3", "accept", "status"),
            ),
            # The number of a record read already but not linked (the doubtful match): the
            # link answers its question in the review inbox too.
            Row(
                "A4: link",
                named(resolve, "A4"),
                not_by_get,
                team_change("A", 302),
                _difference("A4", "link", "unregistered", number="TZ202403-002"),
            ),
            Row(
                "B1: keep unregistered",
                named(resolve, "B1"),
                not_by_get,
                team_change("B", 302),
                _difference("B1", "keep", "unregistered", note=note),
            ),
        ],
        "parliament:register_export": [
            read_only("", named("parliament:register_export"), logged_in(EXPORTERS, 200))
        ],
    }


# --- the REST API, the profile page, calendar feeds and the public register --------------------

JSON = "application/json"


def api_answers(expected: dict) -> dict[str, object]:
    """The pages' answers as the API gives them: 401 for anonymous users, not the login."""
    return {**expected, "anonymous": 401}


API_READ = api_answers(PAGE)
API_NO_METHOD = api_answers(logged_in(LOGGED_IN, 405))


def api_team_read(team: str, ok=200) -> dict[str, object]:
    return api_answers(team_read(team, ok))


def api_team_change(team: str, ok, roles=None) -> dict[str, object]:
    return api_answers(team_change(team, ok, roles))


def api_row(label, path, get, post, payload=None, headers=None, effect=CHANGES, query=None):
    """An API URL: JSON posted, JSON answered."""
    return Row(
        label,
        path,
        get,
        post,
        payload,
        effect=effect,
        query=query,
        content_type=JSON,
        headers=headers,
        media_type=JSON,
    )


def api_read(label, path, get=API_READ, post=API_NO_METHOD, query=None):
    """An API URL that only reads: a POST is refused (405, or 400 for a collection whose
    create is posted empty) and changes nothing."""
    return api_row(label, path, get, post, effect=UNCHANGED, query=query)


def _if_match(key, stale=False):
    """The `If-Match` of world record `key` as it is now (or one version older: stale)."""

    def headers(world, role):
        record = type(world[key])._default_manager.get(pk=world[key].pk)
        return {"If-Match": f'"{record.version - 1 if stale else record.version}"'}

    return headers


def _by_token(world, role):
    """The role's own API token; anonymous sends a revoked one."""
    keys = world["api keys"]
    return {"Authorization": f"Token {keys.get(role, keys['revoked'])}"}


def _api_progress(world, role, client):
    return {"status": "in_progress", "note": "Voortgang via de API."}


def _api_letter_sent(key):
    """Record as sent with the commitments the role may fulfil; a role that may not record the
    letter names them all."""

    def payload(world, role, client):
        letter = FollowUpLetter.objects.get(pk=world[key].pk)
        user = world.user(role)
        commitments = list(letter.commitments.all())
        if allowed(user, "commitments.change_followupletter", letter):
            commitments = [
                c for c in commitments if allowed(user, "commitments.change_commitment", c)
            ]
        return {
            "document": world["document A"].pk,
            "outcomes": {str(c.pk): "fulfilled" for c in commitments},
        }

    return payload


def _api_activity_progress(world, role, client):
    return {"status": "in_progress", "progress": 40, "note": "Halverwege, via de API."}


def _bewindspersoon(world, role, client):
    return {
        "name": "Nieuwe staatssecretaris",
        "function": "staatssecretaris",
        "title": "De Staatssecretaris van Justitie en Veiligheid",
        "ministry": world["minister"].ministry_id,
    }


def _committee(world, role, client):
    return {"name": "vaste commissie voor Nieuwe Zaken", "abbreviation": "NZ", "chamber": "tk"}


def _api_rows() -> dict[str, list[Row]]:
    """The REST API under /api/v1/: the pages' rules, a 404 for what the role may not read, a
    403 for a refused write, and anonymous users 401."""
    officials_create = api_answers(logged_in(OFFICIALS, 201))
    # A collection's POST with an empty body: the data is checked before anything else.
    empty_create = api_answers(logged_in(LOGGED_IN, 400))
    rows = {
        "api:commitment-list": [
            api_row(
                "",
                named("api:commitment-list"),
                API_READ,
                officials_create,
                _api_commitment_create,
            ),
            api_row(
                "by token",
                named("api:commitment-list"),
                API_READ,
                officials_create,
                _api_commitment_create,
                headers=_by_token,
            ),
            api_read(
                "search",
                named("api:commitment-list"),
                post=empty_create,
                query=lambda world: {"q": "GEHEIM"},
            ),
            # The filter takes only a letter the user may read: for the others it is an error
            # that names no letter.
            api_read(
                "letter C filter",
                named("api:commitment-list"),
                api_answers(logged_in(READERS["C"], 200, otherwise=400)),
                empty_create,
                query=lambda world: {"letter": world["letter C"].pk},
            ),
        ],
        "api:commitment-detail": [
            *(
                api_read(key, named("api:commitment-detail", key), api_team_read(team))
                for key, team in (("A1", "A"), ("B1", "B"), ("A3", "A"), ("public commitment", "A"))
            ),
            api_read(
                "A1 by token",
                named("api:commitment-detail", "A1"),
                api_team_read("A"),
            ),
        ],
        "api:commitment-progress": [
            *(
                api_row(
                    key,
                    named("api:commitment-progress", key),
                    API_NO_METHOD,
                    api_team_change(team, 201),
                    _api_progress,
                    headers=_if_match(key),
                )
                for key, team in (("A1", "A"), ("B1", "B"))
            ),
            # Without If-Match every reader is asked for it; with a stale one the changers are
            # refused as stale (the other readers before that, as not theirs to change).
            api_row(
                "A1 without If-Match",
                named("api:commitment-progress", "A1"),
                API_NO_METHOD,
                api_team_read("A", 428),
                _api_progress,
            ),
            api_row(
                "A1 stale If-Match",
                named("api:commitment-progress", "A1"),
                API_NO_METHOD,
                api_team_change("A", 412),
                _api_progress,
                headers=_if_match("A1", stale=True),
            ),
        ],
        # A2 and B2 have no open request yet.
        "api:commitment-deadline-changes": [
            api_row(
                key,
                named("api:commitment-deadline-changes", key),
                API_NO_METHOD,
                api_team_change(team, 201),
                _deadline_request,
            )
            for key, team in (("A2", "A"), ("B2", "B"))
        ],
        "api:deadlinechange-list": [api_read("", named("api:deadlinechange-list"))],
        "api:deadlinechange-detail": [
            api_read(key, named("api:deadlinechange-detail", key), api_team_read(team))
            for key, team in (("deadline change A", "A"), ("deadline change B", "B"))
        ],
        "api:deadlinechange-decision": [
            api_row(
                key,
                named("api:deadlinechange-decision", key),
                API_NO_METHOD,
                api_team_change(team, 200, DECIDERS[team]),
                _decision,
                headers=_if_match(key),
            )
            for key, team in (("deadline change A", "A"), ("deadline change B", "B"))
        ],
        "api:letter-list": [
            api_row("", named("api:letter-list"), API_READ, officials_create, _letter_create)
        ],
        "api:letter-detail": [
            api_read(key, named("api:letter-detail", key), api_team_read(team))
            for key, team in (("letter A", "A"), ("letter B", "B"), ("letter C", "C"))
        ],
        "api:letter-sent": [
            api_row(
                key,
                named("api:letter-sent", key),
                API_NO_METHOD,
                api_team_change(team, 200),
                _api_letter_sent(key),
                headers=_if_match(key),
            )
            for key, team in (("letter A", "A"), ("letter B", "B"), ("letter C", "C"))
        ],
        "api:activity-progress": [
            api_row(
                key,
                named("api:activity-progress", key),
                API_NO_METHOD,
                api_answers(logged_in(CHANGERS[team], 201)),
                _api_activity_progress,
                headers=_if_match(key),
            )
            for key, team in (("activity A", "A"), ("activity B", "B"))
        ],
        "api:notification-list": [api_read("", named("api:notification-list"))],
        # Which operations there are, not what is in them: for anyone, as schemathesis reads
        # it (tests/test_api_schema.py).
        "api:schema": [
            Row("", named("api:schema"), everyone(200), everyone(405), effect=UNCHANGED)
        ],
        "api:docs": [read_only("", named("api:docs"), everyone(200), everyone(405))],
        "api:redoc": [read_only("", named("api:redoc"), everyone(200), everyone(405))],
        "api:not_found": [
            api_read(
                "unknown path",
                lambda world, role: "/api/v1/bestaat-niet/",
                everyone(404),
                everyone(404),
            )
        ],
    }
    # The Kamer's records: read by everyone, added by officials.
    for name, key, payload in (
        ("document", "document A", _document),
        ("debate", "debate A", _debate),
        ("bewindspersoon", "minister", _bewindspersoon),
        ("committee", "committee", _committee),
    ):
        rows[f"api:{name}-list"] = [
            api_row("", named(f"api:{name}-list"), API_READ, officials_create, payload)
        ]
        rows[f"api:{name}-detail"] = [api_read(key, named(f"api:{name}-detail", key))]
    # Plans, action lines and activities: read by everyone, through the API never added.
    for name, key in (("plan", "plan"), ("actionline", "action line"), ("activity", "activity A")):
        rows[f"api:{name}-list"] = [api_read("", named(f"api:{name}-list"))]
        rows[f"api:{name}-detail"] = [api_read(key, named(f"api:{name}-detail", key))]
    return rows


def _own_token(world, role):
    token = world["api tokens"][role if role != "anonymous" else "official"]
    return reverse("api:token_revoke", args=[token.pk])


def _official_token(world, role):
    return reverse("api:token_revoke", args=[world["api tokens"]["official"].pk])


def _token_create(world, role, client):
    return {"name": f"Planning-export van {role}", "days": "30"}


def _profile_rows() -> dict[str, list[Row]]:
    """The person's own page with their API tokens (policy staff and admins see everyone's
    live tokens and revoke them)."""
    not_by_get = logged_in(LOGGED_IN, 405)
    return {
        "api:profile": [read_only("", named("api:profile"), PAGE)],
        # Everyone chooses how they hear of events, for themselves only.
        "commitments:email_preferences": [
            Row(
                "",
                named("commitments:email_preferences"),
                PAGE,
                logged_in(LOGGED_IN, 302),
                lambda world, role, client: {"event_mail": "daily"},
            )
        ],
        "api:token_create": [
            Row(
                "",
                named("api:token_create"),
                not_by_get,
                logged_in(LOGGED_IN, 302),
                _token_create,
            )
        ],
        "api:token_revoke": [
            Row("own token", _own_token, not_by_get, logged_in(LOGGED_IN, 302)),
            Row(
                "official's token",
                _official_token,
                not_by_get,
                logged_in({"official", "staff", "admin"}, 302, otherwise=404),
            ),
        ],
    }


# Who has which live calendar feed in the world: each role its own (policy staff and the admin,
# who follow no team, make theirs in the matrix) and the hybrid one of team B, which it manages.
# A revoked feed of the official's and an expired one of the spare user's answer nobody.
FEED_OWNERS = {
    "official feed": ("official", None),
    "outsider feed": ("outsider", None),
    "hybrid feed": ("hybrid", None),
    "hybrid team B feed": ("hybrid", "team B"),
    "manager feed": ("manager", None),
    "director feed": ("director", None),
}


def _feed_address(key):
    def path(world, role):
        return reverse("feeds:ics", args=[world["feed tokens"][key]])

    return path


def _feed_create(world, role, client):
    """A feed the role does not have yet: of a team it follows, or (following none) its own."""
    team = {
        "official": world.cast.team,
        "outsider": world.cast.other_team,
        "hybrid": world["team C"],
        "manager": world.cast.team,
        "director": world.cast.directorate,
    }.get(role)
    return {"team": team.pk if team else "", "next": reverse("feeds:manage")}


def _feed_rows() -> dict[str, list[Row]]:
    """Calendar feeds: the address answers by its token alone, whoever asks, with what the
    feed's owner may read; the owner makes, regenerates and revokes their feeds."""
    not_by_get = logged_in(LOGGED_IN, 405)
    owner_only = {
        key: logged_in({owner}, 302, otherwise=404) for key, (owner, _team) in FEED_OWNERS.items()
    }
    rows = {
        "feeds:ics": [
            *(
                Row(
                    key,
                    _feed_address(key),
                    everyone(200),
                    everyone(405),
                    effect=UNCHANGED,
                    media_type="text/calendar",
                    reader=owner,
                )
                for key, (owner, _team) in FEED_OWNERS.items()
            ),
            *(
                read_only(key, _feed_address(key), everyone(404), everyone(405))
                for key in ("revoked feed", "expired feed")
            ),
            read_only(
                "unknown token",
                lambda world, role: reverse("feeds:ics", args=["A" * 43]),
                everyone(404),
                everyone(405),
            ),
        ],
        "feeds:manage": [read_only("", named("feeds:manage"), PAGE, not_by_get)],
        "feeds:create": [
            Row("", named("feeds:create"), not_by_get, logged_in(LOGGED_IN, 302), _feed_create)
        ],
    }
    for name in ("feeds:regenerate", "feeds:revoke"):
        rows[name] = [
            *(
                Row(key, named(name, key), not_by_get, owner_only[key])
                for key in ("official feed", "hybrid team B feed")
            ),
            Row(
                "revoked feed",
                named(name, "revoked feed"),
                not_by_get,
                logged_in(LOGGED_IN, 404),
            ),
        ]
    return rows


def _public_rows() -> dict[str, list[Row]]:
    """The public register: the same for everyone, GET only, and no secret for anybody."""

    def public(label, path, get=None, query=None, media_type=None):
        return Row(
            label,
            path,
            everyone(200) if get is None else get,
            everyone(405),
            effect=UNCHANGED,
            query=query,
            media_type=media_type,
            reader="anonymous",
        )

    searches = (("search GEHEIM", "GEHEIM"), ("search TZ-SECRET", "TZ-SECRET"))
    return {
        "public:list": [
            public("", named("public:list"), media_type="text/html"),
            *(
                public(label, named("public:list"), query=lambda world, q=q: {"q": q})
                for label, q in searches
            ),
        ],
        "public:plan_list": [public("", named("public:plan_list"))],
        "public:plan_detail": [
            public("public plan", named("public:plan_detail", "public plan")),
            # The world's own plan is not public, nor is any commitment of it.
            public("plan", named("public:plan_detail", "plan"), get=everyone(404)),
        ],
        "public:export_csv": [
            public("", named("public:export_csv"), media_type="text/csv"),
            public(
                "search GEHEIM",
                named("public:export_csv"),
                query=lambda world: {"q": "GEHEIM"},
                media_type="text/csv",
            ),
        ],
        "public:export_json": [public("", named("public:export_json"), media_type=JSON)],
        "public:language": [
            public(
                "",
                named("public:language"),
                get=everyone(302),
                query=lambda world: {"language": "en", "next": reverse("public:list")},
            )
        ],
    }


# The admin, per registered model: the world's record its object pages use, and what the admin
# site lets an administrator do with it (a: add, c: change, d: delete).
ADMIN_MODELS = {
    "auth.group": ("group", "acd"),
    "auth.user": ("spare user", "acd"),
    "axes.accessattempt": ("access attempt", "cd"),
    "axes.accesslog": ("access log", "cd"),
    "axes.accessfailurelog": ("access failure", "cd"),
    "tracker.dataload": ("data load", ""),
    "tracker.sourcerecord": ("source record", ""),
    "actionlines.organisation": ("spare organisation", "acd"),
    "actionlines.team": ("team C", "acd"),
    "actionlines.profile": ("profile", "acd"),
    "actionlines.place": ("place", "acd"),
    "actionlines.plan": ("plan", "acd"),
    "actionlines.actionline": ("action line", "acd"),
    "actionlines.activity": ("activity A", "acd"),
    "actionlines.activityupdate": ("activity update", "d"),
    "commitments.bewindspersoon": ("spare minister", "acd"),
    "commitments.committee": ("spare committee", "acd"),
    "commitments.addressee": ("addressee", "acd"),
    "commitments.parliamentarydocument": ("document A", "acd"),
    "commitments.debate": ("spare debate", "acd"),
    "commitments.commitment": ("A1", "acd"),
    "commitments.followupletter": ("letter A", "acd"),
    "commitments.progressupdate": ("evidence A", "d"),
    "commitments.deadlinechange": ("deadline change A", "ad"),
    "commitments.notification": ("notification", "d"),
    "commitments.reminderscan": ("reminder scan", "d"),
    "commitments.linkchange": ("link change", "d"),
    # A letter's moves, written by the postpone service: read in the admin, deleted with it.
    "commitments.letterpostponement": ("letter postponement", "d"),
    # Each user makes their own choice on their profile; the admin reads it or deletes it.
    "commitments.emailpreference": ("e-mail preference", "d"),
    "parliament.importedreport": ("debate report", ""),
    # Proposals come from reports only: the admin changes and deletes them, never adds one.
    "parliament.proposal": ("proposal A", "cd"),
    # Written by the register sync and the differences page only: read in the admin.
    "parliament.registerentry": ("register entry", ""),
    "parliament.registercursor": ("register cursor", ""),
    "parliament.registernote": ("register note", ""),
    # Made, regenerated and revoked by their owners on their own page; the admin shows them
    # and revokes or deletes them, never adds or edits one.
    "feeds.calendarfeed": ("official feed", "d"),
}


def _admin_url(label, view):
    return f"admin:{label.replace('.', '_')}_{view}"


def _admin_object(label, view, *extra):
    key = ADMIN_MODELS[label][0]

    def path(world, role):
        return reverse(_admin_url(label, view), args=[world[key].pk, *extra])

    return path


class _FormFields(HTMLParser):
    """What a browser would submit from the form with the given id."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.data: list[tuple[str, str]] = []
        self.select = self.option = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.inside or attrs.get("id") == self.form_id
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "file", "image"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value") or "on"))
                return
            self.data.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = (name, "multiple" in attrs, [])
        elif tag == "option" and self.select is not None:
            self.option = [attrs.get("value"), "selected" in attrs, ""]
            self.select[2].append(self.option)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option[2] += data
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            name, multiple, options = self.select
            values = [(v if v is not None else text) for v, chosen, text in options if chosen]
            if not values and not multiple and options:
                values = [options[0][0] if options[0][0] is not None else options[0][2]]
            self.data.extend((name, value) for value in values)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.data.append((name, text.removeprefix("\n")))
            self.textarea = None


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    parser = _FormFields(form_id)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    assert data, f"no form #{form_id} on the page"
    return data


def _admin_form(world, path, model, prefix=""):
    """The form of an admin page as the administrator gets it, whoever will post it. Read once
    per world: every cell finds the world as it was built."""
    if path not in world.forms:
        page = world.admin_client().get(path)
        assert page.status_code == 200, (path, page.status_code)
        world.forms[path] = form_data(
            page.content.decode(), f"{prefix}{model._meta.model_name}_form"
        )
    return {**world.forms[path], "_save": ["Opslaan"]}


def _admin_change(label):
    model = apps.get_model(label)

    def payload(world, role, client):
        return _admin_form(world, _admin_object(label, "change")(world, role), model)

    return payload


def _admin_revert(label):
    model = apps.get_model(label)

    def payload(world, role, client):
        path = _simple_history_path(label)(world, role)
        return _admin_form(world, path, model, prefix="historical")

    return payload


def _simple_history_path(label):
    key = ADMIN_MODELS[label][0]

    def path(world, role):
        record = world[key]
        # The latest version: an older one carries an older record version, which the form
        # refuses as stale.
        latest = record.history.order_by("-history_id").first()
        return reverse(_admin_url(label, "simple_history"), args=[record.pk, latest.history_id])

    return path


# Add forms that a copy of the record's own change form cannot fill.
ADMIN_ADD_DATA = {
    "auth.user": lambda world: {
        "username": "nieuwe-gebruiker",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    },
    "auth.group": lambda world: {"name": "Nieuwe groep"},
    "commitments.deadlinechange": lambda world: {
        "commitment": world["A2"].pk,
        "new_due_date": "2027-04-01",
        "reason": "Vastgesteld in het overleg.",
    },
    "actionlines.profile": lambda world: {"user": world["spare user"].pk, "language": "en"},
    # A proposal's report, debate and place in it are set once, when it is added.
    "parliament.proposal": lambda world: {
        "report": world["debate report"].pk,
        "debate": world["debate A"].pk,
        "position": "9",
        "text": "De minister zal de Kamer over de evaluatie informeren.",
        "made_by": world["minister"].pk,
        "made_to": "[]",
        "state": "open",
    },
}


def _unique_field_names(model) -> list[str]:
    """One field per uniqueness rule whose value a copy must change: a number before a text."""
    groups = [[f.name] for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    groups += [list(fields) for fields in model._meta.unique_together]
    groups += [list(c.fields) for c in model._meta.constraints if getattr(c, "fields", None)]
    names = []
    for group in groups:
        fields = [model._meta.get_field(name) for name in group]
        numbers = [f for f in fields if f.get_internal_type().endswith("IntegerField")]
        texts = [f for f in fields if f.get_internal_type() in ("CharField", "TextField")]
        texts = [f for f in texts if not f.choices]
        chosen = (numbers or texts or [None])[0]
        if chosen is not None:
            names.append(chosen.name)
    return names


def _admin_add(label):
    """The record's own change form, posted as a new record: inlines dropped, unique values
    changed."""
    model = apps.get_model(label)

    def payload(world, role, client):
        if label in ADMIN_ADD_DATA:
            return {**ADMIN_ADD_DATA[label](world), "_save": "Opslaan"}
        data = _admin_change(label)(world, role, client)
        for name in list(data):
            if name.endswith("-TOTAL_FORMS") or name.endswith("-INITIAL_FORMS"):
                data[name] = ["0"]
        for name in _unique_field_names(model):
            value = (data.get(name) or [""])[0]
            if value.isdigit():
                data[name] = [str(int(value) + 1000)]
            elif value:
                data[name] = [f"{value} (kopie)"]
        return data

    return payload


def _admin_model_row(label, view) -> Row | None:
    model = apps.get_model(label)
    key, rights = ADMIN_MODELS[label]
    if view == "changelist":
        return Row(
            "",
            named(_admin_url(label, view)),
            admin_only(200),
            # Without the right to delete there is no action to choose: the list again.
            admin_only(302 if "d" in rights else 200),
            lambda world, role, client: {
                "action": "delete_selected",
                "_selected_action": [world[key].pk],
                "post": "yes",
            },
            effect=CHANGES if "d" in rights else UNCHANGED,
        )
    if view == "add":
        allowed_ = "a" in rights
        return Row(
            "",
            named(_admin_url(label, view)),
            admin_only(200 if allowed_ else 403),
            admin_only(302 if allowed_ else 403),
            _admin_add(label) if allowed_ else None,
        )
    if view == "change":
        allowed_ = "c" in rights
        return Row(
            key,
            _admin_object(label, view),
            admin_only(200),  # without the right to change, the page shows the record
            admin_only(302 if allowed_ else 403),
            _admin_change(label),
        )
    if view == "delete":
        allowed_ = "d" in rights
        return Row(
            key,
            _admin_object(label, view),
            admin_only(200 if allowed_ else 403),
            admin_only(302 if allowed_ else 403),
            lambda world, role, client: {"post": "yes"},
        )
    if view == "history":
        return read_only(key, _admin_object(label, view), admin_only(200))
    if view == "simple_history":
        # The admin shows old versions but never writes one back: a revert would pass the
        # services' rules.
        return Row(
            key,
            _simple_history_path(label),
            admin_only(200),
            admin_only(403),
            _admin_revert(label),
        )
    if view == "password_change" and model is User:
        return Row(
            key,
            _admin_object(label, view),
            admin_only(200),
            admin_only(302),
            lambda world, role, client: {
                "usable_password": "true",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
    return None


def _view_on_site(world, role):
    content_type = ContentType.objects.get_for_model(Commitment)
    return reverse("admin:view_on_site", args=[content_type.pk, world["A1"].pk])


def _admin_site_rows() -> dict[str, list[Row]]:
    return {
        "admin:index": [read_only("", named("admin:index"), admin_only(200))],
        # The login page answers everyone; only a staff account gets in.
        "admin:login": [
            Row(
                "",
                named("admin:login"),
                admin_only(302, others=200),
                admin_only(302, others=200),
                _credentials,
                effect={"admin": UNCHECKED},
            )
        ],
        "admin:logout": [
            Row(
                "",
                named("admin:logout"),
                admin_only(405, others=Redirect("/admin/")),
                admin_only(LOGGED_OUT, others=Redirect("/admin/")),
                effect={"admin": UNCHECKED},
            )
        ],
        "admin:password_change": [
            Row(
                "",
                named("admin:password_change"),
                admin_only(200),
                admin_only(302),
                _password_change,
            )
        ],
        "admin:password_change_done": [
            read_only("", named("admin:password_change_done"), admin_only(200), admin_only(405))
        ],
        "admin:autocomplete": [
            read_only(
                "",
                named("admin:autocomplete"),
                admin_only(200),
                admin_only(405),
                query=lambda world: {
                    "app_label": "commitments",
                    "model_name": "followupletter",
                    "field_name": "commitments",
                    "term": "",
                },
            )
        ],
        "admin:jsi18n": [read_only("", named("admin:jsi18n"), admin_only(200), admin_only(405))],
        "admin:view_on_site": [read_only("A1", _view_on_site, admin_only(302))],
        "admin:app_list": [
            read_only("commitments", named("admin:app_list", None, "commitments"), admin_only(200))
        ],
    }


def url_patterns() -> dict[str, str]:
    """Every URL pattern of the project: its name (or, unnamed, its route) → its route."""
    found: dict[str, str] = {}

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(
                    pattern,
                    route,
                    f"{namespace}:{inner}" if namespace and inner else inner or namespace,
                )
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    key = f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    key = f"[{route}]"
                found.setdefault(key, route)

    walk(get_resolver(), "", None)
    return found


def access_table() -> dict[str, list[Row] | None]:
    """The expected answers for every URL pattern; None where no rule covers the pattern."""
    site = _site_rows()
    admin_site = _admin_site_rows()
    table: dict[str, list[Row] | None] = {}
    for key, route in url_patterns().items():
        if key in site:
            table[key] = site[key]
        elif key in admin_site:
            table[key] = admin_site[key]
        elif key.startswith("admin:"):
            table[key] = _admin_rule(key.removeprefix("admin:"))
        elif route == "admin/(?P<url>.*)$":
            table[key] = [
                read_only(
                    "unknown path", lambda world, role: "/admin/nergens-te-vinden/", admin_only(404)
                )
            ]
        elif match := re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/", route):
            label = f"{match[1]}.{match[2]}"
            table[key] = (
                [read_only(ADMIN_MODELS[label][0], _admin_object_path(label), admin_only(302))]
                if label in ADMIN_MODELS
                else None
            )
        else:
            table[key] = None
    return table


def _admin_object_path(label):
    key = ADMIN_MODELS[label][0]
    model = apps.get_model(label)
    return lambda world, role: (
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/{world[key].pk}/"
    )


def _admin_rule(view_name) -> list[Row] | None:
    for label in ADMIN_MODELS:
        prefix = f"{label.replace('.', '_')}_"
        if view_name.startswith(prefix):
            row = _admin_model_row(label, view_name.removeprefix(prefix))
            return [row] if row else None
    return None


ACCESS = access_table()


@dataclass(frozen=True)
class Cell:
    key: str
    row: Row
    role: str
    method: str

    @property
    def expected(self):
        return (self.row.get if self.method == "GET" else self.row.post)[self.role]

    @property
    def id(self):
        label = f"[{self.row.label}]" if self.row.label else ""
        return f"{self.method} {self.key}{label} as {self.role}"


CELLS = [
    Cell(key, row, role, method)
    for key, rows in ACCESS.items()
    for row in rows or []
    for role in ROLES
    for method in ("GET", "POST")
]


# --- the world -----------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n%% {marker}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class World(dict):
    """The records of the matrix by name, and the user of each role."""

    def __init__(self, cast, **records):
        super().__init__(**records)
        self.cast = cast
        self.forms: dict[str, dict] = {}

    def user(self, role):
        """The role's user; the official's account for anonymous (whose login it tries)."""
        return self[role] if role != "anonymous" else self["official"]

    def admin_client(self):
        """A second browser, logged in as the administrator without a login event (which
        would write to the login log), to read the admin's forms."""
        if not hasattr(self, "_admin_client"):
            session = SessionStore()
            session[SESSION_KEY] = str(self["admin"].pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = self["admin"].get_session_auth_hash()
            session.save()
            self._admin_client = Client()
            self._admin_client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        return self._admin_client

    def own_team(self, role):
        """The team a role registers new work in: its own, or team A for the rest."""
        return {"outsider": self.cast.other_team, "hybrid": self["team C"]}.get(
            role, self.cast.team
        )


def _team_records(team_name, team, official, minister, committee, plan, line, number):
    """A team's commitments, letter, deadline request, evidence, activity and documents."""
    debate = DebateFactory(title=f"Commissiedebat {team_name}", committee=committee)
    document = DocumentFactory(title=f"Kamerbrief {team_name}", volgnummer=number)
    first = CommitmentFactory(
        reference=secret(f"{team_name}1 reference"),
        text=f"{secret(f'{team_name}1 text')} De minister zal de Kamer informeren.",
        team=team,
        owner=official,
        made_by=minister,
        debate=debate,
    )
    second = CommitmentFactory(
        reference=secret(f"{team_name}2 reference"),
        text=f"{secret(f'{team_name}2 text')} De minister zal een brief sturen.",
        team=team,
        owner=official,
        made_by=minister,
        debate=debate,
    )
    first.fulfilling_documents.add(document)
    evidence = services.commitment_update_progress(
        commitment=first,
        author=official,
        status="in_progress",
        note=secret(f"{team_name}1 progress note"),
        evidence_file=SimpleUploadedFile(
            f"bewijs-{team_name.lower()}.pdf",
            PDF.replace(b"{marker}", secret(f"{team_name}1 evidence").encode()),
            content_type="application/pdf",
        ),
    )
    change = DeadlineChangeFactory(
        commitment=first,
        requested_by=official,
        new_due_date=datetime.date(2026, 1, 15),
        reason=secret(f"{team_name}1 deadline reason"),
    )
    letter = FollowUpLetterFactory(
        title=secret(f"letter {team_name} title"),
        team=team,
        drafter=official,
        commitments=[second],
    )
    activity = ActivityFactory(
        title=f"Activiteit van team {team_name}", plan=plan, action_line=line, team=team
    )
    first.activities.add(activity)
    return {
        f"{team_name}1": first,
        f"{team_name}2": second,
        f"debate {team_name}": debate,
        f"document {team_name}": document,
        f"evidence {team_name}": evidence,
        f"deadline change {team_name}": change,
        f"letter {team_name}": letter,
        f"activity {team_name}": activity,
    }


def build_world(cast) -> World:
    # A fixed name, as the spare user's: a random one could resemble the new password.
    hybrid = UserFactory(username="hybrid", first_name="Hanna", last_name="Brugman")
    b_official = UserFactory(username="b_official")
    # A fixed name: a random one could resemble the new password, which the validators refuse.
    spare_user = UserFactory(username="spare", first_name="Reserve", last_name="Gebruiker")
    team_b = TeamFactory(name="Team Bestuur", members=[b_official], managers=[hybrid])
    team_c = TeamFactory(name="Team Contact", members=[hybrid])
    minister = BewindspersoonFactory(name="Minister van Justitie")
    committee = CommitteeFactory()
    line = ActionLineFactory(title="Preventie")
    plan = line.plan
    records = {
        "official": cast.official,
        "outsider": cast.outsider,
        "hybrid": hybrid,
        "staff": cast.staff,
        "manager": cast.manager,
        "director": cast.director,
        "admin": cast.admin,
        "b_official": b_official,
        "spare user": spare_user,
        "team C": team_c,
        "team B": team_b,
        "minister": minister,
        "committee": committee,
        "plan": plan,
        "action line": line,
    }
    records |= _team_records("A", cast.team, cast.official, minister, committee, plan, line, 93)
    records |= _team_records("B", team_b, b_official, minister, committee, plan, line, 121)
    a1, b1 = records["A1"], records["B1"]
    # Team C's letter answers a commitment of A and one of B, put there without the forms.
    records["letter C"] = FollowUpLetterFactory(
        title=secret("letter C title"), team=team_c, drafter=hybrid, commitments=[a1, b1]
    )
    plan_wide = ActivityFactory(
        title="Aanjaagteam", plan=plan, action_line=None, team=cast.team, kind="governance"
    )
    records["A2"].activities.add(plan_wide)
    records["B2"].activities.add(plan_wide)
    records["plan-wide activity"] = plan_wide
    CommitmentRelation.objects.create(from_commitment=a1, to_commitment=b1, kind="repeats")
    place = Place.objects.create(country="Thailand", city="Bangkok")
    records["activity A"].places.add(place)
    records["place"] = place
    records["activity update"] = ActivityUpdate.objects.create(
        activity=records["activity B"],
        author=b_official,
        note="Gestart.",
        status_before="planned",
        status_after="in_progress",
        progress_before=0,
        progress_after=10,
    )
    records["link change"] = LinkChange.objects.create(
        commitment=a1, changed_by=cast.official, field="activities", added=["Preventie"]
    )
    for recipient, commitment, kind, subject_line in (
        (cast.official, a1, Notification.Kind.OWNER_REMINDER, secret("A1 reminder subject")),
        (hybrid, b1, Notification.Kind.MANAGER_DIGEST, secret("B1 digest subject")),
    ):
        notification = Notification.objects.create(
            recipient=recipient,
            kind=kind,
            subject="due" if kind == Notification.Kind.OWNER_REMINDER else "overdue",
            occasion=datetime.date(2025, 9, 2),
            state=Notification.State.SENT,
            sent_at=datetime.datetime(2025, 9, 2, 7, tzinfo=datetime.UTC),
            subject_line=subject_line,
        )
        notification.commitments.add(commitment)
        records.setdefault("notification", notification)
    records["reminder scan"] = ReminderScan.objects.create(
        day=datetime.date(2025, 9, 2), ran_on=datetime.date(2025, 9, 2)
    )
    records["letter postponement"] = LetterPostponement.objects.create(
        letter=records["letter A"],
        planned_date_before=datetime.date(2025, 9, 15),
        planned_date_after=datetime.date(2025, 12, 15),
        reason="De evaluatie is later klaar.",
        postponed_by=cast.official,
    )
    records["e-mail preference"] = EmailPreference.objects.create(
        user=cast.official, event_mail=EmailPreference.EventMail.DAILY
    )
    records["profile"] = Profile.objects.get_or_create(user=cast.official)[0]
    records["addressee"] = Addressee.objects.create(name="Het lid Kuiken", kind="member")
    records["spare organisation"] = OrganisationFactory(name="Reserve-organisatie", kind="ngo")
    records["spare minister"] = BewindspersoonFactory(name="Staatssecretaris zonder werk")
    records["spare committee"] = CommitteeFactory(name="vaste commissie voor Defensie")
    records["spare debate"] = DebateFactory(title="Debat zonder toezeggingen", committee=None)
    records["group"] = Group.objects.create(name="Reservegroep")
    load = DataLoad.objects.create(source="plan_2016", actor=cast.admin)
    records["data load"] = load
    records["source record"] = SourceRecord.objects.create(
        source="plan_2016",
        key="plan",
        content_type=ContentType.objects.get_for_model(plan),
        object_id=plan.pk,
        values={"title": plan.title},
        load=load,
    )
    access = {
        "user_agent": "pytest",
        "ip_address": "192.0.2.7",
        "username": "nobody",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }
    records["access attempt"] = AccessAttempt.objects.create(
        **access, get_data="", post_data="", failures_since_start=1
    )
    records["access log"] = AccessLog.objects.create(**access)
    records["access failure"] = AccessFailureLog.objects.create(**access)
    records |= _debate_reports(records, cast)
    records |= _register_records(records, cast)
    records |= _public_records(records, cast)
    records |= _tokens_and_feeds(records, cast)
    return World(cast, **records)


def _public_records(records, cast):
    """A plan public by default, and the one public commitment of the world in it: team A's,
    with a progress note that is not public."""
    plan = PlanFactory(title="Openbaar actieplan", commitments_public_by_default=True)
    line = ActionLineFactory(plan=plan, title="Openbare actielijn")
    activity = ActivityFactory(
        title="Openbare activiteit", plan=plan, action_line=line, team=cast.team
    )
    debate = DebateFactory(
        title="Plenair debat over het openbare plan", committee=None, date=datetime.date(2025, 3, 4)
    )
    commitment = services.commitment_create(
        author=cast.official,
        m2m={"activities": [activity]},
        reference="TZ-OPENBAAR-1",
        text="De minister zal de Kamer jaarlijks over het openbare actieplan informeren.",
        made_by=records["minister"],
        debate=debate,
        made_on=datetime.date(2025, 3, 4),
        deadline_wording="voor het einde van het jaar",
        team=cast.team,
        owner=cast.official,
    )
    assert commitment.is_public
    services.commitment_update_progress(
        commitment=commitment,
        author=cast.official,
        status="in_progress",
        note=secret("public progress note"),
    )
    return {"public plan": plan, "public commitment": commitment}


def _tokens_and_feeds(records, cast):
    """An API token for every role, and one revoked; the calendar feeds of FEED_OWNERS, a
    revoked one and an expired one. Their keys are in no table: the world keeps them."""
    tokens, keys = {}, {}
    for role in sorted(LOGGED_IN):
        user = records[role]
        tokens[role], keys[role] = api_services.token_create(
            actor=user, user=user, name=f"Script van {role}"
        )
    revoked, keys["revoked"] = api_services.token_create(
        actor=cast.official, user=cast.official, name="Oud script"
    )
    api_services.token_revoke(actor=cast.official, token=revoked)
    feeds, feed_tokens = {}, {}
    old, feed_tokens["revoked feed"] = feed_services.feed_create(actor=cast.official)
    feeds["revoked feed"] = feed_services.feed_revoke(actor=cast.official, feed=old)
    for key, (role, team) in FEED_OWNERS.items():
        feeds[key], feed_tokens[key] = feed_services.feed_create(
            actor=records[role], team=records[team] if team else None
        )
    expired, feed_tokens["expired feed"] = feed_services.feed_create(actor=records["spare user"])
    CalendarFeed.objects.filter(pk=expired.pk).unaudited_update(
        expires_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    feeds["expired feed"] = expired
    return {"api tokens": tokens, "api keys": keys, "feed tokens": feed_tokens, **feeds}


def _debate_reports(records, cast):
    """The report of debate A, with open proposals of no team, of team A and of team B, one
    that may be A1 and one linked to A2; and a debate with one proposal to accept all of."""

    def report(debate, name):
        content = f"<verslag>{name}</verslag>".encode()
        imported = ImportedReport(
            debate=debate,
            file_name=name,
            sha256=hashlib.sha256(content).hexdigest(),
            imported_by=cast.official,
        )
        imported.file.name = f"debate-reports/{imported.sha256[:2]}/{imported.sha256}.xml"
        imported.save()
        return imported

    debate_a = records["debate A"]
    imported = report(debate_a, "commissiedebat-a.xml")
    proposal = {
        "report": imported,
        "debate": debate_a,
        "speaker_name": "Minister van Justitie",
        "speaker_function": "minister van Justitie en Veiligheid",
        "made_by": records["minister"],
        "deadline_wording": "voor de zomer",
    }
    found = {"debate report": imported}
    for position, (key, team, text, extra) in enumerate(
        (
            ("proposal open", None, "De minister zal de Kamer over de pilot informeren.", {}),
            ("proposal A", cast.team, "De minister zal de Kamer een brief sturen.", {}),
            ("proposal B", records["team B"], "De minister zal de gemeenten raadplegen.", {}),
            (
                "proposal duplicate",
                None,
                "De minister zal de Kamer informeren.",
                {"possible_duplicate": records["A1"]},
            ),
            (
                "proposal linked",
                cast.team,
                "De minister zal een brief sturen.",
                {
                    "state": Proposal.State.LINKED,
                    "commitment": records["A2"],
                    "decided_by": cast.official,
                    "decided_at": datetime.datetime(2025, 7, 3, 9, tzinfo=datetime.UTC),
                },
            ),
        ),
        start=1,
    ):
        found[key] = Proposal.objects.create(
            **proposal, position=position, team=team, text=text, **extra
        )
    other = DebateFactory(title="Commissiedebat Jeugdbescherming", committee=records["committee"])
    found["debate to accept"] = other
    found["proposal to accept"] = Proposal.objects.create(
        **proposal | {"report": report(other, "commissiedebat-jeugd.xml"), "debate": other},
        position=1,
        text="De minister zal de Kamer over de wachtlijsten informeren.",
    )
    return found


def _register_records(records, cast):
    """What the register sync makes of two records of the Kamer's register, read from a local
    OData server: A3, typed in here with its register number, is linked and differs in status
    (the register says fulfilled, without a letter) and text; the other record resembles A4
    (no register number yet) only in part, and is asked about in the review inbox. Team B's
    official notes why B2 is not in the register."""
    debate = DebateFactory(
        title="Commissiedebat Kinderbescherming",
        committee=records["committee"],
        date=datetime.date(2024, 2, 28),
        activity_number="2024A01000",
    )
    common = {
        "team": cast.team,
        "owner": cast.official,
        "made_by": records["minister"],
        "debate": debate,
        "made_on": debate.date,
    }
    a3 = CommitmentFactory(
        reference=secret("A3 reference"),
        register_number="TZ202403-001",
        text=f"{secret('A3 text')} De minister zal de Kamer voor de zomer over de pilot "
        "informeren.",
        **common,
    )
    a4 = CommitmentFactory(
        reference=secret("A4 reference"),
        text=f"{secret('A4 text')} De minister zal de Kamer informeren over de wachttijden in "
        "de jeugdzorg en de regio's.",
        **common,
    )
    kamer = [
        toezegging(
            1,
            Status="Voldaan",
            Tekst=f"{secret('A3 register text')} De minister informeert de Kamer in het najaar "
            "over de pilot.",
        ),
        toezegging(
            2,
            Tekst="De minister zal de Kamer voor de zomer informeren over de wachttijden in de "
            "jeugdzorg per regio.",
        ),
    ]
    with RegisterServer(kamer) as server:
        summary = sync.register_sync(ministry=REGISTER_MINISTRY, base_url=server.base_url)
    assert (summary.updated, summary.proposals, summary.refused) == (1, 1, []), summary
    entry = RegisterEntry.objects.get(number="TZ202403-001")
    assert entry.commitment_id == a3.pk
    a3 = Commitment.objects.get(pk=a3.pk)
    assert [d.kind for d in parliament_selectors.differences_of(a3)] == [
        "status",
        "text",
    ]
    note = parliament_services.register_difference_keep(
        actor=records["b_official"],
        commitment=records["B2"],
        kind=RegisterNote.Kind.UNREGISTERED,
        note=f"{secret('B2 register note')} Een schriftelijk overleg, niet in het register.",
    )
    return {
        "debate register": debate,
        "A3": a3,
        "A4": a4,
        "register entry": entry,
        "register cursor": RegisterCursor.objects.get(),
        "register note": note,
        "proposal register": Proposal.objects.get(register_entry__number="TZ202403-002"),
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The password-reset throttle counts in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(cast):
    return build_world(cast)


# --- the snapshot of everything a refusal must leave as it was -----------------------------------


def _snapshot_models():
    models = []
    for label in ("actionlines", "api", "commitments", "feeds", "parliament", "tracker"):
        models += apps.get_app_config(label).get_models(include_auto_created=True)
    models += [
        Group,
        Group.permissions.through,
        User.groups.through,
        User.user_permissions.through,
        LogEntry,
        AccessAttempt,
        AccessLog,
        AccessFailureLog,
    ]
    return models


USER_COLUMNS = [f.attname for f in User._meta.concrete_fields if f.name != "last_login"]
# When an API token or a calendar feed was last used: noted by every use, read or not, and kept
# out of their histories as bookkeeping.
BOOKKEEPING_COLUMNS = {"last_used_at"}


def _columns(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.name not in BOOKKEEPING_COLUMNS]


def snapshot() -> dict[str, list[dict]]:
    """Every row of the domain's tables (with their histories), the admin log, the users."""
    state = {
        model._meta.label: list(model._default_manager.order_by("pk").values(*_columns(model)))
        for model in _snapshot_models()
    }
    # Logging in sets last_login; nothing else about a user may change by a refused request.
    state["auth.User"] = list(User.objects.order_by("pk").values(*USER_COLUMNS))
    return state


def difference(before, after) -> list[str]:
    return [label for label in before if before[label] != after[label]]


# --- sending a cell ------------------------------------------------------------------------------


class WriteLog:
    """The SQL statements that write, as a request runs: without one, no table can differ
    and the snapshot need not be taken again."""

    WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        statement = sql.lstrip().upper()
        if statement.startswith(self.WRITES) and "DJANGO_SESSION" not in statement[:40]:
            self.statements.append(sql)
        return execute(sql, params, many, context)


def body_of(response) -> str:
    # The test client closes the response itself (a streamed one once it is read): closing it
    # here again would end the database connection, and with it the test's transaction.
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content.startswith(b"PK"):  # an Excel file: the text is in its zipped XML
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"".join(archive.read(name) for name in archive.namelist())
    return content.decode("utf-8", errors="replace")


def status_problem(cell: Cell, response) -> str | None:
    expected = cell.expected
    if isinstance(expected, Redirect):
        if response.status_code != 302:
            return f"answered {response.status_code}, not {expected}"
        location = response["Location"].split("?")[0]
        return None if location == expected.to else f"redirected to {location}, not {expected}"
    if response.status_code != expected:
        return f"answered {response.status_code}, expected {expected}{_form_errors(response)}"
    if expected == 302:
        location = response["Location"].split("?")[0]
        if location in (LOGIN.to, ADMIN_LOGIN.to):
            return f"redirected to the login {location}"
    return None


def _form_errors(response) -> str:
    context = getattr(response, "context", None)
    if not context:
        return ""
    errors = []
    for name in ("form", "adminform"):
        try:
            form = context[name]
        except KeyError:
            continue
        form = getattr(form, "form", form)
        if getattr(form, "errors", None):
            errors.append(str(form.errors.as_data()))
    return f" (form errors: {'; '.join(errors)})" if errors else ""


def leaks(role: str, body: str) -> list[str]:
    return [name for name, marker in unreadable_secrets(role).items() if marker in body]


def run_cell(client, world, cell: Cell, baseline) -> list[str]:
    """Send one cell and check it; whatever it wrote is rolled back, so the next cell finds
    the world as `baseline` shows it. Returns what was wrong."""
    problems = []
    cookies = SimpleCookie(client.cookies)
    cache.clear()
    mail.outbox = []
    with transaction.atomic():
        row = cell.row
        path = row.path(world, cell.role)
        if cell.method == "GET":
            data = row.query(world) if row.query else None
        else:
            if row.post_path:
                path = row.post_path(client, world, cell.role)
            data = row.payload(world, cell.role, client) if row.payload else {}
        sent = {}
        if row.headers:
            sent["headers"] = row.headers(world, cell.role)
        if row.content_type and cell.method == "POST":
            sent["content_type"] = row.content_type
        writes = WriteLog()
        with connection.execute_wrapper(writes):
            response = getattr(client, cell.method.lower())(path, data, **sent)
        if problem := status_problem(cell, response):
            problems.append(problem)
        if row.media_type and 200 <= response.status_code < 300:
            media_type = response.get("Content-Type", "").split(";")[0].strip()
            if media_type != row.media_type:
                problems.append(f"answered {media_type or 'no content type'}, not {row.media_type}")
        if leaked := leaks(row.reader or cell.role, body_of(response)):
            problems.append(f"shows {', '.join(leaked)}")
        changed = difference(baseline, snapshot()) if writes.statements else []
        reads = cell.method == "GET" or refused(cell.expected)
        effect = UNCHANGED if reads else row.effect_for(cell.role)
        if effect in (UNCHANGED, MAILS) and changed:
            problems.append(f"changed {', '.join(changed)}")
        if effect == CHANGES and not changed:
            problems.append("changed nothing")
        if effect == MAILS and len(mail.outbox) != 1:
            problems.append(f"sent {len(mail.outbox)} e-mails")
        transaction.set_rollback(True)
    client.cookies = cookies  # a login or logout in the cell is undone with its session row
    return [f"{cell.id} ({cell.method} {path}): {problem}" for problem in problems]


def run_cells(client, world, role, method) -> list[str]:
    client.raise_request_exception = False  # a server error is one more wrong answer
    if role != "anonymous":
        client.force_login(world.user(role))
    world.admin_client()  # its session is made before the baseline, not rolled back with a cell
    baseline = snapshot()
    problems = []
    for cell in CELLS:
        if cell.role == role and cell.method == method:
            problems += run_cell(client, world, cell, baseline)
    return problems


# --- the tests -----------------------------------------------------------------------------------

ARTIFACT = Path(__file__).resolve().parent.parent / "artifacts" / "access_matrix.txt"


def test_every_url_pattern_has_an_access_row():
    """A page added without a row in this table fails here, by name."""
    missing = sorted(key for key, rows in ACCESS.items() if not rows)
    assert not missing, "URL patterns without an access row: " + ", ".join(missing)
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), (
        f"admin models without an entry in ADMIN_MODELS: {sorted(registered - set(ADMIN_MODELS))}"
        f"; entries for models not in the admin: {sorted(set(ADMIN_MODELS) - registered)}"
    )
    stale = [key for key in sorted({*_site_rows(), *_admin_site_rows()}) if key not in ACCESS]
    assert not stale, "access rows for URL names that no longer exist: " + ", ".join(stale)
    posts = [cell for cell in CELLS if cell.method == "POST"]
    refusals = sum(refused(cell.expected) for cell in posts)
    writes = sum(
        not refused(cell.expected) and cell.row.effect_for(cell.role) == CHANGES for cell in posts
    )
    summary = (
        f"access matrix: {len(CELLS)} cells (role x URL x method) = "
        f"{len(ACCESS)} URL patterns, filled with records in "
        f"{sum(len(rows) for rows in ACCESS.values())} ways, x {len(ROLES)} roles x GET/POST.\n"
        f"{len(CELLS) - len(posts)} GET cells; {len(posts)} POST cells: {refusals} refused "
        f"(checked to change nothing), {writes} allowed writes (checked to change the tables), "
        f"{len(posts) - refusals - writes} others (pages that do not write, login, logout, "
        "password reset).\n"
    )
    print(summary)
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(summary)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_by_get(client, world, role):
    """Every URL with every record, as `role`: the expected answer, no secret of a record the
    role may not read, and nothing changed by reading."""
    problems = run_cells(client, world, role, "GET")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_post(client, world, role):
    """Every POST with data that would succeed, as `role`: the expected answer; a refusal (or
    a page that does not write) leaves every table as it was, an allowed write changes them."""
    problems = run_cells(client, world, role, "POST")
    assert not problems, "\n".join(problems)


# --- what the matrix does not show by itself -----------------------------------------------------


def _page(client, user, path, data=None):
    client.force_login(user)
    response = client.get(path, data)
    assert response.status_code == 200, (path, response.status_code)
    return response, body_of(response)


def test_the_secrets_show_where_they_may(client, world):
    """The markers are on the pages of those who may read them, so their absence elsewhere
    means something."""
    for role, team in (("official", "A"), ("hybrid", "B")):
        _, detail = _page(
            client, world[role], reverse("commitments:detail", args=[world[f"{team}1"].pk])
        )
        for name in ("text", "reference", "progress note", "deadline reason"):
            assert secret(f"{team}1 {name}") in detail, (role, name)
        _, letter = _page(
            client,
            world[role],
            reverse("commitments:letter_detail", args=[world[f"letter {team}"].pk]),
        )
        assert secret(f"letter {team} title") in letter and secret(f"{team}2 text") in letter
        _, evidence = _page(
            client,
            world[role],
            reverse("commitments:evidence_file", args=[world[f"evidence {team}"].pk]),
        )
        assert secret(f"{team}1 evidence") in evidence


def test_the_kamer_overview_shows_each_reader_the_commitments_they_read(client, world):
    """The minister's overview, as a page and as a Word file, lists (with its last progress
    note) each commitment the user reads, so no secret on the others' overviews means
    something."""
    query = _overview_of("minister")(world)
    shown = {
        "official": ("A1 text", "A1 reference", "A1 progress note", "A2 text"),
        "hybrid": ("B1 text", "B1 reference", "B1 progress note", "B2 text"),
        "staff": ("A1 text", "B1 text", "A3 text", "A4 text"),
    }
    for role, names in shown.items():
        for name in ("commitments:kamer_overview", "commitments:kamer_overview_docx"):
            _, body = _page(client, world[role], reverse(name), query)
            for marker in names:
                assert secret(marker) in body, (role, name, marker)
            assert not leaks(role, body), (role, name)


def test_the_differences_with_the_register_show_to_the_readers_of_the_commitment(client, world):
    """Both sides of A3's differences are on the page for team A's readers, so their absence
    from the pages of the others means something; B2's difference is answered by its note."""
    path = reverse("parliament:register_differences")
    _, as_official = _page(client, world["official"], path)
    for name in ("A3 text", "A3 reference", "A3 register text", "A4 reference"):
        assert secret(name) in as_official, name
    assert "Voldaan" in as_official
    _, as_hybrid = _page(client, world["hybrid"], path)
    assert secret("B1 reference") in as_hybrid and secret("B2 reference") not in as_hybrid
    assert not leaks("hybrid", as_hybrid)
    # The same commitments in the list, filtered on "differs from the Kamer's register".
    _, listed = _page(
        client, world["official"], reverse("commitments:list"), {"register_differs": 1}
    )
    assert secret("A3 reference") in listed and secret("A4 reference") in listed
    _, exported = _page(client, world["staff"], reverse("parliament:register_export"))
    assert secret("A3 reference") in exported and secret("A3 text") in exported


def test_the_api_and_the_feeds_show_the_secrets_to_their_readers(world):
    """The API's answers and a feed's calendar carry the markers for those who may read them,
    so their absence from the others' means something."""
    browser = Client()
    browser.force_login(world["official"])
    detail = browser.get(reverse("api:commitment-detail", args=[world["A1"].pk]))
    assert detail.status_code == 200 and detail["Content-Type"] == JSON
    for name in ("A1 text", "A1 reference", "A1 progress note", "A1 deadline reason"):
        assert secret(name) in detail.content.decode(), name
    public = browser.get(reverse("api:commitment-detail", args=[world["public commitment"].pk]))
    assert secret("public progress note") in public.content.decode()
    notifications = browser.get(reverse("api:notification-list")).content.decode()
    assert secret("A1 reminder subject") in notifications
    script = Client(headers=_by_token(world, "hybrid"))
    assert secret("B1 reference") in script.get(reverse("api:commitment-list")).content.decode()
    # A feed answers by its address alone, with what its owner reads.
    calendar = Client()
    for key, names in (
        ("official feed", ("A1 reference", "A2 text", "letter A title")),
        ("hybrid feed", ("B1 reference", "letter C title")),
        ("hybrid team B feed", ("B1 reference", "B2 text", "letter B title")),
    ):
        response = calendar.get(_feed_address(key)(world, "anonymous"))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
        for name in names:
            assert secret(name) in response.content.decode(), (key, name)


def test_the_public_register_shows_the_public_commitment(world):
    """The public pages and files list the world's public commitment, so that no secret on
    them means something; the commitments that are not public are on none of them."""
    visitor = Client()
    for path in (
        reverse("public:list"),
        reverse("public:plan_detail", args=[world["public plan"].pk]),
        reverse("public:export_csv"),
        reverse("public:export_json"),
    ):
        response = visitor.get(path)
        assert response.status_code == 200, path
        body = body_of(response)
        assert world["public commitment"].reference in body, path
        assert not leaks("anonymous", body), path
        assert "TZ-SECRET" not in body and "GEHEIM" not in body, path


def test_the_uploaded_report_captures_commitments():
    """So an allowed upload in the matrix saves proposals, not just a debate."""
    report = vlos.read_report(VLOS_REPORT.read_bytes(), file=VLOS_REPORT.name)
    assert report.commitments


def test_a_review_page_names_registered_commitments_only_to_their_readers(client, world):
    """A proposal's possible duplicate and the commitment it was linked to are named on its
    review page to those who may read them, and only to them: the proposal itself is public."""
    duplicate = reverse("parliament:proposal_review", args=[world["proposal duplicate"].pk])
    linked = reverse("parliament:proposal_review", args=[world["proposal linked"].pk])
    for role in ("official", "staff"):
        _, body = _page(client, world[role], duplicate)
        assert secret("A1 reference") in body, role
        _, body = _page(client, world[role], linked)
        assert secret("A2 reference") in body, role
    problems = []
    for role in ("outsider", "hybrid"):
        for path in (duplicate, linked):
            _, body = _page(client, world[role], path)
            if leaked := leaks(role, body):
                problems.append(f"{path} shows {', '.join(leaked)} to {role}")
    assert not problems, "; ".join(problems)


def test_an_activity_page_lists_only_the_commitments_the_user_may_read(client, world):
    path = reverse("actionlines:activity_detail", args=[world["activity A"].pk])
    _, as_official = _page(client, world["official"], path)
    assert secret("A1 text") in as_official and secret("A1 reference") in as_official
    for role in ("outsider", "hybrid"):
        _, body = _page(client, world[role], path)
        assert secret("A1 text") not in body and secret("A1 reference") not in body, role
    _, plan = _page(
        client, world["outsider"], reverse("actionlines:plan_detail", args=[world["plan"].pk])
    )
    assert not leaks("outsider", plan)


def test_the_letter_filter_refuses_a_letter_the_user_may_not_read(client, world):
    letter = world["letter A"]
    response, body = _page(
        client, world["outsider"], reverse("commitments:list"), {"letter": letter.pk}
    )
    assert secret("letter A title") not in body
    assert "letter" in response.context["filter"].form.errors
    assert list(response.context["page"].object_list) == []
    _, as_official = _page(
        client, world["official"], reverse("commitments:list"), {"letter": letter.pk}
    )
    assert secret("letter A title") in as_official and secret("A2 reference") in as_official


def _number_in_row(body, text) -> str:
    """The figure in the numeric cell of the table row that names `text`."""
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(text)}(?:(?!</tr>).)*</tr>", body, re.S)
    assert row, f"no row for {text!r}"
    cell = re.search(r'<td class="number">(?:<a [^>]*>)?\s*([^<]*?)\s*<', row[0])
    return cell[1]


@pytest.mark.parametrize(
    ("name", "record", "official_count"),
    [
        ("commitments:document_list", "document A", "1"),
        ("commitments:debate_list", "debate A", "2"),
    ],
)
def test_documents_and_debates_count_only_readable_commitments(
    client, world, name, record, official_count
):
    title = world[record].title
    _, as_official = _page(client, world["official"], reverse(name))
    assert _number_in_row(as_official, title) == official_count
    for role in ("outsider", "hybrid"):
        _, body = _page(client, world[role], reverse(name))
        assert _number_in_row(body, title) == "0", role


def test_letters_and_dashboard_count_only_readable_commitments(client, world):
    title = secret("letter C title")
    # Letter C answers A1 and B1: the hybrid reads only B1.
    _, as_hybrid = _page(client, world["hybrid"], reverse("commitments:letter_list"))
    assert _number_in_row(as_hybrid, title) == "1 / 1"
    _, as_staff = _page(client, world["staff"], reverse("commitments:letter_list"))
    assert _number_in_row(as_staff, title) == "2 / 2"
    dashboard, _ = _page(client, world["hybrid"], reverse("commitments:dashboard"))
    figures = dashboard.context["figures"]
    assert figures["total"] == 2  # B1 and B2
    assert {letter.title: letter.open_count for letter in figures["letters"]} == {
        secret("letter B title"): 1,
        title: 1,
    }
    outsider, body = _page(client, world["outsider"], reverse("commitments:dashboard"))
    figures = outsider.context["figures"]
    assert figures["total"] == 0 and figures["letters"] == []
    assert figures["overdue_count"] == 0 and figures["soon_count"] == 0
    assert not leaks("outsider", body)


def _commitment_state(*commitments):
    pks = [commitment.pk for commitment in commitments]
    return (
        list(Commitment.objects.filter(pk__in=pks).order_by("pk").values()),
        list(ProgressUpdate.objects.filter(commitment__in=pks).order_by("pk").values()),
        list(Commitment.history.filter(id__in=pks).order_by("history_id").values()),
    )


# Writes that put other teams' work where the user may not: (role, form, payload changes, the
# field the form refuses).
CROSS_TEAM_ATTEMPTS = {
    "manager of B puts B1 on a new letter": (
        "hybrid",
        "commitments:letter_create",
        lambda world: {"commitments": [world["B1"].pk]},
        "commitments",
    ),
    "manager of B plans a letter in team B": (
        "hybrid",
        "commitments:letter_create",
        lambda world: {"team": world["team B"].pk},
        "team",
    ),
    "outsider puts A1 on a new letter": (
        "outsider",
        "commitments:letter_create",
        lambda world: {"commitments": [world["A1"].pk]},
        "commitments",
    ),
    "official puts B1 on a new letter": (
        "official",
        "commitments:letter_create",
        lambda world: {"commitments": [world["B1"].pk]},
        "commitments",
    ),
    "manager of B adds B2 to team C's letter": (
        "hybrid",
        "letter C",
        lambda world: {"commitments": [world["B2"].pk]},
        "commitments",
    ),
    "official adds B1 to team A's letter": (
        "official",
        "letter A",
        lambda world: {"commitments": [world["A2"].pk, world["B1"].pk]},
        "commitments",
    ),
    "manager of B registers a commitment in team B": (
        "hybrid",
        "commitments:create",
        lambda world: {"team": world["team B"].pk},
        "team",
    ),
    "official moves A1 to team B": (
        "official",
        "A1",
        lambda world: {"team": world["team B"].pk},
        "team",
    ),
}


@pytest.mark.parametrize("attempt", list(CROSS_TEAM_ATTEMPTS))
def test_nobody_puts_work_where_they_may_not(client, world, attempt):
    role, target, changes, field_name = CROSS_TEAM_ATTEMPTS[attempt]
    forms = {
        "commitments:letter_create": (reverse("commitments:letter_create"), _letter_create),
        "commitments:create": (reverse("commitments:create"), _commitment_create),
        "letter A": (
            reverse("commitments:letter_edit", args=[world["letter A"].pk]),
            _letter_edit("letter A"),
        ),
        "letter C": (
            reverse("commitments:letter_edit", args=[world["letter C"].pk]),
            _letter_edit("letter C"),
        ),
        "A1": (reverse("commitments:edit", args=[world["A1"].pk]), _commitment_edit("A1")),
    }
    path, payload = forms[target]
    client.force_login(world[role])
    data = payload(world, role, client) | changes(world)
    before = snapshot()
    response = client.post(path, data)
    assert response.status_code in (200, 403), response.status_code
    if response.status_code == 200:
        assert field_name in response.context["form"].errors
    assert not difference(before, snapshot())


def test_a_manager_of_b_cannot_fulfil_bs_commitment_by_recording_a_letter_as_sent(client, world):
    letter, a1, b1 = world["letter C"], world["A1"], world["B1"]
    client.force_login(world["hybrid"])
    form = client.get(reverse("commitments:letter_sent", args=[letter.pk])).context["form"]
    assert f"outcome_{b1.pk}" not in form.fields and f"outcome_{a1.pk}" not in form.fields
    before = _commitment_state(a1, b1)
    response = client.post(
        reverse("commitments:letter_sent", args=[letter.pk]),
        _letter_sent("letter C")(world, "hybrid", client),
    )
    # The letter is the hybrid's to record; the commitments on it are not theirs to fulfil.
    assert response.status_code in (302, 403)
    assert _commitment_state(a1, b1) == before
    assert set(FollowUpLetter.objects.get(pk=letter.pk).commitments.all()) == {a1, b1}


def test_editing_a_letter_keeps_the_commitments_the_editor_may_not_change(client, world):
    letter = world["letter C"]
    client.force_login(world["hybrid"])
    data = _letter_edit("letter C")(world, "hybrid", client)
    response = client.post(reverse("commitments:letter_edit", args=[letter.pk]), data)
    assert response.status_code == 302
    assert set(FollowUpLetter.objects.get(pk=letter.pk).commitments.all()) == {
        world["A1"],
        world["B1"],
    }


def test_recording_a_letter_as_sent_fulfils_only_the_officials_own_commitments(client, world):
    letter, a2, b1, b2 = world["letter A"], world["A2"], world["B1"], world["B2"]
    letter.commitments.add(b2)  # another team's commitment on the letter, put there directly
    before = _commitment_state(b1, b2)
    client.force_login(world["official"])
    data = _letter_sent("letter A")(world, "official", client) | {f"outcome_{b1.pk}": "fulfilled"}
    response = client.post(reverse("commitments:letter_sent", args=[letter.pk]), data)
    assert response.status_code == 302
    assert Commitment.objects.get(pk=a2.pk).status == "fulfilled"
    assert _commitment_state(b1, b2) == before


def test_fulfilling_through_a_letter_does_not_name_the_letter_to_those_who_may_not_read_it(
    client, world
):
    """An official owns a commitment of team B, answers it in their own team's letter and
    records that letter as sent. Team B's manager reads the commitment, not the letter."""
    owned = CommitmentFactory(
        reference="TZ-B3",
        text="Een toezegging van team B.",
        team=world["team B"],
        owner=world["official"],
        made_by=world["minister"],
        debate=world["debate B"],
    )
    letter = world["letter A"]
    client.force_login(world["official"])
    edit = _letter_edit("letter A")(world, "official", client) | {
        "commitments": [world["A2"].pk, owned.pk]
    }
    assert (
        client.post(reverse("commitments:letter_edit", args=[letter.pk]), edit).status_code == 302
    )
    sent = client.post(
        reverse("commitments:letter_sent", args=[letter.pk]),
        _letter_sent("letter A")(world, "official", client),
    )
    assert sent.status_code == 302
    assert Commitment.objects.get(pk=owned.pk).status == "fulfilled"
    _, body = _page(client, world["hybrid"], reverse("commitments:detail", args=[owned.pk]))
    assert "TZ-B3" in body
    assert secret("letter A title") not in body, "the commitment's timeline names the letter"


def test_the_admin_history_form_does_not_write_where_the_admin_allows_no_change(client, world):
    """Deadline changes are decided through the admin's actions only (no change form); the
    history page of a decided request must not become a way to write one."""
    change = DeadlineChangeFactory(
        commitment=world["A2"],
        requested_by=world["official"],
        state="approved",
        decided_by=world["manager"],
        decided_at=datetime.datetime(2025, 10, 1, tzinfo=datetime.UTC),
        new_due_date=datetime.date(2026, 2, 2),
    )
    version = change.history.order_by("history_id").first()
    path = reverse(
        "admin:commitments_deadlinechange_simple_history", args=[change.pk, version.history_id]
    )
    data = _admin_form(world, path, type(change), prefix="historical")
    client.force_login(world["admin"])
    before = snapshot()
    response = client.post(path, data)
    assert response.status_code == 403
    assert not difference(before, snapshot())


def test_a_letter_reminder_names_only_the_commitments_its_recipient_may_read(client, world):
    """Team C's letter answers A1 and B1; its drafter (the hybrid) reads B1 only. The reminder
    e-mail and the notifications page that lists it must not name A1, nor count it."""
    assert world["letter C"].planned_date == datetime.date(2025, 9, 15)
    reminders_send_due(today=datetime.date(2025, 9, 8))  # a week before, a Monday
    to_hybrid = [message for message in mail.outbox if world["hybrid"].email in str(message.to)]
    assert to_hybrid, "no reminder went to the drafter of letter C"
    problems = []
    for message in to_hybrid:
        text = message.body + "".join(content for content, _type in message.alternatives)
        if leaked := leaks("hybrid", text):
            problems.append(f"the e-mail {message.subject!r} shows {', '.join(leaked)}")
        if secret("letter C title") in message.subject and not re.search(
            r"\b1 (van|of) 1\b", message.subject
        ):
            problems.append(f"the e-mail {message.subject!r} counts A1")
    _, page = _page(client, world["hybrid"], reverse("commitments:notifications"))
    if leaked := leaks("hybrid", page):
        problems.append(f"the notifications page shows {', '.join(leaked)}")
    assert not problems, "; ".join(problems)
