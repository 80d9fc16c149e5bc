"""bench/run.py's arithmetic: a page measured in slices is reported as one measurement."""

import importlib.util
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"
spec = importlib.util.spec_from_file_location("bench_run", RUN)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def _slice(requests: int, seconds: float, latencies_us: list, errors: int = 0) -> dict:
    """A slice as _wrk() reads it: latency at each tenth of a percent, from `latencies_us` spread evenly."""
    points = [latencies_us[min(len(latencies_us) - 1, i * len(latencies_us) // 1000)] for i in range(1000)]
    return {"requests": requests, "duration": int(seconds * 1e6), "errors": errors, "points": points}


def test_slices_combine_into_the_rate_over_their_time_and_the_percentiles_of_all_their_requests():
    fast, slow = _slice(300, 1.0, [1000]), _slice(100, 1.0, [3000], errors=2)
    combined = bench._combined([fast, slow])
    # 400 requests in 2 s; three in four took 1 ms, so the median is 1 ms and the 99th percentile 3 ms.
    assert combined == {"rate": 200.0, "p50": 1.0, "p99": 3.0, "errors": 2}
    # Weighed by requests, not by slice: the same slices, the other way round.
    combined = bench._combined([_slice(100, 1.0, [1000]), _slice(300, 1.0, [3000])])
    assert (combined["p50"], combined["p99"]) == (3.0, 3.0)


def test_a_slice_spread_over_latencies_gives_its_own_percentiles():
    spread = _slice(1000, 2.0, list(range(1000, 11000, 10)))  # 1.00-10.99 ms, evenly
    combined = bench._combined([spread])
    assert combined["rate"] == 500.0
    assert combined["p50"] == pytest.approx(5.99, abs=0.02)
    assert combined["p99"] == pytest.approx(10.89, abs=0.02)
