"""The Privacy requests page: who may use it, the same export as the command, erasure after a confirmation."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client

from apps.directory.models import Location
from apps.notifications.models import OutboxMessage
from apps.privacy.hashing import address_hash
from apps.privacy.models import PrivacyRecord
from apps.visits.models import Contact, Invitation
from tests.privacy.conftest import person

pytestmark = pytest.mark.django_db
PAGE = "/admin/privacy/"


@pytest.fixture
def guest_visit(visit):
    return visit("v1", ended_days_ago=3, guests=[person("g1", "jsmith@example.com", "John", "Smith")])


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x")


@pytest.fixture
def privacy_officer(django_user_model):
    """A staff user given the two permissions through the Super admin role (made by a data migration)."""
    user = django_user_model.objects.create_user("officer", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Super admin"))
    return user


def test_super_admin_role_holds_exactly_the_two_permissions():
    role = Group.objects.get(name="Super admin")

    assert sorted(role.permissions.values_list("name", flat=True)) == [
        "Can erase guest data",
        "Can export guest data",
    ]


@pytest.mark.parametrize("group", [None, "Reception", "Location admin"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"email": "jsmith@example.com", "action": "export"},
        {"email": "jsmith@example.com", "action": "erase_confirmed"},
    ],
)
def test_staff_without_the_permissions_get_403_and_nothing_changes(
    guest_visit, django_user_model, group, data
):
    user = django_user_model.objects.create_user("desk", password="x", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client = login(user)

    response = client.get(PAGE) if data is None else client.post(PAGE, data)

    assert response.status_code == 403
    assert Contact.objects.filter(email="jsmith@example.com").count() == 1
    assert PrivacyRecord.objects.count() == 0


def test_exporter_may_not_erase(guest_visit, django_user_model):
    user = django_user_model.objects.create_user("exporter", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="export_guest_data"))
    messages = list(OutboxMessage.objects.values_list("pk", "status"))

    response = login(user).post(PAGE, {"email": "jsmith@example.com", "action": "erase_confirmed"})

    assert response.status_code == 403
    assert Contact.objects.filter(email="jsmith@example.com").count() == 1
    assert PrivacyRecord.objects.count() == 0
    assert list(OutboxMessage.objects.values_list("pk", "status")) == messages


def test_anonymous_visitor_is_sent_to_the_admin_login():
    response = Client().get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/privacy/"


def test_page_shows_the_field_and_both_buttons(privacy_officer):
    response = login(privacy_officer).get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert ">Export</button>" in html
    assert ">Erase</button>" in html


def test_export_downloads_the_same_document_as_the_command(guest_visit, privacy_officer, capsys):
    response = login(privacy_officer).post(PAGE, {"email": "JSmith@example.com", "action": "export"})
    call_command("guest_export", "jsmith@example.com")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="guest-data.json"'
    from_page = json.loads(response.content)
    from_command = json.loads(capsys.readouterr().out)
    assert from_page.pop("exportedAt") and from_command.pop("exportedAt")
    assert from_page == from_command
    assert [c["email"] for c in from_page["contacts"]] == ["jsmith@example.com"]


def test_not_an_address_is_refused_next_to_the_field_keeping_what_was_typed(privacy_officer):
    response = login(privacy_officer).post(PAGE, {"email": "jsmith at example", "action": "export"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert 'value="jsmith at example"' in html
    assert PrivacyRecord.objects.count() == 0


def test_erase_first_shows_what_will_go_and_changes_nothing(guest_visit, privacy_officer):
    messages = list(OutboxMessage.objects.values_list("pk", "status"))

    response = login(privacy_officer).post(PAGE, {"email": "jsmith@example.com", "action": "erase"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "1 invitation: names, email, company, custom field values and access profiles removed" in html
    assert "Board meeting" in html
    assert ">Yes, erase</button>" in html
    assert Contact.objects.filter(email="jsmith@example.com").count() == 1
    assert Invitation.objects.get(event=guest_visit).contact.email == "jsmith@example.com"
    assert PrivacyRecord.objects.count() == 0
    assert list(OutboxMessage.objects.values_list("pk", "status")) == messages


def test_the_confirmation_shows_each_visit_in_its_locations_time(guest_visit, privacy_officer):
    from apps.core.times import time_in_zone

    response = login(privacy_officer).post(PAGE, {"email": "jsmith@example.com", "action": "erase"})

    local = time_in_zone(guest_visit.starts_at, guest_visit.location.timezone)
    assert f"<td>{local}</td>" in response.content.decode()


def test_yes_erase_erases_and_records_the_request_by_hash(guest_visit, privacy_officer):
    response = login(privacy_officer).post(PAGE, {"email": "jsmith@example.com", "action": "erase_confirmed"})

    assert response.status_code == 302
    assert not Contact.objects.filter(email="jsmith@example.com").exists()
    assert Invitation.objects.get(event=guest_visit).contact.email == ""
    record = PrivacyRecord.objects.get()
    assert (record.actor, record.door, record.user_id, record.address_hash) == (
        "User: officer",
        "admin",
        privacy_officer.pk,
        address_hash(address="jsmith@example.com"),
    )


def test_record_list_is_searchable_by_address(guest_visit, superuser):
    client = login(superuser)
    client.post(PAGE, {"email": "jsmith@example.com", "action": "export"})
    client.post(PAGE, {"email": "other@example.com", "action": "export"})

    found = client.get("/admin/privacy/privacyrecord/", {"q": "JSmith@Example.com"})

    assert list(found.context["cl"].result_list) == list(
        PrivacyRecord.objects.filter(address_hash=address_hash(address="jsmith@example.com"))
    )
    assert found.context["cl"].result_count == 1


def test_only_super_admins_change_a_location_retention(django_user_model, location, superuser):
    location_admin = django_user_model.objects.create_user("loc", password="x", is_staff=True)
    location_admin.groups.add(Group.objects.get(name="Location admin"))
    location.staff.add(location_admin)
    url = f"/admin/directory/location/{location.pk}/change/"
    form = {
        "name": location.name,
        "address": "",
        "timezone": location.timezone,
        "is_active": "on",
        "retention_days": "30",
        "entrances-TOTAL_FORMS": "0",
        "entrances-INITIAL_FORMS": "0",
    }

    login(location_admin).post(url, form)
    assert Location.objects.get(pk=location.pk).retention_days is None

    response = login(superuser).post(url, form)
    assert response.status_code == 302
    assert Location.objects.get(pk=location.pk).retention_days == 30


@pytest.mark.parametrize("days", ["0", "3651"])
def test_retention_outside_1_to_3650_is_refused_with_the_reason(location, superuser, days):
    url = f"/admin/directory/location/{location.pk}/change/"
    form = {
        "name": location.name,
        "timezone": location.timezone,
        "retention_days": days,
        "entrances-TOTAL_FORMS": "0",
        "entrances-INITIAL_FORMS": "0",
    }

    response = login(superuser).post(url, form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["retention_days"]
    assert errors == [
        "Ensure this value is greater than or equal to 1."
        if days == "0"
        else "Ensure this value is less than or equal to 3650."
    ]
    assert Location.objects.get(pk=location.pk).retention_days is None
