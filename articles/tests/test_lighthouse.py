"""bench/lighthouse.py reads Lighthouse's reports as Lighthouse writes them, and keeps the scores it says."""

import importlib.util
from argparse import Namespace
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "lighthouse.py"
spec = importlib.util.spec_from_file_location("bench_lighthouse", SCRIPT)
lighthouse = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lighthouse)

MINIMUM = Namespace(min_performance=90, min_accessibility=95, min_best_practices=95, min_seo=95)


def report(performance: float, *, contrast: float = 1, fid: float = 1) -> dict:
    """A Lighthouse report (its JSON, cut down to what the script reads)."""
    audits = {
        "largest-contentful-paint": {
            "title": "Largest Contentful Paint",
            "score": 0.5,
            "displayValue": "4 s",
        },
        "max-potential-fid": {"title": "Max Potential First Input Delay", "score": fid},
        "color-contrast": {
            "title": "Background and foreground colors do not have enough contrast",
            "score": contrast,
        },
        "image-alt": {"title": "Image elements have [alt] attributes", "score": None},
    }
    return {
        "categories": {
            "performance": {
                "score": performance,
                "auditRefs": [
                    {"id": "largest-contentful-paint", "weight": 25, "group": "metrics"},
                    {"id": "max-potential-fid", "weight": 0, "group": "hidden"},
                ],
            },
            "accessibility": {
                "score": 1 if contrast == 1 else 0.93,
                "auditRefs": [{"id": "color-contrast", "weight": 7}, {"id": "image-alt", "weight": 10}],
            },
            "best-practices": {"score": 0.96, "auditRefs": []},
            "seo": {"score": 1, "auditRefs": []},
        },
        "audits": audits,
    }


def test_performance_is_the_median_of_the_runs_and_the_other_scores_their_lowest():
    runs = [report(0.77), report(1, contrast=0), report(0.98)]
    scores = {key: [lighthouse._score(run, key) for run in runs] for key in lighthouse.CATEGORIES}
    kept = {key: lighthouse._kept(key, values) for key, values in scores.items()}
    assert kept == {"performance": 98, "accessibility": 93, "best-practices": 96, "seo": 100}


def test_the_audits_a_page_fails_are_named_once_and_metrics_and_hidden_audits_left_out():
    failed = lighthouse._failed([report(1, contrast=0, fid=0), report(1, contrast=0)])
    assert failed == {
        "accessibility": ["color-contrast: Background and foreground colors do not have enough contrast"]
    }


def test_a_score_under_its_minimum_is_named():
    summary = {
        "pages": {
            "home": {"scores": {"performance": 90, "accessibility": 100, "best-practices": 96, "seo": 100}},
            "article": {"scores": {"performance": 89, "accessibility": 94, "best-practices": 95, "seo": 100}},
        }
    }
    assert lighthouse._under_minimum(summary, MINIMUM) == [
        "article performance 89 < 90",
        "article accessibility 94 < 95",
    ]
