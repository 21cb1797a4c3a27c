"""The export document as text: the command prints and the admin page downloads exactly this."""

import json
from typing import Any


def export_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
