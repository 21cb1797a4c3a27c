"""Engine errors as the sync API words them, for engine tests written against the contract's wording.

The engine's own terms (codes, paths, translatable messages) are asserted in test_sync_error_terms.py.
"""

from typing import NamedTuple

from apps.integrations.api.sync_results import sync_results_render
from apps.visits.sync import EventSyncResult


class WireError(NamedTuple):
    field: str
    message: str


def wire(result: EventSyncResult) -> list[WireError]:
    [rendered] = sync_results_render([result])["events"]
    return [WireError(error["field"], error["message"]) for error in rendered["errors"]]
