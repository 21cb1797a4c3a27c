"""Nothing left behind: after an erasure, or retention of a guest's only visits, a dump of every table in
the database holds neither the guest's address nor their names (so a table added later cannot quietly
keep a copy)."""

import datetime as dt
import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.utils import timezone

from apps.privacy.services import guest_erase, retention_apply
from apps.visits.actors import Actor, Door
from apps.visits.checkins import invitation_check_in, invitation_check_out
from apps.visits.models import Invitation
from apps.visits.sync import AccessProfileInput
from apps.webhooks.services import webhook_endpoint_create
from tests.privacy.conftest import person

pytestmark = pytest.mark.django_db
ADDRESS = "Zebulon.Quixwell@Example.com"
SECRETS = ("zebulon.quixwell@example.com", "zebulon", "quixwell", "quixcorp")
KEPT = ("ottilie.brandauer@example.com", "ottilie", "brandauer")


def database_dump() -> str:
    """Every row of every table, whatever app or migration made it, as lower-cased text."""
    quote = connection.ops.quote_name
    chunks = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            chunks.append(f"{table}: {json.dumps(cursor.fetchall(), default=str, ensure_ascii=False)}")
    return "\n".join(chunks).lower()


@pytest.fixture
def guest_everywhere(visit, integration, plate, partition, settings, django_user_model):
    """The guest in every place guest data goes: contacts, invitations with custom fields and access
    profiles, a check-in (and its webhook delivery and host email), guest messages sent and unsent, the
    audit trail, the sync request log (through the API), an upcoming visit, a session's messages."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    webhook_endpoint_create(
        integration=integration, url="http://127.0.0.1:9/hook", types=["checkin.created", "checkin.updated"]
    )

    def guest(source_id: str):
        return person(
            source_id,
            ADDRESS,
            "Zebulon",
            "Quixwell",
            company_name="Quixcorp",
            custom_fields={str(plate.id): "QUIXWELL-1"},
            access_profiles=[AccessProfileInput(partition.id, "lobby")],
        )

    other = person("o1", "ottilie.brandauer@example.com", "Ottilie", "Brandauer")
    now = timezone.now()
    today = visit("today", ended_days_ago=-1 / 24, guests=[guest("z1"), other])
    visit("past", ended_days_ago=20, guests=[guest("z1")])
    visit("upcoming", ended_days_ago=-5, guests=[guest("z1"), other])
    invitation = Invitation.objects.get(event=today, contact__source_id="z1")
    desk = Actor.of_system("tests")
    invitation_check_in(actor=desk, invitation_id=invitation.pk, at=now)
    invitation_check_out(actor=desk, invitation_id=invitation.pk, at=now + dt.timedelta(minutes=5))
    # The admin's history names what it changed by its text.
    LogEntry.objects.create(
        user=django_user_model.objects.create_user("desk", is_staff=True),
        content_type=ContentType.objects.get_for_model(Invitation),
        object_id=str(invitation.pk),
        object_repr=str(invitation),
        action_flag=CHANGE,
        change_message="Checked in.",
    )

    client = Client(headers={"Authorization": f"Bearer {integration.plain_token}"})
    response = client.put(
        "/api/v2/events",
        json.dumps(
            {
                "agentToken": str(integration.agent_token),
                "events": [
                    {
                        "sourceId": "api-visit",
                        "name": "Site tour",
                        "startsAt": (now + dt.timedelta(days=2)).isoformat(),
                        "endsAt": (now + dt.timedelta(days=2, hours=1)).isoformat(),
                        "locationId": today.location_id,
                        "host": {"email": "ada@example.com"},
                        "invitations": [
                            {
                                "sourceId": "z1",
                                "email": ADDRESS,
                                "firstName": "Zebulon",
                                "lastName": "Quixwell",
                            }
                        ],
                    }
                ],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    dump = database_dump()
    assert all(secret in dump for secret in SECRETS), "the scenario must put the guest everywhere first"
    return today


def test_erasure_leaves_no_trace_of_the_guest(guest_everywhere, django_user_model):
    admin = django_user_model.objects.create_superuser("privacy-admin", password="x")
    client = Client()
    client.force_login(admin)

    response = client.post("/admin/privacy/", {"email": ADDRESS, "action": "erase_confirmed"})
    assert response.status_code == 302

    dump = database_dump()
    assert [secret for secret in SECRETS if secret in dump] == []
    assert all(kept in dump for kept in KEPT)


def test_retention_leaves_no_trace_of_a_guest_whose_visits_all_ended(guest_everywhere):
    # Far enough ahead that every visit above is past its retention period.
    later = timezone.now() + dt.timedelta(days=400)

    retention_apply(actor=Actor.of_system("retention"), now=later)

    dump = database_dump()
    assert [secret for secret in SECRETS if secret in dump] == []


def test_erasure_through_the_service_leaves_no_trace_either(guest_everywhere):
    guest_erase(actor=Actor.of_user(_staff(), door=Door.ADMIN), address=ADDRESS.lower())

    dump = database_dump()
    assert [secret for secret in SECRETS if secret in dump] == []


def _staff():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("another-admin", password="x")
