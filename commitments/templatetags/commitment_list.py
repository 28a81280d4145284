"""The rows of the commitment list, written without the template engine.

The list shows fifty rows of seven cells: through Django's templates that is about 500
variable lookups, each resolved, localised and escaped on its own, the largest part of the
page's time in Python (README, "Benchmark"). The rows are plain values prepared by
`selectors.commitment_page`, so one f-string per row, with every value escaped, writes the
same HTML at a fraction of the cost. The markup must stay as the template had it: the
browser tests and the stylesheet rely on it.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def commitment_rows(rows, detail_url_prefix: str, text_length: int):
    overdue = escape(gettext("overdue"))
    lines = []
    for row in rows:
        text = escape(row["text_start"]) + ("…" if row["text_length"] > text_length else "")
        late = f' <span class="badge badge--overdue">{overdue}</span>' if row["is_overdue"] else ""
        team = (
            f'<br><span class="muted">{escape(row["team_name"])}</span>' if row["team_name"] else ""
        )
        lines.append(
            "<tr>"
            f'<td><a href="{escape(detail_url_prefix)}{int(row["id"])}/">'
            f"{escape(row['reference'])}</a></td>"
            f"<td>{text}</td>"
            f'<td><span class="badge badge--{escape(row["status"])}">'
            f"{escape(row['status_label'])}</span>{late}</td>"
            f"<td>{escape(row['due_display'])}</td>"
            f"<td>{escape(row['made_on_display'])}</td>"
            f"<td>{escape(row['made_by_name'] or '')}</td>"
            f"<td>{escape(row['owner_name'] or '—')}{team}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 - every value above is escaped
