"""OpenAPI documentation pieces that no view runs: the PUT body is parsed by `parsing.py` and its answer
rendered by `views.sync_results_render`, so these serializers only describe them for the schema."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from apps.integrations.api.errors import PROBLEM_CONTENT_TYPE
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


class SyncPersonSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_null=True, help_text="Identifies the employee.")
    firstName = serializers.CharField(required=False, allow_null=True)
    lastName = serializers.CharField(required=False, allow_null=True)
    phoneNumber = serializers.CharField(required=False, allow_null=True)


class SyncAccessProfileSerializer(serializers.Serializer):
    partitionId = serializers.IntegerField(help_text="An access partition's id (see /access-partitions).")
    sourceId = serializers.CharField(help_text="The profile within the partition; created if unseen.")


class SyncInvitationSerializer(serializers.Serializer):
    sourceId = serializers.CharField(
        required=False, allow_null=True, help_text="Your id of the guest; the same across events."
    )
    email = serializers.EmailField(required=False, allow_null=True)
    firstName = serializers.CharField(required=False, allow_null=True)
    lastName = serializers.CharField(required=False, allow_null=True)
    companyName = serializers.CharField(required=False, allow_null=True)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, allow_null=True, help_text="Default EN."
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
    sourceId = serializers.CharField(help_text="Your id of the event, unique within your integration.")
    name = serializers.CharField(required=False, allow_null=True, help_text="Required for a new event.")
    description = serializers.CharField(required=False, allow_null=True)
    startsAt = serializers.DateTimeField(
        required=False, allow_null=True, help_text="With a UTC offset or Z. Required for a new event."
    )
    endsAt = serializers.DateTimeField(
        required=False, allow_null=True, help_text="With a UTC offset or Z. Required for a new event."
    )
    locationId = serializers.IntegerField(
        required=False, allow_null=True, help_text="Required for a new event (see /locations)."
    )
    entranceId = serializers.IntegerField(required=False, allow_null=True)
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
    events = SyncEventSerializer(many=True, allow_empty=False, help_text="1 to SYNC_MAX_EVENTS events.")


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
