"""Every request an API test makes, and every answer it gets, checked against the served OpenAPI schema.

Installed for every test under tests/integrations by an autouse fixture in conftest.py, on Django's test
Client itself, so a test cannot bypass it by building its own client. Rules:
- an answer to a documented operation must be declared (status and media type) and match its schema,
  problem documents included; any other /api/ answer must be a valid problem document;
- a request the server accepted (2xx) must be valid under the schema: what the server takes, a client
  validating against the schema must be allowed to send.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from django.http import HttpResponse
from django.test import Client
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

API_PREFIX = "/api/v2/"
# The schema and its docs page describe the API; they are not part of it.
UNCHECKED = ("/api/v2/schema", "/api/v2/docs")


class SchemaViolation(AssertionError):
    pass


def served_schema() -> dict[str, Any]:
    response = Client().get("/api/v2/schema", {"format": "json"})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


class SchemaChecker:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        # openapi-core reads application/json bodies only; problem documents are JSON too.
        config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
        self.openapi = OpenAPI.from_dict(schema, config=config)
        self.problem_validator = jsonschema.Draft202012Validator(
            {**schema["components"]["schemas"]["Problem"], "additionalProperties": False}
        )

    def check(self, response: HttpResponse) -> None:
        request = response.wsgi_request
        path = request.path
        if not path.startswith("/api/") or path.startswith(UNCHECKED) or request.method == "HEAD":
            return
        openapi_request = DjangoOpenAPIRequest(request)
        if not self._documented(openapi_request):
            # OpenAPI does not describe OPTIONS; an unknown address or method answers a problem document.
            if not (request.method == "OPTIONS" and response.status_code == 200):
                self._check_problem(response)
            return
        result = self.openapi.unmarshal_response(openapi_request, DjangoOpenAPIResponse(response))
        if result.errors:
            raise SchemaViolation(
                f"{request.method} {request.get_full_path()} answered {response.status_code} not as the "
                f"schema says: {_errors(result.errors)}\n{response.content[:2000]!r}"
            )
        if 200 <= response.status_code < 300:
            request_result = self.openapi.unmarshal_request(openapi_request)
            if request_result.errors:
                raise SchemaViolation(
                    f"{request.method} {request.get_full_path()} was accepted ({response.status_code}) "
                    f"but is invalid under the schema: {_errors(request_result.errors)}"
                )

    def _documented(self, openapi_request: DjangoOpenAPIRequest) -> bool:
        pattern = openapi_request.path_pattern
        operations = self.schema["paths"].get(pattern or "", {})
        return openapi_request.method in operations

    def _check_problem(self, response: HttpResponse) -> None:
        assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
        errors = sorted(self.problem_validator.iter_errors(json.loads(response.content)), key=str)
        if errors:
            raise SchemaViolation(f"Not a problem document: {_errors(errors)}")


def _errors(errors: Any) -> str:
    parts = []
    for error in errors:
        parts.append(str(error))
        for cause in getattr(error, "schema_errors", None) or []:
            parts.append(f"  {cause.message} at {list(cause.absolute_path)}")
        if error.__cause__ is not None:
            parts.append(f"  caused by {error.__cause__!r}")
    return "\n".join(parts)
