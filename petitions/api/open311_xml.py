"""GeoReport v2's XML: the JSON answers written with the spec's element names.

A list is a wrapper element with one child per entry, named as the spec names it
(``<services><service>``, ``<service_requests><request>``, ``<errors><error>``, a
definition's ``<attributes><attribute>`` and ``<values><value>``, discovery's
``<endpoints><endpoint>`` and ``<formats><format>``); an object's fields are child
elements in their order; null is an empty element, a boolean ``true``/``false``. The root
is the view's ``xml_root``, or ``errors`` for an error answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from rest_framework.renderers import BaseRenderer

ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
# characters XML 1.0 cannot carry at all, not even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: Element, value: object) -> None:
    if isinstance(value, list):
        item = ITEMS[element.tag]
        for entry in value:
            _fill(SubElement(element, item), entry)
    elif isinstance(value, Mapping):
        for key, child in value.items():
            _fill(SubElement(element, str(key)), child)
    else:
        element.text = _text(value)


def document(root: str, data: object) -> bytes:
    """``data`` (a list, or an object) as the XML document whose root is ``root``."""
    element = Element(root)
    _fill(element, data)
    return DECLARATION + tostring(element, encoding="unicode").encode()


class GeoReportXMLRenderer(BaseRenderer):
    """The ``.xml`` format of every GeoReport endpoint."""

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        context = renderer_context or {}
        response = context.get("response")
        if response is not None and getattr(response, "exception", False):
            root = "errors"
        else:
            root = getattr(context.get("view"), "xml_root", "errors")
        return document(root, data)
