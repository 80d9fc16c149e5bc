"""The anchors' side-by-side run with Newsroom's Atom feed as a fifth page kind.

    bash ../shared/anchors/run-sidebyside.sh          # once: the Wagtail site, its venv, Newsroom's database
    .venv/bin/python bench/anchors.py [OUT.json]

../shared/anchors/sidebyside.py drives the article, home, tag and RSS pages;
the floors also name the Atom feed, which it does not drive. This runs the
same servers with the same helpers (imported from the anchors, not copied):
the Wagtail site, the bare-Django ceiling, Newsroom with the page cache off
(cold) and on (warm), and drives article, home, tag, RSS and Atom on each in
rotated rounds. For "atom" the Wagtail site serves its RSS feed, its only
one: the floor compares Newsroom's Atom feed with it.

env: ANCHORS (../shared/anchors), ANCHOR_ROOT (/tmp/anchors), NEWSROOM_DB
     ($ANCHOR_ROOT/newsroom-2000.sqlite3), BENCH_DURATION (5), BENCH_REPS (3).
Run from the project's root. Prints each page's median requests/s, its ratio
to the Wagtail site and share of the ceiling in each round; writes the raw
figures to OUT.json ($ANCHOR_ROOT/anchors-atom.json).
"""

import json
import os
import statistics
import sys
from pathlib import Path

ANCHORS = Path(os.environ.get("ANCHORS", "../shared/anchors")).resolve()
sys.path.insert(0, str(ANCHORS))

import sidebyside  # noqa: E402 - their Newsroom server and page finder

import bench as anchor  # noqa: E402 - the anchors' helpers: start, stop, wrk, get

KINDS = ("detail", "index", "tag", "feed", "atom")
SERVERS = ("A", "L2m", "Ncold", "Nwarm")


def main(out_path: str):
    meta = json.loads((anchor.ROOT / "wag-2000/meta.json").read_text())
    static = anchor.ROOT / "static"
    static.mkdir(parents=True, exist_ok=True)
    rounds = []
    try:
        anchor.gunicorn(
            "A",
            8001,
            "wagsite.wsgi:application",
            ANCHORS / "wagsite",
            {"ANCHOR_DB": str(anchor.ROOT / "wag-2000/db.sqlite3")},
        )
        anchor.wait_up(8001, meta["detail_url"])
        (static / "detail.html").write_bytes(anchor.get(8001, meta["detail_url"])[2])
        anchor.gunicorn(
            "L2m",
            8003,
            "l2app:application",
            ANCHORS,
            {"L2_FILE": str(static / "detail.html"), "L2_MIDDLEWARE": "default"},
        )
        sidebyside.newsroom("Ncold", 8011, 0)
        sidebyside.newsroom("Nwarm", 8012, 600)
        anchor.wait_up(8003, meta["detail_url"])
        anchor.wait_up(8011, "/", 90)
        anchor.wait_up(8012, "/", 90)
        npaths = sidebyside.newsroom_paths(8011) | {"atom": "/feed/atom/"}
        apaths = {kind: meta[f"{kind}_url"] for kind in ("detail", "index", "tag", "feed")}
        apaths["atom"] = apaths["feed"]
        targets = {
            "A": lambda kind: (8001, apaths[kind]),
            "L2m": lambda kind: (8003, meta["detail_url"]),
            "Ncold": lambda kind: (8011, npaths[kind]),
            "Nwarm": lambda kind: (8012, npaths[kind]),
        }
        for kind in KINDS:  # warm-up, and fill the warm server's cache
            for target in targets.values():
                for _ in range(20):
                    anchor.get(*target(kind))
        for rep in range(sidebyside.REPS):
            for kind in KINDS:
                order = SERVERS[rep % len(SERVERS) :] + SERVERS[: rep % len(SERVERS)]
                row = {"rep": rep, "page": kind}
                for name in order:
                    port, path = targets[name](kind)
                    found = anchor.wrk(f"http://{anchor.HOST}:{port}{path}", 16, sidebyside.DUR)
                    row[name] = {key: found[key] for key in ("rps", "p99_ms", "non2xx", "machine_busy_pct")}
                    anchor.log(rep, kind, name, found["rps"], found["p99_ms"])
                rounds.append(row)
    finally:
        anchor.stop_all()
    summary = {kind: _summary([row for row in rounds if row["page"] == kind]) for kind in KINDS}
    Path(out_path).write_text(
        json.dumps({"paths": {"A": apaths, "N": npaths}, "rounds": rounds, "summary": summary}, indent=1)
    )
    print(json.dumps(summary, indent=1))


def _summary(rows: list) -> dict:
    found = {"L2m_rps": [row["L2m"]["rps"] for row in rows]}
    for name in ("A", "Ncold", "Nwarm"):
        found[name] = {
            "rps_median": statistics.median(row[name]["rps"] for row in rows),
            "vs_A": [round(row[name]["rps"] / row["A"]["rps"], 2) for row in rows],
            "share_of_L2m": [round(row[name]["rps"] / row["L2m"]["rps"], 3) for row in rows],
            "p99_ms": [row[name]["p99_ms"] for row in rows],
        }
    return found


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(anchor.ROOT / "anchors-atom.json"))
