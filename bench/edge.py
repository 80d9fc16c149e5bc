"""Newsroom at the edge: a Varnish hit against nginx serving the same bytes, and publish-to-visible.

    .venv/bin/python bench/edge.py
    .venv/bin/python bench/edge.py --seconds 10 --connections 32 --threads 2 --rounds 3 \\
                                   --publishes 100 --json edge.json
    .venv/bin/python bench/edge.py --pin    # wrk on CPU 0, Varnish and nginx (1 worker) on CPU 1

Makes a SQLite database of --articles generated articles (manage.py generate_articles) in a
temporary folder, and serves it as production does: gunicorn (--workers sync workers, DEBUG off,
PAGE_CACHE_SECONDS=600, the page cache in Redis at redis://127.0.0.1:6379/12 under a prefix of
its own when one answers, else each process's memory) behind varnishd running
deploy/varnish/newsroom.vcl (rendered for gunicorn's port, started as `make edge` starts it).

1. Hit against static: an article page is asked through Varnish until it is a hit, with
   `Accept-Encoding: gzip` as browsers send; the bytes Varnish delivers (its gzip body) go into a
   file that nginx serves with sendfile (and tcp_nopush, as Debian's nginx.conf has it), with
   the same headers (Content-Type, Content-Encoding: gzip and the app's others; nginx adds its
   own Date, Server, Last-Modified), access_log off, no limit of requests a connection, and
   worker_processes auto (one per core: Varnish's threads use every core too). wrk drives each
   in turn (--threads, --connections, --seconds, `Accept-Encoding: gzip`) for --rounds rounds,
   alternating which goes first. Reports requests/s (median of the rounds), p50 and p99 (median
   of the rounds), the bytes of a response, the share of Varnish's lookups that were hits
   (varnishstat MAIN.cache_hit and MAIN.cache_miss), and Varnish ÷ nginx. Goal: at least 0.8.
2. Publish-to-visible: --publishes times, with the home page and a section's page kept in
   Varnish (asked until a hit), a draft in that section is published by this process through the
   workflow (publish_through_review, as a command does), which purges the page cache and, from a
   thread after the commit, Varnish (VARNISH_PURGE_URLS); the home page is then asked through
   Varnish every --poll ms until it shows the new title, at most 5 s (a failure). Reports p50,
   p99 and max, and how many took over 1 s. Goal: p99 under 1 s.

This process, gunicorn, Varnish, nginx and wrk share the machine's cores. Needs wrk, nginx and
varnishd with the xkey vmod (apt-get install wrk nginx-light varnish varnish-modules). Every
process, the folder and this run's Redis keys are removed at the end, on Ctrl-C and errors too.
"""

import argparse
import getpass
import gzip
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402 - the benchmark's helpers, beside this file

sys.path.insert(0, str(run.ROOT))
from articles.tests.edge import Varnish, binary, free_port, missing, render_vcl  # noqa: E402

REDIS = "redis://127.0.0.1:6379/12"
GZIP = {"Accept-Encoding": "gzip"}
# Headers nginx writes itself, and those Varnish adds to what the app sent.
NOT_COPIED = {"date", "server", "content-length", "content-type", "connection", "keep-alive"}
NOT_COPIED |= {"accept-ranges", "last-modified", "transfer-encoding", "x-varnish", "age", "via", "x-cache"}
TIMEOUT = 5  # seconds for a publication to show, after which it counts as failed


def pinned(command: list[str], cpus: str | None) -> list[str]:
    """The command run on those CPUs alone (--pin), else as it is."""
    return ["taskset", "-c", cpus, *command] if cpus else command


class Edge(Varnish):
    """varnishd as `make edge` runs it (default thread pools, 256 MB), not the tests' small one."""

    cpus = None  # --pin: the server's CPU

    def command(self) -> list[str]:
        return pinned(
            [
                binary("varnishd"),
                *("-F", "-j", "none", "-n", str(self.workdir)),
                *("-a", f"127.0.0.1:{self.port}", "-f", str(self.vcl), "-s", "malloc,256m"),
            ],
            self.cpus,
        )


def main():
    options = _options()
    lacking = missing() or next((f"no {name}" for name in ("wrk", "nginx") if not _program(name)), None)
    if lacking:
        sys.exit(f"edge: {lacking} (sudo apt-get install wrk nginx-light varnish varnish-modules)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up as on Ctrl-C
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="newsroom-edge-") as folder, ExitStack() as stack:
        scratch = Path(folder)
        Edge.cpus = "1" if options.pin else None
        edge = Edge(vcl=scratch / "newsroom.vcl", workdir=scratch / "varnish")
        env = _environment(scratch, edge)
        if env["REDIS_URL"]:
            stack.callback(_forget, env)
        print(f"edge: {options.articles} articles…", file=sys.stderr)
        run._manage(env, "migrate", "--no-input", "-v0")
        run._manage(env, "generate_articles", "--count", str(options.articles))
        _setup_django(env)
        _serve(stack, env, edge, scratch, options)
        print("edge: a Varnish hit against nginx…", file=sys.stderr)
        static = _hit_against_static(stack, edge, scratch, options)
        print(f"edge: {options.publishes} publications…", file=sys.stderr)
        visible = _publish_to_visible(edge, options)
    results = {
        "options": vars(options),
        "cache": "Redis" if env["REDIS_URL"] else "local memory (no Redis answered)",
        "cores": os.cpu_count(),
        "static": static,
        "visible": visible,
        "seconds": round(time.monotonic() - started),
    }
    print(_table(results))
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=1))


def _options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200, help="How many articles to generate.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's sync workers.")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads.")
    parser.add_argument("--connections", type=int, default=32, help="wrk's connections.")
    parser.add_argument("--seconds", type=int, default=10, help="How long wrk drives each server a round.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--nginx-workers", default="auto", help="nginx's worker_processes.")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="wrk on CPU 0, Varnish and nginx on CPU 1 (one nginx worker): the servers do not share a core"
        " with the load",
    )
    parser.add_argument("--publishes", type=int, default=100)
    parser.add_argument("--poll", type=float, default=5, help="Milliseconds between looks at the home page.")
    parser.add_argument("--json", help="Also write the figures to this file.")
    return parser.parse_args()


def _program(name: str) -> str | None:
    return shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/sbin")


def _environment(scratch: Path, edge: Varnish) -> dict:
    redis = REDIS if _answers(REDIS) else ""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": f"sqlite:///{scratch / 'edge.sqlite3'}",
        "DEBUG": "",
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "PAGE_CACHE_SECONDS": "600",
        "REDIS_URL": redis,
        "CACHE_KEY_PREFIX": "bench-edge-" + uuid.uuid4().hex,
        "VARNISH_PURGE_URLS": edge.url + "/",
    }


def _answers(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


def _forget(env) -> None:
    """Delete what this run kept in Redis (the purge times never expire)."""
    import redis

    client = redis.Redis.from_url(env["REDIS_URL"])
    for name in client.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}:*", count=1000):
        client.delete(name)


def _setup_django(env) -> None:
    """Publish from this process, with the app servers' settings."""
    os.environ.update(env)
    import django

    django.setup()


def _serve(stack, env, edge: Edge, scratch: Path, options) -> None:
    """gunicorn on a free port, and Varnish in front of it."""
    port = free_port()
    log = stack.enter_context((scratch / "gunicorn.log").open("w"))
    gunicorn = str(Path(run.PYTHON).parent / "gunicorn")
    app = subprocess.Popen(
        [gunicorn, "newsroom.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(options.workers)],
        env=env,
        cwd=run.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    stack.callback(_stop, app)
    run._wait(f"http://127.0.0.1:{port}")
    edge.vcl.write_text(render_vcl(backend_port=port))
    stack.callback(edge.stop)
    edge.start()


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _get(port: int, path: str) -> tuple:
    """(status line, headers, body as sent) of a GET that takes gzip, on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=GZIP)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return f"HTTP/1.1 {response.status} {response.reason}", response.getheaders(), body


def _until_hit(port: int, path: str) -> tuple:
    """Ask through Varnish until the answer is a hit: that answer."""
    for _ in range(100):
        status, headers, body = _get(port, path)
        if dict(headers).get("X-Cache") == "hit":
            return status, headers, body
        time.sleep(0.01)
    raise RuntimeError(f"{path} never became a hit in Varnish: {status}")


def _size(status: str, headers, body: bytes) -> int:
    """Bytes of the response on the wire: status line, headers, blank line and body."""
    lines = [status, *(f"{name}: {value}" for name, value in headers)]
    return sum(len(line.encode("latin-1")) + 2 for line in lines) + 2 + len(body)


def _hit_against_static(stack, edge: Edge, scratch: Path, options) -> dict:
    path = _article_path()
    hit = _until_hit(edge.port, path)
    nginx = _nginx(
        stack, scratch, hit, 1 if options.pin else options.nginx_workers, "1" if options.pin else None
    )
    static = _get(nginx, path)
    if static[2] != hit[2]:
        raise RuntimeError(f"nginx sent {len(static[2])} bytes of body, Varnish {len(hit[2])}")
    urls = {"varnish": f"{edge.url}{path}", "nginx": f"http://127.0.0.1:{nginx}{path}"}
    for url in urls.values():
        _wrk(url, options, seconds=2)  # not counted: connections, threads, caches
    before = _counters(edge)
    rounds = {name: [] for name in urls}
    for number in range(options.rounds):
        for name in sorted(urls, reverse=number % 2 == 1):
            rounds[name].append(_wrk(urls[name], options, seconds=options.seconds))
    hits, misses = (after - then for after, then in zip(_counters(edge), before, strict=True))
    found = {"path": path, "body_bytes": len(hit[2]), "hit_share": hits / ((hits + misses) or 1)}
    found |= {"hits": hits, "misses": misses}
    for name, response in (("varnish", hit), ("nginx", static)):
        found[name] = {"response_bytes": _size(*response), "rounds": rounds[name]}
        for figure in ("rate", "p50", "p99"):
            found[name][figure] = statistics.median(r[figure] for r in rounds[name])
    found["ratio"] = found["varnish"]["rate"] / found["nginx"]["rate"]
    return found


def _article_path() -> str:
    """An article from the middle of the home page."""
    from articles.models import Article

    return Article.objects.published().order_by("-published_at")[10].get_absolute_url()


def _nginx(stack, scratch: Path, response: tuple, workers, cpus: str | None) -> int:
    """nginx serving `response`'s body, with its headers, at any address: its port."""
    folder = scratch / "nginx"
    folder.mkdir()
    _status, headers, body = response
    (folder / "page").write_bytes(body)
    port = free_port()
    added = "".join(
        f'        add_header {name} "{_quoted(value)}";\n'
        for name, value in headers
        if name.lower() not in NOT_COPIED
    )
    content_type = _quoted(dict(headers)["Content-Type"])
    (folder / "nginx.conf").write_text(
        f"""user {getpass.getuser()};
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    etag off;
    # Varnish keeps a connection open for any number of requests; nginx closes it after 1000.
    keepalive_requests 1000000;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    types {{ }}
    default_type "{content_type}";
    server {{
        listen 127.0.0.1:{port};
        root {folder};
        location / {{
            try_files /page =404;
{added}        }}
    }}
}}
"""
    )
    process = subprocess.Popen(
        pinned(
            [_program("nginx"), "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            cpus,
        ),
        stdout=subprocess.DEVNULL,
        stderr=(folder / "stderr.log").open("w"),
    )
    stack.callback(_stop, process)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return port
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(folder / 'stderr.log').read_text()}") from None
            time.sleep(0.05)
    raise RuntimeError("nginx did not start")


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _counters(edge: Edge) -> tuple[int, int]:
    """Varnish's MAIN.cache_hit and MAIN.cache_miss."""
    fields = ("-f", "MAIN.cache_hit", "-f", "MAIN.cache_miss")
    output = subprocess.run(
        [binary("varnishstat"), "-n", str(edge.workdir), "-1", *fields],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = dict(re.findall(r"^MAIN\.(cache_hit|cache_miss)\s+(\d+)", output, re.MULTILINE))
    return int(found["cache_hit"]), int(found["cache_miss"])


def _wrk(url: str, options, *, seconds: int) -> dict:
    output = subprocess.run(
        pinned(
            [
                _program("wrk"),
                *(f"-t{options.threads}", f"-c{options.connections}", f"-d{seconds}s"),
                *("--timeout", "10s", "--latency", "-H", "Accept-Encoding: gzip", url),
            ],
            "0" if options.pin else None,
        ),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    done = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB|TB) read", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: (.*)", output)
    requests = int(done.group(1))
    read = float(done.group(2)) * 1024 ** ["B", "KB", "MB", "GB", "TB"].index(done.group(3))
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": run._milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1)),
        "p99": run._milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1)),
        "requests": requests,
        "bytes_per_response": round(read / max(requests, 1)),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": sockets.group(1) if sockets else "",
    }


def _publish_to_visible(edge: Edge, options) -> dict:
    from django.contrib.auth.models import User

    from articles.models import Author, Category
    from newsroom.edge import purger

    user, _ = User.objects.get_or_create(
        username="bench-edge", defaults={"is_staff": True, "is_superuser": True}
    )
    author, section = Author.objects.first(), Category.objects.first()
    run_id = uuid.uuid4().hex[:6]
    took, calls = [], []
    for number in range(1, options.publishes + 1):
        _until_hit(edge.port, "/")
        _until_hit(edge.port, section.get_absolute_url())
        title, call = _publish(f"{run_id}-{number}", user=user, author=author, section=section)
        published = time.monotonic()
        took.append(_visible(edge.port, title, published, options.poll / 1000))
        calls.append(call)
    purger.settle(5)
    return {
        "publishes": len(took),
        "p50": _finite(_percentile(took, 50)),
        "p99": _finite(_percentile(took, 99)),
        "max": _finite(max(took)),
        "over_1s": sum(1 for seconds in took if seconds > 1),
        "failed": sum(1 for seconds in took if seconds == math.inf),
        "publish_call_p50": _percentile(calls, 50),
        "seconds": [_finite(seconds) for seconds in took],
    }


def _publish(name: str, *, user, author, section) -> tuple[str, float]:
    """A draft with a byline in `section`, published now through the workflow: (its title, how
    long the call took)."""
    from django.utils import timezone

    from articles.desk import workflow
    from articles.models import Article, Byline

    title = f"速報 {name} 防波堤の工事が始まる"
    article = Article.objects.create(title=title, slug=f"edge-{name}", body=f"{title}。", created_by=user)
    Byline.objects.create(article=article, author=author, position=0)
    article.categories.set([section])
    started = time.monotonic()
    workflow.publish_through_review(article, by=user, publish_at=timezone.now(), via="command")
    return title, time.monotonic() - started


def _visible(port: int, title: str, since: float, poll: float) -> float:
    """Seconds from `since` until the home page through Varnish shows `title`; inf after TIMEOUT."""
    wanted = title.encode()
    while True:
        _status, headers, body = _get(port, "/")
        if dict(headers).get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if wanted in body:
            return time.monotonic() - since
        if time.monotonic() - since > TIMEOUT:
            return math.inf
        time.sleep(poll)


def _percentile(values, percent: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def _finite(seconds: float) -> float | None:
    """None for a publication that never showed (JSON has no infinity)."""
    return None if seconds == math.inf else seconds


def _table(results: dict) -> str:
    options, static, visible = results["options"], results["static"], results["visible"]
    lines = [
        f"{options['articles']} articles on SQLite; gunicorn, {options['workers']} sync workers; page cache"
        f" in {results['cache']}; {results['cores']} cores shared by everything; {results['seconds']} s.",
        "",
        f"1. An article page ({static['body_bytes']:,} bytes gzipped): wrk -t{options['threads']}"
        f" -c{options['connections']} -d{options['seconds']}s, {options['rounds']} rounds, medians.",
        "",
        "| server | req/s | each round | p50 ms | p99 ms | bytes a response | non-2xx | socket errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ("varnish", "nginx"):
        found = static[name]
        last = found["rounds"][-1]
        each = " · ".join(f"{r['rate']:,.0f}" for r in found["rounds"])
        lines.append(
            f"| {name} | {found['rate']:,.0f} | {each} | {found['p50']:.2f} | {found['p99']:.2f}"
            f" | {found['response_bytes']:,} (wrk: {last['bytes_per_response']:,})"
            f" | {sum(r['errors'] for r in found['rounds'])} | {last['socket_errors'] or 'none'} |"
        )
    lines += [
        "",
        f"Varnish ÷ nginx: {static['ratio']:.2f} (goal ≥ 0.8); Varnish hits: {static['hit_share']:.2%}"
        f" ({static['hits']:,} hits, {static['misses']:,} misses); nginx worker_processes"
        f" {options['nginx_workers']}.",
        "",
        f"2. Publish-to-visible on the home page through Varnish, {visible['publishes']} publications"
        f" (poll every {options['poll']:g} ms, {TIMEOUT} s timeout):",
        "",
        "| p50 ms | p99 ms | max ms | over 1 s | failed | publish call p50 ms |",
        "|---|---|---|---|---|---|",
        f"| {_ms(visible['p50'])} | {_ms(visible['p99'])} | {_ms(visible['max'])} | {visible['over_1s']}"
        f" | {visible['failed']} | {_ms(visible['publish_call_p50'])} |",
    ]
    return "\n".join(lines) + "\n"


def _ms(seconds: float | None) -> str:
    return "timeout" if seconds is None else f"{seconds * 1000:.0f}"


if __name__ == "__main__":
    main()
