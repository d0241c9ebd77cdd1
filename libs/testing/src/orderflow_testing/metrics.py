"""Read one sample out of a ``/metrics`` page, so a test can assert what a request added.

Every app in a test process shares one Prometheus registry: a sample's presence proves nothing,
its increase across the request under test does.
"""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def sample(metrics_text: str, name: str, **labels: str) -> float:
    """The value of ``name`` with exactly ``labels`` in the page, 0 while it is absent."""
    for family in text_string_to_metric_families(metrics_text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return 0.0
