"""How much each mode measures: the full benchmark, and a smoke run that only proves it works."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    runs: int  # of each variant, interleaved A B A B
    seconds: int  # per wrk run
    warmup_seconds: int
    connections: tuple[int, ...]  # gateway overhead
    composition_connections: tuple[int, ...]
    write_connections: tuple[int, ...]
    customers: int
    orders_small: int
    orders_big: int
    page_limit: int  # the page of orders in the overhead part
    composed_limit: int  # the page the composition part asks for
    counted_pages: int  # pages fetched to count upstream calls
    startup_runs: int
    startup_without_bytecode: bool  # also time a start that compiles every module
    composition_requests: tuple[str, ...]
    write_backends: tuple[str, ...]  # postgresql only when a server is configured


FULL = Profile(
    name="full",
    runs=3,
    seconds=5,
    warmup_seconds=2,
    connections=(1, 4, 32),
    composition_connections=(1, 32),
    write_connections=(1, 4, 32),
    customers=1_000,
    orders_small=1_000,
    orders_big=100_000,
    page_limit=20,
    composed_limit=50,
    counted_pages=20,
    startup_runs=3,
    startup_without_bytecode=True,
    composition_requests=("page", "filtered_page", "get_by_id"),
    write_backends=("sqlite", "postgresql"),
)

SMOKE = Profile(
    name="smoke",
    runs=1,
    seconds=1,
    warmup_seconds=0,
    connections=(4,),
    composition_connections=(4,),
    write_connections=(4,),
    customers=100,
    orders_small=100,
    orders_big=1_000,
    page_limit=20,
    composed_limit=50,
    counted_pages=2,
    startup_runs=1,
    startup_without_bytecode=False,
    composition_requests=("page",),
    write_backends=("sqlite",),
)
