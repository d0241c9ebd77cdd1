"""The public API, one router per resource."""
