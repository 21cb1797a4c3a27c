import pytest

from tests.invites.conftest import next_week_at, portal_visit
from tests.invites.forms import visit_post

pytestmark = pytest.mark.django_db


def test_the_portal_speaks_german_to_a_german_browser(anna_client, anna, berlin):
    portal_visit(host=anna, location=berlin)

    response = anna_client.get("/visits/", HTTP_ACCEPT_LANGUAGE="de")

    assert (
        "Meine Besuche" in response.text
        and "Gäste einladen" in response.text
        and "Bevorstehend" in response.text
    )


def test_the_portal_speaks_czech_when_czech_is_chosen(anna_client):
    anna_client.post("/i18n/setlang/", {"language": "cs", "next": "/visits/new/"})

    response = anna_client.get("/visits/new/")

    assert (
        "Pozvat hosty" in response.text
        and "Odeslat pozvánky" in response.text
        and "Příjmení" in response.text
    )


def test_refusals_are_worded_in_the_users_language(anna_client, berlin):
    data = visit_post(
        location=berlin, day=next_week_at(9).date(), guests=[{"first_name": "Ada", "email": "ada@"}]
    )

    response = anna_client.post("/visits/new/", data, HTTP_ACCEPT_LANGUAGE="de")

    assert response.context["formset"].forms[0].errors == {
        "email": ["Geben Sie eine gültige E-Mail-Adresse ein."]
    }
    assert "Noch wurde nichts gesendet" in response.text


@pytest.mark.parametrize(("browser", "language"), [("zh-CN", "ZH_CN"), ("de-AT", "DE"), ("sv", "EN")])
def test_a_new_guest_row_starts_in_the_browsers_language(anna_client, browser, language):
    response = anna_client.get("/visits/new/", HTTP_ACCEPT_LANGUAGE=browser)

    [row] = response.context["formset"].forms
    assert row["language"].value() == language
