"""A client generated from the served schema with openapi-python-client drives a session (#13).

Generated into a temporary folder during the run and imported from there; it talks to the WSGI app
in-process through httpx. Every answer must parse into the generated models: a field the schema
types wrongly (a null where it promised an object, a missing required field, an unknown enum value)
fails here as it would in an integrator's code.
"""

import datetime as dt
import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from tests.integrations.schema_check import served_schema

pytestmark = pytest.mark.django_db

PACKAGE = "portal_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_blocker) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("generated")
    with django_db_blocker.unblock():
        (folder / "schema.json").write_text(json.dumps(served_schema()))
    # No post hooks: formatting the generated code is not what is tested, and needs ruff on PATH.
    (folder / "config.yaml").write_text("post_hooks: []\n")
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path",
            str(folder / "schema.json"),
            "--config",
            str(folder / "config.yaml"),
            "--output-path",
            str(folder / PACKAGE),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Any warning means a part of the schema the generator could not turn into code.
    assert (result.returncode, "Warning" in result.stdout) == (0, False), result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def client(generated, integration) -> Iterator[Any]:
    # The real WSGI handler would close the test's connection around each request (see the test client).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    client = generated.AuthenticatedClient(
        base_url="http://testserver",
        token=integration.plain_token,
        raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.WSGITransport(app=get_wsgi_application())},
    )
    try:
        yield client
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_generated_client_drives_a_session(generated, client, integration, entrance):
    models = _module("models")
    sync = _module("api.events.events_sync")
    listing = _module("api.events.events_list")
    retrieve = _module("api.events.events_retrieve")
    locations = _module("api.locations.locations_list")
    events = [
        models.SyncEventRequest.from_dict(
            {
                "sourceId": f"meeting-{day}",
                "name": f"Meeting {day}",
                "startsAt": f"2026-12-0{day}T09:00:00Z",
                "endsAt": f"2026-12-0{day}T10:00:00Z",
                "locationId": entrance.location_id,
                "host": {"email": "host@example.com"},
                "invitations": [{"email": f"guest{day}@example.com", "firstName": "Ada"}],
            }
        )
        for day in (1, 2, 3)
    ]
    body = models.EventsSyncRequest(agent_token=integration.agent_token, events=events)

    synced = sync.sync_detailed(client=client, body=body)
    first = listing.sync_detailed(client=client, limit=2, location_id=entrance.location_id)
    cursor = httpx.URL(first.parsed.next_).params["cursor"]
    second = listing.sync_detailed(client=client, limit=2, location_id=entrance.location_id, cursor=cursor)
    cancelled = listing.sync_detailed(client=client, status=models.EventsListStatus.CANCELLED)
    one = retrieve.sync_detailed("meeting-2", client=client)
    missing = retrieve.sync_detailed("no-such-event", client=client)
    catalog = locations.sync_detailed(client=client)

    assert synced.status_code == 200
    assert [(r.source_id, r.status, r.action) for r in synced.parsed.events] == [
        (f"meeting-{day}", models.SyncResultStatusEnum.SUCCESS, models.ActionEnum.CREATED)
        for day in (1, 2, 3)
    ]
    assert [event.source_id for event in first.parsed.results + second.parsed.results] == [
        "meeting-1",
        "meeting-2",
        "meeting-3",
    ]
    assert (second.parsed.next_, cancelled.parsed.results) == (None, [])
    assert isinstance(one.parsed, models.Event)
    assert (one.parsed.creator, one.parsed.description, one.parsed.entrance_id) == (None, "", None)
    assert one.parsed.starts_at == dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)
    assert one.parsed.invitations[0].language == models.LanguageEnum.EN
    assert (type(missing.parsed).__name__, missing.status_code, missing.parsed.status) == (
        "Problem",
        404,
        404,
    )
    assert [location.id for location in catalog.parsed.results] == [entrance.location_id]
