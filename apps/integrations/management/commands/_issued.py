import json

from apps.integrations.services import IssuedToken


def issued_token_json(issued: IssuedToken) -> str:
    """The one-line JSON both token commands end with, for scripts to read the last line."""
    integration = issued.integration
    return json.dumps(
        {
            "id": integration.pk,
            "name": integration.name,
            "token": issued.token,
            "agentToken": str(integration.agent_token),
        }
    )
