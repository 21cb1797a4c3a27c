import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.directory import admin as directory_admin
from apps.directory.models import Employee
from apps.visits.models import Contact, Event, Invitation
from tests.factories import (
    AccessProfileFactory,
    CustomFieldFactory,
    EmployeeFactory,
    EntranceFactory,
    EventFactory,
    IntegrationFactory,
    InvitationFactory,
    LocationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_data() -> dict[str, object]:
    entrance = EntranceFactory()
    host = EmployeeFactory()
    host.hosting_locations.add(entrance.location)
    integration = IntegrationFactory()
    field = CustomFieldFactory(name="Licence plate")
    catering = CustomFieldFactory(name="Catering", scope="EVENT")
    event = EventFactory(
        location=entrance.location,
        entrance=entrance,
        host=host,
        integration=integration,
        source_id="meeting-1",
        custom_fields={str(field.pk): "plate from the event", str(catering.pk): "Coffee"},
    )
    profile = AccessProfileFactory()
    invitation = InvitationFactory(event=event, custom_fields={str(field.pk): "B-XY 123"})
    invitation.access_profiles.add(profile)
    return {
        "location": entrance.location,
        "employee": host,
        "customfield": field,
        "catering": catering,
        "accesspartition": profile.partition,
        "event": event,
        "invitation": invitation,
        "contact": invitation.contact,
    }


MODELS = [
    ("directory", "location"),
    ("directory", "employee"),
    ("directory", "customfield"),
    ("directory", "accesspartition"),
    ("visits", "event"),
    ("visits", "invitation"),
    ("visits", "contact"),
]


@pytest.mark.parametrize(("app_label", "model_name"), MODELS)
def test_changelist_renders(admin_client: Client, sample_data: dict, app_label: str, model_name: str) -> None:
    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize(("app_label", "model_name"), MODELS)
def test_change_page_renders(
    admin_client: Client, sample_data: dict, app_label: str, model_name: str
) -> None:
    obj = sample_data[model_name]

    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize(("app_label", "model_name"), MODELS)
def test_changelist_search_renders(
    admin_client: Client, sample_data: dict, app_label: str, model_name: str
) -> None:
    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), {"q": "example"})

    assert response.status_code == 200


def test_invitation_page_shows_effective_custom_fields(admin_client: Client, sample_data: dict) -> None:
    invitation = sample_data["invitation"]
    plate, catering = sample_data["customfield"], sample_data["catering"]

    response = admin_client.get(reverse("admin:visits_invitation_change", args=[invitation.pk]))

    # Event values apply to the guest; the guest's own value overrides the event's for the same field.
    assert f"Licence plate ({plate.pk}): B-XY 123" in response.text
    assert f"Catering ({catering.pk}): Coffee" in response.text
    assert "plate from the event" not in response.text


def _event_changelist_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:visits_event_changelist"))
    assert response.status_code == 200
    return len(queries)


def _events(count: int) -> None:
    location = LocationFactory()
    integration = IntegrationFactory()
    for number in range(count):
        event = EventFactory(location=location, integration=integration, source_id=f"e-{number}")
        InvitationFactory(event=event)


def test_event_changelist_query_count_does_not_grow_with_events(admin_client: Client) -> None:
    _events(3)
    with_three = _event_changelist_queries(admin_client)
    _events(27)

    with_thirty = _event_changelist_queries(admin_client)

    assert Event.objects.count() == 30
    assert with_three == with_thirty == 9


# Events are added through the engine's form (tests/reception/test_event_editing.py).
@pytest.mark.parametrize("model", [Invitation, Contact])
def test_visits_models_cannot_be_added_in_the_admin(admin_client: Client, model: type) -> None:
    url = reverse(f"admin:visits_{model._meta.model_name}_add")

    response = admin_client.get(url)

    assert response.status_code == 403


def test_event_post_to_change_page_changes_nothing(admin_client: Client, sample_data: dict) -> None:
    event = sample_data["event"]
    url = reverse("admin:visits_event_change", args=[event.pk])

    response = admin_client.post(url, {"name": "Renamed in the admin"})

    event.refresh_from_db()
    assert response.status_code == 403
    assert event.name != "Renamed in the admin"


def test_event_cannot_be_deleted_in_the_admin(admin_client: Client, sample_data: dict) -> None:
    event = sample_data["event"]

    response = admin_client.post(reverse("admin:visits_event_delete", args=[event.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def _employee_form(email: str) -> dict[str, str]:
    return {
        "email": email,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "phone_number": "",
        "is_active": "on",
    }


def test_employee_email_is_stored_lower_case(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:directory_employee_add"), _employee_form(" Ada@Example.COM "))

    assert response.status_code == 302
    assert list(Employee.objects.values_list("email", flat=True)) == ["ada@example.com"]


def test_employee_email_goes_through_the_shared_email_rule(admin_client: Client, monkeypatch) -> None:
    monkeypatch.setattr(directory_admin, "email_normalize", lambda value: "shared-rule@example.com")

    response = admin_client.post(reverse("admin:directory_employee_add"), _employee_form("Ada@Example.COM"))

    assert response.status_code == 302
    assert list(Employee.objects.values_list("email", flat=True)) == ["shared-rule@example.com"]


def test_employee_email_differing_only_in_case_is_a_duplicate(admin_client: Client) -> None:
    EmployeeFactory(email="ada@example.com")

    response = admin_client.post(reverse("admin:directory_employee_add"), _employee_form("ADA@example.com"))

    assert response.status_code == 200
    assert "Employee with this Email already exists." in response.text
    assert Employee.objects.count() == 1
