"""The API tests: every answer they get is validated against the OpenAPI document."""

from tests.openapi_check import validating_clients

__all__ = ["validating_clients"]
