"""The public schema and docs views: drf-spectacular's, minus what a client could turn against them."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request


class _BareOptions:
    """OPTIONS answers the allowed methods and nothing else, as a plain Django view does.

    DRF would render its metadata with the view's renderer: YAML here, and on the docs view a template
    that does not exist (a 500).
    """

    allowed_methods: list[str]

    def options(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        response = HttpResponse()
        response.headers["Allow"] = ", ".join(self.allowed_methods)
        response.headers["Content-Length"] = "0"
        return response


class SchemaView(_BareOptions, SpectacularAPIView):
    # Public: the schema describes the API and reveals no data.
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def _get_version_parameter(self, request: Request) -> str | None:
        # There is one version. drf-spectacular would copy `?version=` into the document and, unescaped,
        # into Content-Disposition (a NUL or CR LF there is a 500, a quote forges the filename).
        return None


class DocsView(_BareOptions, SpectacularSwaggerView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
