"""Versions on the wire: an `ETag` on every record, `If-Match` on every write to one.

The record's `version` (the optimistic lock every form carries as a hidden field) is its ETag.
A write names the version it changes in `If-Match`; the service checks it as it checks a
form's, so a stale write is refused (412) by the same code whichever way it came in.
"""

import re

from api.exceptions import PreconditionRequired, StaleVersion

_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,9})"\s*$')


def etag(record) -> str:
    return f'"{record.version}"'


def with_etag(response, record):
    response["ETag"] = etag(record)
    return response


def expected_version(request, current=None) -> int:
    """The version `If-Match` names; 428 without it, 412 (with `current`) when unreadable."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired
    match = _ETAG.match(header)
    if match is None:
        # "*" or a list of tags does not say which version the client has seen.
        raise StaleVersion(current)
    return int(match.group(1))
