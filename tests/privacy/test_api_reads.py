"""What integrations read of anonymised events and erased guests, and each location's retention."""

import pytest
from django.test import Client

from apps.directory.models import Location
from apps.privacy.services import guest_erase, retention_apply
from apps.visits.actors import Actor
from apps.visits.models import Event
from tests.privacy.conftest import NOW, john_smith, person

pytestmark = pytest.mark.django_db


def api_get(integration, path: str):
    client = Client(headers={"Authorization": f"Bearer {integration.plain_token}"})
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_anonymised_event_reads_with_anonymised_at_and_guest_fields_null(
    visit, integration, plate, partition, settings
):
    settings.GUEST_RETENTION_DAYS = 30
    event = visit(
        "old",
        ended_days_ago=40,
        custom_fields={str(plate.id): "Board"},
        guests=[john_smith(plate, partition)],
    )
    retention_apply(actor=Actor.of_system("retention"), now=NOW)

    body = api_get(integration, "/api/v2/events/old")

    assert body["anonymisedAt"] == Event.objects.get(pk=event.pk).anonymised_at.isoformat().replace(
        "+00:00", "Z"
    )
    [guest] = body["invitations"]
    assert {key: guest[key] for key in ("email", "firstName", "lastName", "companyName")} == dict.fromkeys(
        ("email", "firstName", "lastName", "companyName")
    )
    assert (guest["customFields"], guest["accessProfiles"], guest["effectiveCustomFields"]) == (
        {},
        [],
        {str(plate.id): "Board"},
    )


def test_other_events_read_with_anonymised_at_null(visit, integration):
    visit("new", ended_days_ago=1, guests=[person("g1", "jsmith@example.com", "John", "Smith")])

    body = api_get(integration, "/api/v2/events/new")

    assert body["anonymisedAt"] is None
    assert body["invitations"][0]["email"] == "jsmith@example.com"


def test_erased_guest_reads_null_on_an_event_that_is_not_anonymised(visit, integration):
    visit(
        "soon",
        ended_days_ago=-2,
        guests=[
            person("g1", "jsmith@example.com", "John", "Smith"),
            person("g2", "ann@example.com", "Ann", "Lee"),
        ],
    )
    guest_erase(actor=Actor.of_system("tests"), address="jsmith@example.com")

    guests = api_get(integration, "/api/v2/events/soon")["invitations"]

    assert [(g["email"], g["firstName"], g["status"]) for g in guests] == [
        (None, None, "CANCELLED"),
        ("ann@example.com", "Ann", "INVITED"),
    ]


def test_locations_show_their_effective_retention(integration, location, other_location, settings):
    settings.GUEST_RETENTION_DAYS = 200
    Location.objects.filter(pk=location.pk).update(retention_days=30)

    body = api_get(integration, "/api/v2/locations")

    assert {row["name"]: row["retentionDays"] for row in body["results"]} == {
        "Berlin HQ": 30,
        "Prague Office": 200,
    }


def test_schema_documents_the_status_and_the_fields(integration):
    schema = Client().get("/api/v2/schema", HTTP_ACCEPT="application/json").json()
    text = str(schema)

    assert "ERROR_EVENT_ANONYMISED" in text
    assert "anonymisedAt" in text
    assert "retentionDays" in text
