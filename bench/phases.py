"""`python -m bench.phases`: where a page's time goes, phase by phase.

`make bench` compares each page with its floor, the page's own SQL run straight on psycopg2.
What lies between the two is Python, and this splits it, p50 over the same runs, as the
benchmark's superuser on the database of DATABASE_URL with production settings:

- **request**: Django's own cost of a logged-in request (middleware, session, user, CSRF,
  security headers, the response) for a view that returns a few bytes: what any page costs
  before it does anything;
- **SQL**: the time spent inside the database driver, queries included;
- **template**: the time inside `render()` less the SQL run from there;
- **view**: the rest, the view's own Python (filters, forms, ORM query building, rows).

For the list it also renders the page's template with Jinja2's cost estimated the only honest
way, by measuring: the list's body is rendered once through Django's engine and once as the
same markup from a Jinja2 template of the table (the part of the page that grows with rows),
so the saving Jinja2 would bring is the difference for that part. Writes var/bench/phases.json.
"""

import argparse
import json
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

PAGES = {
    "list_unfiltered": ("/commitments/", "commitments.views.lists"),
    "detail_100_updates": (None, "commitments.views.detail"),
    "dashboard": ("/dashboard/", "commitments.views.dashboard"),
}
BARE_PATH = "/bench-phases-bare/"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.phases", description=__doc__)
    parser.add_argument("--runs", type=int, default=40, help="timed requests per page (40)")
    parser.add_argument("--output", default="var/bench/phases.json")
    args = parser.parse_args(argv)
    from bench.environment import use_production_settings

    use_production_settings(os.environ)
    import django

    django.setup()
    result = measure(runs=args.runs)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"\nWritten to {output}")
    return 0


def measure(*, runs: int) -> dict:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from bench.__main__ import _bench_user
    from bench.scenarios import _detail_commitments

    detail, _small = _detail_commitments()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(_bench_user())
    pages = {
        name: (path or f"/commitments/{detail}/", module) for name, (path, module) in PAGES.items()
    }
    result: dict = {"runs": runs, "pages": {}}
    with override_settings(ROOT_URLCONF=_bare_urlconf(settings.ROOT_URLCONF)):
        result["bare_request_ms"] = _p50([_timed(client, BARE_PATH) for _ in range(runs)])
        for name, (path, module) in pages.items():
            for _ in range(3):
                client.get(path)
            totals, sqls, renders, render_sqls = [], [], [], []
            for _ in range(runs):
                with _sql_timer() as sql, _render_timer(module, sql) as render:
                    totals.append(_timed(client, path))
                sqls.append(sql.total)
                renders.append(render.total)
                render_sqls.append(render.sql)
            total = _p50(totals)
            sql_ms = _p50(sqls)
            template = _p50([r - s for r, s in zip(renders, render_sqls, strict=True)])
            page = {
                "total_ms": total,
                "request_ms": result["bare_request_ms"],
                "sql_ms": sql_ms,
                "template_ms": round(template, 2),
                "view_ms": round(
                    max(0.0, total - result["bare_request_ms"] - sql_ms - template), 2
                ),
            }
            result["pages"][name] = page
        result["list_rows"] = _rows_engines(runs=runs)
    return result


def _bare_urlconf(root: str) -> str:
    """A URLconf of the project's own plus one login-required view that does nothing."""
    import types

    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.urls import include, path

    module = types.ModuleType("bench_phases_urls")

    @login_required
    def bare(request):
        return HttpResponse(b"ok", content_type="text/plain")

    module.urlpatterns = [path(BARE_PATH.strip("/") + "/", bare), path("", include(root))]
    sys.modules[module.__name__] = module
    return module.__name__


def _timed(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return elapsed


class _Total:
    def __init__(self):
        self.total = 0.0
        self.sql = 0.0


@contextmanager
def _sql_timer():
    from django.db import connection

    spent = _Total()

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.total += (time.perf_counter() - started) * 1000

    with connection.execute_wrapper(wrapper):
        yield spent


@contextmanager
def _render_timer(module_name: str, sql: _Total):
    """Time `render()` as the view module calls it, and the SQL run inside it."""
    import importlib

    module = importlib.import_module(module_name)
    original = module.render
    spent = _Total()

    def timed_render(*args, **kwargs):
        sql_before = sql.total
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.total += (time.perf_counter() - started) * 1000
            spent.sql += sql.total - sql_before

    module.render = timed_render
    try:
        yield spent
    finally:
        module.render = original


# The list's table: what the tracker writes in Python (commitment_rows) and the same table as
# Django's template engine and Jinja2 would write it, each from the same fifty rows.
DJANGO_ROWS = "".join(
    [
        "{% for row in rows %}<tr>",
        '<td data-label="{{ labels.reference }}">',
        '<a href="{{ prefix }}{{ row.id }}/">{{ row.reference }}</a></td>',
        '<td data-label="{{ labels.commitment }}">{{ row.text_start }}',
        "{% if row.text_length > text_length %}…{% endif %}</td>",
        '<td data-label="{{ labels.status }}">',
        '<span class="badge badge--{{ row.status }}">{{ row.status_label }}</span>',
        '{% if row.is_overdue %} <span class="badge badge--overdue">{{ overdue }}</span>',
        "{% endif %}</td>",
        '<td data-label="{{ labels.due }}">{{ row.due_display }}</td>',
        '<td data-label="{{ labels.made_on }}">{{ row.made_on_display }}</td>',
        '<td data-label="{{ labels.made_by }}">{{ row.made_by_name|default:"" }}</td>',
        '<td data-label="{{ labels.owner }}">{{ row.owner_name|default:"—" }}',
        '{% if row.team_name %}<br><span class="muted">{{ row.team_name }}</span>{% endif %}',
        "</td></tr>\n{% endfor %}",
    ]
)
JINJA_ROWS = DJANGO_ROWS.replace('|default:""', ' or ""').replace('|default:"—"', ' or "—"')


def _rows_engines(*, runs: int) -> dict:
    """p50 ms of writing the list's fifty rows: in Python (as the tracker does), through
    Django's template engine, and through Jinja2 (when installed)."""
    from django.template import Context, Template
    from django.utils import timezone
    from django.utils.translation import gettext

    from commitments import selectors
    from commitments.filters import DEFAULT_SORT, SORTS
    from commitments.models import Commitment
    from commitments.templatetags.commitment_list import commitment_rows

    rows = selectors.commitment_page(
        queryset=Commitment.objects.order_by(*SORTS[DEFAULT_SORT][1]),
        number=1,
        per_page=50,
        today=timezone.localdate(),
    ).object_list
    labels = {
        key: gettext(name)
        for key, name in (
            ("reference", "Reference"),
            ("commitment", "Commitment"),
            ("status", "Status"),
            ("due", "Due date"),
            ("made_on", "Made on"),
            ("made_by", "Bewindspersoon"),
            ("owner", "Owner"),
        )
    }
    context = {
        "rows": rows,
        "labels": labels,
        "prefix": "/commitments/",
        "text_length": 160,
        "overdue": gettext("overdue"),
    }
    timings = {
        "python": lambda: commitment_rows(rows, "/commitments/", 160),
    }
    django_template = Template(DJANGO_ROWS)
    timings["django_templates"] = lambda: django_template.render(Context(context))
    try:
        import jinja2
    except ImportError:
        jinja2 = None
    if jinja2 is not None:
        jinja_template = jinja2.Environment(autoescape=True).from_string(JINJA_ROWS)
        timings["jinja2"] = lambda: jinja_template.render(context)
    result = {"rows": len(rows)}
    for name, write in timings.items():
        for _ in range(5):
            write()
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            write()
            samples.append((time.perf_counter() - started) * 1000)
        result[f"{name}_ms"] = _p50(samples)
    return result


def _p50(samples: list[float]) -> float:
    return round(statistics.median(samples), 2)


def print_table(result: dict) -> None:
    print(f"Bare logged-in request (Django's own cost): {result['bare_request_ms']} ms")
    header = f"{'page':<22}{'total':>8}{'request':>9}{'SQL':>8}{'template':>10}{'view':>8}"
    print(header)
    print("-" * len(header))
    for name, page in result["pages"].items():
        print(
            f"{name:<22}{page['total_ms']:>8.1f}{page['request_ms']:>9.1f}{page['sql_ms']:>8.1f}"
            f"{page['template_ms']:>10.1f}{page['view_ms']:>8.1f}"
        )
    rows = result["list_rows"]
    print(
        f"\nThe list's {rows['rows']} rows: Python {rows['python_ms']} ms, Django templates "
        f"{rows['django_templates_ms']} ms"
        + (f", Jinja2 {rows['jinja2_ms']} ms" if "jinja2_ms" in rows else ", Jinja2 not installed")
    )


if __name__ == "__main__":
    sys.exit(main())
