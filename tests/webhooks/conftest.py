import pytest


@pytest.fixture(autouse=True)
def _webhooks_in_process(settings):
    """Deliveries run in this process right after commit (eager Celery), retries when the relay runs.

    The receiver listens on 127.0.0.1, which the SSRF guard refuses unless private URLs are allowed:
    these tests allow them, as an on-premises portal may (WEBHOOK_ALLOW_PRIVATE_URLS).
    """
    settings.WEBHOOK_DELIVERY_IN_BACKGROUND = False
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_RETRY_DELAYS_SECONDS = [0, 0, 0]
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
