"""The Privacy requests page in Chromium: a typo refused next to the field, an export downloaded, an
erasure confirmed after seeing what goes. Screenshots go to build/screenshots/ (privacy-*.png)."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.visits.models import Contact
from tests.browser import screenshot
from tests.factories import EmployeeFactory, EventFactory, InvitationFactory, LocationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer():
    berlin = LocationFactory(name="Berlin HQ", timezone="Europe/Berlin")
    host = EmployeeFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    now = timezone.now()
    for name, days in (("Board meeting", -20), ("Supplier visit", 3)):
        InvitationFactory(
            event=EventFactory(
                name=name,
                location=berlin,
                host=host,
                starts_at=now + dt.timedelta(days=days),
                ends_at=now + dt.timedelta(days=days, hours=2),
            ),
            contact__email="jsmith@example.com",
            contact__first_name="John",
            contact__last_name="Smith",
        )
    get_user_model().objects.create_superuser("dpo", password="dpo-pass")


def test_privacy_officer_exports_then_erases_a_guest(page, live_server, officer):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/privacy/")
    page.fill("#id_username", "dpo")
    page.fill("#id_password", "dpo-pass")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/privacy/")
    assert page.get_by_role("link", name="Privacy requests").is_visible()
    screenshot(page, "privacy-page")

    page.get_by_label("Email address").fill("jsmith at example")
    page.get_by_role("button", name="Export").click()
    assert page.locator(".errorlist").inner_text() == "Enter a valid email address."
    assert page.get_by_label("Email address").input_value() == "jsmith at example"
    screenshot(page, "privacy-invalid-address")

    page.get_by_label("Email address").fill("JSmith@example.com")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [i["event"]["name"] for i in document["invitations"]] == ["Board meeting", "Supplier visit"]
    assert download.value.suggested_filename == "guest-data.json"

    page.get_by_role("button", name="Erase").click()
    assert page.get_by_text("2 invitations: names, email, company").is_visible()
    assert page.get_by_text("1 upcoming visit cancelled; its host is told, the guest is not").is_visible()
    screenshot(page, "privacy-erase-confirm")
    assert Contact.objects.filter(email="jsmith@example.com").count() == 2

    page.get_by_role("button", name="Yes, erase").click()
    page.wait_for_url(f"{live_server.url}/admin/privacy/")
    assert "2 invitation(s) anonymised" in page.locator(".messagelist").inner_text()
    screenshot(page, "privacy-erased")
    assert not Contact.objects.filter(email="jsmith@example.com").exists()
