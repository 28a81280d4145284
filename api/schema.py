"""The OpenAPI schema's common parts: every error every operation can answer, described.

drf-spectacular describes the answers a view declares; the errors come from the framework
(authentication, throttling) and from the services (validation, access, versions). This hook
adds them to every operation, so that a client (and schemathesis) can rely on the schema.
"""

import django_filters
from django.utils import translation
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

# Every record filter of the project picks a record by its id; where the filter reaches the
# record through a method (action line, activity, letter), the schema cannot guess that.
extend_schema_field(OpenApiTypes.INT)(django_filters.ModelChoiceFilter)

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}

COMMON = {
    "401": "Niet aangemeld: stuur een token of sessie. / Not logged in: send a token or session.",
    "403": "Dit mag u niet. / You may not do this.",
    "404": "Niet gevonden, of niet voor u te lezen. / Not found, or not yours to read.",
    "405": "Deze methode bestaat hier niet. / This method does not exist here.",
    "429": "Te veel verzoeken; probeer het later. / Too many requests; try again later.",
}
WRITES = {
    "400": "De invoer klopt niet; per veld een melding. / The input is wrong; a message per field.",
}
CONDITIONAL = {
    "412": "Verouderde versie; de huidige staat staat in `current`. / Stale version; the "
    "current state is in `current`.",
    "428": "If-Match ontbreekt. / If-Match is missing.",
}


def both_languages(text) -> str:
    """A (lazy) interface text as "Dutch / English", or once where the two are the same."""
    with translation.override("nl"):
        dutch = str(text)
    with translation.override("en"):
        english = str(text)
    return dutch if dutch == english else f"{dutch} / {english}"


def _filter_description(name: str) -> str | None:
    from commitments.filters import CommitmentFilter

    base, bound = name, ""
    for suffix, words in (("_after", " (vanaf / from)"), ("_before", " (tot en met / up to)")):
        if name.endswith(suffix):
            base, bound = name.removesuffix(suffix), words
    found = CommitmentFilter.base_filters.get(base)
    if found is None or found.label is None:
        return None
    description = both_languages(found.label) + bound
    help_text = found.extra.get("help_text")
    if help_text:
        description += f". {both_languages(help_text)}"
    choices = found.extra.get("choices")
    if choices:
        description += "\n\n" + "\n".join(
            f"* `{value}` - {both_languages(label)}" for value, label in choices
        )
    return description


def describe_parameters(result, generator, request, public):
    """The list's filters described in both languages, from the filter set's own labels."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query" or " / " in parameter.get("description", ""):
                    continue
                description = _filter_description(parameter["name"])
                if description:
                    parameter["description"] = description
    return result


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete", "head"):
                continue
            responses = operation.setdefault("responses", {})
            extra = dict(COMMON)
            if method != "get":
                extra.update(WRITES)
            if method in ("get", "head"):
                # A list's filters and cursor are checked too.
                extra["400"] = WRITES["400"]
            if any(p.get("name") == "If-Match" for p in operation.get("parameters", [])):
                extra.update(CONDITIONAL)
            for code, description in extra.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <sleutel>` van uw profielpagina. / `Token <key>` from your "
            "profile page.",
        }
