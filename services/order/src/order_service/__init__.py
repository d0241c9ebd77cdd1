"""The order service: the one owner of orders, their lifecycle and idempotency keys."""
