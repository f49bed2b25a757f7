"""Fixtures of the system tests: PostgreSQL databases of their own."""

from tests.support.databases import postgres_databases  # noqa: F401 (a fixture)
