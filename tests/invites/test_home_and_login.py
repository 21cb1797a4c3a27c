import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from apps.visits.models import Event
from tests.invites.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")


def test_employees_land_on_my_visits_after_logging_in(client, anna):
    response = client.post("/accounts/login/", {"username": "anna", "password": PASSWORD}, follow=True)

    assert response.redirect_chain == [("/", 302), ("/visits/", 302)]
    assert response.status_code == 200
    assert "My visits" in response.text


def test_admins_are_sent_to_the_admin(client, admin_user):
    client.force_login(admin_user)

    assert client.get("/")["Location"] == "/admin/"


def test_reception_staff_are_sent_to_the_front_desk(client):
    user = get_user_model().objects.create_user(username="rita", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Reception")[0])
    client.force_login(user)

    assert client.get("/")["Location"] == "/admin/frontdesk/"


def test_other_staff_are_sent_to_the_admin(client):
    client.force_login(get_user_model().objects.create_user(username="sam", password=PASSWORD, is_staff=True))

    assert client.get("/")["Location"] == "/admin/"


def test_the_visit_pages_need_a_login(client):
    response = client.get("/visits/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/visits/")


def test_a_login_without_an_employee_is_told_why_it_has_no_visits(client):
    client.force_login(get_user_model().objects.create_user(username="nobody", password=PASSWORD))

    response = client.get("/visits/")

    assert response.status_code == 403
    assert "Your login is not linked to an employee" in response.text


def test_a_wrong_password_is_refused_on_the_login_page(client, anna):
    response = client.post("/accounts/login/", {"username": "anna", "password": "wrong"})

    assert response.status_code == 200
    assert "did not match" in response.text
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_lock_the_username_out_even_with_the_right_password(client, anna, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "anna", "password": "wrong"})

    response = client.post("/accounts/login/", {"username": "anna", "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_throttled_too(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": admin_user.username, "password": "wrong"})

    response = client.post("/admin/login/", {"username": admin_user.username, "password": "password"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logging_out_ends_the_session(anna_client):
    response = anna_client.post("/accounts/logout/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    assert "_auth_user_id" not in anna_client.session


def test_a_password_reset_link_is_emailed_in_the_users_language(client, anna, mailoutbox):
    anna.login.email = "anna.schmidt@example.com"
    anna.login.save()

    response = client.post(
        "/accounts/password/reset/", {"email": "anna.schmidt@example.com"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/sent/")
    [sent] = mailoutbox
    assert sent.to == ["anna.schmidt@example.com"]
    assert "/accounts/password/reset/" in sent.body
    assert "Your username: anna" in sent.body


def test_a_password_can_be_changed(anna_client, anna):
    response = anna_client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new secret 42",
            "new_password2": "a brand new secret 42",
        },
    )

    assert (response.status_code, response["Location"]) == (302, "/accounts/password/change/done/")
    anna.login.refresh_from_db()
    assert anna.login.check_password("a brand new secret 42")


def test_the_pages_follow_the_browsers_language(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de")

    assert '<html lang="de">' in response.text


def test_the_language_setting_overrides_the_browser(client):
    client.post("/i18n/setlang/", {"language": "cs", "next": "/accounts/login/"})

    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de")

    assert '<html lang="cs">' in response.text


def test_forms_refuse_posts_without_the_csrf_token(anna):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(anna.login)

    response = client.post("/visits/new/", {"name": "No token"})

    assert response.status_code == 403
    assert Event.objects.count() == 0
