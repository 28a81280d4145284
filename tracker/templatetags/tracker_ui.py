"""Small pieces of interface shared by the pages: badges, charts, query strings."""

import re

from django import template

from tracker.actors import actor_name
from tracker.durations import lateness_in_words

register = template.Library()


@register.filter
def actor(user) -> str:
    """Who made a change: a person's name, or the system job ("systeem: registersync")."""
    return actor_name(user)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None removes one).

    Keeps repeated parameters such as `status=open&status=in_progress` intact, so pagination
    and sorting links keep the whole filter.
    """
    query = context["request"].GET.copy()
    if "page" in changes and "cursor" not in changes:
        # A position (commitments.keyset) belongs to the page it leads to: a link to another
        # page, or to the first page of another filter or sort, drops it.
        query.pop("cursor", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value not in (None, ""):
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.inclusion_tag("includes/bar_chart.html")
def bar_chart(rows, title, description=""):
    """A horizontal bar chart as inline SVG, with the figures as its text alternative.

    `rows` holds (key, label, value) triples; the key becomes a CSS class for the bar colour.
    """
    rows = list(rows)
    largest = max((value for _key, _label, value in rows), default=0) or 1
    # Sized to fit a dashboard card without scaling, so the text stays legible.
    bar_height, gap, label_width, chart_width = 20, 8, 130, 170
    bars = [
        {
            "key": key,
            "label": str(label)[:1].upper() + str(label)[1:],
            "value": value,
            "y": index * (bar_height + gap),
            "text_y": index * (bar_height + gap) + bar_height * 7 // 10,
            "width": max(round(chart_width * value / largest), 2 if value else 0),
            "value_x": label_width
            + max(round(chart_width * value / largest), 2 if value else 0)
            + 6,
        }
        for index, (key, label, value) in enumerate(rows)
    ]
    return {
        "bars": bars,
        "title": title,
        "description": description or ", ".join(f"{b['label']}: {b['value']}" for b in bars),
        "height": len(bars) * (bar_height + gap),
        "bar_height": bar_height,
        "label_width": label_width,
        "width": label_width + chart_width + 45,
    }


@register.filter
def days_late(commitment, today):
    return commitment.days_overdue(today)


@register.simple_tag
def overdue_label(days):
    """How late, in words: "3 dagen te laat", "ruim 9 jaar te laat" (tracker/durations.py)."""
    return lateness_in_words(days)


@register.filter
def overdue_on(commitment, today):
    """Whether the commitment is open past its due date on `today`."""
    return commitment.is_overdue(today)


# "De Minister van Justitie en Veiligheid" as signed; mid-sentence Dutch writes the article and
# the function in lower case and keeps the ministry's name as it is.
_SIGNED_TITLE = re.compile(
    r"^(?:(De|Het)\s+)?(Minister-president|Minister|Staatssecretaris)\b", re.IGNORECASE
)


@register.filter
def mid_sentence(title: str) -> str:
    """A bewindspersoon's title as it reads inside a sentence: "de minister van …"."""
    match = _SIGNED_TITLE.match(title or "")
    if not match:
        return title
    article = f"{match[1].lower()} " if match[1] else ""
    return f"{article}{match[2].lower()}{title[match.end() :]}"
