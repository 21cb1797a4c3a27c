"""OpenAPI documentation pieces that no view runs: the PUT body is parsed by `parsing.py` and its answer
rendered by `views.sync_results_render`, so these serializers only describe them for the schema."""

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from apps.integrations.api.errors import PROBLEM_CONTENT_TYPE
from apps.integrations.api.parsing import MAX_ID
from apps.integrations.api.serializers import CustomFieldValuesField
from apps.visits.models import Language
from apps.visits.sync.results import SyncAction, SyncStatus


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.integrations.api.authentication.IntegrationTokenAuthentication"
    name = "integrationToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The integration token shown once by `create_integration` or the admin.",
        }


# --- PUT /events request: every field may be absent (kept) or null (cleared, where optional) -----
# Only what the parser refuses with a 400 (types, the envelope, date-time syntax, id ranges) is a schema
# constraint on the body; what values mean (an unknown location, a malformed email, a missing name for a
# new event) is the engine's verdict, answered per event in the 200. An optional text is "" when absent,
# on reads and writes alike: what an event reads back is a valid request.


def _optional_text(help_text: str = "") -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text=(f"{help_text} " if help_text else "") + '"" or null: none.',
    )


def _id(**kwargs: Any) -> serializers.IntegerField:
    # The database's id columns are signed 64-bit; the parser refuses anything outside them.
    return serializers.IntegerField(min_value=-MAX_ID, max_value=MAX_ID, **kwargs)


class SyncPersonSerializer(serializers.Serializer):
    email = serializers.EmailField(
        required=False, allow_null=True, help_text="Identifies the employee; required for a new host."
    )
    firstName = _optional_text()
    lastName = _optional_text()
    phoneNumber = _optional_text()


class SyncAccessProfileSerializer(serializers.Serializer):
    partitionId = _id(help_text="An access partition's id (see /access-partitions).")
    sourceId = serializers.CharField(
        allow_blank=True, help_text="The profile within the partition; created if unseen."
    )


class SyncInvitationSerializer(serializers.Serializer):
    sourceId = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Your id of the guest; the same across events.",
    )
    email = _optional_text("An email address.")
    firstName = _optional_text()
    lastName = _optional_text()
    companyName = _optional_text()
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        allow_null=True,
        default=Language.EN,
        help_text="The language of the guest's emails; EN when a new guest has none.",
    )
    customFields = CustomFieldValuesField(
        required=False, allow_null=True, help_text="Keyed by custom field id; merged key by key."
    )
    accessProfiles = SyncAccessProfileSerializer(
        many=True, required=False, allow_null=True, help_text="Replaces the guest's profiles."
    )
    deletedAt = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Set to remove this guest."
    )


class SyncEventSerializer(serializers.Serializer):
    sourceId = serializers.CharField(
        allow_blank=True, help_text="Your id of the event, unique within your integration."
    )
    name = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="Required for a new event."
    )
    description = _optional_text()
    startsAt = serializers.DateTimeField(
        required=False, allow_null=True, help_text="With a UTC offset or Z. Required for a new event."
    )
    endsAt = serializers.DateTimeField(
        required=False, allow_null=True, help_text="With a UTC offset or Z. Required for a new event."
    )
    locationId = _id(required=False, allow_null=True, help_text="Required for a new event (see /locations).")
    entranceId = _id(required=False, allow_null=True)
    host = SyncPersonSerializer(
        required=False, allow_null=True, help_text="`host.email` is required for a new event."
    )
    creator = SyncPersonSerializer(required=False, allow_null=True)
    invitations = SyncInvitationSerializer(
        many=True,
        required=False,
        allow_null=True,
        help_text="Absent: guests untouched. Present: the whole guest list, unless ignoreMissingInvitations.",
    )
    customFields = CustomFieldValuesField(
        required=False, allow_null=True, help_text="Keyed by custom field id; merged key by key."
    )
    updatedAt = serializers.DateTimeField(
        required=False, allow_null=True, help_text="An older one than last synced leaves the event as is."
    )
    deletedAt = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Set to cancel the event."
    )


class EventsSyncSerializer(serializers.Serializer):
    agentToken = serializers.UUIDField(help_text="Your integration's agentToken, as 8-4-4-4-12 hex digits.")
    # minItems and maxItems (the configured SYNC_MAX_EVENTS) are set by schema_postprocess.
    events = SyncEventSerializer(
        many=True, allow_empty=False, help_text="The events to synchronize; more than the limit is a 413."
    )


# --- PUT /events answer and problem documents ----------------------------------------------------


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Path of the value, e.g. `events[3].startsAt`.")
    message = serializers.CharField()


class SyncResultSerializer(serializers.Serializer):
    sourceId = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=[status.value for status in SyncStatus])
    id = serializers.IntegerField(allow_null=True, help_text="The portal's id of the event.")
    action = serializers.ChoiceField(choices=[action.value for action in SyncAction], allow_null=True)
    errors = FieldErrorSerializer(many=True, help_text="Fields relative to the event, e.g. `startsAt`.")


class EventsSyncResultsSerializer(serializers.Serializer):
    events = SyncResultSerializer(many=True, help_text="One result per event, in request order.")


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldErrorSerializer(many=True)


def problem_responses(descriptions: dict[int, str]) -> dict[tuple[int, str], OpenApiResponse]:
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description=description)
        for status, description in descriptions.items()
    }


READ_PROBLEMS = problem_responses(
    {400: "A bad `limit`, cursor or filter value.", 401: "Missing, unknown or revoked token."}
)

_NOT_ACCEPTABLE = "The `Accept` header allows neither JSON nor problem documents."
_SERVER_ERROR = "The server failed; nothing was committed, and the request is safe to send again."
_CANONICAL_UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def schema_postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """What drf-spectacular cannot infer, applied to the whole document (POSTPROCESSING_HOOKS)."""
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            # Every view negotiates its answer, so every operation can answer 406; and any can fail.
            operation["responses"].setdefault("406", {"content": problem, "description": _NOT_ACCEPTABLE})
            operation["responses"].setdefault("500", {"content": problem, "description": _SERVER_ERROR})
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                # An empty query value is refused like any other malformed one.
                if parameter["in"] == "query" and schema.get("type") == "string" and "enum" not in schema:
                    schema.setdefault("minLength", 1)
    for name, component in result.get("components", {}).get("schemas", {}).items():
        # Every answer carries every field (null where it has none), so generated clients need not
        # type any of them as maybe-unset. Request bodies keep their own `required`.
        if not name.endswith("Request") and component.get("type") == "object" and "properties" in component:
            component["required"] = sorted(component["properties"])
    sync = result["components"]["schemas"]["EventsSyncRequest"]["properties"]
    sync["events"].update(minItems=1, maxItems=settings.SYNC_MAX_EVENTS)
    sync["agentToken"]["pattern"] = _CANONICAL_UUID_PATTERN
    return result
