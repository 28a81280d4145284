"""The dashboard's charts as server-rendered SVG, each with a text alternative.

The charts are drawn at their own size and never scaled down (the stylesheet lets a narrow
screen scroll them instead), so a 13 px label is 13 px as rendered. Each status has its own fill,
and overdue and late work also a hatch pattern (`includes/chart_patterns.html`), so no meaning
rests on colour alone; the labels, legends and tables say it in words as well.
"""

from django import template
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

# The status chart's extra row, and the keys the bars' fills are chosen by.
OVERDUE = "overdue"
LATE = "late"
ON_TIME = "on_time"
TREND_LEGEND = [
    (ON_TIME, gettext_lazy("fulfilled on time")),
    (LATE, gettext_lazy("fulfilled late")),
]
LABEL_CHARACTERS = 44


def _short(label) -> str:
    text = str(label)
    text = text[:1].upper() + text[1:]
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1] + "…"


@register.inclusion_tag("includes/dashboard_bars.html")
def dashboard_bars(rows, title, chart_id, table_heading=""):
    """Horizontal bars, each under its label: (key, label, value) rows, the key picks the fill.

    The label sits above its bar so that long team and bewindspersoon names stay legible.
    """
    rows = list(rows)
    row_height, label_baseline, bar_top, bar_height = 42, 14, 20, 14
    bar_room, value_gap, width = 270, 6, 320
    largest = max((value for _key, _label, value in rows), default=0) or 1
    bars = []
    for index, (key, label, value) in enumerate(rows):
        top = index * row_height
        length = max(round(bar_room * value / largest), 2 if value else 0)
        bars.append(
            {
                "key": key,
                "label": _short(label),
                "full_label": str(label)[:1].upper() + str(label)[1:],
                "value": value,
                "label_y": top + label_baseline,
                "y": top + bar_top,
                "width": length,
                "value_x": length + value_gap,
                "value_y": top + bar_top + bar_height - 2,
            }
        )
    return {
        "bars": bars,
        "title": title,
        "chart_id": slugify(chart_id),
        "table_heading": table_heading,
        "description": "; ".join(f"{bar['full_label']}: {bar['value']}" for bar in bars),
        "width": width,
        "height": max(len(bars), 1) * row_height,
        "bar_height": bar_height,
    }


@register.simple_tag
def status_rows(status_counts, overdue_count):
    """The status chart's rows: each status, then the overdue ones among the open."""
    return [*status_counts, (OVERDUE, _("of which overdue"), overdue_count)]


@register.simple_tag
def overdue_rows(groups, nameless=""):
    """Bars for an overdue breakdown; a group without a name (no team) gets `nameless`."""
    return [(OVERDUE, group.name or nameless, group.count) for group in groups]


@register.inclusion_tag("includes/trend_chart.html")
def trend_chart(trend, title, chart_id):
    """Stacked columns per quarter, oldest first: on time below, late on top."""
    column_room, column_width = 40, 26
    top, plot_height = 18, 120
    largest = max((quarter.total for quarter in trend), default=0) or 1
    bottom = top + plot_height
    columns = []
    for index, quarter in enumerate(trend):
        on_time = round(plot_height * quarter.on_time / largest)
        late = round(plot_height * quarter.late / largest)
        x = index * column_room + (column_room - column_width) // 2
        columns.append(
            {
                "quarter": quarter,
                "name": _("Q%(quarter)s %(year)s")
                % {"quarter": quarter.quarter, "year": quarter.start.year},
                "short": _("Q%(quarter)s") % {"quarter": quarter.quarter},
                "x": x,
                "centre": x + column_width // 2,
                "on_time_y": bottom - on_time,
                "on_time_height": on_time,
                "late_y": bottom - on_time - late,
                "late_height": late,
                "total_y": bottom - on_time - late - 4,
            }
        )
    description = "; ".join(
        _("%(name)s: %(on_time)s on time, %(late)s late")
        % {"name": c["name"], "on_time": c["quarter"].on_time, "late": c["quarter"].late}
        for c in columns
    )
    return {
        "columns": columns,
        "title": title,
        "chart_id": slugify(chart_id),
        "description": description,
        "legend": TREND_LEGEND,
        "width": len(columns) * column_room,
        "height": bottom + 36,
        "column_width": column_width,
        "bottom": bottom,
        "quarter_y": bottom + 16,
        "year_y": bottom + 31,
    }


@register.inclusion_tag("includes/status_mix.html")
def status_mix(state):
    """One action line's commitments as a single bar split by status, with the counts in
    words beside it (the bar itself is hidden from screen readers: the words say it all)."""
    width, height = 240, 18
    total = state.total
    segments = []
    x = 0
    for key, label, count in state.segments:
        if not count:
            continue
        length = round(width * count / total)
        segments.append({"key": key, "label": label, "count": count, "x": x, "width": length})
        x += length
    if segments:
        # Rounding must not leave a gap or overflow at the end of the bar.
        segments[-1]["width"] = width - segments[-1]["x"]
    return {"segments": segments, "total": total, "width": width, "height": height}


@register.simple_tag
def status_legend(segments):
    """The legend of the status mixes, in the order of their segments: overdue first."""
    return [(key, label) for key, label, _count in segments]


@register.simple_tag
def overdue_action_line_rows(lines):
    """Bars for the action lines with overdue commitments, most first."""
    late = sorted(
        (state for state in lines if state.overdue),
        key=lambda state: (-state.overdue, str(state.line)),
    )
    return [(OVERDUE, f"{state.line} ({state.line.plan})", state.overdue) for state in late]
