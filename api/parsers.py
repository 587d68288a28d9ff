"""The API's JSON parser: Django's body size limit, a bounded nesting depth, French messages.

DRF's own JSONParser reads the request stream directly, so neither `DATA_UPLOAD_MAX_MEMORY_SIZE` nor any
depth limit applies: 2 KB of `[` raised a RecursionError (a 500). No endpoint takes JSON nested deeper than
a few levels, so anything past `MAX_JSON_DEPTH` is refused as a `parse_error` before a serializer sees it.
"""

import json

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import APIException, ParseError
from rest_framework.utils import json as drf_json

MAX_JSON_DEPTH = 20
INVALID_JSON = "Le corps de la requête n'est pas un JSON valide."


class PayloadTooLarge(APIException):
    status_code = 413
    default_code = "payload_too_large"
    default_detail = "Le corps de la requête est trop volumineux."


def json_depth_exceeds(data, limit: int) -> bool:
    """Whether `data` (parsed JSON) nests containers more than `limit` deep; iterative, so any depth is safe."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(f"Le corps de la requête dépasse {limit // 1024} Kio.")
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            data = json.loads(raw.decode(encoding), parse_constant=drf_json.strict_constant if self.strict else None)
        except RecursionError as error:
            raise ParseError(f"{INVALID_JSON} Imbrication trop profonde (au plus {MAX_JSON_DEPTH} niveaux).") from error
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(INVALID_JSON) from error
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(f"{INVALID_JSON} Imbrication trop profonde (au plus {MAX_JSON_DEPTH} niveaux).")
        return data
