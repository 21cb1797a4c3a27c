from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from apps.visits.models import Invitation
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def test_a_badge_shows_name_company_host_location_and_the_qr(client, reception, berlin_guest):
    client.force_login(reception)

    response = client.get(reverse("frontdesk:badge", args=[berlin_guest.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert [b["name"] for b in response.context["badges"]] == ["Grace Hopper"]
    for text in ("Grace Hopper", "Navy", "Ada Lovelace", "Berlin HQ, Main entrance", "<svg"):
        assert text in body
    assert "reception/badge.css" in body


def test_badges_print_on_62_by_100_mm_labels():
    css = Path(finders.find("reception/badge.css")).read_text()

    assert "@page { size: 62mm 100mm; margin: 0; }" in css
    assert "break-after: page" in css


def test_another_locations_badge_is_a_404(client, reception, prague_guest):
    client.force_login(reception)

    assert client.get(reverse("frontdesk:badge", args=[prague_guest.pk])).status_code == 404


def test_a_cancelled_guest_has_no_badge(client, reception, berlin_guest):
    Invitation.objects.filter(pk=berlin_guest.pk).update(
        status="CANCELLED", cancel_reason="REMOVED", cancelled_at=berlin_guest.created_at
    )
    client.force_login(reception)

    assert client.get(reverse("frontdesk:badge", args=[berlin_guest.pk])).status_code == 404


def test_the_badge_sheet_has_one_badge_per_guest_still_invited(client, reception, berlin_guest):
    InvitationFactory(event=berlin_guest.event, contact__first_name="Alan", contact__last_name="Turing")
    InvitationFactory(event=berlin_guest.event, status="CANCELLED", cancel_reason="REMOVED")
    client.force_login(reception)

    response = client.get(reverse("frontdesk:badge_sheet", args=[berlin_guest.event_id]))

    assert [b["name"] for b in response.context["badges"]] == ["Grace Hopper", "Alan Turing"]


def test_another_locations_badge_sheet_is_a_404(client, reception, prague_guest):
    client.force_login(reception)

    assert client.get(reverse("frontdesk:badge_sheet", args=[prague_guest.event_id])).status_code == 404


def test_on_site_lists_who_is_checked_in_with_host_phone_and_count(
    client, reception, berlin_guest, prague_guest
):
    Invitation.objects.filter(pk__in=[berlin_guest.pk, prague_guest.pk]).update(status="CHECKED_IN")
    InvitationFactory(event=berlin_guest.event, status="CHECKED_OUT")
    client.force_login(reception)

    response = client.get(reverse("frontdesk:on_site"))

    assert [(r["guest"], r["host"], r["host_phone"]) for r in response.context["rows"]] == [
        ("Grace Hopper", "Ada Lovelace", "+49 30 1")
    ]
    assert "1 guest on site" in response.content.decode()
