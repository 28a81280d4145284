"""The rows of the commitment list, written without the template engine.

The list shows fifty rows of seven cells: through Django's templates that is about 500
variable lookups, each resolved, localised and escaped on its own, the largest part of the
page's time in Python (README, "Benchmark"). The rows are plain values prepared by
`selectors.commitment_page`, so one f-string per row, with every value escaped, writes the
same HTML at a fraction of the cost. The markup must stay as the template had it: the
browser tests and the stylesheet rely on it. The standard library's `html.escape` is what
Django's `escape` calls, without the wrapper for lazy strings that costs three times the
escaping itself; every value here is a plain string (a translation is made one first).

Each cell carries its column's name (`data-label`): on a narrow screen the stylesheet shows a
row as a card and writes the names beside the values, the table's header being hidden there.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def commitment_rows(rows, detail_url_prefix: str, text_length: int):
    overdue = escape(str(gettext("overdue")))
    # The header's own words (the template translates them too), so both read the same.
    reference, commitment, status, due, made_on, made_by, owner = (
        f' data-label="{escape(str(gettext(name)))}"'
        for name in (
            "Reference",
            "Commitment",
            "Status",
            "Due date",
            "Made on",
            "Bewindspersoon",
            "Owner",
        )
    )
    lines = []
    for row in rows:
        text = escape(row["text_start"]) + ("…" if row["text_length"] > text_length else "")
        late = f' <span class="badge badge--overdue">{overdue}</span>' if row["is_overdue"] else ""
        team = (
            f'<br><span class="muted">{escape(row["team_name"])}</span>' if row["team_name"] else ""
        )
        lines.append(
            "<tr>"
            f'<td{reference}><a href="{escape(str(detail_url_prefix))}{int(row["id"])}/">'
            f"{escape(row['reference'])}</a></td>"
            f"<td{commitment}>{text}</td>"
            f'<td{status}><span class="badge badge--{escape(row["status"])}">'
            f"{escape(str(row['status_label']))}</span>{late}</td>"
            f"<td{due}>{escape(row['due_display'])}</td>"
            f"<td{made_on}>{escape(row['made_on_display'])}</td>"
            f"<td{made_by}>{escape(row['made_by_name'] or '')}</td>"
            f"<td{owner}>{escape(row['owner_name'] or '—')}{team}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 - every value above is escaped
