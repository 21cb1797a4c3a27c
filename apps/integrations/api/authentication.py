from __future__ import annotations

from dataclasses import dataclass

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from apps.integrations.models import Integration
from apps.integrations.selectors import integration_get_by_token


@dataclass(frozen=True, slots=True)
class IntegrationPrincipal:
    """`request.user` for an API call: the calling integration, in the shape DRF and Django expect."""

    integration: Integration

    is_authenticated = True
    is_anonymous = False
    is_active = True

    @property
    def pk(self) -> int:
        return self.integration.pk

    def __str__(self) -> str:
        return f"Integration {self.integration}"


class IntegrationTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`; `request.auth` is the Integration, `request.user` its principal."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[IntegrationPrincipal, Integration] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            # No credentials of ours: DRF answers 401 NotAuthenticated with our WWW-Authenticate.
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be `Bearer <token>`.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        integration = integration_get_by_token(token=token)
        if integration is None:
            raise exceptions.AuthenticationFailed("The token is not valid or has been revoked.")
        return IntegrationPrincipal(integration=integration), integration

    def authenticate_header(self, request: Request) -> str:
        # Having a header keeps DRF from turning "not authenticated" into 403.
        return 'Bearer realm="api"'
