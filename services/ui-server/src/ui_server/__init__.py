"""OrderFlow's UI server: the built app (frontend/dist) and /api passed through to the gateway."""

from .app import Settings, create_app

__all__ = ["Settings", "create_app"]
