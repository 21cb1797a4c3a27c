"""The issue's walk through the portal in Chromium: log in, invite two guests, find the visit in My
visits, remove one guest and rename the other, cancel it; and every page at phone width."""

import re
from email.utils import parseaddr

import pytest
from playwright.sync_api import expect

from apps.visits.models import Event, Invitation
from tests.browser import screenshot
from tests.invites.conftest import PASSWORD, next_week_at, portal_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/visits/")


def test_an_employee_invites_edits_and_cancels_a_visit(live_server, page, anna, berlin, mailoutbox):
    base = live_server.url
    page.goto(f"{base}/")
    assert page.url == f"{base}/accounts/login/"
    screenshot(page, "portal-login-desktop")
    _log_in(page, base, "anna")
    assert page.get_by_role("heading", name="No visits yet").is_visible()
    screenshot(page, "portal-my-visits-empty-desktop")

    # Invite: the visit and a first guest typed in, a second guest in a row added in place (htmx).
    page.get_by_role("link", name="Invite guests").first.click()
    page.get_by_label("Title").fill("Quarterly review")
    page.get_by_label("Location").select_option(label="Berlin HQ")
    page.get_by_label("Entrance").select_option(label="Main entrance")
    day = next_week_at(9).date()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("End time").fill("11:00")
    page.get_by_label("Description").fill("Bring your laptop.")
    assert re.match(
        r"Times are local to the location: CES?T, Europe/Berlin", page.locator("#zone-note").inner_text()
    )
    page.locator("#id_guests-0-first_name").fill("Grace")
    page.locator("#id_guests-0-last_name").fill("Hopper")
    page.locator("#id_guests-0-email").fill("grace@example.org")
    page.locator("#id_guests-0-company_name").fill("Navy")
    page.get_by_role("button", name="Add guest").click()
    second = page.locator("#id_guests-1-first_name")
    second.wait_for()
    # The new row has the focus, and what was typed above is still there.
    # The focus moves after htmx has settled the new row: wait for it rather than read it at once.
    expect(second).to_be_focused()
    assert page.get_by_label("Title").input_value() == "Quarterly review"
    second.fill("Alan")
    page.locator("#id_guests-1-last_name").fill("Turing")
    page.locator("#id_guests-1-email").fill("alan@example.org")
    screenshot(page, "portal-invite-desktop")
    # An end before the start comes back next to the end time, with everything typed still there.
    page.get_by_label("End time").fill("09:00")
    page.get_by_role("button", name="Send invitations").click()
    page.wait_for_load_state()
    assert page.locator("#id_end_time_error_1").text_content() == "The end must be later than the start."
    assert page.get_by_label("End time").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_guests-1-email").input_value() == "alan@example.org"
    assert Event.objects.count() == 0 and mailoutbox == []
    screenshot(page, "portal-invite-refused-desktop")
    page.get_by_label("End time").fill("11:00")
    page.get_by_role("button", name="Send invitations").click()

    page.wait_for_url(re.compile(rf"{base}/visits/\d+/$"))
    assert page.get_by_text("Visit saved. 2 invitations are on their way.").is_visible()
    assert page.get_by_role("heading", name="Quarterly review").is_visible()
    guests = page.locator(".guest-name").all_inner_texts()
    assert guests == ["Grace Hopper", "Alan Turing"]
    screenshot(page, "portal-visit-desktop")

    event = Event.objects.get()
    local_start = event.starts_at.astimezone(next_week_at(9).tzinfo)
    assert (event.name, event.location, event.entrance.name, event.description) == (
        "Quarterly review",
        berlin,
        "Main entrance",
        "Bring your laptop.",
    )
    assert (local_start.date(), local_start.hour, local_start.minute) == (day, 9, 30)
    assert (event.host, event.creator, event.integration, event.source_id.startswith("portal-")) == (
        anna,
        anna,
        None,
        True,
    )
    grace, alan = Invitation.objects.filter(event=event).select_related("contact").order_by("pk")
    assert grace.contact.source_id.startswith("guest-") and alan.contact.source_id.startswith("guest-")
    assert _sent(mailoutbox) == [("alan@example.org", "Invitation"), ("grace@example.org", "Invitation")]

    # My visits lists it with its guests.
    page.get_by_role("link", name="My visits").first.click()
    row = page.locator(".visit-item", has_text="Quarterly review")
    assert row.locator(".count").inner_text() == "2 guests"
    assert row.locator(".arrived").inner_text() == "0 arrived"
    assert "Berlin HQ" in row.inner_text()
    screenshot(page, "portal-my-visits-desktop")
    # Searching narrows the list in place (htmx) and keeps the address shareable.
    page.get_by_label("Search visits").fill("no such visit")
    page.get_by_text("No visit matches “no such visit”.").wait_for()
    assert page.url == f"{base}/visits/?q=no%20such%20visit"
    page.get_by_label("Search visits").fill("quarterly")
    row.wait_for()

    # Edit: Alan leaves the list, Grace's name and email change (she stays the same guest).
    row.get_by_role("link", name="Quarterly review").click()
    page.get_by_role("link", name="Edit").click()
    page.locator("#id_guests-0-first_name").fill("Grace Brewster")
    page.locator("#id_guests-0-email").fill("grace.hopper@example.org")
    page.locator("label.remove-toggle").nth(1).click()
    screenshot(page, "portal-edit-desktop")
    mailoutbox.clear()
    page.get_by_role("button", name="Save changes").click()

    page.wait_for_url(f"{base}/visits/{event.pk}/")
    assert page.get_by_text("Changes saved.").is_visible()
    assert page.locator(".guest-name").all_inner_texts() == ["Grace Brewster Hopper", "Alan Turing"]
    assert page.locator(f"#guest-{alan.pk} .badge").inner_text() == "Removed"
    grace.refresh_from_db()
    alan.refresh_from_db()
    grace.contact.refresh_from_db()
    assert (grace.status, grace.contact.first_name, grace.contact.email) == (
        Invitation.Status.INVITED,
        "Grace Brewster",
        "grace.hopper@example.org",
    )
    assert (alan.status, alan.cancel_reason) == (Invitation.Status.CANCELLED, Invitation.CancelReason.REMOVED)
    assert Invitation.objects.filter(event=event).count() == 2
    assert _sent(mailoutbox) == [("alan@example.org", "Cancelled")]

    # Cancel, after a confirmation that says who will be told.
    page.get_by_role("link", name="Cancel visit").click()
    assert page.get_by_text("1 guest will get a cancellation email.").is_visible()
    screenshot(page, "portal-cancel-desktop")
    mailoutbox.clear()
    page.get_by_role("button", name="Cancel visit").click()

    page.wait_for_url(f"{base}/visits/{event.pk}/")
    assert page.get_by_text("Visit cancelled. 1 guest is told.").is_visible()
    assert page.get_by_role("link", name="Edit").count() == 0
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert _sent(mailoutbox) == [("grace.hopper@example.org", "Cancelled")]
    screenshot(page, "portal-visit-cancelled-desktop")


def _sent(mailoutbox) -> list[tuple[str, str]]:
    """(recipient address, subject up to the colon) of every email sent, in address order."""
    return sorted((parseaddr(m.to[0])[1], m.subject.split(":")[0]) for m in mailoutbox)


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_every_page_fits_a_phone(live_server, phone_page, anna, berlin):
    page, base = phone_page, live_server.url
    event = portal_visit(
        host=anna,
        location=berlin,
        guests=[
            {
                "source_id": "guest-1",
                "first_name": "Grace",
                "last_name": "Hopper",
                "email": "grace@example.org",
            },
            {
                "source_id": "guest-2",
                "first_name": "Alan",
                "last_name": "Turing",
                "email": "alan@example.org",
            },
        ],
    )
    page.goto(f"{base}/accounts/login/")
    assert _fits_the_screen(page)
    screenshot(page, "portal-login-phone")
    _log_in(page, base, "anna")
    pages = {
        "my-visits": "/visits/",
        "invite": "/visits/new/",
        "visit": f"/visits/{event.pk}/",
        "edit": f"/visits/{event.pk}/edit/",
        "cancel": f"/visits/{event.pk}/cancel/",
    }
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        assert page.locator("h1").first.is_visible()
        assert _fits_the_screen(page), name
        screenshot(page, f"portal-{name}-phone")


def test_the_invite_form_works_from_the_keyboard_with_a_visible_focus(live_server, page, anna, berlin):
    base = live_server.url
    _log_in(page, base, "anna")
    page.goto(f"{base}/visits/new/")

    page.get_by_label("Title").focus()
    page.keyboard.type("Keyboard only")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_location"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.type("Berlin")
    assert page.get_by_label("Location").input_value() == str(berlin.pk)
    page.get_by_label("Date").fill(next_week_at(9).date().isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("09:00")
    # Enter sends the form (it never adds a guest row); the engine's refusal comes back.
    page.get_by_label("Title").press("Enter")
    page.wait_for_load_state()

    assert (
        page.get_by_role("alert").first.inner_text()
        == "Nothing was sent yet: please check the fields marked below."
    )
    assert page.locator(".guest-row").count() == 1
    assert page.get_by_label("Title").input_value() == "Keyboard only"


def test_a_german_browser_gets_the_portal_in_german_and_it_still_fits_a_phone(
    live_server, browser, anna, berlin
):
    from tests.browser import PHONE

    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        base = live_server.url
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Benutzername").fill("anna")
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base}/visits/")
        page.goto(f"{base}/visits/new/")

        assert page.locator("h1").inner_text() == "Gäste einladen"
        assert page.get_by_role("button", name="Einladungen senden").is_visible()
        assert _fits_the_screen(page)
        screenshot(page, "portal-invite-de-phone")
    finally:
        context.close()
