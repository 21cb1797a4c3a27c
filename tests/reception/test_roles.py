import pytest
from django.contrib.auth.models import Group

from apps.reception.roles import LOCATION_ADMIN, LOCATION_ADMIN_PERMISSIONS, RECEPTION, RECEPTION_PERMISSIONS

pytestmark = pytest.mark.django_db


def _permissions(name: str) -> set[tuple[str, str]]:
    group = Group.objects.get(name=name)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_the_reception_group_has_exactly_the_reception_permissions():
    assert _permissions(RECEPTION) == set(RECEPTION_PERMISSIONS)


def test_the_location_admin_group_has_exactly_the_location_admin_permissions():
    assert _permissions(LOCATION_ADMIN) == set(LOCATION_ADMIN_PERMISSIONS)


def test_neither_group_may_delete_visits_or_touch_integrations_or_the_outbox():
    for name in (RECEPTION, LOCATION_ADMIN):
        apps = {app for app, _ in _permissions(name)}
        codenames = {codename for _, codename in _permissions(name)}
        assert apps <= {"reception", "visits", "directory"}
        assert {c for c in codenames if c.startswith("delete_")} <= {"delete_entrance"}


def test_only_location_admins_create_and_edit_visits():
    assert not {c for _, c in _permissions(RECEPTION) if c.startswith(("add_", "change_"))}
    assert {("visits", "add_event"), ("visits", "change_event")} <= _permissions(LOCATION_ADMIN)
