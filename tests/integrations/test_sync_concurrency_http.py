"""Parallel PUT /api/v2/events requests with overlapping sourceIds, on the real PostgreSQL."""

import pytest

from apps.directory.models import Employee
from apps.visits.models import Contact, Event, Invitation
from tests.integrations.conftest import ApiClient
from tests.threads import threads_run

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

    def worker(number: int):
        def work(barrier) -> None:
            api = ApiClient(integration)
            barrier.wait()
            for _ in range(ROUNDS):
                response = api.put_events(events_for(number))
                statuses.append(response.status_code)
                assert {e["status"] for e in response.json()["events"]} == {"SUCCESS"}

        return work

    failures = threads_run(workers=[worker(n) for n in range(WORKERS)])

    assert failures == []
    assert statuses == [200] * WORKERS * ROUNDS
    assert (Event.objects.count(), Contact.objects.count(), Employee.objects.count()) == (10, 8, 3)
    assert Invitation.objects.filter(status="INVITED").count() == Invitation.objects.count() == 40
