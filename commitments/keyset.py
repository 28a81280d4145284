"""Paging by position: the next fifty rows after a given row, not after a number of rows.

A page asked by number (OFFSET) makes the database walk every row before it: page 10,000 of a
million commitments costs ten times page 1,000. The list's Next and Previous links and the
API's `next` and `previous` carry instead the sort values of the last (or first) row shown,
and the following page starts there, from the index, at the same cost at any depth.

Every sort of the list takes part (`SORTS`). The position is opaque to readers: a base64
token that names the sort it was made for, so a token from another sort, a damaged one or one
whose row has since gone is ignored and the page falls back to its number.

Every sort ends in the reference, which is unique, so a position is a single row. The due
date may be empty and such commitments come last in either direction; the rows are read in
two parts, dated then undated, each in an order an index serves. The status sort orders by
the status's rank, which no column holds: its rows are read status by status in rank order,
each status in those two parts, from the index on (status, due date, reference), and its
position names the status of its row too.
"""

import base64
import binascii
import datetime
import json
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from commitments.models import CommitmentStatus

FORWARD, BACKWARD = "n", "p"


@dataclass(frozen=True)
class KeysetSort:
    """A sort of the list as a position can follow it: its leading column (None when the
    reference alone sorts), its direction and whether the column can be empty."""

    field: str | None
    descending: bool = False
    nullable: bool = False
    # No index holds this order as one (latest first, the undated last; the status's rank):
    # its first page too is read in its parts, each of which an index serves
    # (`first_page_in_parts`).
    split_order: bool = False
    # A column that orders before `field` by the rank of its values (`groups`, in order): the
    # rows are read one value after the other.
    group: str | None = None
    groups: tuple[str, ...] = ()


# The list's sort keys (commitments.filters.SORTS) that page by position.
SORTS = {
    "due_date": KeysetSort("due_date", nullable=True),
    "-due_date": KeysetSort("due_date", descending=True, nullable=True, split_order=True),
    "made_on": KeysetSort("made_on"),
    "-made_on": KeysetSort("made_on", descending=True),
    "reference": KeysetSort(None),
    # commitments.filters.STATUS_RANK: the statuses in the order of their choices.
    "status": KeysetSort(
        "due_date",
        nullable=True,
        split_order=True,
        group="status",
        groups=tuple(CommitmentStatus.values),
    ),
}


@dataclass(frozen=True)
class Position:
    """A row to page from: `direction` FORWARD reads the rows after it, BACKWARD those before.
    Without a reference it reads from an end: BACKWARD the last page, FORWARD the first."""

    sort: str
    direction: str
    value: datetime.date | None
    reference: str | None
    # The row's value of the sort's `group` column (its status); None from an end.
    group: str | None = None

    @property
    def is_end(self) -> bool:
        """Whether it reads from an end of the order rather than from a row."""
        return self.reference is None


def one_index_serves(sort: str | None) -> bool:
    """Whether an index holds the order of `sort` as one, so that reading in that order
    stops where the page does (False for a `split_order` sort: its order is then sorted)."""
    keyset = SORTS.get(sort)
    return keyset is None or not keyset.split_order


def first_page_in_parts(sort: str | None) -> Position | None:
    """The position of the first page, for a sort whose order no index holds as one; else
    None (the first page is then one query in that order)."""
    keyset = SORTS.get(sort)
    if keyset is None or not keyset.split_order:
        return None
    return Position(sort, FORWARD, None, None)


def encode(sort: str, direction: str, row: dict) -> str | None:
    """The token of a row (a dict with `reference` and the sort's column), or None for a sort
    that pages by number."""
    keyset = SORTS.get(sort)
    if keyset is None:
        return None
    value = row[keyset.field] if keyset.field else None
    payload = [sort, direction, value.isoformat() if value else None, row["reference"]]
    if keyset.group:
        payload.append(row[keyset.group])
    return _token(payload)


def encode_end(sort: str) -> str | None:
    """The token of the last page of a sort that pages by position."""
    if sort not in SORTS:
        return None
    return _token([sort, BACKWARD, None, None] + ([None] if SORTS[sort].group else []))


def _token(payload: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def decode(token: str | None, sort: str) -> Position | None:
    """The position a token names, if it is whole and was made for this sort; else None."""
    if not token or len(token) > 400:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        made_for, direction, value, reference, *group = json.loads(base64.urlsafe_b64decode(padded))
        if (
            made_for != sort
            or made_for not in SORTS
            or direction not in (FORWARD, BACKWARD)
            or not (isinstance(reference, str) or (reference is None and direction == BACKWARD))
        ):
            return None
        keyset = SORTS[made_for]
        # A grouped sort's position names its row's group (none from the end); others none.
        if keyset.group:
            if len(group) != 1:
                return None
            group = group[0]
            if group not in (keyset.groups if reference is not None else (None,)):
                return None
        elif group:
            return None
        else:
            group = None
        if value is not None:
            value = datetime.date.fromisoformat(value) if keyset.field else None
        elif keyset.field and not keyset.nullable and reference is not None:
            return None
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        return None
    return Position(made_for, direction, value, reference, group)


def page_ids(
    queryset: QuerySet, position: Position, size: int, *, groups: Collection[str] | None = None
) -> list[int]:
    """The primary keys of up to `size` rows of `queryset` (filtered, in any order) that follow
    or precede the position, in the sort's order.

    Backward is forward in the reversed order, turned round at the end. Each part of the order
    (per group, the dated rows, then the undated ones) is one query; the next runs only when
    the page is not full. `groups` are the values of the sort's group column the filter can
    find (None: any): a part of another value is not asked, since the database would walk an
    index in vain looking for, say, open commitments among fulfilled ones. A position in a
    group outside them reads nothing, so the page falls back to its number.
    """
    keyset = SORTS[position.sort]
    descending = keyset.descending != (position.direction == BACKWARD)
    parts = [
        (group, undated, order)
        for group in _groups(keyset, position.direction)
        if group is None or groups is None or group in groups
        for undated, order in _parts(keyset, descending)
    ]
    # Start in the part that holds the position (its group, the undated rows if it has no
    # date); from the end, in the first part read.
    in_undated = keyset.nullable and position.value is None
    start = (
        0
        if position.is_end
        else next(
            (
                index
                for index, (group, undated, _order) in enumerate(parts)
                if undated == in_undated and group == position.group
            ),
            None,
        )
    )
    if start is None:
        return []
    unordered = queryset.order_by()
    ids: list[int] = []
    for index, (group, undated, order) in enumerate(parts[start:], start):
        part = unordered
        if keyset.group:
            part = part.filter(**{keyset.group: group})
        if keyset.nullable:
            part = part.filter(**{f"{keyset.field}__isnull": undated})
        if index == start and not position.is_end:
            part = part.filter(_beyond(keyset, position, descending))
        ids += part.order_by(*order).values_list("pk", flat=True)[: size - len(ids)]
        if len(ids) >= size:
            break
    if position.direction == BACKWARD:
        ids.reverse()
    return ids


def _groups(keyset: KeysetSort, direction: str) -> list[str | None]:
    """The groups in the order read: in rank order forward, the other way backward; [None]
    for a sort without groups."""
    if not keyset.group:
        return [None]
    return list(keyset.groups if direction == FORWARD else reversed(keyset.groups))


def _parts(keyset: KeysetSort, descending: bool) -> list[tuple[bool, tuple[str, ...]]]:
    """The parts of the order read one after the other, as (undated?, order_by): the dated rows
    before the undated ones in the sort's own direction, after them in reverse. Within the dated
    part the order is the plain column order, which the index on (column, reference) gives."""
    sign = "-" if descending else ""
    if keyset.field is None:
        return [(False, (f"{sign}reference",))]
    dated = (False, (f"{sign}{keyset.field}", f"{sign}reference"))
    if not keyset.nullable:
        return [dated]
    undated = (True, (f"{sign}reference",))
    sort_direction_forward = descending == keyset.descending
    return [dated, undated] if sort_direction_forward else [undated, dated]


def _beyond(keyset: KeysetSort, position: Position, descending: bool) -> Q:
    """The rows strictly past the position in the order read (`descending` or not).

    On the dated part, `column >= value AND (column > value OR reference > ref)` rather than
    the OR alone: the first half is a range the index starts from, so only the rows of the
    position's own date are looked at twice."""
    after = "lt" if descending else "gt"
    reference = Q(**{f"reference__{after}": position.reference})
    if keyset.field is None or position.value is None:
        return reference
    at_or_after = "lte" if descending else "gte"
    return Q(**{f"{keyset.field}__{at_or_after}": position.value}) & (
        Q(**{f"{keyset.field}__{after}": position.value}) | reference
    )
