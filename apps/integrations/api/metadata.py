"""What OPTIONS answers on an API view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.metadata import SimpleMetadata

if TYPE_CHECKING:  # rest_framework.views imports this module through its settings: no import cycle
    from rest_framework.request import Request
    from rest_framework.views import APIView


class ApiMetadata(SimpleMetadata):
    """The view's name, description and media types; no per-method field listing.

    DRF's SimpleMetadata describes the PUT body by calling `get_object()`, which a list view cannot do
    (a 500 on OPTIONS /events); the OpenAPI schema already documents every body.
    """

    def determine_metadata(self, request: Request, view: APIView) -> dict[str, Any]:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
