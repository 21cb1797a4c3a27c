"""The id that ties a sync request to its record and its audit trail, and that the client can quote."""

import re
import uuid

from rest_framework.request import Request

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's or client's own id is kept when it is a plain token; anything else gets a fresh id.
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_of(request: Request) -> str:
    sent = request.META.get("HTTP_X_REQUEST_ID", "")
    return sent if _ACCEPTABLE.fullmatch(sent) else uuid.uuid4().hex
