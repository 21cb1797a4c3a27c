import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _skip_or_fail(reason: str) -> None:
    # A newcomer without the service may skip; CI runs on the real services and must not.
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test on the real service)")
    pytest.skip(reason)


def redis_reachable() -> bool:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if item.get_closest_marker("redis") and not redis_reachable():
        _skip_or_fail("needs Redis: set CELERY_BROKER_URL=redis://…")


@pytest.fixture(autouse=True)
def _email_backend(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
