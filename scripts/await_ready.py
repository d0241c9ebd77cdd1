"""Wait until every component answers its readiness probe, then print where to find them.

Run by `make run` and `make dev` beside the components; standard library only.
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.request


def is_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--show", action="append", default=[], help="label=url to print")
    parser.add_argument("component", nargs="+", help="name=readiness-url")
    args = parser.parse_args()
    pending = dict(item.split("=", 1) for item in args.component)
    start = time.monotonic()
    while pending and time.monotonic() - start < args.timeout:
        for name, url in list(pending.items()):
            if is_ready(url):
                print(f"{name} ready after {time.monotonic() - start:.1f}s", flush=True)
                del pending[name]
        time.sleep(0.1)
    if pending:
        print(f"not ready after {args.timeout:.0f}s: {', '.join(pending)}", flush=True)
        return 0  # the components keep running and say why in their own logs
    print(f"all ready in {time.monotonic() - start:.1f}s", flush=True)
    width = max((len(item.split("=", 1)[0]) for item in args.show), default=0)
    for item in args.show:
        label, url = item.split("=", 1)
        print(f"  {label:<{width}}  {url}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
