"""Cursor pagination: an opaque `cursor` to follow, whatever filters and order the list has.

The list can be ordered like the page (due date, reference, status …), with NULLs in the
order, so the cursor holds the position in that order; clients only follow `next`.
"""

import base64
import binascii
import json

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

CURSOR = "cursor"
SIZE = "page_size"


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _decode(value: str) -> int:
    try:
        padded = value + "=" * (-len(value) % 4)
        offset = json.loads(base64.urlsafe_b64decode(padded.encode()))["o"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise NotFound(_("Invalid cursor.")) from None
    if not isinstance(offset, int) or not 0 <= offset <= 10_000_000:
        raise NotFound(_("Invalid cursor."))
    return offset


class OpaqueCursorPagination(BasePagination):
    page_size = 50
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        raw = request.query_params.get(CURSOR)
        self.offset = _decode(raw) if raw else 0
        self.size = self._size(request)
        rows = list(queryset[self.offset : self.offset + self.size + 1])
        self.has_next = len(rows) > self.size
        return rows[: self.size]

    def _size(self, request) -> int:
        raw_size = request.query_params.get(SIZE)
        try:
            size = self.page_size if raw_size is None else int(raw_size)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {SIZE: _("A page holds 1 to %(max)s results.") % {"max": self.max_page_size}}
            )
        return size

    def _link(self, offset):
        url = self.request.build_absolute_uri()
        if offset <= 0:
            return remove_query_param(url, CURSOR)
        return replace_query_param(url, CURSOR, _encode(offset))

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.offset + self.size) if self.has_next else None,
                "previous": self._link(self.offset - self.size) if self.offset else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": CURSOR,
                "required": False,
                "in": "query",
                "description": "Plaats in de lijst (uit `next`/`previous`). / Position in the "
                "list (from `next`/`previous`).",
                "schema": {"type": "string"},
            },
            {
                "name": SIZE,
                "required": False,
                "in": "query",
                "description": f"Aantal per pagina, hoogstens {self.max_page_size}. / Results "
                f"per page, at most {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class PositionCursorPagination(OpaqueCursorPagination):
    """The commitment list's pages: `next` and `previous` carry a position in the list's order
    (commitments.keyset) where its sort has one and no text search narrows it, so a client
    that follows them through a million commitments reads each page at the cost of the
    first. Otherwise, and for a cursor of the earlier kind, the position is an offset.

    The queryset is the filtered list as rows (dicts) holding `id`, `reference`, `due_date`
    and `made_on`; the view holds its filter set (`view.filterset`), which knows the order.
    """

    def paginate_queryset(self, queryset, request, view=None):
        from commitments import keyset

        self.sort = view.filterset.position_sort  # None: pages by offset
        raw = request.query_params.get(CURSOR)
        position = keyset.decode(raw, self.sort) if raw and self.sort else None
        if raw is None:
            # The first page of an order no index holds as one, read in its parts as the list
            # does (latest first, by status).
            position = keyset.first_page_in_parts(self.sort)
        if position is None:
            rows = super().paginate_queryset(queryset, request, view)
            self.has_previous = bool(self.offset)
            self.by_position = self.sort is not None and not self.offset
            self.rows = rows
            return rows
        self.request = request
        self.size = self._size(request)
        self.by_position = True
        ids = keyset.page_ids(
            queryset, position, self.size + 1, groups=view.filterset.statuses_found()
        )
        # One row more than the page tells whether there is a page beyond, on the side read.
        if position.direction == keyset.FORWARD:
            # Forward from the start (a first page read in parts) has nothing before it.
            self.has_next, self.has_previous = len(ids) > self.size, not position.is_end
            ids = ids[: self.size]
        else:
            self.has_next, self.has_previous = True, len(ids) > self.size
            ids = ids[-self.size :] if ids else []
        found = {row["id"]: row for row in queryset.order_by().filter(pk__in=ids)}
        self.rows = [found[pk] for pk in ids if pk in found]
        return self.rows

    def get_paginated_response(self, data):
        if not self.by_position:
            return super().get_paginated_response(data)
        from commitments import keyset

        def link(direction, row):
            return replace_query_param(
                self.request.build_absolute_uri(), CURSOR, keyset.encode(self.sort, direction, row)
            )

        rows = self.rows
        return Response(
            {
                "next": link(keyset.FORWARD, rows[-1]) if rows and self.has_next else None,
                "previous": link(keyset.BACKWARD, rows[0]) if rows and self.has_previous else None,
                "results": data,
            }
        )
