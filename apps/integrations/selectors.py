import hmac

from apps.integrations.models import Integration
from apps.integrations.services import token_hash


def integration_get_by_token(*, token: str) -> Integration | None:
    """The active integration that owns `token`, or None."""
    digest = token_hash(token)
    integration = Integration.objects.filter(token_hash=digest, is_active=True).first()
    # The lookup is by digest; the constant-time comparison keeps the final check free of timing leaks.
    if integration is None or not hmac.compare_digest(integration.token_hash, digest):
        return None
    return integration
