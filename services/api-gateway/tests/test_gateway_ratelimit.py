"""The limiter's parts on their own: the bucket's arithmetic on an injected clock, the rate
settings, the client address behind proxies, the store that stands in for Redis."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from api_gateway.ratelimit import (
    FallbackStore,
    Limiter,
    MemoryStore,
    Rate,
    address_key,
    client_address,
    headers,
    parse_networks,
)
from api_gateway.ratelimit.gcra import Decision
from api_gateway.ratelimit.login import username_key
from api_gateway.settings import GatewaySettings
from pydantic import ValidationError
from redis.exceptions import ConnectionError as RedisConnectionError

WRITES = Rate.parse("10/s burst 20")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def burst(store: MemoryStore, count: int, rate: Rate = WRITES) -> list[Decision]:
    return [await store.take("caller", rate) for _ in range(count)]


# The arithmetic


async def test_a_burst_is_allowed_at_once_and_the_next_request_waits_one_interval(
    clock: Clock,
) -> None:
    store = MemoryStore(clock=clock)

    decisions = await burst(store, 21)

    assert all(d.allowed for d in decisions[:20])
    assert [d.remaining for d in decisions[:3]] == [19, 18, 17]
    assert decisions[19].remaining == 0
    refused = decisions[20]
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(0.1)
    assert refused.reset_after == pytest.approx(2.0)


async def test_the_bucket_refills_at_the_sustained_rate(clock: Clock) -> None:
    store = MemoryStore(clock=clock)
    await burst(store, 20)

    clock.now += 0.35  # three and a half intervals
    refilled = await burst(store, 4)

    assert [d.allowed for d in refilled] == [True, True, True, False]
    assert refilled[3].retry_after == pytest.approx(0.05)


async def test_a_quiet_caller_gets_the_whole_burst_back_and_no_more(clock: Clock) -> None:
    store = MemoryStore(clock=clock)
    await burst(store, 20)

    clock.now += 60
    again = await burst(store, 21)

    assert sum(d.allowed for d in again) == 20


async def test_a_refused_request_spends_nothing(clock: Clock) -> None:
    store = MemoryStore(clock=clock)
    await burst(store, 20)
    await burst(store, 50)  # all refused

    clock.now += 0.1

    assert (await store.take("caller", WRITES)).allowed


async def test_callers_have_buckets_of_their_own(clock: Clock) -> None:
    store = MemoryStore(clock=clock)
    await burst(store, 25)

    other = await store.take("someone else", WRITES)

    assert other.allowed
    assert other.remaining == 19


async def test_a_request_given_back_can_be_spent_again(clock: Clock) -> None:
    rate = Rate.parse("10/min")
    store = MemoryStore(clock=clock)
    await burst(store, 10, rate)

    await store.give_back("caller", rate)

    assert (await store.take("caller", rate)).allowed
    assert not (await store.take("caller", rate)).allowed


async def test_the_store_forgets_full_buckets_and_the_least_recently_used(clock: Clock) -> None:
    store = MemoryStore(max_keys=3, clock=clock)
    for name in "abc":
        await store.take(name, WRITES)
    clock.now += 10  # every bucket full again: nothing to remember
    for name in "defg":
        await store.take(name, WRITES)

    assert len(store) == 3


# The settings


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("50/s burst 100", Rate(50, 1.0, 100)),
        ("10/min", Rate(10, 60.0, 10)),
        ("100 / 10s", Rate(100, 10.0, 100)),
        ("5/hour burst 2", Rate(5, 3600.0, 2)),
        ("3/Minutes", Rate(3, 60.0, 3)),
    ],
)
def test_a_rate_is_read_from_its_setting(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate


@pytest.mark.parametrize(
    "text", ["", "fast", "10", "0/s", "10/ms", "10/s burst 0", "10/0s", "-1/s"]
)
def test_a_rate_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        Rate.parse(text)


def test_the_settings_default_to_the_documented_budgets() -> None:
    settings = GatewaySettings()

    assert str(settings.rate_limit_reads) == "50/s burst 100"
    assert str(settings.rate_limit_writes) == "10/s burst 20"
    assert str(settings.rate_limit_login_failures) == "10/min burst 10"
    assert settings.redis_url is None


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_RATE_LIMIT_WRITES", "2/s burst 3")
    monkeypatch.setenv("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")

    settings = GatewaySettings()

    assert settings.rate_limit_writes == Rate(2, 1.0, 3)
    assert settings.trusted_proxies == parse_networks(["10.0.0.0/8", "192.0.2.1/32"])


@pytest.mark.parametrize(
    ("name", "value"),
    [("GATEWAY_RATE_LIMIT_READS", "lots"), ("GATEWAY_TRUSTED_PROXIES", "the ingress")],
)
def test_a_bad_setting_stops_the_gateway(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError):
        GatewaySettings()


# What the client is told


def test_the_headers_follow_the_ratelimit_draft() -> None:
    limiter = Limiter(
        MemoryStore(), reads=WRITES, writes=WRITES, login_failures=Rate.parse("10/min")
    )

    allowed = headers(limiter.writes, Decision(True, 7, 0.0, 1.3))
    refused = headers(limiter.login, Decision(False, 0, 5.2, 60.0))

    assert allowed == {"RateLimit-Policy": '"writes";q=20;w=2', "RateLimit": '"writes";r=7;t=2'}
    assert refused == {
        "RateLimit-Policy": '"login";q=10;w=60',
        "RateLimit": '"login";r=0;t=6',
        "Retry-After": "6",
    }


# Who is calling


def scope(peer: str, *forwarded: str) -> dict[str, object]:
    return {
        "client": (peer, 50000),
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


PROXIES = parse_networks(["10.0.0.0/8"])


def test_x_forwarded_for_from_a_client_is_not_believed() -> None:
    assert str(client_address(scope("198.51.100.7", "203.0.113.9"), PROXIES)) == "198.51.100.7"
    assert str(client_address(scope("198.51.100.7", "203.0.113.9"))) == "198.51.100.7"


def test_behind_trusted_proxies_the_client_is_the_first_address_not_one_of_them() -> None:
    spoofed_then_real = scope("10.0.0.2", "1.2.3.4, 203.0.113.9", "10.0.0.1")

    assert str(client_address(spoofed_then_real, PROXIES)) == "203.0.113.9"


def test_a_mangled_chain_counts_against_the_proxy() -> None:
    assert str(client_address(scope("10.0.0.2", "203.0.113.9, junk"), PROXIES)) == "10.0.0.2"


def test_ipv6_clients_count_per_slash_64_and_mapped_ipv4_as_ipv4() -> None:
    first = address_key(ipaddress.ip_address("2001:db8:1:2::1"))
    second = address_key(ipaddress.ip_address("2001:db8:1:2:ffff::9"))

    assert first == second == "2001:db8:1:2::/64"
    assert str(client_address(scope("::ffff:192.0.2.5"))) == "192.0.2.5"


def test_the_username_counts_whatever_its_case_and_only_for_the_password_grant() -> None:
    ada = username_key(b"grant_type=password&username=Ada%40Example.com&password=x")

    assert ada == username_key(b"grant_type=password&username=ada@example.com+&password=y")
    assert ada is not None
    assert "ada" not in ada
    assert username_key(b"grant_type=refresh_token&username=ada@example.com") is None
    assert username_key(b"\xff\xfe") is None


# Redis failing


class BrokenStore:
    def __init__(self) -> None:
        self.calls = 0

    async def take(self, key: str, rate: Rate) -> Decision:
        self.calls += 1
        raise RedisConnectionError("connection refused")

    async def give_back(self, key: str, rate: Rate) -> None:
        self.calls += 1
        raise RedisConnectionError("connection refused")

    async def aclose(self) -> None:
        pass


async def test_a_failing_redis_hands_over_to_the_process_and_is_left_alone_a_moment(
    clock: Clock,
) -> None:
    broken = BrokenStore()
    store = FallbackStore(
        broken, MemoryStore(clock=clock), timeout=0.1, retry_after=1.0, clock=clock
    )

    decisions = [await store.take("caller", WRITES) for _ in range(21)]

    assert [d.allowed for d in decisions] == [True] * 20 + [False]
    assert broken.calls == 1
    assert store.degraded
    clock.now += 1.5
    await store.take("caller", WRITES)
    assert broken.calls == 2


class HungStore(BrokenStore):
    async def take(self, key: str, rate: Rate) -> Decision:
        self.calls += 1
        await asyncio.Event().wait()
        raise AssertionError("never answers")


async def test_a_hung_redis_is_given_up_on_after_the_timeout(clock: Clock) -> None:
    hung = HungStore()
    store = FallbackStore(hung, MemoryStore(clock=clock), timeout=0.01, clock=clock)

    decision = await store.take("caller", WRITES)

    assert decision.allowed
    assert decision.remaining == 19
    assert hung.calls == 1
    assert store.degraded
