"""RFC 9457 problem documents: the one shape every non-2xx answer from /api/ takes.

DRF views reach `problem_exception_handler`, for client errors and server errors alike; what fails before
or outside a DRF view (an unknown URL, a body over Django's size limit) reaches the `api_handler*` views,
which `portal/urls.py` installs as Django's error handlers and which answer problem documents for /api/
paths only, leaving the rest of the site to Django's defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.log import log_response
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import set_rollback

PROBLEM_CONTENT_TYPE = "application/problem+json"
SERVER_ERROR_DETAIL = "The server failed to answer this request. It is safe to send it again."
API_PATH_PREFIX = "/api/"

# Fixed here rather than taken from HTTPStatus, whose phrases change between Python versions (413).
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    411: "Length Required",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


@dataclass(frozen=True, slots=True)
class ProblemField:
    """One offending value: `field` is its path in the request, e.g. `events[3].startsAt`."""

    field: str
    message: str


class ProblemError(exceptions.APIException):
    """A request refused as a whole, with every offending field it found."""

    def __init__(self, *, status: int, detail: str, errors: Iterable[ProblemField] = ()) -> None:
        super().__init__(detail=detail)
        self.status_code = status
        self.errors = list(errors)


def problem_title(status: int) -> str:
    try:
        return _TITLES.get(status) or HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(*, status: int, detail: str, errors: Iterable[ProblemField] = ()) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": problem_title(status),
        "status": status,
        "detail": detail,
        "errors": [{"field": error.field, "message": error.message} for error in errors],
    }


def problem_json_response(*, status: int, detail: str, errors: Iterable[ProblemField] = ()) -> JsonResponse:
    """A problem document for code that runs outside DRF (Django's error handlers)."""
    return JsonResponse(
        problem_body(status=status, detail=detail, errors=errors),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


class ProblemResponse(Response):
    """A problem document rendered as JSON whatever renderer the request negotiated.

    DRF renders an error answer with the view's negotiated renderer: YAML on the schema view, a plain
    text fallback on the HTML docs view, and whatever the client's Accept picked. The Content-Type says
    JSON, so the body must be JSON.
    """

    @property
    def rendered_content(self) -> bytes:
        self.accepted_renderer = JSONRenderer()
        self.accepted_media_type = PROBLEM_CONTENT_TYPE
        if getattr(self, "renderer_context", None) is None:
            self.renderer_context = {}
        return super().rendered_content


def _flatten(detail: Any, path: str = "") -> list[ProblemField]:
    """DRF's nested error details ({"limit": ["…"]}, lists of dicts…) as a flat list of field paths."""
    if isinstance(detail, Mapping):
        fields: list[ProblemField] = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            fields.extend(_flatten(value, f"{path}.{name}" if path and name else path or name))
        return fields
    if isinstance(detail, list):
        if all(not isinstance(item, Mapping | list) for item in detail):
            return [ProblemField(field=path, message=str(item)) for item in detail]
        fields = []
        for index, item in enumerate(detail):
            fields.extend(_flatten(item, f"{path}[{index}]"))
        return fields
    return [ProblemField(field=path, message=str(detail))]


def problem_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every exception DRF knows becomes a problem document."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = ProblemError(status=413, detail="The request body is larger than this server accepts.")

    if not isinstance(exc, exceptions.APIException):
        # With DEBUG_PROPAGATE_EXCEPTIONS, Django's own handling re-raises it, as the setting asks.
        return None if settings.DEBUG_PROPAGATE_EXCEPTIONS else _server_error(exc, context)

    status = exc.status_code
    if isinstance(exc, ProblemError):
        detail, errors = str(exc.detail), exc.errors
    elif isinstance(exc.detail, dict | list):
        detail, errors = "The request has invalid values; see `errors`.", _flatten(exc.detail)
    else:
        detail, errors = str(exc.detail), []

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    return ProblemResponse(
        problem_body(status=status, detail=detail, errors=errors),
        status=status,
        headers=headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _server_error(exc: Exception, context: Mapping[str, Any]) -> Response:
    """A bug, not a client's doing: reported as Django reports one, answered as a problem document.

    Left to Django, DEBUG (as in `make run`) would answer an HTML traceback page.
    """
    request = context["request"]
    django_request = getattr(request, "_request", request)
    # What Django itself does with an uncaught exception: error reporters and the test client hear of it.
    signals.got_request_exception.send(sender=None, request=django_request)
    set_rollback()
    response = ProblemResponse(
        problem_body(status=500, detail=SERVER_ERROR_DETAIL),
        status=500,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    log_response(
        "%s: %s",
        "Internal Server Error",
        django_request.path,
        response=response,
        request=django_request,
        exception=exc,
    )
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIX)


def api_handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return problem_json_response(
            status=413, detail="The request body is larger than this server accepts."
        )
    return problem_json_response(status=400, detail="The request could not be understood.")


def api_handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    return problem_json_response(status=403, detail="You do not have permission to perform this action.")


def api_handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    return problem_json_response(status=404, detail="There is nothing at this address.")


def api_handler500(request: HttpRequest) -> HttpResponse:
    if not _is_api(request):
        return defaults.server_error(request)
    return problem_json_response(status=500, detail=SERVER_ERROR_DETAIL)


def api_csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a problem document under /api/ (whose clients send tokens, not cookies)."""
    if not _is_api(request):
        return csrf.csrf_failure(request, reason)
    return problem_json_response(status=403, detail="This request was refused: it failed the CSRF check.")


# Exempt: the API authenticates with bearer tokens, never cookies, so no method on an unknown /api/
# address should meet Django's HTML CSRF page before its JSON 404.
@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Catch-all route for /api/: a problem document even where DEBUG would show an HTML 404 page."""
    return api_handler404(request, Http404())
