"""Parallel PUT /api/v2/events requests with overlapping sourceIds, on the real PostgreSQL."""

import threading

import pytest
from django.db import connection

from apps.directory.models import Employee
from apps.visits.models import Contact, Event, Invitation
from tests.integrations.conftest import ApiClient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WORKERS = 6
ROUNDS = 3


def test_parallel_requests_answer_200_and_never_duplicate_rows(integration, location):
    def events_for(worker: int) -> list[dict]:
        events = [
            {
                "sourceId": f"shared-{i}",
                "name": f"Meeting {i}",
                "startsAt": "2027-01-10T09:00:00+01:00",
                "endsAt": "2027-01-10T10:00:00+01:00",
                "locationId": location.id,
                "host": {"email": f"host{i % 3}@example.com", "firstName": f"Worker {worker}"},
                "invitations": [
                    {"sourceId": f"guest-{(i + k) % 8}", "email": f"guest{(i + k) % 8}@example.org"}
                    for k in range(4)
                ],
            }
            for i in range(10)
        ]
        return events[worker:] + events[:worker]  # the same events, each worker in another order

    statuses: list[int] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(WORKERS)

    def work(worker: int) -> None:
        try:
            api = ApiClient(integration)
            barrier.wait()
            for _ in range(ROUNDS):
                response = api.put_events(events_for(worker))
                statuses.append(response.status_code)
                assert {e["status"] for e in response.json()["events"]} == {"SUCCESS"}
        except BaseException as exc:  # collected and re-raised below through the assertion
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert statuses == [200] * WORKERS * ROUNDS
    assert (Event.objects.count(), Contact.objects.count(), Employee.objects.count()) == (10, 8, 3)
    assert Invitation.objects.filter(status="INVITED").count() == Invitation.objects.count() == 40
