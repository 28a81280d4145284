"""An activity's or a plan's period in words: only what is known, never a "?".

The plan's letters often fix only a start ("vanaf maart 2017") or an end ("tot eind 2018");
continued work and governance such as the aanjaagteam run without either.
"""

import calendar
import datetime

from django import template
from django.utils import dateformat
from django.utils.translation import pgettext

from actionlines.models import Activity

register = template.Library()

ONGOING_KINDS = (Activity.Kind.CONTINUED, Activity.Kind.GOVERNANCE)


def _start(day: datetime.date) -> str:
    # A start on the first of a month reads as the month ("maart 2017").
    return dateformat.format(day, "F Y" if day.day == 1 else "j F Y")


def _end(day: datetime.date) -> str:
    # An end on the last day of a month or year reads as its end ("eind 2018").
    if (day.month, day.day) == (12, 31):
        return pgettext("period", "end of %(period)s") % {"period": day.year}
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return pgettext("period", "end of %(period)s") % {"period": dateformat.format(day, "F Y")}
    return dateformat.format(day, "j F Y")


def period_text(start, end, *, ongoing: bool = False) -> str:
    if start and end:
        return f"{_start(start)} – {_end(end)}"
    if start:
        return pgettext("period", "From %(start)s") % {"start": _start(start)}
    if end:
        return pgettext("period", "Until %(end)s") % {"end": _end(end)}
    return pgettext("period", "Ongoing") if ongoing else pgettext("period", "No period recorded")


@register.filter
def activity_period(activity) -> str:
    return period_text(
        activity.start_date, activity.end_date, ongoing=activity.kind in ONGOING_KINDS
    )


@register.filter
def plan_period(plan) -> str:
    return period_text(plan.period_start, plan.period_end)
