"""Who acts: every change to a visit names its actor, recorded in the audit trail with the change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from apps.integrations.models import Integration


class Door(models.TextChoices):
    """The way a change came in."""

    API = "api", _("API")
    PORTAL = "portal", _("Invite portal")
    ADMIN = "admin", _("Admin")
    SYSTEM = "system", _("System")


@dataclass(frozen=True, slots=True)
class Actor:
    """An integration, a logged-in user or the system itself (a job), and the door it came through.

    Exactly one of `integration`, `user` and `system` is set. `request_id` ties the changes of one
    request together (the sync API's `X-Request-ID`).
    """

    door: Door
    integration: Integration | None = None
    user: AbstractBaseUser | None = None
    system: str = ""
    request_id: str = ""

    def __post_init__(self) -> None:
        named = [self.integration is not None, self.user is not None, bool(self.system)]
        if sum(named) != 1:
            raise ValueError("An actor is exactly one of an integration, a user or the system.")
        if self.integration is not None and self.door != Door.API:
            raise ValueError("Integrations act through the API.")
        if self.system and self.door != Door.SYSTEM:
            raise ValueError("The system acts through the system door.")

    @classmethod
    def of_integration(cls, integration: Integration, *, request_id: str = "") -> Actor:
        return cls(door=Door.API, integration=integration, request_id=request_id)

    @classmethod
    def of_user(cls, user: AbstractBaseUser, *, door: Door) -> Actor:
        if door not in (Door.PORTAL, Door.ADMIN):
            raise ValueError("People act through the invite portal or the admin.")
        return cls(door=door, user=user)

    @classmethod
    def of_system(cls, name: str) -> Actor:
        return cls(door=Door.SYSTEM, system=name)

    @property
    def label(self) -> str:
        """How the audit trail names the actor, kept even if the user or integration is deleted later."""
        if self.integration is not None:
            return f"Integration: {self.integration.name}"
        if self.user is not None:
            return f"User: {self.user.get_username()}"
        return f"System: {self.system}"
