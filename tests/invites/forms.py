"""What the visit form posts, as a browser would send it."""

import datetime as dt
from typing import Any

GUEST_FIELDS = ("guest", "first_name", "last_name", "email", "company_name", "language")


def visit_post(
    *,
    location,
    day: dt.date,
    start: str = "09:00",
    end: str = "11:00",
    guests: list[dict[str, Any]] = (),
    initial_forms: int = 0,
    **fields: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Board meeting",
        "location": str(location.pk),
        "entrance": "",
        "date": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "description": "",
        "paste": "",
        "action": "send",
        "guests-TOTAL_FORMS": str(len(guests)),
        "guests-INITIAL_FORMS": str(initial_forms),
        "guests-MIN_NUM_FORMS": "0",
        "guests-MAX_NUM_FORMS": "500",
    }
    data.update({k: v for k, v in fields.items()})
    for i, guest in enumerate(guests):
        row = {
            "guest": "",
            "first_name": "",
            "last_name": "",
            "email": "",
            "company_name": "",
            "language": "EN",
        }
        row.update(guest)
        for name, value in row.items():
            if name == "DELETE":
                if value:
                    data[f"guests-{i}-DELETE"] = "on"
                continue
            data[f"guests-{i}-{name}"] = "" if value is None else str(value)
    return data
