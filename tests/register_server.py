"""A local stand-in for the Kamer's OData v4 register of commitments (entity set `Toezegging`).

`RegisterServer` answers like the gegevensmagazijn (`KAMER_DATA.md` §1): paging with
`@odata.nextLink`, `$filter` (eq/ne/gt/ge/lt/le, `contains`, `and`), `$orderby`, `$top`, `$skip`,
nested `$expand` and `$count`, OData error bodies, and injectable faults (503, dropped connection,
slow answer, 400). `make_records` generates realistic, deterministic records to serve.

Run it on its own with `python -m tests.register_server --port 8765 --records 500`.
Only the standard library is used, so the module imports without Django.
"""

import argparse
import contextlib
import functools
import gc
import itertools
import json
import math
import operator
import random
import re
import signal
import socket
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

ROOT_PATH = "/OData/v4/2.0"
ENTITY_SET = "Toezegging"
DEFAULT_PAGE_SIZE = 250
SUPPORTED_OPTIONS = ("$filter", "$orderby", "$top", "$skip", "$expand", "$count")

# Top-level properties of a Toezegging with their EDM kind; only these can be filtered or sorted.
PROPERTY_TYPES = {
    "Id": "guid",
    "Nummer": "string",
    "Tekst": "string",
    "Status": "string",
    "Aanmaakdatum": "datetime",
    "ActiviteitNummer": "string",
    "Naam": "string",
    "Achternaam": "string",
    "Initialen": "string",
    "Tussenvoegsel": "string",
    "Voornaam": "string",
    "Achtervoegsel": "string",
    "Titulatuur": "string",
    "Functie": "string",
    "Ministerie": "string",
    "DatumNakoming": "datetime",
    "GewijzigdOp": "datetime",
    "ApiGewijzigdOp": "datetime",
    "Verwijderd": "bool",
}
EDM_NAMES = {
    "guid": "Edm.Guid",
    "string": "Edm.String",
    "datetime": "Edm.DateTimeOffset",
    "bool": "Edm.Boolean",
}
RELATION_PROPS = ("IsHerhalingVan", "IsAanvullingOp", "IsWijzigingVan")
# Navigation properties and what can be expanded below each of them.
NAVIGATION = {
    "ToegezegdAan": {"Persoon": {}, "Fractie": {}},
    "KamerbriefNakoming": {"Kamerstukdossier": {}},
    "Activiteit": {},
    **{name: {} for name in RELATION_PROPS},
}
NAV_PROPS = frozenset(NAVIGATION)
DEFAULT_ORDER = (("GewijzigdOp", False), ("Id", False))

FAULT_KINDS = ("503", "drop", "slow", "400")


class ODataError(Exception):
    """A request the service answers with an OData error body."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _bad_request(message: str) -> ODataError:
    return ODataError(400, "BadRequest", message)


# --- values ------------------------------------------------------------------------------------

# Records keep their datetimes as strings (tests edit them), so each distinct value is converted
# once and looked up afterwards. The lookups run through map() over whole columns, which keeps a
# query over 10,000 records within a few milliseconds.
_CACHE_LIMIT = 500_000
NAN = float("nan")
_TIMESTAMPS: dict = {}  # value -> seconds since the epoch; NaN (never equal) for no datetime
_SORT_STAMPS: dict = {}  # value -> seconds; null sorts first, text that is no datetime last
_FOLDED: dict = {}  # value -> casefolded text; "" for anything but a string


def parse_datetime(text) -> datetime | None:
    """An ISO 8601 datetime, aware (UTC when it has no zone); None when it is not one."""
    try:
        parsed = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _to_timestamp(value) -> float:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    try:
        return parsed.timestamp() if parsed else NAN
    except (OverflowError, ValueError):
        return NAN


def _to_sort_stamp(value) -> float:
    if value is None:
        return -math.inf
    stamp = _to_timestamp(value)
    return math.inf if math.isnan(stamp) else stamp


def _to_folded(value) -> str:
    return value.casefold() if isinstance(value, str) else ""


def _lookup(memo: dict, convert, value):
    try:
        return memo[value]
    except KeyError:
        if len(memo) > _CACHE_LIMIT:
            memo.clear()
        result = memo[value] = convert(value)
        return result
    except TypeError:  # unhashable
        return convert(value)


def _column(memo: dict, convert, values: list) -> list:
    """`convert` of each value, through `memo`; TypeError for an unhashable value."""
    try:
        return list(map(memo.__getitem__, values))
    except KeyError:
        if len(memo) > _CACHE_LIMIT:
            memo.clear()
        for value in values:
            if value not in memo:
                memo[value] = convert(value)
        return list(map(memo.__getitem__, values))


def _values(records: list, name: str) -> list:
    return list(map(dict.get, records, itertools.repeat(name)))


# --- $filter -----------------------------------------------------------------------------------

_DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})"
_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<datetime>{_DATETIME})(?![\w:.+-])
  | (?P<guid>{_GUID})(?![\w-])
  | (?P<number>-?\d+(?:\.\d+)?)(?![\w.:-])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[(),])
    """,
    re.VERBOSE,
)
COMPARISONS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_UNSUPPORTED_WORDS = {"or", "not", "has", "in", "add", "sub", "mul", "div", "mod"}


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            hint = ""
            if re.match(r"\d{4}-\d{2}-\d{2}T[\d:.]+ \d{2}:\d{2}", text[position:]):
                hint = " (a '+' in a query decodes to a space: encode it as %2B)"
            raise _bad_request(
                f"Syntax error in $filter at position {position}: "
                f"could not read {text[position : position + 30]!r}{hint}."
            )
        kind = match.lastgroup
        if kind != "ws":
            tokens.append((kind, match.group(), position))
        position = match.end()
    return tokens


class _FilterParser:
    """Recursive descent over `clause (and clause)*`, where clauses may be parenthesised."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    def parse(self):
        if not self.tokens:
            raise _bad_request("$filter is empty.")
        predicates = self._conjunction()
        if self.index < len(self.tokens):
            kind, value, position = self.tokens[self.index]
            if value.lower() in _UNSUPPORTED_WORDS:
                raise _bad_request(
                    f"$filter operator '{value}' at position {position} is not supported; "
                    "clauses can only be joined with 'and'."
                )
            raise _bad_request(
                f"Syntax error in $filter at position {position}: unexpected {value!r}."
            )
        return Filter(predicates)

    def _peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else (None, None, None)

    def _take(self, expected_kind=None, expected_value=None, what="a token"):
        kind, value, position = self._peek()
        if kind is None:
            raise _bad_request(f"$filter ended early: expected {what}.")
        if (expected_kind and kind != expected_kind) or (
            expected_value and value != expected_value
        ):
            raise _bad_request(
                f"Syntax error in $filter at position {position}: expected {what}, found {value!r}."
            )
        self.index += 1
        return kind, value, position

    def _conjunction(self) -> list:
        predicates = self._primary()
        while True:
            kind, value, _ = self._peek()
            if kind == "name" and value.lower() == "and":
                self.index += 1
                predicates += self._primary()
            else:
                return predicates

    def _primary(self) -> list:
        kind, value, position = self._peek()
        if kind == "punct" and value == "(":
            self.index += 1
            predicates = self._conjunction()
            self._take("punct", ")", "')'")
            return predicates
        if kind == "name" and value == "contains":
            return [self._contains()]
        if kind == "name" and value.lower() in _UNSUPPORTED_WORDS:
            raise _bad_request(
                f"$filter operator '{value}' at position {position} is not supported."
            )
        return [self._comparison()]

    def _property(self) -> tuple[str, str]:
        kind, value, position = self._take(what="a property name")
        if kind != "name":
            raise _bad_request(
                f"Syntax error in $filter at position {position}: expected a property name, "
                f"found {value!r}."
            )
        if self._peek()[1] == "(":
            raise _bad_request(f"$filter function '{value}' is not supported; only 'contains' is.")
        return value, _property_type(value, "$filter")

    def _contains(self):
        self._take("name", "contains", "'contains'")
        self._take("punct", "(", "'(' after contains")
        name, kind = self._property()
        if kind not in ("string", "guid"):
            raise _bad_request(f"contains() needs a string property; {name} is {EDM_NAMES[kind]}.")
        self._take("punct", ",", "',' in contains()")
        _, literal, _ = self._take("string", what="a quoted string in contains()")
        self._take("punct", ")", "')' closing contains()")
        return _Clause(name, kind, "contains", _unquote(literal).casefold())

    def _comparison(self):
        name, prop_kind = self._property()
        _, op, position = self._take("name", what="a comparison operator (eq, ne, gt, ge, lt, le)")
        if op not in COMPARISONS:
            raise _bad_request(
                f"$filter operator '{op}' at position {position} is not supported; "
                "use eq, ne, gt, ge, lt or le."
            )
        return _Clause(name, prop_kind, op, self._literal(name, prop_kind))

    def _literal(self, name: str, prop_kind: str):
        kind, text, position = self._take(what=f"a value to compare {name} with")
        if kind == "name":
            lowered = text.lower()
            if lowered == "null":
                return None
            if lowered in ("true", "false"):
                kind, value = "bool", lowered == "true"
            else:
                raise _bad_request(
                    f"$filter at position {position}: {text!r} is not a value; "
                    "quote strings as 'text'."
                )
        elif kind == "string":
            value = _unquote(text)
        elif kind == "datetime":
            value = _to_timestamp(text)
        elif kind == "guid":
            value = text
        elif kind == "number":
            value = float(text) if "." in text else int(text)
        else:
            raise _bad_request(
                f"Syntax error in $filter at position {position}: expected a value, found {text!r}."
            )
        compatible = {
            "string": {"string"},
            "guid": {"string", "guid"},
            "datetime": {"datetime", "string"},
            "bool": {"bool"},
        }[prop_kind]
        if kind not in compatible:
            raise _bad_request(
                f"$filter cannot compare {name} ({EDM_NAMES[prop_kind]}) with {text}."
            )
        if prop_kind == "datetime" and kind == "string":
            value = _to_timestamp(value)
            if math.isnan(value):
                raise _bad_request(f"$filter: {text} is not a datetime to compare {name} with.")
        if prop_kind == "guid":
            value = value.lower()
        return value


def _unquote(literal: str) -> str:
    return literal[1:-1].replace("''", "'")


def _property_type(name: str, option: str) -> str:
    if name in PROPERTY_TYPES:
        return PROPERTY_TYPES[name]
    if name in NAV_PROPS:
        raise _bad_request(f"{option} on navigation property '{name}' is not supported.")
    raise _bad_request(f"{option}: Toezegging has no property '{name}'.")


class _Clause:
    """One comparison or contains(): `test` checks one record, `mask` a whole list at once."""

    def __init__(self, name: str, kind: str, op: str, literal):
        self.name = name
        self.kind = kind
        self.op = op
        self.literal = literal

    def test(self, record: dict) -> bool:
        value = record.get(self.name)
        if self.op == "contains":
            return self.literal in _lookup(_FOLDED, _to_folded, value)
        if self.literal is None:
            # Only eq and ne are true or false for null; any ordering with null is false.
            return (value is None) == (self.op == "eq") if self.op in ("eq", "ne") else False
        if self.kind == "datetime":
            value = _lookup(_TIMESTAMPS, _to_timestamp, value)  # NaN compares unequal
        elif value is None:
            return self.op == "ne"
        elif self.kind == "guid" and isinstance(value, str):
            value = value.lower()
        try:
            return COMPARISONS[self.op](value, self.literal)
        except TypeError:
            return False

    def mask(self, records: list) -> list:
        """`test` for every record, the common cases without a Python call per record."""
        op, literal = self.op, self.literal
        values = _values(records, self.name)
        repeat = itertools.repeat(literal)
        try:
            if op == "contains":
                return list(map(operator.contains, _column(_FOLDED, _to_folded, values), repeat))
            if literal is None:
                if op in ("eq", "ne"):
                    same = operator.is_ if op == "eq" else operator.is_not
                    return list(map(same, values, repeat))
                return [False] * len(values)
            if self.kind == "datetime":
                stamps = _column(_TIMESTAMPS, _to_timestamp, values)
                return list(map(COMPARISONS[op], stamps, repeat))
            if op in ("eq", "ne") and self.kind != "guid":
                return list(map(COMPARISONS[op], values, repeat))
        except TypeError:
            pass  # an unhashable value somewhere: one record at a time
        return list(map(self.test, records))


class Filter:
    """A parsed `$filter`: clauses that must all hold."""

    def __init__(self, clauses: list[_Clause]):
        self.clauses = clauses
        self.properties = frozenset(clause.name for clause in clauses)

    def __call__(self, record: dict) -> bool:
        return all(clause.test(record) for clause in self.clauses)

    def mask(self, records: list) -> list:
        result = self.clauses[0].mask(records)
        for clause in self.clauses[1:]:
            result = list(map(operator.and_, result, clause.mask(records)))
        return result


def parse_filter(text: str) -> Filter:
    """A `Filter` for an OData `$filter`; ODataError (400) names what it could not understand."""
    return _FilterParser(text).parse()


# --- $orderby and $expand ----------------------------------------------------------------------


def parse_orderby(text: str) -> tuple[tuple[str, bool], ...]:
    """(property, descending) pairs; `Id` is appended so that paging is stable."""
    order = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise _bad_request(f"$orderby: cannot read {part.strip()!r}.")
        name = words[0]
        _property_type(name, "$orderby")
        direction = words[1].lower() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise _bad_request(f"$orderby: direction {words[1]!r} is not asc or desc.")
        order.append((name, direction == "desc"))
    if not any(name == "Id" for name, _ in order):
        order.append(("Id", False))
    return tuple(order)


def parse_expand(text: str) -> dict:
    """A tree {navigation property: nested tree} for an OData `$expand`."""
    parser = _ExpandParser(text)
    tree = parser.items(NAVIGATION, "Toezegging")
    if parser.position < len(text):
        raise _bad_request(f"$expand: unexpected {text[parser.position :]!r}.")
    return tree


class _ExpandParser:
    def __init__(self, text: str):
        self.text = text
        self.position = 0

    def _skip_spaces(self):
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def items(self, schema: dict, owner: str) -> dict:
        tree: dict = {}
        while True:
            self._skip_spaces()
            match = re.compile(r"[A-Za-z_*$][A-Za-z0-9_]*").match(self.text, self.position)
            if not match:
                raise _bad_request(
                    f"$expand: expected a navigation property at {self.text[self.position :]!r}."
                )
            name = match.group()
            self.position = match.end()
            if name not in schema:
                if not schema:
                    raise _bad_request(
                        f"$expand: '{owner}' has no navigation properties to expand."
                    )
                raise _bad_request(
                    f"$expand: '{owner}' has no navigation property '{name}' "
                    f"(it has {', '.join(schema)})."
                )
            nested = tree.setdefault(name, {})
            self._skip_spaces()
            if self.text.startswith("(", self.position):
                self.position += 1
                self._skip_spaces()
                option = re.compile(r"\$?[A-Za-z]+").match(self.text, self.position)
                if not option or option.group() != "$expand":
                    found = option.group() if option else self.text[self.position :]
                    raise _bad_request(
                        f"$expand: nested option {found!r} in {name}(...) is not supported; "
                        "only $expand is."
                    )
                self.position = option.end()
                self._skip_spaces()
                if not self.text.startswith("=", self.position):
                    raise _bad_request(f"$expand: expected '=' after $expand in {name}(...).")
                self.position += 1
                nested.update(self.items(schema[name], name))
                self._skip_spaces()
                if not self.text.startswith(")", self.position):
                    raise _bad_request(f"$expand: expected ')' closing {name}(...).")
                self.position += 1
                self._skip_spaces()
            if self.text.startswith(",", self.position):
                self.position += 1
                continue
            return tree


# --- rendering ---------------------------------------------------------------------------------


def _plain(entity: dict, navigation=NAV_PROPS) -> dict:
    return {key: value for key, value in entity.items() if key not in navigation}


def _render(record: dict, expand: dict, index: dict | None) -> dict:
    out = _plain(record)
    for nav, nested in expand.items():
        value = record.get(nav)
        if nav == "Activiteit":
            out[nav] = value
        elif nav in RELATION_PROPS:
            related = []
            for reference in value or ():
                other_id = reference if isinstance(reference, str) else reference.get("Id")
                other = index.get(other_id) if index is not None else None
                if other is None and isinstance(reference, dict):
                    # Not (or no longer) in the store: serve what the reference itself holds.
                    other = reference
                if other is not None:
                    related.append(_plain(other))
            out[nav] = related
        else:
            children = NAVIGATION[nav]
            items = []
            for item in value or ():
                rendered = _plain(item, children)
                for child in nested:
                    rendered[child] = item.get(child)
                items.append(rendered)
            out[nav] = items
    return out


# --- the service -------------------------------------------------------------------------------


class _Fault:
    def __init__(self, kind: str, first: int, last: int, message: str | None):
        self.kind = kind
        self.first = first
        self.last = last
        self.message = message


class RegisterServer:
    """An OData v4 `Toezegging` service on localhost, serving `records` (a list tests may edit).

    Edit `records` (or the dicts in it) between syncs; hold `lock` to make a larger change
    atomic against a request in flight. `requests` lists every request target received.
    """

    def __init__(
        self,
        records=None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        host: str = "127.0.0.1",
        port: int = 0,
        slow_seconds: float = 3.0,
    ):
        # The caller's own list is kept (not copied), so that its edits are what is served.
        self.records = records if isinstance(records, list) else list(records or ())
        self.page_size = page_size
        self.host = host
        self.port = port
        self.slow_seconds = slow_seconds
        self.requests: list[str] = []
        self.lock = threading.RLock()
        self.base_url: str | None = None
        self.log = False
        self._faults: list[_Fault] = []
        self._orders: dict = {}
        self._count = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # lifecycle

    def start(self) -> str:
        """Serve in a daemon thread; returns the service root."""
        if self._httpd is not None:
            raise RuntimeError("the register server is already running")
        self._stopping.clear()
        with self.lock:
            # Parse every datetime and sort once now, not on the first request.
            for name in ("GewijzigdOp", "ApiGewijzigdOp"):
                with contextlib.suppress(TypeError):
                    _column(_TIMESTAMPS, _to_timestamp, _values(self.records, name))
            self._matching(None, DEFAULT_ORDER)
        httpd = ThreadingHTTPServer((self.host, self.port), _Handler)
        httpd.daemon_threads = True
        httpd.register = self
        self._httpd = httpd
        host, port = httpd.server_address[:2]
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        self.port = port
        self.base_url = f"http://{host}:{port}{ROOT_PATH}"
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="register-server",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()  # wakes the "slow" faults still sleeping
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    # faults

    def add_fault(
        self, kind: str, *, times: int = 1, on_request: int | None = None, message=None
    ) -> None:
        """Answer `times` consecutive requests with a fault, from the `on_request`-th from now
        (1-based, every request counts; None is the next one).

        Kinds: "503" (temporarily unavailable), "drop" (close the socket without an answer),
        "slow" (wait `slow_seconds` before answering normally), "400" (a refusal with `message`).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose from {', '.join(FAULT_KINDS)}")
        if times < 1 or (on_request is not None and on_request < 1):
            raise ValueError("times and on_request count from 1")
        with self.lock:
            first = self._count + (on_request or 1)
            self._faults.append(_Fault(kind, first, first + times - 1, message))

    def _arrive(self, target: str) -> _Fault | None:
        with self.lock:
            self.requests.append(target)
            self._count += 1
            number = self._count
            fault = next((f for f in self._faults if f.first <= number <= f.last), None)
            self._faults = [f for f in self._faults if f.last > number]
            return fault

    # answering

    def answer(self, target: str, host_header: str | None = None) -> dict:
        """The JSON body for a GET of `target`; raises ODataError for a request it refuses."""
        parts = urlsplit(target)
        root = f"http://{host_header}{ROOT_PATH}" if host_header else self.base_url or ROOT_PATH
        if parts.path != f"{ROOT_PATH}/{ENTITY_SET}":
            raise ODataError(
                404, "NotFound", f"No resource at '{parts.path}'; the entity set is {ENTITY_SET}."
            )
        params = parse_qsl(parts.query, keep_blank_values=True)
        options: dict[str, str] = {}
        for name, value in params:
            if name not in SUPPORTED_OPTIONS:
                raise _bad_request(
                    f"The query option '{name}' is not supported; "
                    f"supported are {', '.join(SUPPORTED_OPTIONS)}."
                )
            if name in options:
                raise _bad_request(f"The query option '{name}' is given more than once.")
            options[name] = value

        where = parse_filter(options["$filter"]) if "$filter" in options else None
        order = parse_orderby(options["$orderby"]) if "$orderby" in options else DEFAULT_ORDER
        expand = parse_expand(options["$expand"]) if "$expand" in options else {}
        top = _non_negative(options, "$top")
        skip = _non_negative(options, "$skip") or 0
        count = options.get("$count", "false").lower()
        if count not in ("true", "false"):
            raise _bad_request(f"$count must be true or false, not {options['$count']!r}.")

        with self.lock:
            matched = self._matching(where, order)
            end = len(matched) if top is None else min(len(matched), skip + top)
            page_end = min(end, skip + self.page_size)
            page = matched[skip:page_end]
            index = self._related(page) if any(nav in expand for nav in RELATION_PROPS) else None
            body = {"@odata.context": f"{root}/$metadata#{ENTITY_SET}"}
            if count == "true":
                body["@odata.count"] = len(matched)
            body["value"] = [_render(record, expand, index) for record in page]
        if page_end < end:
            following = dict(params)
            following["$skip"] = str(page_end)
            if top is not None:
                following["$top"] = str(end - page_end)
            query = urlencode(following, quote_via=quote, safe="$(),':")
            body["@odata.nextLink"] = f"{root}/{ENTITY_SET}?{query}"
        return body

    def _matching(self, where: Filter | None, order) -> list:
        """The records matching `where`, in `order`.

        The sorted order is kept per $orderby and reused while the records and the values they
        sort on are unchanged, so the pages of one sync do not sort 10,000 records each time.
        """
        records = self.records
        columns = [_sort_column(records, name) for name, _ in order]
        cached = self._orders.get(order)
        if cached and cached[1] == columns and cached[0] == records:
            indices = cached[2]
        else:
            # After an edit the previous order is nearly right, and Timsort makes use of that.
            start = cached[2] if cached and len(cached[0]) == len(records) else None
            indices = _sort(columns, order, start)
            if len(self._orders) >= 16:
                self._orders.pop(next(iter(self._orders)))
            self._orders[order] = (list(records), columns, indices)
        in_order = map(records.__getitem__, indices)
        if where is None:
            return list(in_order)
        mask = where.mask(records)
        return list(itertools.compress(in_order, map(mask.__getitem__, indices)))

    def _related(self, page: list) -> dict:
        """The stored records the page's relations refer to, by Id."""
        wanted = set()
        for record in page:
            for prop in RELATION_PROPS:
                for reference in record.get(prop) or ():
                    wanted.add(reference if isinstance(reference, str) else reference.get("Id"))
        if not wanted:
            return {}
        ids = _values(self.records, "Id")
        found = itertools.compress(self.records, map(wanted.__contains__, ids))
        return {record.get("Id"): record for record in found}


def _non_negative(options: dict, name: str) -> int | None:
    if name not in options:
        return None
    text = options[name].strip()
    if not text.isdigit():
        raise _bad_request(f"{name} must be a non-negative integer, not {options[name]!r}.")
    return int(text)


def _sort_column(records: list, name: str) -> list:
    """What `name` sorts on for each record, nulls first."""
    values = _values(records, name)
    kind = PROPERTY_TYPES[name]
    try:
        if kind == "datetime":
            return _column(_SORT_STAMPS, _to_sort_stamp, values)
        if kind == "guid":
            return list(map(str.lower, values))
    except TypeError:
        pass
    if any(value is None or isinstance(value, (list, dict)) for value in values):
        return [(0, "") if value is None else (1, value) for value in values]
    return values


def _sort(columns: list, order, start: list | None) -> list:
    """Record indices sorted by `columns` (one per `order` entry); stable, from `start`."""
    indices = list(start) if start is not None else list(range(len(columns[0])))
    # Stable sorts from the last key to the first, one pass per run of equal directions.
    position = len(order)
    runs = []
    for descending, group in itertools.groupby(order, key=operator.itemgetter(1)):
        size = len(list(group))
        runs.append((descending, size))
    for descending, size in reversed(runs):
        part = columns[position - size : position]
        position -= size
        key = part[0] if size == 1 else list(zip(*part, strict=True))
        try:
            indices.sort(key=key.__getitem__, reverse=descending)
        except TypeError:
            # Values of different types in one property: sort on their text.
            text = [str(value) for value in key]
            indices.sort(key=text.__getitem__, reverse=descending)
    return indices


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "RegisterServer/1.0"

    @property
    def register(self) -> RegisterServer:
        return self.server.register

    def log_message(self, format, *args):
        if self.register.log:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_GET(self):
        fault = self.register._arrive(self.path)
        if fault is not None:
            if fault.kind == "drop":
                self._drop()
                return
            if fault.kind == "503":
                self._error(503, "ServiceUnavailable", "The service is temporarily unavailable.")
                return
            if fault.kind == "400":
                self._error(400, "BadRequest", fault.message or "The request was refused.")
                return
            if self.register._stopping.wait(self.register.slow_seconds):
                self._drop()
                return
        try:
            body = self.register.answer(self.path, self.headers.get("Host"))
        except ODataError as error:
            self._error(error.status, error.code, error.message)
            return
        except Exception as error:  # a bug here should reach the client as a 500, not a hang
            self._error(500, "InternalServerError", f"{type(error).__name__}: {error}")
            return
        self._send(200, body)

    def _refuse_method(self):
        self.register._arrive(self.path)
        self._error(
            405, "MethodNotAllowed", f"{self.command} is not supported; the feed is read-only."
        )

    do_POST = do_PUT = do_PATCH = do_DELETE = _refuse_method

    def _drop(self):
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _error(self, status: int, code: str, message: str):
        self._send(status, {"error": {"code": code, "message": message}})

    def _send(self, status: int, body: dict):
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("OData-Version", "4.0")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# --- dates in the Netherlands ------------------------------------------------------------------

CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


@functools.cache
def _summer_time(year: int) -> tuple[datetime, datetime]:
    """Start and end (UTC) of Dutch summer time: the last Sundays of March and October, 01:00."""
    bounds = []
    for month in (3, 10):
        day = datetime(year, month + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
        bounds.append(day - timedelta(days=(day.weekday() + 1) % 7))
    return bounds[0], bounds[1]


def amsterdam(moment: datetime) -> datetime:
    """`moment` with the Dutch offset of that instant, without needing a time zone database."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    summer_start, summer_end = _summer_time(utc.year)
    return utc.astimezone(CEST if summer_start <= utc < summer_end else CET)


def _local(year, month, day, hour=0, minute=0) -> datetime:
    """A Dutch wall-clock time as an aware datetime."""
    guess = datetime(year, month, day, hour, minute, tzinfo=CET)
    offset = amsterdam(guess).utcoffset()
    return datetime(year, month, day, hour, minute, tzinfo=timezone(offset))


def iso(moment: datetime) -> str:
    """ISO 8601 with the zone, milliseconds only when there are any."""
    if moment.microsecond:
        return moment.isoformat(timespec="milliseconds")
    return moment.isoformat(timespec="seconds")


_last_touch = datetime.min.replace(tzinfo=UTC)
_touch_lock = threading.Lock()


def touch(record: dict, when: datetime | str | None = None) -> dict:
    """Mark `record` as changed by the Kamer: GewijzigdOp and ApiGewijzigdOp become `when`
    (default now; successive calls without `when` always move forward). Returns the record."""
    global _last_touch
    if isinstance(when, str):
        stamp = when
    else:
        if when is None:
            with _touch_lock:
                now = datetime.now(UTC)
                now = now.replace(microsecond=now.microsecond // 1000 * 1000)
                # Two touches in one millisecond must still be told apart by a sync.
                now = max(now, _last_touch + timedelta(milliseconds=1))
                _last_touch = now
            when = now
        stamp = iso(amsterdam(when))
    record["GewijzigdOp"] = stamp
    record["ApiGewijzigdOp"] = stamp
    return record


# --- realistic records -------------------------------------------------------------------------

DEFAULT_MINISTRIES = {
    "Justitie en Veiligheid": 0.6,
    "Volksgezondheid, Welzijn en Sport": 0.15,
    "Financiën": 0.12,
    "Binnenlandse Zaken en Koninkrijksrelaties": 0.13,
}

# Posts per ministry, the first the minister "van" the ministry itself.
POSTS = {
    "Justitie en Veiligheid": [
        "Minister van Justitie en Veiligheid",
        "Staatssecretaris van Justitie en Veiligheid",
        "Minister voor Rechtsbescherming",
        "Minister van Asiel en Migratie",
    ],
    "Volksgezondheid, Welzijn en Sport": [
        "Minister van Volksgezondheid, Welzijn en Sport",
        "Minister voor Medische Zorg",
        "Staatssecretaris van Volksgezondheid, Welzijn en Sport",
        "Staatssecretaris Jeugd, Preventie en Sport",
    ],
    "Financiën": [
        "Minister van Financiën",
        "Staatssecretaris van Financiën",
        "Staatssecretaris Fiscaliteit, Belastingdienst en Douane",
        "Staatssecretaris Herstel en Toeslagen",
    ],
    "Binnenlandse Zaken en Koninkrijksrelaties": [
        "Minister van Binnenlandse Zaken en Koninkrijksrelaties",
        "Staatssecretaris van Binnenlandse Zaken en Koninkrijksrelaties",
        "Minister voor Volkshuisvesting en Ruimtelijke Ordening",
        "Staatssecretaris Digitalisering en Koninkrijksrelaties",
    ],
}

# (first name, initials, tussenvoegsel, surname): invented, common Dutch names.
BEWINDSPERSONEN = [
    ("Femke", "F.M.", None, "Wiersma"),
    ("Daan", "D.", "van der", "Graaf"),
    ("Marieke", "M.J.", None, "Hofstra"),
    ("Pieter", "P.H.", "de", "Wit"),
    ("Anouk", "A.C.", None, "Bosman"),
    ("Jeroen", "J.W.", None, "Veenstra"),
    ("Sanne", "S.", "van", "Leeuwen"),
    ("Thijs", "T.A.", None, "Brinkman"),
    ("Ilse", "I.M.", None, "Lammers"),
    ("Ruben", "R.J.", "van den", "Heuvel"),
    ("Esther", "E.", None, "Koster"),
    ("Bas", "B.F.", None, "Dekker"),
    ("Lotte", "L.", "ter", "Horst"),
    ("Maarten", "M.", None, "Zwart"),
    ("Noor", "N.E.", None, "Evers"),
    ("Wouter", "W.P.", "van", "Wijk"),
    ("Hanneke", "H.", None, "Sijbesma"),
    ("Gert-Jan", "G.J.", None, "Prins"),
    ("Yvonne", "Y.", "de", "Lange"),
    ("Koen", "K.L.", None, "Hendriks"),
    ("Mirjam", "M.A.", None, "Postma"),
    ("Erik", "E.J.", "van", "Dam"),
]

# Parties with their full names, before and after the election of 22 November 2023.
FRACTIES_BEFORE = [
    ("VVD", "Volkspartij voor Vrijheid en Democratie"),
    ("D66", "Democraten 66"),
    ("PVV", "Partij voor de Vrijheid"),
    ("CDA", "Christen-Democratisch Appèl"),
    ("SP", "Socialistische Partij"),
    ("PvdA", "Partij van de Arbeid"),
    ("GL", "GroenLinks"),
    ("ChristenUnie", "ChristenUnie"),
    ("PvdD", "Partij voor de Dieren"),
    ("JA21", "JA21"),
    ("SGP", "Staatkundig Gereformeerde Partij"),
    ("DENK", "DENK"),
    ("Volt", "Volt Nederland"),
    ("BBB", "BoerBurgerBeweging"),
]
FRACTIES_AFTER = [
    ("PVV", "Partij voor de Vrijheid"),
    ("GroenLinks-PvdA", "GroenLinks-PvdA"),
    ("VVD", "Volkspartij voor Vrijheid en Democratie"),
    ("NSC", "Nieuw Sociaal Contract"),
    ("D66", "Democraten 66"),
    ("BBB", "BoerBurgerBeweging"),
    ("CDA", "Christen-Democratisch Appèl"),
    ("SP", "Socialistische Partij"),
    ("ChristenUnie", "ChristenUnie"),
    ("SGP", "Staatkundig Gereformeerde Partij"),
    ("PvdD", "Partij voor de Dieren"),
    ("DENK", "DENK"),
    ("Volt", "Volt Nederland"),
    ("JA21", "JA21"),
]
ELECTION = datetime(2023, 12, 6, tzinfo=UTC)  # the new Kamer was sworn in
CABINET_CHANGE = datetime(2024, 7, 2, tzinfo=UTC)

# (first name, initials, tussenvoegsel, surname) of invented Kamerleden.
KAMERLEDEN = [
    ("Anna", "A.", "van", "Dijk"),
    ("Mark", "M.", None, "Jansen"),
    ("Fleur", "F.", None, "Visser"),
    ("Joost", "J.", "de", "Vries"),
    ("Sophie", "S.M.", None, "Mulder"),
    ("Tim", "T.", None, "Smit"),
    ("Laura", "L.J.", "van der", "Meer"),
    ("Sander", "S.", None, "Kramer"),
    ("Eva", "E.", None, "Brouwer"),
    ("Niels", "N.", "de", "Jong"),
    ("Iris", "I.", None, "Dijkstra"),
    ("Rick", "R.", "van", "Vliet"),
    ("Lisa", "L.", None, "Meijer"),
    ("Hugo", "H.J.", None, "Vermeulen"),
    ("Merel", "M.", "van", "Beek"),
    ("Stefan", "S.", None, "Bakker"),
    ("Julia", "J.", None, "Willems"),
    ("Jasper", "J.P.", "van den", "Berg"),
    ("Roos", "R.", None, "Kok"),
    ("Bram", "B.", None, "Peeters"),
    ("Nadia", "N.", "el", "Amrani"),
    ("Kevin", "K.", None, "Huisman"),
    ("Lieke", "L.", "van", "Rijn"),
    ("Youssef", "Y.", None, "Bouzid"),
    ("Carla", "C.", None, "Schipper"),
    ("Dirk", "D.", "de", "Groot"),
    ("Emma", "E.", None, "Boer"),
    ("Frank", "F.", "van", "Os"),
    ("Marloes", "M.", None, "Timmer"),
    ("Wessel", "W.", None, "Aalbers"),
]

THEMES = {
    "Justitie en Veiligheid": {
        "debates": [
            "Gevangeniswezen en tbs",
            "Politie",
            "Strafrechtketen",
            "Georganiseerde criminaliteit en ondermijning",
            "Slachtofferbeleid",
            "Justitiële jeugd",
            "Vreemdelingen- en asielbeleid",
            "Cybercrime en online veiligheid",
            "Rechtsbijstand en rechtspraak",
            "Contraterrorisme en nationale veiligheid",
            "Seksuele misdrijven",
            "Brandweer en crisisbeheersing",
        ],
        "subjects": [
            "ondermijning in havens",
            "het capaciteitstekort in het gevangeniswezen",
            "de wachtlijsten in de forensische zorg",
            "de doorlooptijden in de strafrechtketen",
            "het gebruik van bodycams door agenten",
            "de Wet straffen en beschermen",
            "de werkdruk bij de Nationale Politie",
            "online oplichting van ouderen",
            "de positie van slachtoffers in het strafproces",
            "de gesubsidieerde rechtsbijstand",
            "de opvang van alleenstaande minderjarige vreemdelingen",
            "de instroom bij de centrale opvanglocaties",
            "het Nederlands Forensisch Instituut",
            "femicide en partnergeweld",
            "de tbs-maatregel en het verlof van tbs-gestelden",
            "het tekort aan rechters en officieren van justitie",
            "explosies bij woningen en bedrijfspanden",
            "drugsafval in het buitengebied",
            "de bescherming van journalisten en bestuurders",
            "jeugdcriminaliteit en messengeweld",
            "de Wet seksuele misdrijven",
            "de terugkeer van uitgeprocedeerde asielzoekers",
            "het cameratoezicht in uitgaansgebieden",
            "de wijkagent en de zichtbaarheid van de politie",
            "ransomware-aanvallen op zorginstellingen",
            "de meldkamers van de brandweer",
            "de inzet van de Koninklijke Marechaussee op Schiphol",
            "de vreemdelingenbewaring",
            "gegevensdeling tussen zorg en veiligheid",
            "de reclassering en het toezicht na detentie",
        ],
        "parties": [
            "de politiebonden",
            "het Openbaar Ministerie",
            "de Raad voor de rechtspraak",
            "de Dienst Justitiële Inrichtingen",
            "de Vereniging van Nederlandse Gemeenten",
            "Slachtofferhulp Nederland",
            "het COA",
            "de veiligheidsregio's",
        ],
        "dossiers": [
            (29628, None),
            (24587, None),
            (29279, None),
            (29911, None),
            (33552, None),
            (19637, None),
            (31015, None),
            (36600, "VI"),
            (36410, "VI"),
        ],
    },
    "Volksgezondheid, Welzijn en Sport": {
        "debates": [
            "Acute zorg",
            "GGZ en suïcidepreventie",
            "Zorgverzekeringsstelsel",
            "Langdurige zorg",
            "Jeugdbeleid",
            "Medische preventie",
            "Arbeidsmarktbeleid in de zorg",
            "Geneesmiddelenbeleid",
        ],
        "subjects": [
            "de bereikbaarheid van spoedeisende hulp in de regio",
            "de wachttijden in de geestelijke gezondheidszorg",
            "het eigen risico in de zorgverzekering",
            "de tekorten aan verpleegkundigen",
            "de beschikbaarheid van geneesmiddelen",
            "de hervorming van de jeugdzorg",
            "de preventie van overgewicht bij kinderen",
            "de vaccinatiegraad onder jongeren",
            "de inkoop van wijkverpleging door zorgverzekeraars",
            "de regeldruk voor huisartsen",
            "de toegankelijkheid van de sportverenigingen",
            "de kwaliteit van verpleeghuiszorg",
        ],
        "parties": [
            "Zorgverzekeraars Nederland",
            "de Nederlandse Zorgautoriteit",
            "de Landelijke Huisartsen Vereniging",
            "de brancheverenigingen in de zorg",
            "de GGD's",
        ],
        "dossiers": [
            (29689, None),
            (25424, None),
            (32793, None),
            (31765, None),
            (29282, None),
            (36600, "XVI"),
        ],
    },
    "Financiën": {
        "debates": [
            "Fiscale regelgeving",
            "Belastingdienst",
            "Hersteloperatie kinderopvangtoeslag",
            "Financiële markten",
            "Douane",
            "Staatsdeelnemingen",
        ],
        "subjects": [
            "de hersteloperatie kinderopvangtoeslag",
            "de IT-vernieuwing bij de Belastingdienst",
            "de box 3-heffing op werkelijk rendement",
            "de aanpak van witwassen via banken",
            "de bereikbaarheid van de BelastingTelefoon",
            "de controles door de Douane in de Rotterdamse haven",
            "de fiscale behandeling van thuiswerkvergoedingen",
            "de toeslagen voor huur en zorg",
            "de staatsdeelneming in ABN AMRO",
            "de invorderingsrente",
        ],
        "parties": [
            "De Nederlandsche Bank",
            "de Autoriteit Financiële Markten",
            "de Nederlandse Vereniging van Banken",
            "de Uitvoeringsorganisatie Herstel Toeslagen",
        ],
        "dossiers": [
            (32140, None),
            (31066, None),
            (31935, None),
            (36600, "IX"),
        ],
    },
    "Binnenlandse Zaken en Koninkrijksrelaties": {
        "debates": [
            "Digitale overheid",
            "Decentralisatie en gemeentefinanciën",
            "Koninkrijksrelaties",
            "Wet open overheid",
            "Rijksdienst",
            "Weerbaarheid van het openbaar bestuur",
        ],
        "subjects": [
            "de financiële positie van gemeenten",
            "de invoering van de Wet open overheid",
            "de digitale identiteit en DigiD",
            "de bedreiging van lokale politici",
            "het gebruik van algoritmen door de overheid",
            "de arbeidsvoorwaarden bij de rijksoverheid",
            "de armoedebestrijding in Caribisch Nederland",
            "de digitale weerbaarheid van gemeenten",
            "de actieve openbaarmaking van overheidsinformatie",
        ],
        "parties": [
            "de Vereniging van Nederlandse Gemeenten",
            "het Interprovinciaal Overleg",
            "de openbare lichamen Bonaire, Sint Eustatius en Saba",
            "de Autoriteit Persoonsgegevens",
        ],
        "dossiers": [
            (26643, None),
            (29362, None),
            (35300, "IV"),
            (36600, "VII"),
        ],
    },
}
GENERIC_THEME = {
    "debates": ["Beleidsdebat", "Uitvoering en dienstverlening", "Begroting en verantwoording"],
    "subjects": [
        "de uitvoering van het beleid",
        "de regeldruk voor burgers en bedrijven",
        "de dienstverlening aan burgers",
        "de evaluatie van de subsidieregelingen",
        "de personele bezetting bij de uitvoeringsorganisaties",
    ],
    "parties": ["de betrokken uitvoeringsorganisaties", "de medeoverheden"],
    "dossiers": [(36600, None), (31490, None)],
}

ACTIONS = [
    "{wie} zal de Kamer {wanneer} informeren over {wat}",
    "{wie} stuurt de Kamer {wanneer} een brief over {wat}",
    "{wie} zegt toe de Kamer {wanneer} te berichten over {wat}",
    "{wie} komt {wanneer} schriftelijk terug op {wat}",
    "{wie} gaat {wanneer} in de voortgangsbrief in op {wat}",
    "{wie} zal {wanneer} een overzicht naar de Kamer sturen van {wat}",
    "{wie} gaat in gesprek met {partij} over {wat} en informeert de Kamer {wanneer} "
    "over de uitkomst",
    "{wie} zal in overleg met {partij} {wat} nader bezien en de Kamer {wanneer} laten weten "
    "tot welke conclusies dat leidt",
    "{wie} laat onderzoek doen naar {wat} en deelt de resultaten {wanneer} met de Kamer",
    "{wie} neemt {wat} mee in de brief die {wanneer} naar de Kamer gaat",
    "{wie} zal de Kamer {wanneer} een reactie sturen op het rapport over {wat}",
    "{wie} zegt toe {wanneer} met een uitwerking te komen van de plannen voor {wat}",
]
ASPECTS = [
    "de voortgang van de aanpak van {s}",
    "de stand van zaken rond {s}",
    "de resultaten van de pilot met {s}",
    "de evaluatie van de maatregelen tegen {s}",
    "de financiering van {s}",
    "de knelpunten die de uitvoering ervaart bij {s}",
    "de cijfers over {s}",
    "de gevolgen voor gemeenten van {s}",
    "de mogelijkheden om {s} te verbeteren",
    "de ervaringen in het buitenland met {s}",
    "{s}",
    "{s}",
]
TIMES = [
    "voor de zomer",
    "voor het zomerreces",
    "voor het einde van het jaar",
    "voor de begrotingsbehandeling",
    "na de zomer",
    "voor het kerstreces",
    "binnen drie maanden",
    "in het najaar",
    "in de eerstvolgende voortgangsbrief",
    "voorafgaand aan het volgende commissiedebat",
    "voor de Voorjaarsnota",
    "zo spoedig mogelijk",
    "in het eerste kwartaal van {jaar}",
    "uiterlijk in september {jaar}",
    "nog dit jaar",
]
DETAILS = [
    "en betrekt daarbij de ervaringen van professionals in de regio",
    "en gaat daarbij ook in op de kosten en de planning",
    "en neemt daarin de suggesties uit het debat mee",
    "waarbij ook de rol van de gemeenten aan de orde komt",
    "met daarin een tijdpad voor de vervolgstappen",
    "en geeft daarbij aan welke wettelijke knelpunten er zijn",
    "inclusief een overzicht van de beschikbare middelen",
    "en vraagt daarbij het advies van de Raad van State",
    "mede naar aanleiding van de vragen van {lid}",
    "zoals gevraagd door {lid}",
    "in reactie op het verzoek van {lid}",
]
ACTIVITY_KINDS = [
    ("Commissiedebat", 0.72),
    ("Plenair debat (debat)", 0.14),
    ("Wetgevingsoverleg", 0.09),
    ("Notaoverleg", 0.05),
]
LETTER_TITLES = [
    "Voortgangsbrief over {onderwerp}",
    "Stand van zaken rond {onderwerp}",
    "Toezeggingen gedaan tijdens het {soort} van {datum}",
    "Beantwoording van vragen van de commissie over {onderwerp}",
    "Uitvoering van moties en toezeggingen over {onderwerp}",
    "Reactie op het verzoek van de commissie over {onderwerp}",
]
MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
DEFAULT_START = datetime(2021, 9, 1, tzinfo=UTC)
DEFAULT_END = datetime(2025, 10, 31, 17, 0, tzinfo=UTC)
EMPTY_DATE = "0001-01-01T00:00:00Z"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _naam(achternaam: str, initialen: str, tussenvoegsel: str | None) -> str:
    """The register's way of writing a name: "Graaf, D. van der"."""
    return f"{achternaam}, {initialen}" + (f" {tussenvoegsel}" if tussenvoegsel else "")


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _spoken(functie: str) -> str:
    """How the register names the bewindspersoon in a text: "De minister", "De staatssecretaris"."""
    if functie.startswith("Minister voor "):
        return "De minister voor " + functie.removeprefix("Minister voor ")
    return "De staatssecretaris" if functie.startswith("Staatssecretaris") else "De minister"


def _lid_name(person: dict) -> str:
    surname = person["Achternaam"]
    if person["Tussenvoegsel"]:
        surname = f"{person['Tussenvoegsel'][0].upper()}{person['Tussenvoegsel'][1:]} {surname}"
    return f"het lid {surname}"


class _Generator:
    def __init__(self, n, seed, ministries, start, end):
        self.n = n
        self.rng = random.Random(seed)
        if ministries is None:
            ministries = DEFAULT_MINISTRIES
        if isinstance(ministries, str):
            ministries = [ministries]
        if not isinstance(ministries, dict):
            ministries = dict.fromkeys(ministries, 1.0)
        if not ministries:
            raise ValueError("make_records needs at least one ministry")
        self.ministries = ministries
        self.start = start if start.tzinfo else start.replace(tzinfo=UTC)
        end = end or DEFAULT_END
        self.end = end if end.tzinfo else end.replace(tzinfo=UTC)
        if self.end < self.start + timedelta(days=60):
            self.end = self.start + timedelta(days=400)
        self.volgnummers: dict = {}
        self.document_numbers: dict[int, set] = {}
        self._people()
        self._parties()

    # the cast

    def _people(self):
        rng = self.rng
        pool = list(BEWINDSPERSONEN)
        rng.shuffle(pool)
        self.bewindspersonen: dict[str, list[tuple[dict, int]]] = {}
        for ministry in self.ministries:
            count = rng.randint(3, 5)
            chosen = [pool.pop() for _ in range(min(count, len(pool)))] or [BEWINDSPERSONEN[0]]
            if not any(person[2] for person in chosen):
                # Every ministry has someone whose name has a tussenvoegsel ("Graaf, D. van der").
                spare = [p for p in pool if p[2]] or [p for p in BEWINDSPERSONEN if p[2]]
                chosen[-1] = spare[0]
                if spare[0] in pool:
                    pool.remove(spare[0])
            posts = POSTS.get(ministry) or [
                f"Minister van {ministry}",
                f"Staatssecretaris van {ministry}",
            ]
            # The first half served in the cabinet before the change, the rest after it.
            half = (len(chosen) + 1) // 2
            people = []
            for number, (voornaam, initialen, tussenvoegsel, achternaam) in enumerate(chosen):
                era = 0 if number < half else 1
                slot = number if era == 0 else number - half
                person = {
                    "Naam": _naam(achternaam, initialen, tussenvoegsel),
                    "Achternaam": achternaam,
                    "Initialen": initialen,
                    "Tussenvoegsel": tussenvoegsel,
                    "Voornaam": voornaam,
                    "Achtervoegsel": None,
                    "Titulatuur": "mr." if rng.random() < 0.15 else None,
                    "Functie": posts[slot % len(posts)],
                    "Ministerie": ministry,
                }
                people.append((person, era))
            self.bewindspersonen[ministry] = people

    def _parties(self):
        rng = self.rng
        self.fracties = {
            era: [
                {"Id": _uuid(rng), "Afkorting": short, "NaamNL": name}
                for short, name in (FRACTIES_BEFORE if era == 0 else FRACTIES_AFTER)
            ]
            for era in (0, 1)
        }
        # A member keeps their Persoon Id across the election; their party may have merged.
        self.members = []
        for roepnaam, initialen, tussenvoegsel, achternaam in KAMERLEDEN:
            persoon = {
                "Id": _uuid(rng),
                "Initialen": initialen,
                "Roepnaam": roepnaam,
                "Tussenvoegsel": tussenvoegsel,
                "Achternaam": achternaam,
            }
            self.members.append(
                (persoon, rng.choice(self.fracties[0]), rng.choice(self.fracties[1]))
            )

    # time

    def _moment(self, fraction: float) -> datetime:
        return self.start + (self.end - self.start) * fraction

    def _working_time(self, moment: datetime, hour_range=(9, 18)) -> datetime:
        """The same day (moved off the weekend) at a plausible office hour, Dutch time."""
        local = amsterdam(moment)
        while local.weekday() >= 5:
            local += timedelta(days=1)
        hour = self.rng.randint(*hour_range)
        return _local(local.year, local.month, local.day, hour, self.rng.choice((0, 15, 30, 45)))

    # building blocks

    def _debates(self) -> list[dict]:
        rng = self.rng
        count = max(1, round(self.n / 8))
        fractions = sorted(rng.random() * 0.97 for _ in range(count))
        numbers_per_year: dict[int, int] = {}
        debates = []
        for fraction, ministry in zip(fractions, self._ministry_quota(count), strict=True):
            theme = THEMES.get(ministry, GENERIC_THEME)
            datum = self._working_time(self._moment(fraction), (10, 16))
            year = datum.year
            numbers_per_year[year] = numbers_per_year.get(year, rng.randint(40, 300)) + rng.randint(
                3, 60
            )
            soort = _weighted(rng, ACTIVITY_KINDS)
            subject = rng.choice(theme["subjects"])
            if soort == "Wetgevingsoverleg":
                onderwerp = f"Wijziging van de wet in verband met {subject}"
            elif soort == "Notaoverleg":
                onderwerp = f"Initiatiefnota over {subject}"
            elif soort.startswith("Plenair"):
                onderwerp = f"Debat over {subject}"
            else:
                onderwerp = rng.choice(theme["debates"])
                # A committee debate's name as a topic: "gevangeniswezen en tbs", keeping "GGZ".
                subject = onderwerp if onderwerp[:2].isupper() else onderwerp.lower()
            debates.append(
                {
                    "Id": _uuid(rng),
                    "Nummer": f"{year}A{numbers_per_year[year]:05d}",
                    "Soort": soort,
                    "Onderwerp": onderwerp,
                    "Datum": iso(datum),
                    "_datum": datum,
                    "_ministry": ministry,
                    "_topic": subject,
                }
            )
        return debates

    def _ministry_quota(self, count: int) -> list[str]:
        """`count` ministries in their shares (largest remainder), shuffled: a random pick per
        debate would let a small register stray far from the intended shares."""
        total = sum(self.ministries.values())
        exact = {name: count * weight / total for name, weight in self.ministries.items()}
        quota = {name: int(share) for name, share in exact.items()}
        by_remainder = sorted(exact, key=lambda name: exact[name] - quota[name], reverse=True)
        for name in by_remainder[: count - sum(quota.values())]:
            quota[name] += 1
        ministries = [name for name, times in quota.items() for _ in range(times)]
        self.rng.shuffle(ministries)
        return ministries

    def _bewindspersoon(self, ministry: str, moment: datetime) -> dict:
        era = 0 if moment < CABINET_CHANGE else 1
        people = self.bewindspersonen[ministry]
        serving = [person for person, person_era in people if person_era == era] or [
            person for person, _ in people
        ]
        # The minister "van" the ministry answers in most debates.
        weights = [3 if p["Functie"].startswith("Minister van") else 1 for p in serving]
        return self.rng.choices(serving, weights=weights)[0]

    def _toegezegd_aan(self, moment: datetime) -> list[dict]:
        rng = self.rng
        era = 0 if moment < ELECTION else 1
        items = []
        for member in rng.sample(self.members, 2 if rng.random() < 0.25 else 1):
            persoon, fractie = member[0], member[1 + era]
            if rng.random() < 0.12:
                persoon = None  # made to a party as a whole
            items.append({"Id": _uuid(rng), "Persoon": persoon, "Fractie": fractie})
        return items

    def _tekst(self, functie: str, theme: dict, moment: datetime, made_to: list) -> str:
        rng = self.rng
        year = amsterdam(moment).year + (1 if amsterdam(moment).month >= 9 else 0)
        wanneer = rng.choice(TIMES).format(jaar=year)
        wat = rng.choice(ASPECTS).format(s=rng.choice(theme["subjects"]))
        text = rng.choice(ACTIONS).format(
            wie=_spoken(functie), wanneer=wanneer, wat=wat, partij=rng.choice(theme["parties"])
        )
        if rng.random() < 0.55:
            members = [item["Persoon"] for item in made_to if item["Persoon"]]
            detail = rng.choice(DETAILS)
            if "{lid}" in detail:
                if not members:
                    detail = rng.choice(DETAILS[:8])
                else:
                    detail = detail.format(lid=_lid_name(members[0]))
            text = f"{text}, {detail}"
        return text + "."

    def _document(self, theme: dict, debate: dict, datum: datetime) -> dict:
        rng = self.rng
        nummer, toevoeging = rng.choice(theme["dossiers"])
        key = (nummer, toevoeging)
        self.volgnummers[key] = self.volgnummers.get(key, rng.randint(20, 400)) + rng.randint(1, 9)
        year_numbers = self.document_numbers.setdefault(datum.year, set())
        while True:
            number = rng.randint(1000, 52000)
            if number not in year_numbers:
                year_numbers.add(number)
                break
        debate_date = debate["_datum"]
        titel = rng.choice(LETTER_TITLES).format(
            onderwerp=debate["_topic"],
            soort=debate["Soort"].lower().split(" (")[0],
            datum=f"{debate_date.day} {MONTHS[debate_date.month - 1]} {debate_date.year}",
        )
        return {
            "Id": _uuid(rng),
            "DocumentNummer": f"{datum.year}D{number:05d}",
            "Soort": "Brief regering",
            "Datum": iso(_local(datum.year, datum.month, datum.day)),
            "Titel": titel,
            "Volgnummer": self.volgnummers[key],
            "Kamerstukdossier": {"Id": _uuid(rng), "Nummer": nummer, "Toevoeging": toevoeging},
            "_datum": datum,
        }

    # the records

    def build(self) -> list[dict]:
        rng = self.rng
        debates = self._debates()
        # Several commitments per debate; each debate gets at least one.
        assignment = list(range(len(debates))) + [
            rng.randrange(len(debates)) for _ in range(max(0, self.n - len(debates)))
        ]
        assignment = assignment[: self.n]
        drafts = []
        for debate_index in assignment:
            debate = debates[debate_index]
            delay = timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3)), hours=rng.uniform(1, 6))
            created = debate["_datum"] + delay
            drafts.append((created, rng.random(), debate))
        drafts.sort(key=lambda draft: (draft[0], draft[1]))

        records = []
        sequences: dict[str, int] = {}
        letters_by_debate: dict[str, list[dict]] = {}
        batch_moments = sorted(self._moment(rng.uniform(0.4, 0.98)) for _ in range(3))
        for position, (created, _, debate) in enumerate(drafts):
            ministry = debate["_ministry"]
            theme = THEMES.get(ministry, GENERIC_THEME)
            person = self._bewindspersoon(ministry, created)
            made_to = self._toegezegd_aan(created)
            local_created = amsterdam(created)
            month = local_created.strftime("%Y%m")
            sequences[month] = sequences.get(month, rng.randint(0, 20)) + rng.randint(1, 4)
            age = (created - self.start) / (self.end - self.start)
            status = self._status(age, created)
            letters = []
            datum_nakoming = None
            changed = created + timedelta(minutes=rng.randint(0, 600))
            if status not in ("Openstaand", "Vervallen") and rng.random() < 0.9:
                letters = self._letters(theme, debate, created, letters_by_debate)
                if letters is None:
                    status, letters = "Openstaand", []
                else:
                    datum_nakoming = letters[0]["Datum"]
                    changed = max(letters[-1]["_datum"], changed) + timedelta(
                        days=rng.randint(0, 20), hours=rng.uniform(0, 8)
                    )
            elif status != "Openstaand":
                changed = created + timedelta(days=rng.randint(20, 400))
            elif rng.random() < 0.3:
                changed = created + timedelta(days=rng.randint(1, 300))  # a later correction
            if not letters and rng.random() < 0.04:
                datum_nakoming = EMPTY_DATE
            verwijderd = rng.random() < 0.02
            if verwijderd:
                changed += timedelta(days=rng.randint(1, 90))
            if rng.random() < 0.06:
                # The griffie updates records in bulk now and then: identical GewijzigdOp values.
                later = [moment for moment in batch_moments if moment >= changed]
                if later:
                    changed = later[0]
            if changed > self.end:
                # Not all on the last moment: a record changed "recently" is spread over the
                # final month, as a real register's latest changes are.
                changed = self.end - timedelta(seconds=rng.uniform(0, 30 * 24 * 3600))
            changed = max(changed, created)
            api_changed = changed
            if rng.random() < 0.3:
                api_changed = changed + timedelta(seconds=rng.uniform(0.5, 900))
            record = {
                "Id": _uuid(rng),
                "Nummer": f"TZ{month}-{sequences[month]:03d}",
                "Tekst": self._tekst(person["Functie"], theme, created, made_to),
                "Status": status,
                "Aanmaakdatum": iso(local_created.replace(second=0, microsecond=0)),
                "ActiviteitNummer": debate["Nummer"],
                **person,
                "DatumNakoming": datum_nakoming,
                "GewijzigdOp": iso(amsterdam(changed).replace(microsecond=0)),
                "ApiGewijzigdOp": iso(amsterdam(api_changed)),
                "Verwijderd": verwijderd,
                "ToegezegdAan": made_to,
                "KamerbriefNakoming": letters,
                "Activiteit": {k: v for k, v in debate.items() if not k.startswith("_")},
                "IsHerhalingVan": [],
                "IsAanvullingOp": [],
                "IsWijzigingVan": [],
            }
            self._relate(record, records, position)
            records.append(record)
        self._ensure_shared_letter(records)
        for record in records:
            for letter in record["KamerbriefNakoming"]:
                letter.pop("_datum", None)
        return records

    def _status(self, age: float, created: datetime) -> str:
        rng = self.rng
        # Older commitments are more often done; about half stay open over the whole range.
        if rng.random() < 0.2 + 0.6 * age:
            return "Openstaand"
        status = _weighted(
            rng,
            [
                ("Voldaan", 30),
                ("Deels Voldaan", 5),
                ("Vervallen", 5),
                ("Afgedaan", 5),
                ("Deels Afgedaan", 3),
                ("Deels voldaan", 2),
            ],
        )
        if created < datetime(2023, 1, 1, tzinfo=UTC) and "Afgedaan" in status:
            # The griffie introduced "Afgedaan" later on.
            status = "Voldaan" if status == "Afgedaan" else "Deels Voldaan"
        return status

    def _letters(self, theme, debate, created, letters_by_debate) -> list[dict] | None:
        rng = self.rng
        latest = self.end - timedelta(days=1)
        if latest < created + timedelta(days=7):
            return None  # too recent to have been answered
        earlier = [
            letter
            for letter in letters_by_debate.get(debate["Nummer"], ())
            if letter["_datum"] >= created + timedelta(days=1)
        ]
        if earlier and rng.random() < 0.35:
            # One letter answering several commitments from the same debate.
            letters = [rng.choice(earlier)]
        else:
            span = min((latest - created).days, 300)
            datum = amsterdam(created + timedelta(days=rng.randint(7, max(7, span))))
            letters = [self._document(theme, debate, datum)]
            letters_by_debate.setdefault(debate["Nummer"], []).append(letters[0])
        if rng.random() < 0.035:
            span = (latest - letters[0]["_datum"]).days
            if span > 7:
                datum = amsterdam(letters[0]["_datum"] + timedelta(days=rng.randint(7, span)))
                letters.append(self._document(theme, debate, datum))
        return letters

    def _relate(self, record: dict, records: list, position: int) -> None:
        rng = self.rng
        if not records or rng.random() >= 0.05:
            return
        prop = _weighted(
            rng, [("IsHerhalingVan", 0.4), ("IsAanvullingOp", 0.3), ("IsWijzigingVan", 0.3)]
        )
        same = [r for r in records[-200:] if r["Ministerie"] == record["Ministerie"]]
        other = rng.choice(same or records)
        record[prop] = [{"Id": other["Id"]}]
        if prop == "IsHerhalingVan":
            record["Tekst"] = f"{record['Tekst'][:-1]}; dit herhaalt toezegging {other['Nummer']}."
        elif prop == "IsWijzigingVan":
            record["Tekst"] = f"{record['Tekst'][:-1]} (gewijzigde termijn, zie {other['Nummer']})."

    def _ensure_shared_letter(self, records: list) -> None:
        """At least one letter fulfils two commitments, as the live register shows."""
        if len(records) < 20:
            return
        seen: dict[str, str] = {}
        for record in records:
            for letter in record["KamerbriefNakoming"]:
                if seen.setdefault(letter["Id"], record["Id"]) != record["Id"]:
                    return
        candidates = [r for r in records if not r["Verwijderd"]]
        for first in candidates:
            if not first["KamerbriefNakoming"]:
                continue
            letter = first["KamerbriefNakoming"][0]
            answered_by = parse_datetime(letter["Datum"])
            # The partner must have been registered before the letter was sent.
            second = next(
                (
                    r
                    for r in candidates
                    if r is not first
                    and not r["KamerbriefNakoming"]
                    and parse_datetime(r["Aanmaakdatum"]) < answered_by
                ),
                None,
            )
            if second is not None:
                second["KamerbriefNakoming"] = [letter]
                self._fulfil(second)
                return
        # No letter has a partner: the two oldest records share a new one.
        first, second = candidates[:2]
        theme = THEMES.get(first["Ministerie"], GENERIC_THEME)
        debate = {
            **first["Activiteit"],
            "_datum": parse_datetime(first["Activiteit"]["Datum"]),
            "_topic": first["Activiteit"]["Onderwerp"],
        }
        datum = amsterdam(parse_datetime(second["Aanmaakdatum"]) + timedelta(days=7))
        letter = self._document(theme, debate, datum)
        for record in (first, second):
            record["KamerbriefNakoming"] = [letter]
            self._fulfil(record)

    def _fulfil(self, record: dict) -> None:
        letter = record["KamerbriefNakoming"][0]
        record["Status"] = "Voldaan"
        record["DatumNakoming"] = letter["Datum"]
        changed = max(
            parse_datetime(record["GewijzigdOp"]),
            parse_datetime(letter["Datum"]) + timedelta(hours=10),
        )
        record["GewijzigdOp"] = record["ApiGewijzigdOp"] = iso(amsterdam(changed))


def make_records(
    n: int,
    *,
    seed: int = 0,
    ministries=None,
    start: datetime = DEFAULT_START,
    end: datetime | None = None,
) -> list[dict]:
    """`n` realistic Toezegging records, the same for the same arguments, oldest first.

    `ministries` is a list of names (equal shares) or a {name: weight} dict; by default Justitie
    en Veiligheid (about 60 %) and three others. Records are registered between `start` and `end`
    (default 31 October 2025). Relations (IsHerhalingVan …) hold `{"Id": …}` references to
    earlier records, which the server renders from its current store.
    """
    return _Generator(n, seed, ministries, start, end).build()


_minimal_numbers = itertools.count(1)


def minimal_record(**overrides) -> dict:
    """One valid, open Toezegging (one ToegezegdAan, an Activiteit) for a hand-written test.

    Any property can be overridden; Naam follows Achternaam/Initialen/Tussenvoegsel, Functie
    follows Ministerie and Activiteit.Nummer follows ActiviteitNummer unless given themselves.
    """
    unknown = set(overrides) - set(PROPERTY_TYPES) - NAV_PROPS
    if unknown:
        raise TypeError(f"minimal_record() got unknown properties: {', '.join(sorted(unknown))}")
    number = next(_minimal_numbers)
    record = {
        "Id": str(uuid.uuid4()),
        "Nummer": f"TZ202412-{900 + number:03d}" if number < 100 else f"TZ202412-{900 + number}",
        "Tekst": "De minister zal de Kamer voor de zomer informeren over de voortgang van de "
        "aanpak van ondermijning.",
        "Status": "Openstaand",
        "Aanmaakdatum": "2024-12-05T10:13:00+01:00",
        "ActiviteitNummer": "2024A05766",
        "Naam": "Wiersma, F.M.",
        "Achternaam": "Wiersma",
        "Initialen": "F.M.",
        "Tussenvoegsel": None,
        "Voornaam": "Femke",
        "Achtervoegsel": None,
        "Titulatuur": None,
        "Functie": "Minister van Justitie en Veiligheid",
        "Ministerie": "Justitie en Veiligheid",
        "DatumNakoming": None,
        "GewijzigdOp": "2025-01-10T09:00:00+01:00",
        "ApiGewijzigdOp": "2025-01-10T09:00:00+01:00",
        "Verwijderd": False,
        "ToegezegdAan": [
            {
                "Id": str(uuid.uuid4()),
                "Persoon": {
                    "Id": "5d4c8f0e-2b1a-4c3d-9e8f-7a6b5c4d3e2f",
                    "Initialen": "A.",
                    "Roepnaam": "Anna",
                    "Tussenvoegsel": "van",
                    "Achternaam": "Dijk",
                },
                "Fractie": {
                    "Id": "0f3e2d1c-4b5a-4968-8776-655443322110",
                    "Afkorting": "VVD",
                    "NaamNL": "Volkspartij voor Vrijheid en Democratie",
                },
            }
        ],
        "KamerbriefNakoming": [],
        "Activiteit": {
            "Id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
            "Nummer": "2024A05766",
            "Soort": "Commissiedebat",
            "Onderwerp": "Georganiseerde criminaliteit en ondermijning",
            "Datum": "2024-12-05T10:00:00+01:00",
        },
        "IsHerhalingVan": [],
        "IsAanvullingOp": [],
        "IsWijzigingVan": [],
    }
    if "Naam" not in overrides and {"Achternaam", "Initialen", "Tussenvoegsel"} & set(overrides):
        merged = {**record, **overrides}
        overrides["Naam"] = _naam(
            merged["Achternaam"], merged["Initialen"], merged["Tussenvoegsel"]
        )
    if "Ministerie" in overrides and "Functie" not in overrides:
        overrides["Functie"] = f"Minister van {overrides['Ministerie']}"
    if "ActiviteitNummer" in overrides and "Activiteit" not in overrides:
        record["Activiteit"] = {**record["Activiteit"], "Nummer": overrides["ActiviteitNummer"]}
    if "GewijzigdOp" in overrides and "ApiGewijzigdOp" not in overrides:
        overrides["ApiGewijzigdOp"] = overrides["GewijzigdOp"]
    record.update(overrides)
    return record


# --- command line ------------------------------------------------------------------------------


def load_records(path: str) -> list[dict]:
    """Records from a JSON file holding a list or an OData body with "value"."""
    with open(path, encoding="utf-8") as handle:
        body = json.load(handle)
    values = body.get("value") if isinstance(body, dict) else body
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise SystemExit(f"{path}: expected a list of records or an OData body with 'value'")
    return values


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.register_server",
        description="Serve a local stand-in for the Kamer's OData register of commitments.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--records", type=int, default=500, help="how many records to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--file", help="serve the records in this JSON file instead")
    parser.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE)
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    records = load_records(args.file) if args.file else make_records(args.records, seed=args.seed)
    # The records live as long as the process: keep the collector from walking them again and
    # again, which would show as pauses in the benchmark's timings.
    gc.collect()
    gc.freeze()
    server = RegisterServer(records, page_size=args.page_size, host=args.host, port=args.port)
    server.log = not args.quiet
    root = server.start()
    # A harness stops the server with SIGTERM: leave through `finally` as with Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"Serving {len(records)} Toezegging records at {root} (Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
