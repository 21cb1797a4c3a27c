import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

from apps.directory.models import Employee, Location
from apps.notifications.models import OutboxMessage
from apps.visits.models import Contact, Event

pytestmark = pytest.mark.django_db


def test_the_benchmark_measures_today_and_scans_and_leaves_nothing_behind():
    out = io.StringIO()

    call_command(
        "bench_frontdesk", "--events", "40", "--guests", "12", "--runs", "2", "--scans", "3", stdout=out
    )

    lines = out.getvalue().splitlines()
    assert lines[0] == f"Database: {connection.vendor}; 40 events, 12 guests today at the desk."
    assert re.fullmatch(
        r"Today page: median [\d.]+ ms, slowest [\d.]+ ms over 2 renders; 8 SQL queries; 12 guests listed\.",
        lines[1],
    )
    assert re.fullmatch(
        r"Check-in by scan: median [\d.]+ ms over 3 scans; 3 checked in; 3 host notifications written to the "
        r"outbox \(not sent\)\.",
        lines[2],
    )
    assert (Event.objects.count(), Contact.objects.count(), OutboxMessage.objects.count()) == (0, 0, 0)
    assert not Location.objects.exists()
    assert not Employee.objects.exists()
