"""GET /locations, /custom-fields and /access-partitions: what an integration needs to know the ids."""

import pytest
from django.test import Client

from apps.directory.models import CustomField
from tests.factories import (
    AccessPartitionFactory,
    AccessProfileFactory,
    CustomFieldFactory,
    EntranceFactory,
    LocationFactory,
)
from tests.integrations.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_locations_lists_active_ones_with_entrances(api):
    berlin = LocationFactory(name="Berlin HQ", address="Friedrichstraße 68", timezone="Europe/Berlin")
    garage = EntranceFactory(location=berlin, name="Garage")
    main = EntranceFactory(location=berlin, name="Main entrance")
    LocationFactory(name="Closed office", is_active=False)

    body = api.get("/api/v2/locations").json()

    assert body == {
        "results": [
            {
                "id": berlin.id,
                "name": "Berlin HQ",
                "address": "Friedrichstraße 68",
                "timezone": "Europe/Berlin",
                "entrances": [{"id": garage.id, "name": "Garage"}, {"id": main.id, "name": "Main entrance"}],
                # The portal's default (GUEST_RETENTION_DAYS) where the location sets none (apps/privacy).
                "retentionDays": 365,
            }
        ],
        "next": None,
    }


def test_custom_fields_lists_active_ones(api):
    plate = CustomFieldFactory(name="Licence plate", scope=CustomField.Scope.INVITATION)
    diet = CustomFieldFactory(
        name="Diet",
        field_type=CustomField.FieldType.SELECT,
        options=["vegan", "none"],
        scope=CustomField.Scope.BOTH,
    )
    CustomFieldFactory(name="Retired", is_active=False)

    body = api.get("/api/v2/custom-fields").json()

    assert body == {
        "results": [
            {"id": plate.id, "name": "Licence plate", "type": "TEXT", "scope": "INVITATION", "options": []},
            {"id": diet.id, "name": "Diet", "type": "SELECT", "scope": "BOTH", "options": ["vegan", "none"]},
        ],
        "next": None,
    }


def test_access_partitions_lists_profiles(api):
    partition = AccessPartitionFactory(name="Doors")
    AccessProfileFactory(partition=partition, source_id="visitors-floor-3", name="Visitors, floor 3")
    AccessProfileFactory(partition=partition, source_id="garage", name="")

    body = api.get("/api/v2/access-partitions").json()

    assert body == {
        "results": [
            {
                "id": partition.id,
                "name": "Doors",
                "profiles": [
                    {"sourceId": "garage", "name": ""},
                    {"sourceId": "visitors-floor-3", "name": "Visitors, floor 3"},
                ],
            }
        ],
        "next": None,
    }


@pytest.mark.parametrize("count", [2, 20])
def test_locations_take_the_same_number_of_queries_for_any_number(api, django_assert_num_queries, count):
    for _ in range(count):
        EntranceFactory()

    with django_assert_num_queries(3):  # token, locations, entrances
        response = api.get("/api/v2/locations")

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [2, 20])
def test_access_partitions_take_the_same_number_of_queries_for_any_number(
    api, django_assert_num_queries, count
):
    for _ in range(count):
        AccessProfileFactory()

    with django_assert_num_queries(3):  # token, partitions, profiles
        response = api.get("/api/v2/access-partitions")

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [2, 20])
def test_custom_fields_take_the_same_number_of_queries_for_any_number(api, django_assert_num_queries, count):
    CustomFieldFactory.create_batch(count)

    with django_assert_num_queries(2):  # token, custom fields
        response = api.get("/api/v2/custom-fields")

    assert len(response.json()["results"]) == count


def test_catalog_lists_page_by_id(api):
    first, second, third = LocationFactory.create_batch(3)

    page = api.get("/api/v2/locations", {"limit": "2"}).json()
    rest = api.get(page["next"]).json()

    assert [item["id"] for item in page["results"] + rest["results"]] == [first.id, second.id, third.id]
    assert rest["next"] is None


@pytest.mark.parametrize("path", ["/api/v2/locations", "/api/v2/custom-fields", "/api/v2/access-partitions"])
def test_catalog_needs_a_token(path):
    assert_problem(Client().get(path), 401)


@pytest.mark.parametrize("path", ["/api/v2/locations", "/api/v2/custom-fields", "/api/v2/access-partitions"])
def test_catalog_limit_out_of_range_is_400(api, path):
    assert_problem(
        api.get(path, {"limit": "500"}), 400, errors=[{"field": "limit", "message": "Expected 1 to 200."}]
    )
