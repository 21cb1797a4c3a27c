import datetime as dt
import re
import zoneinfo
from email.utils import parseaddr

import pytest

from apps.directory.models import CustomField
from apps.visits.actors import Door
from apps.visits.models import AuditEntry, Contact, Event, Invitation
from tests.factories import CustomFieldFactory
from tests.invites.conftest import next_week_at
from tests.invites.forms import visit_post

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
GRACE = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.org", "company_name": "Navy"}
ALAN = {"first_name": "Alan", "last_name": "Turing", "email": "alan@example.org", "language": "DE"}


@pytest.fixture
def day():
    return next_week_at(9).date()


@pytest.fixture
def send(anna_client, django_capture_on_commit_callbacks, mailoutbox):
    def post(data, path="/visits/new/"):
        with django_capture_on_commit_callbacks(execute=True):
            return anna_client.post(path, data)

    return post


def _sent(mailoutbox):
    return sorted((parseaddr(m.to[0])[1], m.subject.split(":")[0]) for m in mailoutbox)


def _nothing_saved(mailoutbox):
    return Event.objects.count() == 0 and Contact.objects.count() == 0 and mailoutbox == []


def test_the_form_has_every_field_of_the_issue_labelled(anna_client, berlin):
    CustomFieldFactory(name="Meeting room", scope=CustomField.Scope.EVENT)
    CustomFieldFactory(name="Licence plate", scope=CustomField.Scope.INVITATION)

    whole = anna_client.get("/visits/new/").text
    page = whole[whole.index('id="visit-form"') : whole.index('class="form-actions"')]

    labels = re.findall(r'<label for="([^"]+)">([^<]+)', page)
    assert [text.strip() for _, text in labels] == [
        "Title", "Location", "Entrance", "Date", "Start time", "End time", "Description", "Meeting room",
        "First name", "Last name", "Email", "Company", "Language", "Licence plate", "Paste guests",
    ]  # fmt: skip
    assert all(f'id="{for_id}"' in page for for_id, _ in labels)
    assert ">Send invitations</button>" in whole


def test_sending_the_form_creates_the_visit_and_invites_every_guest(send, anna, berlin, day, mailoutbox):
    entrance = berlin.entrances.get()
    data = visit_post(
        location=berlin,
        day=day,
        start="09:30",
        end="11:00",
        entrance=str(entrance.pk),
        description="Bring your laptop.",
        guests=[GRACE, ALAN],
    )

    response = send(data)

    event = Event.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/visits/{event.pk}/")
    assert (event.name, event.location, event.entrance, event.description, event.host, event.creator) == (
        "Board meeting", berlin, entrance, "Bring your laptop.", anna, anna,
    )  # fmt: skip
    assert (event.starts_at, event.ends_at) == (
        dt.datetime.combine(day, dt.time(9, 30), tzinfo=BERLIN),
        dt.datetime.combine(day, dt.time(11, 0), tzinfo=BERLIN),
    )
    assert event.integration is None and event.source_id.startswith("portal-")
    guests = Invitation.objects.filter(event=event).select_related("contact").order_by("pk")
    assert [(g.contact.email, g.contact.first_name, g.contact.company_name, g.language) for g in guests] == [
        ("grace@example.org", "Grace", "Navy", "EN"),
        ("alan@example.org", "Alan", "", "DE"),
    ]
    assert all(re.fullmatch(r"guest-[0-9a-f-]{36}", g.contact.source_id) for g in guests)
    assert _sent(mailoutbox) == [("alan@example.org", "Einladung"), ("grace@example.org", "Invitation")]


def test_the_change_is_recorded_with_the_employee_through_the_portal(send, anna, berlin, day):
    send(visit_post(location=berlin, day=day, guests=[GRACE]))

    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATED)
    assert (entry.door, entry.user, entry.actor) == (Door.PORTAL, anna.login, "User: anna")


def test_custom_fields_are_saved_in_their_types(send, berlin, day):
    room = CustomFieldFactory(name="Room", scope=CustomField.Scope.EVENT)
    people = CustomFieldFactory(
        name="People", scope=CustomField.Scope.EVENT, field_type=CustomField.FieldType.NUMBER
    )
    parking = CustomFieldFactory(
        name="Parking", scope=CustomField.Scope.INVITATION, field_type=CustomField.FieldType.BOOLEAN
    )
    data = visit_post(
        location=berlin,
        day=day,
        guests=[{**GRACE, f"cf_{parking.pk}": "yes"}],
        **{f"cf_{room.pk}": "3.14", f"cf_{people.pk}": "12"},
    )

    send(data)

    event = Event.objects.get()
    assert event.custom_fields == {str(room.pk): "3.14", str(people.pk): 12}
    assert Invitation.objects.get().custom_fields == {str(parking.pk): True}


def test_an_end_before_the_start_is_refused_next_to_the_end_time_keeping_what_was_typed(
    send, berlin, day, mailoutbox
):
    response = send(visit_post(location=berlin, day=day, start="11:00", end="10:00", guests=[GRACE]))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"end_time": ["The end must be later than the start."]}
    assert 'value="Board meeting"' in response.text and 'value="grace@example.org"' in response.text
    assert _nothing_saved(mailoutbox)


def test_a_bad_guest_email_is_refused_next_to_that_guests_email(send, berlin, day, mailoutbox):
    response = send(visit_post(location=berlin, day=day, guests=[GRACE, {**ALAN, "email": "alan@"}]))

    assert response.status_code == 400
    rows = response.context["formset"].forms
    assert (rows[0].errors, rows[1].errors) == ({}, {"email": ["Enter a valid email address."]})
    assert 'aria-invalid="true"' in response.text and 'value="alan@"' in response.text
    assert _nothing_saved(mailoutbox)


def test_a_host_not_allowed_at_the_location_is_refused_next_to_the_location(
    send, anna, berlin, prague, day, mailoutbox
):
    anna.hosting_locations.set([berlin])

    response = send(visit_post(location=prague, day=day, guests=[GRACE]))

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "location": ["Anna Schmidt may not host visitors at this location."]
    }
    assert _nothing_saved(mailoutbox)


def test_an_entrance_of_another_location_is_refused_next_to_the_entrance(
    send, berlin, prague, day, mailoutbox
):
    response = send(visit_post(location=berlin, day=day, entrance=str(prague.entrances.get().pk)))

    assert response.context["form"].errors == {"entrance": ["Choose an entrance of the visit's location."]}
    assert _nothing_saved(mailoutbox)


def test_the_same_guest_twice_is_refused_on_the_second_row(send, berlin, day, mailoutbox):
    response = send(
        visit_post(location=berlin, day=day, guests=[GRACE, {**GRACE, "email": "Grace@Example.org"}])
    )

    rows = response.context["formset"].forms
    assert (rows[0].non_field_errors(), rows[1].non_field_errors()) == (
        [],
        ["This guest is already on the list."],
    )
    assert _nothing_saved(mailoutbox)


def test_a_row_with_only_a_company_is_refused_asking_for_a_name_or_email(send, berlin, day, mailoutbox):
    response = send(visit_post(location=berlin, day=day, guests=[{"company_name": "Acme"}]))

    assert response.context["formset"].forms[0].non_field_errors() == [
        "Enter the guest's name or email address."
    ]
    assert _nothing_saved(mailoutbox)


def test_missing_required_fields_are_refused_by_the_form(send, berlin, day, mailoutbox):
    response = send(visit_post(location=berlin, day=day, name="", start=""))

    assert set(response.context["form"].errors) == {"name", "start_time"}
    assert _nothing_saved(mailoutbox)


def test_empty_guest_rows_are_ignored(send, berlin, day):
    send(visit_post(location=berlin, day=day, guests=[GRACE, {}]))

    assert Invitation.objects.count() == 1


def test_sending_the_same_form_twice_makes_one_visit(anna_client, send, berlin, day, mailoutbox):
    key = re.search(r'name="key" value="([^"]+)"', anna_client.get("/visits/new/").text)[1]
    data = visit_post(location=berlin, day=day, guests=[GRACE], key=key)

    first = send(data)
    second = send(data)

    event = Event.objects.get()
    assert first["Location"] == second["Location"] == f"/visits/{event.pk}/"
    assert _sent(mailoutbox) == [("grace@example.org", "Invitation")]


def test_a_forged_key_cannot_reach_another_visit(send, jan, berlin, day):
    from tests.invites.conftest import portal_visit

    other = portal_visit(host=jan, location=berlin, name="Jan's")

    send(visit_post(location=berlin, day=day, key=other.source_id))

    other.refresh_from_db()
    assert other.name == "Jan's"
    assert Event.objects.count() == 2


def test_adding_a_guest_row_sends_nothing_and_marks_nothing_wrong(send, berlin, day, mailoutbox):
    response = send(visit_post(location=berlin, day=day, name="", guests=[GRACE], action="add_guest"))

    assert response.status_code == 200
    assert response.context["formset"].total_form_count() == 2
    assert 'class="error"' not in response.text
    assert 'value="grace@example.org"' in response.text
    assert _nothing_saved(mailoutbox)


def test_pasted_guests_become_rows(send, berlin, day, mailoutbox):
    paste = "Ada Lovelace <ada@example.com>\nbob@example.com\n"

    response = send(visit_post(location=berlin, day=day, guests=[GRACE], paste=paste, action="paste"))

    rows = [
        (f["first_name"].value(), f["last_name"].value(), f["email"].value())
        for f in response.context["formset"]
    ]
    assert rows == [
        ("Grace", "Hopper", "grace@example.org"),
        ("Ada", "Lovelace", "ada@example.com"),
        ("", "", "bob@example.com"),
    ]
    assert response.context["paste"] == ""
    assert _nothing_saved(mailoutbox)


def test_unreadable_pasted_lines_stay_in_the_box_with_an_error(send, berlin, day, mailoutbox):
    response = send(
        visit_post(location=berlin, day=day, paste="Ada Lovelace <ada@example.com>\n; ;\n", action="send")
    )

    assert response.context["paste_error"] == "Line 2 has neither a name nor an email address."
    assert response.context["paste"] == "; ;"
    assert response.context["formset"].total_form_count() == 1
    assert _nothing_saved(mailoutbox)


def test_pasted_guests_are_invited_when_the_form_is_sent(send, berlin, day, mailoutbox):
    send(
        visit_post(
            location=berlin, day=day, paste="first name,last name,email\nAda,Lovelace,ada@example.com\n"
        )
    )

    assert _sent(mailoutbox) == [("ada@example.com", "Invitation")]


def test_a_colleague_can_be_chosen_as_host_by_those_allowed_to(anna_client, send, anna, jan, berlin, day):
    from django.contrib.auth.models import Permission

    assert "Host" not in anna_client.get("/visits/new/").text
    anna.login.user_permissions.add(
        Permission.objects.get(codename="add_event", content_type__app_label="visits")
    )
    assert anna_client.get("/visits/new/").context["form"]["host"].value() == anna.pk

    send(visit_post(location=berlin, day=day, host=str(jan.pk)))

    assert (Event.objects.get().host, Event.objects.get().creator) == (jan, anna)


def test_a_bad_custom_field_value_of_a_guest_is_refused_next_to_that_field(send, berlin, day, mailoutbox):
    phone = CustomFieldFactory(
        name="Emergency phone", scope=CustomField.Scope.INVITATION, field_type=CustomField.FieldType.PHONE
    )

    response = send(
        visit_post(location=berlin, day=day, guests=[GRACE, {**ALAN, f"cf_{phone.pk}": "call me"}])
    )

    rows = response.context["formset"].forms
    assert rows[0].errors == {}
    assert rows[1].errors == {
        f"cf_{phone.pk}": ["'call me' is not a phone number (digits, spaces and + ( ) . / - only)."]
    }
    assert '<details class="more" open>' in response.text
    assert _nothing_saved(mailoutbox)


def test_a_number_field_that_is_not_a_number_is_refused_by_the_form(send, berlin, day, mailoutbox):
    people = CustomFieldFactory(
        name="People", scope=CustomField.Scope.EVENT, field_type=CustomField.FieldType.NUMBER
    )

    response = send(visit_post(location=berlin, day=day, **{f"cf_{people.pk}": "a dozen"}))

    assert response.context["form"].errors == {f"cf_{people.pk}": ["Enter a number."]}
    assert _nothing_saved(mailoutbox)
