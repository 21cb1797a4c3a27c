import io

import pytest
from django.core.management import call_command

from apps.visits.models import Contact, Event

pytestmark = pytest.mark.django_db


def test_bench_portal_times_my_visits_and_leaves_nothing_behind():
    out = io.StringIO()

    call_command("bench_portal", events=60, mine=25, guests=2, repeat=3, stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Filled 60 events (25 the employee's), 120 guests")
    assert [line.split(" median")[0].strip() for line in lines[1:]] == [
        "My visits, first page",
        "My visits, search",
        "My visits, page 2",
    ]
    assert all(line.endswith("5 SQL statements") for line in lines[1:])
    assert (Event.objects.count(), Contact.objects.count()) == (0, 0)
