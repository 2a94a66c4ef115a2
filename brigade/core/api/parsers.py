"""The API's JSON parser (``REST_FRAMEWORK['DEFAULT_PARSER_CLASSES']`` and every view
that names its parsers): DRF's, with JSON nested too deeply for Python's parser answered
as the bad input it is.

``json.loads`` of ``[[[[...]]]]`` 100,000 levels deep raises ``RecursionError``, which
DRF's parser does not catch (it catches ``ValueError``): that was a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON too deeply nested.")) from None
