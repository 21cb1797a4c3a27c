"""GET /check-ins renders each check-in exactly as CheckInSerializer (the schema's definition) does.

On PostgreSQL the database renders the page (`checkins_sql`); the serializer is the reference. Over
check-ins holding every kind of value, both must give the same bytes.
"""

import datetime as dt
import json

import pytest
from rest_framework.renderers import JSONRenderer

from apps.directory.models import AccessPartition, AccessProfile
from apps.integrations.api.checkins_serializers import INTEGRATION_CONTEXT, CheckInSerializer
from apps.visits.models import CheckIn
from tests.factories import EntranceFactory, IntegrationFactory, LocationFactory
from tests.integrations.checkins_helpers import CHECK_INS_URL, STARTS, arrive, grant, guest_of, leave

pytestmark = pytest.mark.django_db

ODD_TEXT = 'Zoë \u2028 «quoted» "q" \\ \t\x01 中文 🙂'


@pytest.fixture
def rich_check_ins(integration) -> list[CheckIn]:
    """Check-ins in two time zones, own and foreign events, on site and left, with every kind of value."""
    berlin = LocationFactory(name="Berlin HQ", timezone="Europe/Berlin")
    kathmandu = LocationFactory(name="Kathmandu", timezone="Asia/Kathmandu")
    grant(integration, kathmandu)
    partition = AccessPartition.objects.create(name="Doors")
    profiles = [
        AccessProfile.objects.create(partition=partition, source_id="z-garage"),
        AccessProfile.objects.create(partition=partition, source_id="a-lobby"),
    ]
    own = guest_of(
        location=berlin,
        integration=integration,
        event_source_id="meeting-456",
        guest_source_id="guest-101",
        name=ODD_TEXT,
        custom_fields={"10": "Clearance", "6": 3, "5": None},
    )
    own.custom_fields = {"7": "B-XY 123", "6": 4}
    own.save()
    own.access_profiles.set(profiles)
    # A portal-made visit and another integration's, at a location this integration may check in.
    portal_made = guest_of(location=kathmandu, integration=None, event_source_id="portal-1")
    foreign = guest_of(
        location=kathmandu, integration=IntegrationFactory(), event_source_id="theirs", guest_source_id="g"
    )
    foreign.contact.first_name = ODD_TEXT
    foreign.contact.save()
    arrive(own, STARTS - dt.timedelta(minutes=3), entrance_id=EntranceFactory(location=berlin).pk)
    leave(own, STARTS + dt.timedelta(hours=2, microseconds=7))
    arrive(own, STARTS + dt.timedelta(hours=3))
    arrive(portal_made, STARTS + dt.timedelta(minutes=1, microseconds=250))
    arrive(foreign, STARTS + dt.timedelta(minutes=2))
    return list(CheckIn.objects.order_by("-arrived_at", "-id"))


def test_the_list_is_byte_for_byte_what_the_serializer_renders(api, integration, rich_check_ins):
    context = {INTEGRATION_CONTEXT: integration}
    expected = JSONRenderer().render(
        {"results": CheckInSerializer(rich_check_ins, many=True, context=context).data, "next": None}
    )

    response = api.get(CHECK_INS_URL)

    assert response.content == expected
    # The fixture holds what it claims to.
    results = json.loads(response.content)["results"]
    assert [item["state"] for item in results] == ["ON_SITE", "ON_SITE", "ON_SITE", "LEFT"]
    assert [item["event"]["sourceId"] for item in results] == ["meeting-456", None, None, "meeting-456"]
    assert results[3]["leftAt"] == "2026-12-01T11:00:00.000007+01:00"
    assert results[2]["arrivedAt"] == "2026-12-01T13:46:00.000250+05:45"
