"""Fixtures and helpers OrderFlow's test suites share."""

from .apps import app_client
from .postgres import PostgresServer, postgres_admin_url

__all__ = ["PostgresServer", "app_client", "postgres_admin_url"]
