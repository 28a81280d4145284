"""A feed's content as an iCalendar object (RFC 5545, with RFC 7986's calendar properties).

Every event is an all-day event (VALUE=DATE) that blocks no time (TRANSP:TRANSPARENT): a due
date is a day, not a meeting. Its UID stays the same for the life of the record, so a client
moves the event when the date moves instead of adding a second one; SEQUENCE and
LAST-MODIFIED change when it does. A commitment that is fulfilled or lapses, a letter that is
sent and a request that is decided leave the feed, and the client drops the event at its next
refresh.

The text is in the feed user's language (their profile's, Dutch by default), whatever the
language of the client that fetches it. Nothing here depends on the moment of the fetch, so
the same data gives the same bytes and the view's ETag holds.

icalendar takes about a millisecond to build and write one event, which for a user with 500
commitments is most of a fetch. An event's text depends only on the values put into it, so
it is written once per distinct content and kept (`_written_event`): a client polling an
unchanged feed, or the members of a team whose feeds share its events, pay for the queries
only. A change of any value (a new date, text, owner's name, language) is another key.
"""

import datetime
import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from commitments.emails import absolute_url, recipient_language
from feeds.selectors import FeedContent

PRODID = "-//Commitment tracker//Calendar feed//NL"
# Asks clients to fetch again every hour; Outlook reads X-PUBLISHED-TTL, others RFC 7986's
# REFRESH-INTERVAL. Google decides for itself (every few hours).
REFRESH = datetime.timedelta(hours=1)
REFRESH_TTL = "PT1H"
SUMMARY_TEXT_LENGTH = 80
ONE_DAY = datetime.timedelta(days=1)
# For events whose record keeps no time of change: a fixed moment, so the bytes stay the same.
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# Written events kept per process: some 600 bytes each, so a few megabytes at most.
WRITTEN_EVENTS_KEPT = 20_000
# Stands in for a record's id in a reversed path: one reverse per feed instead of one per
# event (reversing is the dearest step after writing).
ID_PLACEHOLDER = 918273645
END = b"END:VCALENDAR\r\n"


@dataclass(frozen=True)
class EventValues:
    """Everything an event says, as plain values: the key under which its text is kept."""

    uid: str
    day: datetime.date
    summary: str
    description: str
    url: str
    sequence: int
    created: datetime.datetime | None
    modified: datetime.datetime
    status: str = "CONFIRMED"


def feed_calendar(content: FeedContent) -> bytes:
    feed = content.feed
    with translation.override(recipient_language(feed.user)):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        name = f"{_('Commitments')} · {feed.team.name if feed.team else _('My work')}"
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add(
            "x-wr-caldesc",
            _("Due dates, planned letters and deadline requests from the commitment tracker."),
        )
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH_TTL)
        values = _Values()
        events = [
            *map(values.commitment, content.commitments),
            *map(values.letter, content.letters),
            *map(values.request, content.requests),
        ]
    frame = calendar.to_ical()
    # The frame is icalendar's calendar without events; each event is icalendar's text too.
    if not frame.endswith(END):
        raise ValueError("icalendar ended the calendar in an unexpected way")
    return b"".join([frame[: -len(END)], *map(_written_event, events), END])


@functools.lru_cache(maxsize=WRITTEN_EVENTS_KEPT)
def _written_event(values: EventValues) -> bytes:
    event = Event()
    event.add("uid", values.uid)
    # Without a METHOD, DTSTAMP is when the information was last revised (RFC 5545,
    # 3.8.7.2), not when the feed was fetched: the bytes stay the same until the data changes.
    event.add("dtstamp", values.modified)
    if values.created is not None:
        event.add("created", values.created)
    event.add("last-modified", values.modified)
    event.add("sequence", values.sequence)
    event.add("dtstart", values.day)
    event.add("dtend", values.day + ONE_DAY)
    event.add("summary", values.summary)
    event.add("description", values.description)
    event.add("url", values.url)
    event.add("status", values.status)
    event.add("transp", "TRANSPARENT")
    return event.to_ical()


def _utc(moment: datetime.datetime | None) -> datetime.datetime:
    return (moment or EPOCH).astimezone(datetime.UTC).replace(microsecond=0)


def _day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _short(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SUMMARY_TEXT_LENGTH:
        return text
    return text[: SUMMARY_TEXT_LENGTH - 1].rstrip() + "…"


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class _Values:
    """What each record's event says, in the language active when it is made.

    The labels are translated and the links reversed once per feed, not once per event.
    """

    def __init__(self):
        self.host = urlsplit(settings.SITE_URL).hostname or "localhost"
        self.due_date = _("Due date")
        self.letter_planned = _("Letter planned")
        self.requested = _("Deadline change requested")
        self.new_due_date = _("New due date")
        self.requested_by = _("Requested by")
        self.team = _("Team")
        self.owner = _("Owner")
        self.commitments = _("Commitments")
        self._links: dict[str, str] = {}

    def link(self, name: str, pk: int) -> str:
        if name not in self._links:
            self._links[name] = absolute_url(reverse(name, args=[ID_PLACEHOLDER]))
        return self._links[name].replace(str(ID_PLACEHOLDER), str(pk))

    def commitment(self, commitment) -> EventValues:
        lines = [commitment.text]
        if commitment.team is not None:
            lines.append(f"{self.team}: {commitment.team.name}")
        if commitment.owner is not None:
            lines.append(f"{self.owner}: {_person(commitment.owner)}")
        url = self.link("commitments:detail", commitment.pk)
        return EventValues(
            uid=f"commitment-{commitment.pk}-due@{self.host}",
            day=commitment.due_date,
            summary=f"{self.due_date}: {commitment.reference} – {_short(commitment.text)}",
            description="\n".join([*lines, "", url]),
            url=url,
            # Each approved deadline change moved the date once: the number of times it moved.
            sequence=commitment.feed_sequence,
            created=_utc(commitment.created_at),
            modified=_utc(commitment.feed_moved_at or commitment.created_at),
        )

    def letter(self, letter) -> EventValues:
        lines = [letter.title]
        references = [commitment.reference for commitment in letter.feed_commitments]
        if references:
            lines.append(f"{self.commitments}: {', '.join(references)}")
        url = self.link("commitments:letter_detail", letter.pk)
        return EventValues(
            uid=f"letter-{letter.pk}-planned@{self.host}",
            day=letter.planned_date,
            summary=f"{self.letter_planned}: {letter.title}",
            description="\n".join([*lines, "", url]),
            url=url,
            # Every save of a letter bumps its version: a moved date or a new title counts up.
            sequence=letter.version - 1,
            created=None,
            modified=_utc(letter.feed_modified_at),
        )

    def request(self, change) -> EventValues:
        """On the requested date, tentatively: where the deadline lands if it is approved.

        Approval turns it into the commitment's own event on the same day. The request's
        reason stays in the tracker (it is internal); the link leads to the decision.
        """
        commitment = change.commitment
        lines = [commitment.text, ""]
        if change.original_due_date is not None:
            lines.append(f"{self.due_date}: {_day(change.original_due_date)}")
        lines.append(f"{self.new_due_date}: {_day(change.new_due_date)}")
        lines.append(f"{self.requested_by}: {_person(change.requested_by)}")
        url = self.link("commitments:deadline_decide", change.pk)
        return EventValues(
            uid=f"deadlinechange-{change.pk}-requested@{self.host}",
            day=change.new_due_date,
            summary=f"{self.requested}: {commitment.reference} – {_short(commitment.text)}",
            description="\n".join([*lines, "", url]),
            url=url,
            sequence=0,
            created=_utc(change.requested_at),
            modified=_utc(change.requested_at),
            status="TENTATIVE",
        )
