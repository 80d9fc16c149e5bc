"""Lighthouse on the reader's site: the home page, an article and a section, as a phone gets them.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--min-performance 90] [--min-accessibility 95]
        [--min-best-practices 95] [--min-seo 95] [--output artifacts/lighthouse]

`make lighthouse` installs Lighthouse 12.2.3 (npm, into .lighthouse/) and runs this. It makes a
throwaway SQLite database and media folder, migrates, loads the demo newsroom (seed_demo), collects
the static files (hashed and compressed names, as production's build step does) and serves the site
as production does: gunicorn, DEBUG off, static files by WhiteNoise, the uploaded media beside it
(bench/media_wsgi.py, standing in for the web server in front). Then it runs Lighthouse with its
default configuration (a mid-range phone on a slow 4G network, simulated throttling) and Debian's
Chromium (CHROME_PATH, /usr/bin/chromium by default) --runs times on each page, the pages in turn.

Prints a table of the four category scores of each page, performance as the median of the runs
and the others as their lowest, then each audit the pages fail, and writes the same as JSON, with
every run's report (JSON and HTML), to --output. Exits 1 when a score is under its minimum.
Performance moves with the machine's load (the load averages are printed): compare runs of a quiet
machine. A run whose trace Lighthouse could not read is run again (see _run()). The results in
docs/performance.md come from here.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
LIGHTHOUSE_VERSION = "12.2.3"
NODE = (18, 16)  # Lighthouse 12's "engines"; Debian 12's nodejs is 18.20
LIGHTHOUSE = ROOT / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = {"performance": "performance", "accessibility": "accessibility"}
CATEGORIES |= {"best-practices": "best practices", "seo": "SEO"}
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time")
METRICS += ("cumulative-layout-shift", "speed-index")
ATTEMPTS = 3  # of each run (see _run())
# The headless Chromium of the browser tests (articles/tests/conftest.py); no sandbox, since CI
# runs as root, where Chromium refuses to start with one.
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"

# The newest public article and the first section of the menu.
PAGES_SQL = """
from articles.models import Article, Category
print(Article.objects.published().order_by("-published_at").first().get_absolute_url())
print(Category.objects.in_menu().first().get_absolute_url())
"""


def main():
    options = _options()
    _check_tools()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        env = _environment(Path(scratch))
        (Path(scratch) / "media").mkdir()  # served from the start, whether the demo has images or not
        for command in (["migrate", "--no-input", "-v0"], ["seed_demo"], ["collectstatic", "--no-input"]):
            _manage(env, *command)
        article, section = [
            urllib.parse.quote(line, safe="/%")
            for line in _manage(env, "shell", "-c", PAGES_SQL).split()
            if line.startswith("/")
        ]
        pages = {"home": "/", "article": article, "section": section}
        with _serve(env, options.port) as base:
            reports, again = _lighthouse(base, pages, options)
    summary = _summary(pages, reports, options, load=(load_before, os.getloadavg())) | {"run_again": again}
    (options.output / "scores.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    print(_table(summary))
    short = _under_minimum(summary, options)
    if short:
        sys.exit("lighthouse: under the minimum: " + "; ".join(short))


def _options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs on each page.")
    parser.add_argument("--min-performance", type=int, default=90, metavar="SCORE")
    parser.add_argument("--min-accessibility", type=int, default=95, metavar="SCORE")
    parser.add_argument("--min-best-practices", type=int, default=95, metavar="SCORE")
    parser.add_argument("--min-seo", type=int, default=95, metavar="SCORE")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "artifacts" / "lighthouse", help="Where the reports go."
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one).")
    options = parser.parse_args()
    options.output.mkdir(parents=True, exist_ok=True)
    return options


def _check_tools():
    node = shutil.which("node")
    if node is None:
        sys.exit("lighthouse: Node.js is missing: sudo apt-get install nodejs npm")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    if tuple(int(part) for part in version.strip().lstrip("v").split(".")[:2]) < NODE:
        sys.exit(f"lighthouse: Lighthouse {LIGHTHOUSE_VERSION} needs Node.js 18.16 or newer, not {version}")
    if not LIGHTHOUSE.exists():
        sys.exit(f"lighthouse: {LIGHTHOUSE} is missing: make lighthouse installs it (npm)")
    version = subprocess.run([LIGHTHOUSE, "--version"], capture_output=True, text=True, check=True)
    if version.stdout.strip() != LIGHTHOUSE_VERSION:
        sys.exit(f"lighthouse: {LIGHTHOUSE} is {version.stdout.strip()}, not {LIGHTHOUSE_VERSION}")
    if not Path(_chromium()).exists():
        sys.exit(f"lighthouse: no Chromium at {_chromium()}: sudo apt-get install chromium")


def _chromium() -> str:
    return os.environ.get("CHROME_PATH", "/usr/bin/chromium")


def _environment(scratch: Path) -> dict:
    """Production's variables, on throwaway storage; no shared cache, purges or address of the shell's."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"REDIS_URL", "VARNISH_PURGE_URLS", "SITE_URL", "HTTPS", "DJANGO_SETTINGS_MODULE"}
    }
    return env | {
        "DEBUG": "",
        "SECRET_KEY": "lighthouse-only-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{scratch / 'lighthouse.sqlite3'}",
        "MEDIA_ROOT": str(scratch / "media"),
        "STATIC_ROOT": str(scratch / "static"),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "WEB_CONCURRENCY": "2",
        "CHROME_PATH": _chromium(),
    }


def _manage(env, *args) -> str:
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"lighthouse: manage.py {' '.join(args[:1])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


@contextmanager
def _serve(env, port: int):
    """gunicorn with the project's gunicorn.conf.py on 127.0.0.1 (port 0: a free one); yields its address."""
    if not port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "media_wsgi:application",
                "--pythonpath",
                str(ROOT / "bench"),
            ],
            env=env | {"BIND": f"127.0.0.1:{port}"},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            _wait(base)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.seek(0)
            if said := log.read().decode(errors="replace").strip():
                print(f"gunicorn said:\n{said}", file=sys.stderr)


def _wait(base: str):
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/robots.txt", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("lighthouse: gunicorn did not start")


def _lighthouse(base: str, pages: dict, options) -> tuple[dict, list]:
    """Each page's Lighthouse results (the report's JSON), run after run, the pages in turn; and the
    failed runs that were run again."""
    for path in pages.values():  # each worker's first request of a page (templates, the page cache)
        for _ in range(4):
            urllib.request.urlopen(base + path, timeout=30).close()
    reports, again = {name: [] for name in pages}, []
    for run in range(1, options.runs + 1):
        for name, path in pages.items():
            report, failures = _run(base + path, options.output / f"{name}-{run}")
            reports[name].append(report)
            again += [f"{name}, run {run}: {failure}" for failure in failures]
    return reports, again


def _run(url: str, stem: Path) -> tuple[dict, list]:
    """One Lighthouse run, written to stem.report.json and .html, and the failures before it: now and
    then Lighthouse 12.2 misses the start of Chromium's trace (NO_NAVSTART) and asks to be run again."""
    report, failures = Path(f"{stem}.report.json"), []
    while len(failures) < ATTEMPTS:
        report.unlink(missing_ok=True)
        done = subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--quiet",
                "--output=json",
                "--output=html",
                f"--output-path={stem}",
                "--only-categories=" + ",".join(CATEGORIES),
                f"--chrome-flags={CHROME_FLAGS}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        result = json.loads(report.read_text()) if report.exists() else {}
        if not done.returncode and result and not result.get("runtimeError"):
            return result, failures
        failures.append(result.get("runtimeError", {}).get("code") or done.stderr.strip()[-2000:])
    sys.exit(f"lighthouse: {ATTEMPTS} runs on {url} failed: " + "; ".join(failures))


def _summary(pages: dict, reports: dict, options, *, load) -> dict:
    summary = {
        "lighthouse": LIGHTHOUSE_VERSION,
        "chromium": reports["home"][0]["environment"]["hostUserAgent"],
        "runs": options.runs,
        "load_average_before_after": [round(load[0][0], 2), round(load[1][0], 2)],
        "cores": os.cpu_count(),
        "pages": {},
    }
    for name, runs in reports.items():
        scores = {key: [_score(r, key) for r in runs] for key in CATEGORIES}
        median = sorted(runs, key=lambda r: _score(r, "performance"))[len(runs) // 2]
        summary["pages"][name] = {
            "path": pages[name],
            "scores": {key: _kept(key, values) for key, values in scores.items()},
            "runs": scores,
            "metrics_of_median_run": {m: median["audits"][m]["displayValue"] for m in METRICS},
            "failed_audits": _failed(runs),
        }
    return summary


def _score(report: dict, category: str) -> int:
    return round(report["categories"][category]["score"] * 100)


def _kept(category: str, values: list) -> int:
    """Performance moves from run to run with the machine: its median; the rest should not move: the lowest."""
    return round(statistics.median(values)) if category == "performance" else min(values)


def _failed(runs: list) -> dict:
    """{category: ["audit-id: title (value)", ...]} of the audits any run fails (the metrics have their
    own line; Lighthouse's hidden audits and those it does not score are left out)."""
    failed = {}
    for report in runs:
        for category in CATEGORIES:
            for ref in report["categories"][category]["auditRefs"]:
                audit = report["audits"][ref["id"]]
                if ref.get("group") in {"metrics", "hidden"} or audit["score"] in {None, 1}:
                    continue
                value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
                failed.setdefault(category, {}).setdefault(ref["id"], audit["title"] + value)
    return {
        category: [f"{key}: {text}" for key, text in audits.items()] for category, audits in failed.items()
    }


def _table(summary: dict) -> str:
    lines = [
        f"Lighthouse {summary['lighthouse']}, mobile defaults (simulated slow 4G, 4x CPU slowdown),"
        f" {summary['chromium']}; {summary['runs']} runs a page; {summary['cores']} cores,"
        f" load average {summary['load_average_before_after'][0]} before,"
        f" {summary['load_average_before_after'][1]} after.",
        *(f"Failed and run again: {failure}." for failure in summary["run_again"]),
        "",
        "| page | address | performance (median; runs) | accessibility | best practices | SEO |",
        "|---|---|---|---|---|---|",
    ]
    for name, page in summary["pages"].items():
        scores, runs = page["scores"], page["runs"]
        performance = f"{scores['performance']} ({', '.join(map(str, runs['performance']))})"
        lines.append(
            f"| {name} | `{page['path']}` | {performance} | {scores['accessibility']}"
            f" | {scores['best-practices']} | {scores['seo']} |"
        )
    for name, page in summary["pages"].items():
        metrics = ", ".join(f"{m} {v}" for m, v in page["metrics_of_median_run"].items())
        lines += ["", f"{name}: {metrics}"]
        for category, audits in page["failed_audits"].items():
            lines += [f"  {CATEGORIES[category]}: {audit}" for audit in audits]
    return "\n".join(lines) + "\n"


def _under_minimum(summary: dict, options) -> list:
    minimum = {
        "performance": options.min_performance,
        "accessibility": options.min_accessibility,
        "best-practices": options.min_best_practices,
        "seo": options.min_seo,
    }
    return [
        f"{name} {CATEGORIES[key]} {score} < {minimum[key]}"
        for name, page in summary["pages"].items()
        for key, score in page["scores"].items()
        if score < minimum[key]
    ]


if __name__ == "__main__":
    main()
