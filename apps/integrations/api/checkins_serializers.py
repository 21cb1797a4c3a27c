"""The check-in object of the check-ins API and of webhook payloads, and the check-in request body."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.directory.models import Employee
from apps.integrations.api.serializers import AccessProfileRefSerializer, CustomFieldValuesField
from apps.integrations.models import Integration
from apps.visits.models import CheckIn, Event, Invitation
from apps.visits.selectors import invitation_effective_custom_fields

INTEGRATION_CONTEXT = "integration"


def _own_source_id(serializer: serializers.Field, event: Event, source_id: str | None) -> str | None:
    # An integration's identifiers are its own: a portal-made visit or another integration's answers null.
    integration: Integration = serializer.context[INTEGRATION_CONTEXT]
    return source_id if event.integration_id == integration.pk else None


class CheckInGuestSerializer(serializers.ModelSerializer[Invitation]):
    email = serializers.CharField(source="contact.email")
    firstName = serializers.CharField(source="contact.first_name")
    lastName = serializers.CharField(source="contact.last_name")
    companyName = serializers.CharField(source="contact.company_name")

    class Meta:
        model = Invitation
        fields = ["email", "firstName", "lastName", "companyName", "language"]


class CheckInInvitationSerializer(serializers.ModelSerializer[Invitation]):
    sourceId = serializers.SerializerMethodField(help_text="Your id of the guest; null if not yours.")

    class Meta:
        model = Invitation
        fields = ["id", "sourceId"]

    def get_sourceId(self, invitation: Invitation) -> str | None:
        return _own_source_id(self, invitation.event, invitation.contact.source_id)


class CheckInHostSerializer(serializers.ModelSerializer[Employee]):
    firstName = serializers.CharField(source="first_name")
    lastName = serializers.CharField(source="last_name")

    class Meta:
        model = Employee
        fields = ["email", "firstName", "lastName"]


class CheckInEventSerializer(serializers.ModelSerializer[Event]):
    sourceId = serializers.SerializerMethodField(help_text="Your id of the event; null if not yours.")
    startsAt = serializers.DateTimeField(source="starts_at")
    endsAt = serializers.DateTimeField(source="ends_at")
    host = CheckInHostSerializer()

    class Meta:
        model = Event
        fields = ["id", "sourceId", "name", "startsAt", "endsAt", "host"]

    def get_sourceId(self, event: Event) -> str | None:
        return _own_source_id(self, event, event.source_id)


class CheckInSerializer(serializers.ModelSerializer[CheckIn]):
    """One arrival of one guest, times in the location's time zone."""

    state = serializers.ChoiceField(choices=CheckIn.State.choices)
    arrivedAt = serializers.DateTimeField(source="arrived_at")
    leftAt = serializers.DateTimeField(source="left_at", allow_null=True, help_text="Null while on site.")
    locationId = serializers.IntegerField(source="location_id")
    entranceId = serializers.IntegerField(source="entrance_id", allow_null=True)
    guest = CheckInGuestSerializer(source="invitation")
    invitation = CheckInInvitationSerializer()
    event = CheckInEventSerializer(source="invitation.event")
    customFields = serializers.SerializerMethodField(help_text="The guest's effective custom field values.")
    accessProfiles = AccessProfileRefSerializer(source="invitation.access_profiles", many=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "state",
            "arrivedAt",
            "leftAt",
            "locationId",
            "entranceId",
            "guest",
            "invitation",
            "event",
            "customFields",
            "accessProfiles",
            "createdAt",
            "updatedAt",
        ]

    @extend_schema_field(CustomFieldValuesField)
    def get_customFields(self, check_in: CheckIn) -> dict[str, Any]:
        return invitation_effective_custom_fields(invitation=check_in.invitation)

    def to_representation(self, instance: CheckIn) -> dict[str, Any]:
        with timezone.override(zoneinfo.ZoneInfo(instance.location.timezone)):
            return super().to_representation(instance)


def check_in_render(*, check_in: CheckIn, integration: Integration) -> dict[str, Any]:
    """The check-in object as this integration sees it (its own sourceIds only)."""
    return CheckInSerializer(check_in, context={INTEGRATION_CONTEXT: integration}).data


# --- invitation.cancelled webhook data -----------------------------------------------------------


class CancelledInvitationSerializer(CheckInGuestSerializer):
    sourceId = serializers.SerializerMethodField()
    deletedAt = serializers.DateTimeField(source="cancelled_at", allow_null=True)

    class Meta(CheckInGuestSerializer.Meta):
        fields = ["id", "sourceId", *CheckInGuestSerializer.Meta.fields, "status", "deletedAt"]

    def get_sourceId(self, invitation: Invitation) -> str | None:
        return _own_source_id(self, invitation.event, invitation.contact.source_id)


class CancelledEventSerializer(CheckInEventSerializer):
    locationId = serializers.IntegerField(source="location_id")

    class Meta(CheckInEventSerializer.Meta):
        fields = [*CheckInEventSerializer.Meta.fields, "locationId", "status"]


def invitation_cancelled_render(*, invitation: Invitation, integration: Integration) -> dict[str, Any]:
    """`data` of an invitation.cancelled webhook: the guest and their event, as this integration sees them."""
    context = {INTEGRATION_CONTEXT: integration}
    with timezone.override(zoneinfo.ZoneInfo(invitation.event.location.timezone)):
        return {
            "invitation": CancelledInvitationSerializer(invitation, context=context).data,
            "event": CancelledEventSerializer(invitation.event, context=context).data,
        }
