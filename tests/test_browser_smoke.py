import pytest

from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_login_page_renders_in_chromium(live_server, page):
    page.goto(f"{live_server.url}/admin/login/")

    assert page.locator("label[for=id_username]").inner_text() == "Username:"
    assert screenshot(page, "admin-login").stat().st_size > 0
