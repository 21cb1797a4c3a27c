"""Parallel syncs with overlapping sourceIds on the real PostgreSQL: no duplicates, no 5xx-worthy errors."""

import pytest

from apps.directory.models import Employee
from apps.visits.models import Contact, Event, Invitation
from apps.visits.sync import PersonInput, events_sync
from tests.factories import acting
from tests.threads import threads_run
from tests.visits.conftest import guest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WORKERS = 6
ROUNDS = 4


def test_parallel_overlapping_syncs_never_duplicate_rows(integration, make_event):
    # Every worker sends the same events, guests and hosts in a different order, several times.
    def events_for(worker: int):
        events = [
            make_event(
                f"shared-{i}",
                host=PersonInput(email=f"host{i % 3}@example.com", first_name=f"W{worker}"),
                invitations=[guest(f"guest-{(i + k) % 8}") for k in range(4)],
            )
            for i in range(10)
        ]
        return events[worker % 10 :] + events[: worker % 10]

    def worker(number: int):
        def work(barrier) -> None:
            barrier.wait()
            for _ in range(ROUNDS):
                results = events_sync(actor=acting(integration), events=events_for(number))
                assert {r.status for r in results} == {"SUCCESS"}, results

        return work

    errors = threads_run(workers=[worker(n) for n in range(WORKERS)])

    assert errors == []
    assert Event.objects.count() == 10
    assert Contact.objects.count() == 8
    assert Employee.objects.count() == 3
    assert Invitation.objects.count() == 40
    assert Invitation.objects.filter(status="INVITED").count() == 40


def test_parallel_partial_sends_of_the_same_new_guests_lose_no_field(integration, make_event):
    # One side knows the guests' emails, the other their names and companies; both introduce them at once.
    # Each side has its own host, in another employee lock bucket, so only the integration lock orders them.
    from apps.visits.sync.engine import EMPLOYEE_LOCK_BUCKETS, _lock_key

    by_bucket = {_lock_key("employee", f"h{n}@example.com") % EMPLOYEE_LOCK_BUCKETS: n for n in range(50)}
    host_a, host_b = (PersonInput(email=f"h{n}@example.com") for n in list(by_bucket.values())[:2])

    def email_side(round_: int):
        return [
            make_event(
                f"a-{round_}-{k}",
                host=host_a,
                invitations=[guest(f"p-{round_}-{k}", email=f"p{round_}-{k}@example.org")],
            )
            for k in range(20)
        ]

    def name_side(round_: int):
        return [
            make_event(
                f"b-{round_}-{k}",
                host=host_b,
                invitations=[
                    guest(f"p-{round_}-{k}", first_name="Pat", last_name=f"No {k}", company_name="Initech")
                ],
            )
            for k in range(20)
        ]

    def worker(side):
        def work(barrier) -> None:
            for round_ in range(5):
                barrier.wait()
                events_sync(actor=acting(integration), events=side(round_))

        return work

    errors = threads_run(workers=[worker(email_side), worker(name_side)])

    assert errors == []
    incomplete = Contact.objects.filter(email="") | Contact.objects.filter(company_name="")
    assert (Contact.objects.count(), list(incomplete.values_list("source_id", flat=True))) == (100, [])
