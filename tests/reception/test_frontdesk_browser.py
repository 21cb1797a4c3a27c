"""The front desk as reception uses it, in Chromium: check in by button and by scan, check out, badge.

Screenshots of every front-desk page go to build/screenshots/ (see README, "Front desk").
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from apps.reception.roles import LOCATION_ADMIN, RECEPTION
from apps.visits.models import Invitation
from tests.browser import SCREENSHOTS, screenshot
from tests.factories import EmployeeFactory, EntranceFactory, EventFactory, InvitationFactory, LocationFactory
from tests.reception.conftest import role_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk():
    berlin = LocationFactory(name="Berlin HQ", timezone="Europe/Berlin", address="Friedrichstraße 68, Berlin")
    prague = LocationFactory(name="Prague Office", timezone="Europe/Prague")
    entrance = EntranceFactory(location=berlin, name="Main entrance")
    host = EmployeeFactory(
        email="anna@example.com", first_name="Anna", last_name="Schmidt", phone_number="+49 30 1234567"
    )
    now = timezone.now()
    meeting = EventFactory(
        name="Project kick-off",
        source_id="portal-kick-off",
        location=berlin,
        entrance=entrance,
        host=host,
        starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=2),
    )
    guests = {
        last: InvitationFactory(
            event=meeting,
            contact__first_name=first,
            contact__last_name=last,
            contact__company_name=company,
            contact__source_id=f"guest-{last.lower()}",
        )
        for first, last, company in (
            ("Grace", "Hopper", "Navy Labs"),
            ("Alan", "Turing", "Bletchley Park"),
            ("Katherine", "Johnson", "NACA"),
        )
    }
    elsewhere = EventFactory(
        name="Partner meeting",
        location=prague,
        host=host,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
    )
    InvitationFactory(event=elsewhere, contact__first_name="Tim", contact__last_name="Berners-Lee")
    user = get_user_model().objects.create_user(
        "rita", password="rita-pass", is_staff=True, first_name="Rita"
    )
    user.groups.add(role_group(RECEPTION))
    berlin.staff.add(user)
    return {"guests": guests, "meeting": meeting, "host": host}


def _log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "rita-pass")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/frontdesk/")


def _fits(page) -> None:
    # At 1,366 px nothing may be cut off: neither the page nor an admin list scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.evaluate(
        "[...document.querySelectorAll('.results, table')].every(e => e.scrollWidth <= e.clientWidth + 1)"
    )


def test_reception_checks_guests_in_by_button_and_scan_checks_one_out_and_prints_a_badge(
    live_server, page, desk
):
    guests = desk["guests"]
    _log_in(page, live_server)

    assert page.locator("h1.desk-title").inner_text() == "Today at Berlin HQ"
    assert page.locator(".desk-count.expected .n").inner_text() == "3"
    assert "Tim Berners-Lee" not in page.content()
    _fits(page)
    screenshot(page, "frontdesk-today")

    page.click("button[aria-label='Check in Grace Hopper']")
    assert (
        "Checked in: Grace Hopper (Navy Labs). Anna Schmidt has been told."
        in page.locator(".messagelist").inner_text()
    )
    assert page.locator(".desk-count.on-site .n").inner_text() == "1"

    page.click("nav.desk-nav >> text=Scan")
    expect(page.locator("input[name=code]")).to_be_focused()
    screenshot(page, "frontdesk-scan")
    page.keyboard.type(guests["Turing"].token)
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist")
    assert "Checked in: Alan Turing (Bletchley Park)" in page.locator(".messagelist").inner_text()
    expect(page.locator("input[name=code]")).to_be_focused()
    screenshot(page, "frontdesk-scan-checked-in")
    page.keyboard.type(guests["Turing"].token)
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist >> text=is already on site")
    page.keyboard.type("not-a-code")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist >> text=Unknown code")
    screenshot(page, "frontdesk-scan-unknown-code")

    page.click("nav.desk-nav >> text=On site now")
    assert page.locator(".desk-onsite-count strong").inner_text() == "2 guests on site"
    _fits(page)
    screenshot(page, "frontdesk-on-site")
    page.locator("tr", has_text="Grace Hopper").locator("button", has_text="Check out").click()
    assert page.locator(".desk-onsite-count strong").inner_text() == "1 guest on site"
    assert "Grace Hopper" not in page.locator("table.desk-table").inner_text()
    screenshot(page, "frontdesk-on-site-after-check-out")

    page.click("nav.desk-nav >> text=Today")
    counts = [page.locator(f".desk-count.{kind} .n").inner_text() for kind in ("expected", "on-site", "left")]
    assert counts == ["1", "1", "1"]
    _fits(page)
    screenshot(page, "frontdesk-today-after")

    page.locator("tr", has_text="Alan Turing").locator("a", has_text="Badge").click()
    assert page.locator(".badge h1").inner_text() == "Alan Turing"
    assert page.locator(".badge svg").count() == 1
    screenshot(page, "frontdesk-badge")
    pdf = SCREENSHOTS / "frontdesk-badge.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    assert pdf.read_bytes().startswith(b"%PDF")

    statuses = dict(Invitation.objects.values_list("contact__last_name", "status"))
    assert statuses == {
        "Hopper": "CHECKED_OUT",
        "Turing": "CHECKED_IN",
        "Johnson": "INVITED",
        "Berners-Lee": "INVITED",
    }


def test_walk_in_badge_sheet_and_admin_lists_render_and_fit(live_server, page, desk):
    _log_in(page, live_server)

    page.click("nav.desk-nav >> text=Walk-in")
    screenshot(page, "frontdesk-walk-in")
    page.fill("#id_first_name", "Margaret")
    page.fill("#id_last_name", "Hamilton")
    page.fill("#id_company_name", "MIT")
    page.select_option("#id_host", label="Anna Schmidt (anna@example.com)")
    page.click("button:has-text('Register and check in')")
    page.wait_for_url(lambda url: "/admin/frontdesk/?location=" in url)
    assert "Checked in: Margaret Hamilton (MIT)" in page.locator(".messagelist").inner_text()
    assert Invitation.objects.get(contact__last_name="Hamilton").status == "CHECKED_IN"

    page.goto(f"{live_server.url}/admin/frontdesk/events/{desk['meeting'].pk}/badges/")
    assert page.locator(".badge").count() == 3
    screenshot(page, "frontdesk-badge-sheet")

    for name, path in (
        ("admin-events", "/admin/visits/event/"),
        ("admin-invitations", "/admin/visits/invitation/"),
        ("admin-audit-trail", "/admin/visits/auditentry/"),
        ("admin-event-page", f"/admin/visits/event/{desk['meeting'].pk}/change/"),
    ):
        page.goto(f"{live_server.url}{path}")
        _fits(page)
        screenshot(page, name)


def test_the_today_page_on_a_phone(live_server, phone_page, desk):
    _log_in(phone_page, live_server)

    screenshot(phone_page, "frontdesk-today-phone")
    assert phone_page.locator("button[aria-label='Check in Grace Hopper']").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_location_admin_edits_a_portal_visit_in_the_admin(live_server, page, desk):
    admin = get_user_model().objects.create_user("leo", password="leo-pass", is_staff=True, first_name="Leo")
    admin.groups.add(role_group(LOCATION_ADMIN))
    desk["meeting"].location.staff.add(admin)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "leo")
    page.fill("#id_password", "leo-pass")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/visits/event/{desk['meeting'].pk}/change/")

    page.click("text=Edit visit and guests")
    page.fill("#id_guests-3-first_name", "Margaret")
    page.fill("#id_guests-3-last_name", "Hamilton")
    page.fill("#id_guests-3-email", "margaret@example.org")
    _fits(page)
    screenshot(page, "admin-event-edit")
    page.click("input[type=submit][value=Save]")

    assert "Saved “Project kick-off”: updated." in page.locator(".messagelist").inner_text()
    assert Invitation.objects.filter(event=desk["meeting"], contact__last_name="Hamilton").exists()
