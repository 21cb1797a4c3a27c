"""Settings for the real Celery workers of tests/notifications/test_worker.py: the portal's, with a mail
backend that can stall mid-send (see StallingFileBackend)."""

from portal.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.notifications.backends.StallingFileBackend"
EMAIL_FILE_PATH = env("TEST_MAIL_DIR")  # noqa: F405
