"""``<P>_LOG_FORMAT=console`` (make run's default): one line per event, with its fields."""

import pytest
import structlog
from chassis.logging import access_logger, configure_logging, get_logger


@pytest.fixture(autouse=True)
def _back_to_json() -> object:
    yield
    configure_logging(service="test", fmt="json")


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if line]


def test_one_plain_line_per_event_with_the_request_id_and_fields(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")  # NO_COLOR wins
    configure_logging(service="customer", fmt="console")
    with structlog.contextvars.bound_contextvars(request_id="req-42"):
        get_logger("customer_service.test").info("customer_created", customer_id="c-1")
        access_logger().info("request", method="GET", path="/customers", status=200)
    [event, request] = _lines(capsys)
    for line in (event, request):
        assert "\x1b[" not in line
        assert not line.startswith("{")
        assert "request_id=req-42" in line
        assert "service=customer" in line
    assert "customer_created" in event
    assert "customer_id=c-1" in event
    assert "status=200" in request
    assert "path=/customers" in request


def test_colours_when_the_pipe_ends_in_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    configure_logging(service="order", fmt="console")
    get_logger("order_service.test").warning("slow")
    [line] = _lines(capsys)
    assert "\x1b[" in line


def test_json_stays_the_default_shape(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service="order")
    get_logger("order_service.test").info("placed", order_id="o-1")
    [line] = _lines(capsys)
    assert line.startswith("{")
    assert '"order_id": "o-1"' in line
