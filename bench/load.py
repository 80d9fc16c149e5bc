"""Load: 50 connections for 30 seconds at each public page, on gunicorn with production settings.

    .venv/bin/python bench/load.py [--articles 1000] [--connections 50] [--seconds 30]
                                   [--database sqlite|postgres] [--redis]

Builds a fresh database of generated articles, starts gunicorn as production
runs it (DEBUG off, the page cache on, 2 sync workers), and drives the home,
article, author, tag and feed pages with wrk. Prints requests/s, p50, p99,
socket errors and non-2xx/3xx responses per page, and exits 1 when any
request failed. Needs wrk (apt-get install wrk).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402 - the benchmark's helpers, beside this file

PAGES = ("home", "article", "author", "tag", "feed")


def main():
    options = _options()
    if shutil.which("wrk") is None:
        sys.exit("load: wrk is missing (sudo apt-get install wrk)")
    with tempfile.TemporaryDirectory() as scratch:
        env = run._environment(options, Path(scratch))
        env.pop("PAGE_CACHE_SECONDS")  # run.py turns the page cache off; production keeps it on
        try:
            run._manage(env, "migrate", "--no-input", "-v0")
            run._manage(env, "generate_articles", "--count", str(options.articles))
            paths = [
                line
                for line in run._manage(env, "shell", "-c", run.PAGES_SQL).split()
                if line.startswith("/")
            ]
            pages = dict(zip(PAGES, ["/", paths[0], paths[1], paths[2], "/feed/"], strict=True))
            results = _drive(env, pages, options)
        finally:
            run._drop(env, options)
    table = _table(results, options)
    print(table)
    if any(result["errors"] or result["socket_errors"] for result in results.values()):
        sys.exit("load: some requests failed")


def _options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--redis", action="store_true")
    return parser.parse_args()


def _drive(env, pages, options) -> dict:
    port = 8822
    server = subprocess.Popen(  # noqa: S603 - this project's gunicorn
        [
            str(Path(run.PYTHON).parent / "gunicorn"),
            "newsroom.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env=env,
        cwd=run.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(Path(tempfile.gettempdir()) / "newsroom-load-gunicorn.log").open("w"),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        run._wait(base)
        results = {}
        for name, path in pages.items():
            run._get(base + path)
            output = subprocess.run(  # noqa: S603 - wrk from the system's packages
                [
                    shutil.which("wrk"),
                    "-t2",
                    f"-c{options.connections}",
                    f"-d{options.seconds}s",
                    "--timeout",
                    "10s",
                    "--latency",
                    base + path,
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[name] = _read(output)
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def _read(output: str) -> dict:
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": run._milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1)),
        "p99": run._milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
    }


def _table(results, options) -> str:
    lines = [
        f"### Load: {options.connections} connections for {options.seconds} s a page, "
        f"{options.articles:,} articles on {options.database}{' with Redis' if options.redis else ''}",
        "",
        f"{os.cpu_count()} cores; gunicorn with 2 sync workers, production settings (page cache on).",
        "",
        "| page | requests | req/s | p50 ms | p99 ms | non-2xx/3xx | socket errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        lines.append(
            f"| {name} | {result['requests']:,} | {result['rate']:.0f} | {result['p50']:.1f} | {result['p99']:.1f} "
            f"| {result['errors']} | {result['socket_errors']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
