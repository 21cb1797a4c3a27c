"""/api/v2/webhooks: an integration registers, lists and removes its own endpoints."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.integrations.api import schema
from apps.integrations.api.errors import ProblemError, ProblemField
from apps.integrations.api.pagination import CursorPage
from apps.integrations.api.parsing import MAX_ID
from apps.integrations.models import Integration
from apps.webhooks.models import EventType, WebhookEndpoint
from apps.webhooks.services import (
    MAX_URL_LENGTH,
    WebhookEndpointRefused,
    webhook_endpoint_create,
    webhook_endpoint_delete,
)

NOT_FOUND = "This integration has no webhook endpoint with this id."

REQUEST_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["url", "types"],
    "properties": {
        "url": {
            "type": "string",
            "format": "uri",
            "pattern": "^https?://",
            "minLength": 1,
            "maxLength": MAX_URL_LENGTH,
            "description": "An http(s) URL whose host resolves to public addresses.",
        },
        "types": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "enum": EventType.values},
        },
    },
}


class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    types = serializers.ListField(child=serializers.ChoiceField(choices=EventType.values))
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "types", "active"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.SerializerMethodField(
        help_text="`whsec_…`: shown only here. Verify signatures with it."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]

    def get_secret(self, endpoint: WebhookEndpoint) -> str:
        return self.context["secret"]


def _integration(request: Request) -> Integration:
    return cast(Integration, request.auth)


def _refused(errors: list[ProblemField]) -> ProblemError:
    return ProblemError(status=400, detail="The request body is malformed. See `errors`.", errors=errors)


def _endpoint_request_parse(data: Any) -> tuple[str, list[str]]:
    if not isinstance(data, dict):
        raise _refused([ProblemField(field="", message="Expected a JSON object.")])
    errors = [
        ProblemField(field=key, message="Unknown field.") for key in data if key not in ("url", "types")
    ]
    url, types = data.get("url"), data.get("types")
    if not isinstance(url, str) or not url:
        errors.append(ProblemField(field="url", message="Expected an http(s) URL."))
    if (
        not isinstance(types, list)
        or not types
        or not all(isinstance(value, str) and value in EventType.values for value in types)
        or len(set(types)) != len(types)
    ):
        errors.append(
            ProblemField(
                field="types", message=f"A list of distinct types of: {', '.join(EventType.values)}."
            )
        )
    if errors:
        raise _refused(errors)
    return url, types


def _endpoint_get(request: Request, raw_id: int) -> WebhookEndpoint:
    value = int(raw_id)
    endpoint = None
    if 1 <= value <= MAX_ID:
        endpoint = WebhookEndpoint.objects.filter(integration=_integration(request), pk=value).first()
    if endpoint is None:
        raise ProblemError(status=404, detail=NOT_FOUND)
    return endpoint


class WebhookEndpointsView(generics.ListAPIView):
    serializer_class = WebhookEndpointSerializer
    pagination_class = CursorPage
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return WebhookEndpoint.objects.filter(integration=_integration(self.request))

    @extend_schema(
        operation_id="webhooks_list",
        summary="The integration's webhook endpoints",
        responses={200: WebhookEndpointSerializer(many=True), **schema.READ_PROBLEMS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Register a webhook endpoint",
        description=(
            "Deliveries are signed as Standard Webhooks says (`webhook-id`, `webhook-timestamp`, "
            "`webhook-signature`) with the secret answered here, and only here."
        ),
        request={"application/json": REQUEST_SCHEMA},
        responses={
            201: WebhookEndpointCreatedSerializer,
            **schema.problem_responses(
                {
                    400: "Malformed body, or a URL that is not http(s) or not on a public address.",
                    401: "Missing, unknown or revoked token.",
                    415: "A body that is not `application/json`.",
                }
            ),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        url, types = _endpoint_request_parse(request.data)
        try:
            issued = webhook_endpoint_create(integration=_integration(request), url=url, types=types)
        except WebhookEndpointRefused as refused:
            raise _refused([ProblemField(field=refused.field, message=refused.message)]) from None
        data = WebhookEndpointCreatedSerializer(issued.endpoint, context={"secret": issued.secret}).data
        return Response(data, status=201)


class WebhookEndpointDetailView(generics.GenericAPIView):
    serializer_class = WebhookEndpointSerializer

    @extend_schema(
        operation_id="webhooks_retrieve",
        summary="One webhook endpoint",
        responses={
            200: WebhookEndpointSerializer,
            **schema.problem_responses({401: "Missing, unknown or revoked token.", 404: NOT_FOUND}),
        },
    )
    def get(self, request: Request, id: int) -> Response:
        return Response(WebhookEndpointSerializer(_endpoint_get(request, id)).data)

    @extend_schema(
        operation_id="webhooks_destroy",
        summary="Remove a webhook endpoint",
        responses={
            204: None,
            **schema.problem_responses({401: "Missing, unknown or revoked token.", 404: NOT_FOUND}),
        },
    )
    def delete(self, request: Request, id: int) -> Response:
        webhook_endpoint_delete(endpoint=_endpoint_get(request, id))
        return Response(status=204)
