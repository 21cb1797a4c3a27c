"""Output serializers of the read endpoints: the wire shape (camelCase), and what the schema is made from.

Locations, custom fields and access partitions are rendered by these serializers. Events and check-ins
are too many for that (issue #14): PostgreSQL renders them as JSON text (`reads_sql`, `checkins_sql`;
from plain rows in `reads_rows` on other databases), and EventSerializer and CheckInSerializer stay their
one definition, which the OpenAPI schema is generated from; tests/integrations/test_read_shape.py and
test_checkins_read_shape.py prove that each renderer gives the serializer's bytes.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.directory.models import AccessPartition, AccessProfile, CustomField, Employee, Entrance, Location
from apps.privacy.selectors import guest_data_erased, location_retention_days
from apps.visits.models import Event, Invitation
from apps.visits.selectors import invitation_effective_custom_fields


class CustomFieldValuesField(serializers.DictField):
    """`{"<custom field id>": value}`; values are whatever JSON the field's type allows."""

    child = serializers.JSONField()


class PersonSerializer(serializers.ModelSerializer[Employee]):
    firstName = serializers.CharField(source="first_name")
    lastName = serializers.CharField(source="last_name")
    phoneNumber = serializers.CharField(source="phone_number")

    class Meta:
        model = Employee
        fields = ["email", "firstName", "lastName", "phoneNumber"]


class AccessProfileRefSerializer(serializers.ModelSerializer[AccessProfile]):
    partitionId = serializers.IntegerField(source="partition_id")
    sourceId = serializers.CharField(source="source_id")

    class Meta:
        model = AccessProfile
        fields = ["partitionId", "sourceId"]


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    sourceId = serializers.CharField(source="contact.source_id", allow_null=True)
    # Null once the guest's data is erased (retention or an erasure request: apps/privacy).
    email = serializers.CharField(source="contact.email", allow_null=True)
    firstName = serializers.CharField(source="contact.first_name", allow_null=True)
    lastName = serializers.CharField(source="contact.last_name", allow_null=True)
    companyName = serializers.CharField(source="contact.company_name", allow_null=True)
    customFields = CustomFieldValuesField(source="custom_fields")
    accessProfiles = AccessProfileRefSerializer(source="access_profiles", many=True)
    deletedAt = serializers.DateTimeField(
        source="cancelled_at",
        allow_null=True,
        help_text=(
            "When the guest was removed: the `deletedAt` sent for them, the event's when cancelled with "
            "it, or the time of removal when left out of a complete guest list. Null while invited."
        ),
    )
    checkedInAt = serializers.DateTimeField(source="checked_in_at", allow_null=True)
    checkedOutAt = serializers.DateTimeField(source="checked_out_at", allow_null=True)
    effectiveCustomFields = serializers.SerializerMethodField(
        help_text="The event's values merged with this guest's own (the guest's win)."
    )

    class Meta:
        model = Invitation
        fields = [
            "sourceId",
            "email",
            "firstName",
            "lastName",
            "companyName",
            "language",
            "customFields",
            "accessProfiles",
            "deletedAt",
            "status",
            "checkedInAt",
            "checkedOutAt",
            "effectiveCustomFields",
        ]

    @extend_schema_field({"type": "object", "additionalProperties": {}})
    def get_effectiveCustomFields(self, invitation: Invitation) -> dict[str, Any]:
        return invitation_effective_custom_fields(invitation=invitation)

    def to_representation(self, instance: Invitation) -> dict[str, Any]:
        data = super().to_representation(instance)
        contact = instance.contact
        if guest_data_erased(
            event_anonymised=instance.event.anonymised_at is not None,
            email=contact.email,
            first_name=contact.first_name,
            last_name=contact.last_name,
        ):
            data.update(email=None, firstName=None, lastName=None, companyName=None)
        return data


class EventSerializer(serializers.ModelSerializer[Event]):
    sourceId = serializers.CharField(source="source_id")
    startsAt = serializers.DateTimeField(source="starts_at")
    endsAt = serializers.DateTimeField(source="ends_at")
    locationId = serializers.IntegerField(source="location_id")
    entranceId = serializers.IntegerField(source="entrance_id", allow_null=True)
    host = PersonSerializer()
    creator = PersonSerializer(allow_null=True)
    invitations = InvitationSerializer(many=True, help_text="Every guest, removed ones as CANCELLED.")
    customFields = CustomFieldValuesField(source="custom_fields")
    deletedAt = serializers.DateTimeField(
        source="cancelled_at",
        allow_null=True,
        help_text="The `deletedAt` the event was cancelled with; null while it is active.",
    )
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(
        source="updated_at", help_text="When the portal last changed this event."
    )
    sourceUpdatedAt = serializers.DateTimeField(
        source="source_updated_at",
        allow_null=True,
        help_text="The newest `updatedAt` a sync sent for this event (the out-of-order guard compares it).",
    )
    anonymisedAt = serializers.DateTimeField(
        source="anonymised_at",
        allow_null=True,
        help_text=(
            "When its guests' data was erased after the location's retention period (guest names and "
            "emails null since); the event is read-only from then on (`ERROR_EVENT_ANONYMISED`)."
        ),
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "sourceId",
            "name",
            "description",
            "startsAt",
            "endsAt",
            "locationId",
            "entranceId",
            "host",
            "creator",
            "invitations",
            "customFields",
            "deletedAt",
            "status",
            "createdAt",
            "updatedAt",
            "sourceUpdatedAt",
            "anonymisedAt",
        ]


class EntranceSerializer(serializers.ModelSerializer[Entrance]):
    class Meta:
        model = Entrance
        fields = ["id", "name"]


class LocationSerializer(serializers.ModelSerializer[Location]):
    entrances = EntranceSerializer(many=True)
    retentionDays = serializers.SerializerMethodField(
        help_text="Days guest data is kept after an event here ends (the location's own, or the default)."
    )

    class Meta:
        model = Location
        fields = ["id", "name", "address", "timezone", "entrances", "retentionDays"]

    def get_retentionDays(self, location: Location) -> int:
        return location_retention_days(location=location)


class CustomFieldSerializer(serializers.ModelSerializer[CustomField]):
    type = serializers.ChoiceField(source="field_type", choices=CustomField.FieldType.choices)
    options = serializers.ListField(
        child=serializers.CharField(), help_text="The allowed values of a SELECT field."
    )

    class Meta:
        model = CustomField
        fields = ["id", "name", "type", "scope", "options"]


class AccessProfileSerializer(serializers.ModelSerializer[AccessProfile]):
    sourceId = serializers.CharField(source="source_id")

    class Meta:
        model = AccessProfile
        fields = ["sourceId", "name"]


class AccessPartitionSerializer(serializers.ModelSerializer[AccessPartition]):
    profiles = AccessProfileSerializer(many=True)

    class Meta:
        model = AccessPartition
        fields = ["id", "name", "profiles"]
