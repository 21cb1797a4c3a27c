"""`manage.py bench_read` end to end on a tiny calendar: a real server, real pages, the database floor."""

import io
import re

import pytest
from django.core.management import call_command

from apps.directory.models import Employee, Location
from apps.integrations.models import Integration
from apps.visits.models import Contact, Event


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_reads_every_event_back_through_a_server_and_leaves_nothing_behind() -> None:
    out = io.StringIO()
    call_command(
        "bench_read",
        *("--events", "30", "--guests", "2", "--workers", "1", "--runs", "1"),
        *("--samples", "2", "--clients", "2", "--requests", "3"),
        stdout=out,
    )

    output = out.getvalue()
    for limit in (50, 200):
        # p50, p95, KiB, database p50, database p95, ratio: all measured, none missing.
        assert re.search(
            rf"^GET /events\?limit={limit} +(\d+\.\d +){{2}}\d+ +(\d+\.\d+ +){{2}}\d+\.\d\d$", output, re.M
        )
    assert re.search(r"^paging through 30 events \(limit 200\): \d+\.\d\d s = [\d,]+ events/s$", output, re.M)
    assert re.search(r"^2 clients at once, limit=50: [\d,]+ requests/s", output, re.M)
    counts = [model.objects.count() for model in (Event, Contact, Employee, Location, Integration)]
    assert counts == [0, 0, 0, 0, 0]
