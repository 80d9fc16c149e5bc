"""bench/run.py reads wrk's report as wrk writes it."""

import importlib.util
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"
spec = importlib.util.spec_from_file_location("bench_run", RUN)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


@pytest.mark.parametrize(
    ("written", "milliseconds"),
    [("812.00us", 0.812), ("1.20ms", 1.2), ("2.01s", 2010.0), ("1.50m", 90_000.0)],
)
def test_wrk_latencies_are_read_in_milliseconds(written, milliseconds):
    assert bench._milliseconds(written) == pytest.approx(milliseconds)


def test_a_latency_wrk_does_not_write_is_refused():
    with pytest.raises(AttributeError):
        bench._milliseconds("soon")
