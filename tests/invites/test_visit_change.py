"""Editing, cancelling and resending: each refused path changes nothing and sends nothing."""

import zoneinfo
from email.utils import parseaddr

import pytest

from apps.notifications.models import OutboxMessage
from apps.visits.models import Contact, Event, Invitation
from tests.factories import EventFactory, IntegrationFactory, InvitationFactory
from tests.invites.conftest import portal_visit
from tests.invites.forms import visit_post

pytestmark = pytest.mark.django_db
GRACE = {
    "source_id": "guest-grace",
    "first_name": "Grace",
    "last_name": "Hopper",
    "email": "grace@example.org",
}
ALAN = {"source_id": "guest-alan", "first_name": "Alan", "last_name": "Turing", "email": "alan@example.org"}


@pytest.fixture
def visit(anna, berlin):
    return portal_visit(host=anna, location=berlin, guests=[GRACE, ALAN])


@pytest.fixture
def jans_visit(jan, berlin):
    return portal_visit(host=jan, location=berlin, guests=[GRACE], name="Jan's visit")


@pytest.fixture
def synced_visit(anna, berlin):
    calendar = IntegrationFactory(name="Outlook calendar")
    event = EventFactory(name="Synced", host=anna, location=berlin, integration=calendar, source_id="cal-1")
    InvitationFactory(event=event, contact__email="grace@example.org")
    return event


@pytest.fixture
def post(anna_client, django_capture_on_commit_callbacks, mailoutbox):
    def send(path, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return anna_client.post(path, data or {})

    return send


def _sent(mailoutbox):
    return sorted((parseaddr(m.to[0])[1], m.subject.split(":")[0]) for m in mailoutbox)


def _rows(event):
    """The edit form's guest rows for the event's current guests, as the page fills them in."""
    invitations = Invitation.objects.filter(event=event).select_related("contact").order_by("pk")
    return [
        {
            "guest": inv.pk,
            "first_name": inv.contact.first_name,
            "last_name": inv.contact.last_name,
            "email": inv.contact.email,
            "company_name": inv.contact.company_name,
            "language": inv.language,
        }
        for inv in invitations
    ]


def _edit_post(event, guests, **fields):
    local = event.starts_at.astimezone(zoneinfo.ZoneInfo(event.location.timezone))
    end = event.ends_at.astimezone(local.tzinfo)
    return visit_post(
        location=event.location,
        day=local.date(),
        start=f"{local:%H:%M}",
        end=f"{end:%H:%M}",
        name=fields.pop("name", event.name),
        guests=guests,
        initial_forms=len(guests),
        **fields,
    )


def _snapshot(event):
    event.refresh_from_db()
    invitations = Invitation.objects.filter(event=event).select_related("contact").order_by("pk")
    return (
        event.name,
        event.status,
        event.starts_at,
        [(i.pk, i.status, i.contact.email, i.contact.first_name) for i in invitations],
        OutboxMessage.objects.filter(event=event).count(),
    )


# --- the visit's page --------------------------------------------------------------------------


def test_a_visits_page_shows_each_guest_with_status_and_check_in_times(anna_client, visit):
    grace = Invitation.objects.get(event=visit, contact__source_id="guest-grace")
    Invitation.objects.filter(pk=grace.pk).update(
        status=Invitation.Status.CHECKED_IN, checked_in_at=visit.starts_at.replace(minute=5)
    )

    response = anna_client.get(f"/visits/{visit.pk}/")

    assert response.status_code == 200
    assert "Grace Hopper" in response.text and "Alan Turing" in response.text
    local = visit.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).replace(minute=5)
    assert (
        f"In {local:%H:%M} {local.tzname()}" in response.text
        or f"{local:%H:%M} {local.tzname()}" in response.text
    )
    assert ">Arrived<" in response.text and ">Invited<" in response.text
    assert ">Edit</a>" in response.text and ">Cancel visit</a>" in response.text


def test_another_employees_visit_is_a_404_everywhere(anna_client, post, jans_visit, mailoutbox):
    before = _snapshot(jans_visit)

    assert anna_client.get(f"/visits/{jans_visit.pk}/").status_code == 404
    assert anna_client.get(f"/visits/{jans_visit.pk}/edit/").status_code == 404
    assert (
        post(f"/visits/{jans_visit.pk}/edit/", _edit_post(jans_visit, [], name="Mine now")).status_code == 404
    )
    assert post(f"/visits/{jans_visit.pk}/cancel/").status_code == 404
    invitation = Invitation.objects.get(event=jans_visit)
    assert post(f"/visits/{jans_visit.pk}/guests/{invitation.pk}/resend/").status_code == 404

    assert _snapshot(jans_visit) == before
    assert mailoutbox == []


def test_a_synced_visit_can_be_seen_but_says_who_owns_it(anna_client, synced_visit):
    response = anna_client.get(f"/visits/{synced_visit.pk}/")

    assert response.status_code == 200
    assert "This visit comes from <strong>Outlook calendar</strong>" in response.text
    assert ">Edit</a>" not in response.text and "Resend invitation" not in response.text


def test_a_synced_visit_cannot_be_edited_cancelled_or_resent_here(
    anna_client, post, synced_visit, mailoutbox
):
    before = _snapshot(synced_visit)
    invitation = Invitation.objects.get(event=synced_visit)

    assert anna_client.get(f"/visits/{synced_visit.pk}/edit/").status_code == 404
    assert (
        post(f"/visits/{synced_visit.pk}/edit/", _edit_post(synced_visit, [], name="Changed")).status_code
        == 404
    )
    assert post(f"/visits/{synced_visit.pk}/cancel/").status_code == 404
    assert post(f"/visits/{synced_visit.pk}/guests/{invitation.pk}/resend/").status_code == 404

    assert _snapshot(synced_visit) == before
    assert mailoutbox == []


# --- editing ------------------------------------------------------------------------------------


def test_the_edit_form_is_filled_in_with_the_visit_and_its_guests(anna_client, visit):
    response = anna_client.get(f"/visits/{visit.pk}/edit/")

    assert response.context["form"]["name"].value() == "Board meeting"
    assert [f["email"].value() for f in response.context["formset"]] == [
        "grace@example.org",
        "alan@example.org",
    ]
    assert ">Save changes</button>" in response.text


def test_renaming_a_guest_keeps_their_invitation(post, visit, mailoutbox):
    rows = _rows(visit)
    grace_pk = rows[0]["guest"]
    rows[0].update(first_name="Grace Brewster", email="grace.hopper@example.org")

    response = post(f"/visits/{visit.pk}/edit/", _edit_post(visit, rows))

    assert response.status_code == 302
    grace = Invitation.objects.select_related("contact").get(pk=grace_pk)
    assert (grace.status, grace.contact.first_name, grace.contact.email, grace.contact.source_id) == (
        Invitation.Status.INVITED, "Grace Brewster", "grace.hopper@example.org", "guest-grace",
    )  # fmt: skip
    assert Invitation.objects.filter(event=visit).count() == 2
    assert Contact.objects.count() == 2
    assert mailoutbox == []


def test_removing_a_guest_sends_them_a_cancellation(post, visit, mailoutbox):
    rows = _rows(visit)
    rows[1]["DELETE"] = True

    post(f"/visits/{visit.pk}/edit/", _edit_post(visit, rows))

    alan = Invitation.objects.get(pk=rows[1]["guest"])
    assert (alan.status, alan.cancel_reason) == (Invitation.Status.CANCELLED, Invitation.CancelReason.REMOVED)
    assert _sent(mailoutbox) == [("alan@example.org", "Cancelled")]


def test_a_new_guest_gets_an_invitation_and_a_moved_visit_an_update_for_the_others(post, visit, mailoutbox):
    rows = [*_rows(visit), {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}]
    data = _edit_post(visit, rows)
    data.update(start_time="14:00", end_time="15:00")

    post(f"/visits/{visit.pk}/edit/", data)

    assert _sent(mailoutbox) == [
        ("ada@example.com", "Invitation"),
        ("alan@example.org", "Updated"),
        ("grace@example.org", "Updated"),
    ]
    new = Invitation.objects.select_related("contact").get(contact__email="ada@example.com")
    assert new.contact.source_id.startswith("guest-")


def test_a_row_naming_another_visits_guest_becomes_a_new_guest_and_leaves_the_other_alone(
    post, visit, jans_visit
):
    jans_guest = Invitation.objects.select_related("contact").get(event=jans_visit)
    rows = [*_rows(visit), {"guest": jans_guest.pk, "first_name": "Hijacked", "email": "x@example.com"}]

    post(f"/visits/{visit.pk}/edit/", _edit_post(visit, rows))

    jans_guest.contact.refresh_from_db()
    assert (jans_guest.contact.first_name, jans_guest.contact.email) == ("Grace", "grace@example.org")
    assert Invitation.objects.filter(event=visit, contact__first_name="Hijacked").count() == 1


def test_an_edit_with_the_end_before_the_start_changes_nothing(post, visit, mailoutbox):
    before = _snapshot(visit)
    data = _edit_post(visit, _rows(visit), name="Renamed")
    data.update(start_time="12:00", end_time="11:00")

    response = post(f"/visits/{visit.pk}/edit/", data)

    assert response.status_code == 400
    assert response.context["form"].errors == {"end_time": ["The end must be later than the start."]}
    assert 'value="Renamed"' in response.text
    assert _snapshot(visit) == before
    assert mailoutbox == []


def test_an_edit_with_a_bad_guest_email_changes_nothing(post, visit, mailoutbox):
    before = _snapshot(visit)
    rows = _rows(visit)
    rows[1]["email"] = "not-an-email"

    response = post(f"/visits/{visit.pk}/edit/", _edit_post(visit, rows))

    assert response.context["formset"].forms[1].errors == {"email": ["Enter a valid email address."]}
    assert _snapshot(visit) == before
    assert mailoutbox == []


def test_moving_to_a_location_the_host_may_not_host_at_changes_nothing(post, anna, visit, prague, mailoutbox):
    anna.hosting_locations.set([visit.location])
    before = _snapshot(visit)
    data = _edit_post(visit, _rows(visit))
    data["location"] = str(prague.pk)

    response = post(f"/visits/{visit.pk}/edit/", data)

    assert response.context["form"].errors == {
        "location": ["Anna Schmidt may not host visitors at this location."]
    }
    assert _snapshot(visit) == before
    assert mailoutbox == []


def test_an_edit_by_the_host_keeps_the_colleague_who_created_the_visit(client, anna, jan, berlin):
    visit = portal_visit(host=jan, location=berlin, name="For Jan")
    Event.objects.filter(pk=visit.pk).update(creator=anna)
    client.force_login(jan.login)

    client.post(f"/visits/{visit.pk}/edit/", _edit_post(visit, [], name="Renamed by Jan"))

    visit.refresh_from_db()
    assert (visit.name, visit.host, visit.creator) == ("Renamed by Jan", jan, anna)


def test_an_edit_by_the_creator_keeps_the_colleague_hosting_it(post, anna, jan, berlin):
    visit = portal_visit(host=jan, location=berlin, name="For Jan")
    Event.objects.filter(pk=visit.pk).update(creator=anna)

    post(f"/visits/{visit.pk}/edit/", _edit_post(visit, [], name="Renamed by Anna"))

    visit.refresh_from_db()
    assert (visit.name, visit.host, visit.creator) == ("Renamed by Anna", jan, anna)


def test_a_cancelled_visit_can_no_longer_be_edited(anna_client, post, visit, mailoutbox):
    post(f"/visits/{visit.pk}/cancel/")
    mailoutbox.clear()
    before = _snapshot(visit)

    assert anna_client.get(f"/visits/{visit.pk}/edit/")["Location"] == f"/visits/{visit.pk}/"
    post(f"/visits/{visit.pk}/edit/", _edit_post(visit, _rows(visit), name="Back again"))

    assert _snapshot(visit) == before
    assert mailoutbox == []


# --- cancelling and resending -------------------------------------------------------------------


def test_cancelling_asks_first_and_says_who_will_be_told(anna_client, visit, mailoutbox):
    before = _snapshot(visit)

    response = anna_client.get(f"/visits/{visit.pk}/cancel/")

    assert "2 guests will get a cancellation email." in response.text
    assert Event.objects.get(pk=visit.pk).status == Event.Status.ACTIVE
    assert _snapshot(visit) == before
    assert mailoutbox == []


def test_cancelling_a_visit_tells_every_guest(post, visit, mailoutbox):
    response = post(f"/visits/{visit.pk}/cancel/")

    assert response["Location"] == f"/visits/{visit.pk}/"
    visit.refresh_from_db()
    assert visit.status == Event.Status.CANCELLED
    assert _sent(mailoutbox) == [("alan@example.org", "Cancelled"), ("grace@example.org", "Cancelled")]


def test_resending_an_invitation_emails_that_guest_again(post, visit, mailoutbox):
    grace = Invitation.objects.get(event=visit, contact__source_id="guest-grace")

    response = post(f"/visits/{visit.pk}/guests/{grace.pk}/resend/")

    assert response["Location"] == f"/visits/{visit.pk}/#guest-{grace.pk}"
    assert _sent(mailoutbox) == [("grace@example.org", "Invitation")]


def test_a_removed_guest_gets_no_invitation_again(post, visit, mailoutbox):
    rows = _rows(visit)
    rows[1]["DELETE"] = True
    post(f"/visits/{visit.pk}/edit/", _edit_post(visit, rows))
    mailoutbox.clear()
    messages_before = OutboxMessage.objects.count()

    post(f"/visits/{visit.pk}/guests/{rows[1]['guest']}/resend/")

    assert OutboxMessage.objects.count() == messages_before
    assert mailoutbox == []


def test_resending_needs_a_post(anna_client, visit, mailoutbox):
    grace = Invitation.objects.get(event=visit, contact__source_id="guest-grace")
    before = _snapshot(visit)

    assert anna_client.get(f"/visits/{visit.pk}/guests/{grace.pk}/resend/").status_code == 405
    assert _snapshot(visit) == before
    assert mailoutbox == []


def test_the_edit_form_shows_each_guests_custom_values(anna_client, anna, berlin):
    from apps.directory.models import CustomField
    from tests.factories import CustomFieldFactory

    plate = CustomFieldFactory(name="Licence plate", scope=CustomField.Scope.INVITATION)
    parking = CustomFieldFactory(
        name="Parking", scope=CustomField.Scope.INVITATION, field_type=CustomField.FieldType.BOOLEAN
    )
    visit = portal_visit(
        host=anna,
        location=berlin,
        guests=[{**GRACE, "custom_fields": {str(plate.pk): "B-XY 123", str(parking.pk): False}}],
    )

    response = anna_client.get(f"/visits/{visit.pk}/edit/")

    [row] = response.context["formset"].forms
    assert (row[f"cf_{plate.pk}"].value(), row[f"cf_{parking.pk}"].value()) == ("B-XY 123", "no")
