"""Results as Markdown: the tables of docs/benchmarks.md, and the targets they are held to."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"


def _range(s: dict[str, Any], digits: int = 0) -> str:
    fmt = f"{{:.{digits}f}}"
    if s["runs"] == 1:
        return fmt.format(s["median"])
    return f"{fmt.format(s['median'])} ({fmt.format(s['min'])}-{fmt.format(s['max'])})"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def machine(results: dict[str, Any]) -> list[str]:
    m = results["machine"]
    return [
        f"Measured {m['date']} on {m['nproc']} x {m['cpu']}, {m['memory_gb']} GB, "
        f"{m['kernel']}; Python {m['python']}, {m['wrk']}, {m['nginx']}; "
        f"commit `{m['commit']}`; profile `{results['profile']}` "
        f"({results['runs']} interleaved runs of {results['seconds']} s each, medians and ranges); "
        f"load average {m['loadavg']} before, {m.get('loadavg_after', '?')} after"
        + (f"; harness at nice {results['nice']}" if results.get("nice") else "")
        + "."
    ]


def overhead(part: dict[str, Any]) -> list[str]:
    rows: list[list[str]] = []
    for endpoint, by_conns in part.items():
        for conns, result in by_conns.items():
            for variant, v in result["variants"].items():
                cpu = v["cpu_ms_per_request"]
                used = [
                    f"{name} {ms:.2f}" for name, ms in cpu.items() if ms >= 0.005 and name != "wrk"
                ]
                rows.append(
                    [
                        endpoint,
                        conns,
                        variant,
                        _range(v["rps"]),
                        _range(v["p50_ms"], 2),
                        _range(v["p99_ms"], 2),
                        ", ".join(used) or "-",
                        f"{v['other_cpu_cores']['max']:.2f}",
                        str(v["errors"]),
                    ]
                )
    lines = _table(
        [
            "request",
            "conns",
            "via",
            "req/s",
            "p50 ms",
            "p99 ms",
            "CPU ms/request",
            "other load",
            "errors",
        ],
        rows,
    )
    lines += [
        "",
        "CPU per request is user + system time from /proc, per process (nginx: master and "
        "worker). *Other load*: the most CPU, in cores, that anything outside the test "
        "(neither these processes nor wrk) used during a run; above ~0.1 the run shared the "
        "machine.",
    ]
    ratio_rows = []
    for endpoint, by_conns in part.items():
        for conns, result in by_conns.items():
            for via, added in result["p50_added_ms"].items():
                ratio_rows.append(
                    [
                        endpoint,
                        conns,
                        via,
                        str(result["ratios"].get(f"{via}/nginx", "-")),
                        str(result["ratios"][f"{via}/direct"]),
                        f"{added:+.2f}",
                    ]
                )
    lines += ["", "Ratios of median throughput, and median p50 added over going direct:", ""]
    lines += _table(["request", "conns", "via", "x nginx", "x direct", "p50 added ms"], ratio_rows)
    return lines


def composition(part: dict[str, Any]) -> list[str]:
    small, big = part["orders"]["small"], part["orders"]["big"]
    rows = []
    for request, by_conns in part["throughput"].items():
        for conns, entry in by_conns.items():
            rows.append(
                [
                    request,
                    conns,
                    _range(entry["small"]["rps"]),
                    _range(entry["big"]["rps"]),
                    str(entry["big/small"]["rps"]),
                    _range(entry["small"]["p50_ms"], 2),
                    _range(entry["big"]["p50_ms"], 2),
                    str(entry["big/small"]["p50"]),
                ]
            )
    lines = _table(
        [
            "request (gateway)",
            "conns",
            f"req/s at {small:,}",
            f"req/s at {big:,}",
            "ratio",
            f"p50 ms at {small:,}",
            f"p50 ms at {big:,}",
            "p50 ratio",
        ],
        rows,
    )
    lines += ["", "Upstream calls per page of `/api/orders` (from the services' own counters):", ""]
    call_rows = []
    for size, counted in part["upstream_calls"].items():
        calls = "; ".join(
            f"{service}: " + ", ".join(f"`{route}` {n:g}" for route, n in by_route.items())
            for service, by_route in counted["calls_per_page"].items()
        )
        call_rows.append(
            [
                f"{part['orders'][size]:,}",
                str(counted["pages"]),
                f"{counted['orders_with_customer']}/{counted['orders']}",
                calls,
                f"{counted['total_calls_per_page']:g}",
            ]
        )
    lines += _table(
        ["orders", "pages followed", "orders with customer", "calls per page", "total"], call_rows
    )
    return lines


def writes(part: dict[str, Any]) -> list[str]:
    rows = []
    for conns, by_backend in part.items():
        if conns == "backends":
            continue
        for backend, r in by_backend.items():
            rows.append(
                [
                    backend,
                    conns,
                    _range(r["rps"]),
                    _range(r["p50_ms"], 2),
                    _range(r["p99_ms"], 2),
                    str(r["errors"])
                    + "".join(f" ({n}x {st})" for st, n in r.get("failed_statuses", {}).items()),
                    str(sum(s["orders_created"] for s in r["samples"])),
                    "yes" if r["ok"] else "**no**",
                ]
            )
    return _table(
        [
            "backend",
            "writers",
            "orders/s",
            "p50 ms",
            "p99 ms",
            "errors",
            "created",
            "no error, none lost",
        ],
        rows,
    )


def stack(part: dict[str, Any]) -> list[str]:
    ready = part["startup"]["seconds_to_ready"]
    idle, loaded = part["rss_idle_mb"], part["rss_after_load_mb"]
    names = [*part["startup"]["processes"], "all"]
    rows = [
        [
            f"**{name}**" if name == "all" else name,
            _range(ready["as_installed"][name], 2),
            _range(ready["no_bytecode"][name], 2) if "no_bytecode" in ready else "-",
            f"{idle.get(name, idle['total'] if name == 'all' else 0):.0f}",
            f"{loaded.get(name, loaded['total'] if name == 'all' else 0):.0f}",
        ]
        for name in names
    ]
    lines = _table(
        [
            "process",
            "start to ready s (as installed)",
            "start to ready s (no .pyc)",
            "RSS idle MB",
            "RSS after load MB",
        ],
        rows,
    )
    share = part["startup"]["precompiled_share"]
    lines += [
        "",
        f"{share:.0%} of the installed modules had compiled bytecode beside them "
        "(`uv sync --compile-bytecode` makes it 100 %).",
    ]
    if "frontend" not in part["startup"]["processes"]:
        lines += ["The frontend was not built (`frontend/dist`), so it is not counted here."]
    return lines


def lab(part: dict[str, Any]) -> list[str]:
    rows: list[list[str]] = []
    for request, by_conns in part["requests"].items():
        for conns, result in by_conns.items():
            for variant, v in result["variants"].items():
                cpu = v["cpu_ms_per_request"]
                rows.append(
                    [
                        request,
                        conns,
                        variant,
                        _range(v["rps"]),
                        _range(v["p50_ms"], 2),
                        _range(v["p99_ms"], 2),
                        ", ".join(f"{n} {cpu[n]:.2f}" for n in ("gateway", "order", "customer")),
                        f"{cpu['total']:.2f}",
                        str(v["errors"]),
                    ]
                )
            for name in ("lab_on", "lab_sampled"):
                rows.append(
                    [
                        "",
                        "",
                        f"{name} / lab_off",
                        f"{result['ratios'][f'{name} rps/off']:.2f} x",
                        "",
                        "",
                        "",
                        f"{result['ratios'][f'{name} cpu/off']:.2f} x "
                        f"({result['cpu_added_ms'][name]:+.2f} ms)",
                        "",
                    ]
                )
    lines = _table(
        [
            "request",
            "conns",
            "Lab",
            "req/s",
            "p50 ms",
            "p99 ms",
            "CPU ms/request by process",
            "CPU ms/request, all",
            "errors",
        ],
        rows,
    )
    rss = part["rss_mb"]
    names = [n for n in rss["lab_off"] if n != "total"]
    lines += [
        "",
        *_table(
            ["RSS after load, MB", *names, "total"],
            [
                [
                    variant,
                    *(f"{rss[variant][n]:.0f}" for n in names),
                    f"{rss[variant]['total']:.0f}",
                ]
                for variant in rss
            ],
        ),
    ]
    held = ", ".join(f"{name} {count}" for name, count in part["traces_held"].items())
    lines += ["", f"Traces the Lab held after the load (of 300 at most): {held}."]
    return lines


def auth(part: dict[str, Any]) -> list[str]:
    v = part["verifier_us"]
    lines = _table(
        ["TokenVerifier.verify (in-process)", "µs per call", "x cached"],
        [
            ["a token verified before (cache)", _range(v["cached"], 2), "1"],
            ["a new token (ES256 signature, claims)", _range(v["new"], 1), str(v["new/cached"])],
        ],
    )
    rows = []
    for conns, entry in part["gateway"].items():
        for variant in ("one token", "new token each request"):
            r = entry[variant]
            rows.append(
                [conns, variant, _range(r["rps"]), _range(r["p50_ms"], 2), str(r["errors"])]
            )
        rows.append(
            [
                conns,
                "*ratio*",
                str(entry["ratios"]["rps new/one"]),
                f"{entry['ratios']['p50 added ms']:+.2f}",
                "",
            ]
        )
    lines += ["", "`GET /api/customers/{id}` through the gateway, in turns:", ""]
    lines += _table(["conns", "token", "req/s", "p50 ms", "errors"], rows)
    return lines


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """``(target, measured, met)`` for each target this run has figures for."""
    found: list[tuple[str, str, bool | None]] = []
    over = results.get("overhead", {}).get("get_customer", {})
    if "32" in over:
        r = over["32"]["ratios"]["gateway/nginx"]
        found.append(
            ("gateway ≥ 0.9 x nginx at 32 connections", f"{r}", r is not None and r >= 0.9)
        )
    if "1" in over:
        r = over["1"]["ratios"]["gateway/nginx"]
        found.append(("gateway ≥ 0.8 x nginx at 1 connection", f"{r}", r is not None and r >= 0.8))
        added = over["1"]["p50_added_ms"]["gateway"]
        found.append(
            ("p50 added over direct ≤ 1 ms at 1 connection", f"{added:.2f} ms", added <= 1)
        )
    comp = results.get("composition")
    if comp:
        for request, by_conns in comp["throughput"].items():
            conns = "1" if "1" in by_conns else next(iter(by_conns))
            p50 = by_conns[conns]["big/small"]["p50"]
            found.append(
                (
                    f"{request} at {comp['orders']['big']:,} within 1.2 x of "
                    f"{comp['orders']['small']:,} (p50, {conns} conn)",
                    f"{p50}",
                    p50 is not None and p50 <= 1.2,
                )
            )
        calls = {s: c["total_calls_per_page"] for s, c in comp["upstream_calls"].items()}
        found.append(
            (
                "exactly 2 upstream calls per page",
                ", ".join(f"{v:g}" for v in calls.values()),
                all(v == 2 for v in calls.values()),
            )
        )
    st = results.get("stack")
    if st:
        total = st["rss_after_load_mb"]["total"]
        found.append(
            ("all four processes ≤ 400 MB RSS after load", f"{total:.0f} MB", total <= 400)
        )
        ready = st["startup"]["seconds_to_ready"]["as_installed"]["all"]["median"]
        found.append(("start to all ready ≤ 5 s (as installed)", f"{ready:.2f} s", ready <= 5))
    return found


def markdown(results: dict[str, Any]) -> str:
    lines = [*machine(results), ""]
    sections = [
        ("overhead", "Gateway overhead: direct, nginx, gateway", overhead),
        ("composition", "Composition at scale (through the gateway)", composition),
        ("writes", "Writes: POST /api/orders through the gateway", writes),
        ("auth", "Signed-in requests: verifying the access token", auth),
        ("stack", "The stack: start-up and memory", stack),
        ("lab", "The Lab: its cost, on against off", lab),
    ]
    for key, title, render in sections:
        if key in results:
            lines += [f"### {title}", "", *render(results[key]), ""]
    found = targets(results)
    if found:
        lines += ["### Targets", ""]
        lines += _table(
            ["target", "measured", "met"],
            [[t, m, "yes" if ok else "**no**"] for t, m, ok in found],
        )
        lines.append("")
    return "\n".join(lines)


def update_docs(path: Path, text: str) -> None:
    """Replace the generated block of ``path`` (between the bench markers) with ``text``."""
    doc = path.read_text()
    block = f"{BEGIN}\n{text.rstrip()}\n{END}"
    if BEGIN not in doc:
        raise SystemExit(f"{path} has no {BEGIN} … {END} block to fill")
    path.write_text(
        re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, doc, flags=re.S)
    )
