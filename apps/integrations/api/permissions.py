from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

from apps.integrations.models import Integration

if TYPE_CHECKING:  # rest_framework.views imports this module through its settings: no import cycle
    from rest_framework.request import Request
    from rest_framework.views import APIView


class IsIntegration(BasePermission):
    """Only a caller authenticated as an (active) integration gets in."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(request.auth, Integration) and bool(getattr(user, "is_authenticated", False))
