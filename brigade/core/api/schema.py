"""The error answers of every API operation, documented once for the whole schema.

``document_errors`` is a drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS): after
each view has described what it declares itself, it adds the errors that the shared
machinery gives any operation of that shape, so that no view has to repeat them and a new
endpoint is described truthfully from its first day:

- 401 and 403 wherever the operation needs credentials (no token; a role that may not);
- 400 for a request body (field messages) and for query parameters (a filter value that
  is not valid, e.g. a unit that does not exist);
- 404 for a record named in the path (none in the caller's scope) and for a page number
  past the end of a list;
- 409 for writes: the services refuse a transition from the record's current state and a
  delete of a record still referenced (brigade/core/api/exceptions.py);
- 412 where ``If-Match`` is accepted and stale;
- 415 for a body in a format the operation does not read (or that cannot be parsed);
- for every write, the ``Idempotency-Key`` header (brigade/core/idempotency.py): 400 for a key
  that is not 1 to 255 visible ASCII characters, 409 while the first request with the key
  still runs, 422 for the key reused on another request.

It also marks optional query parameters as allowed empty, which is how they are read.

A code the view already documents keeps the view's description.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.request import Request

UNSAFE = {"post", "put", "patch", "delete"}
METHODS = {"get", "head", "options", *UNSAFE}
# Query parameters that never answer 400: a bad page is a 404, an unknown order ignored.
PAGING = {"page", "ordering"}

DETAIL = "Detail"
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any 1 to 255 visible ASCII characters, new for each new request (a "
    "UUID will do). A repeat of the request with the same key within 24 hours gets the "
    "first answer again (with Idempotent-Replayed: true) and writes nothing; the same key "
    "on another request (method, path or body) answers 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
CONFLICT = "Conflict"
VALIDATION = "ValidationErrors"

COMPONENTS: dict[str, dict[str, Any]] = {
    DETAIL: {
        "type": "object",
        "description": "Body of a 401, 403, 404, 412, 422 or 429 answer.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    CONFLICT: {
        "type": "object",
        "description": "Body of a 409: why, and the state the record is in.",
        "properties": {
            "detail": {"type": "string"},
            "state": {"type": "string", "nullable": True},
        },
        "required": ["detail"],
    },
    VALIDATION: {
        "type": "object",
        "description": "Field name → its messages; messages about no one field are under "
        "non_field_errors. A nested field's messages nest the same way.",
        "additionalProperties": {},
    },
}

DESCRIPTIONS = {
    "400": "Invalid input: field name → list of messages (non_field_errors for the rest); "
    "for an invalid Idempotency-Key, detail.",
    "401": "No or invalid credentials.",
    "403": "Your role does not allow this.",
    "404": "No such record in your scope, or no such page.",
    "409": "Not allowed from the record's current state (named in state), or the record "
    "is still referenced.",
    "412": "If-Match is stale: the record has changed.",
    "422": "This Idempotency-Key was already used for a different request.",
    "415": "The body is in a format this operation does not read, or is unreadable.",
}
BODIES = {
    "400": VALIDATION,
    "401": DETAIL,
    "403": DETAIL,
    "404": DETAIL,
    "409": CONFLICT,
    "412": DETAIL,
    "415": DETAIL,
    "422": DETAIL,
}


# an operation's security requirements: scheme name → scopes, any one of them enough
Security = list[dict[str, list[str]]]


def needs_credentials(operation: dict[str, Any], default: Security | None) -> bool:
    security = operation.get("security", default) or []
    return any(requirement for requirement in security)


def error_codes(method: str, operation: dict[str, Any], default: Security | None) -> list[str]:
    """The error statuses the shared machinery can answer for this operation."""
    params = operation.get("parameters", [])
    located = {p.get("in") for p in params}
    names = {(p.get("in"), p.get("name")) for p in params}
    codes = []
    if needs_credentials(operation, default):
        codes += ["401", "403"]
    filters = {name for where, name in names if where == "query"} - PAGING
    if "requestBody" in operation or filters:
        codes.append("400")
    if "requestBody" in operation:
        codes.append("415")
    if "path" in located or ("query", "page") in names:
        codes.append("404")
    if method in UNSAFE and needs_credentials(operation, default):
        codes += ["400", "409", "422"]
    if ("header", "If-Match") in names:
        codes.append("412")
    return list(dict.fromkeys(codes))


def _response(code: str) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[code],
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{BODIES[code]}"}}
        },
    }


def document_errors(
    result: dict[str, Any], generator: SchemaGenerator, request: Request | None, public: bool
) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in COMPONENTS.items():
        schemas.setdefault(name, component)
    default_security = result.get("security")
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    # DRF and django-filter read an empty optional parameter (an HTML
                    # form's blank field) as one not sent.
                    parameter["allowEmptyValue"] = True
            if method in UNSAFE and needs_credentials(operation, default_security):
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_KEY["name"] for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_KEY))
            responses = operation.setdefault("responses", {})
            for code in error_codes(method, operation, default_security):
                responses.setdefault(code, _response(code))
            operation["responses"] = dict(sorted(responses.items()))
    return result


# "HH:MM[:SS[.ffffff]]", what DRF's TimeField reads and writes: a wall-clock time with no
# offset (RFC 3339's partial-time). OpenAPI's "time" format, as JSON Schema defines it,
# requires an offset, which these times never carry.
PARTIAL_TIME = {
    "type": "string",
    "format": "partial-time",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
}


def _local_times(node: object) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            node.update(PARTIAL_TIME)
        if node.get("format") == "uri" and node.get("readOnly"):
            # links the API gives are paths on this server (/outreach/photos/1/)
            node["format"] = "uri-reference"
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


def local_times(
    result: dict[str, Any], generator: SchemaGenerator, request: Request | None, public: bool
) -> dict[str, Any]:
    """Describe times of day as they are sent and read, without an offset, and the links
    the API gives as what they are, references relative to this server."""
    _local_times(result)
    return result
