"""OPTIONS answers: allowed methods (the `Allow` header), name and media types, never a 500.

DRF's SimpleMetadata also describes each write's serializer by calling `view.get_serializer()`, which
fails on views that pick their serializer per method (a 500 on seven /me/ endpoints). The OpenAPI schema
already documents every body, so OPTIONS does not repeat it.
"""

from rest_framework.metadata import SimpleMetadata


class ApiMetadata(SimpleMetadata):
    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
