"""The page benchmark's arithmetic (``bench/page_figures.py``): reading wrk's report, the body
size check, the ratio to the reference and the growth of a page's cost. The benchmark itself
(``make bench-pages``) holds the speed targets; these check that it reads and judges them right."""

import math

import pytest

from bench.page_figures import (
    LINEAR_ALLOWANCE_MS,
    Growth,
    WrkRun,
    median,
    parse_wrk,
    ratio,
    same_size,
    size_difference,
)

REPORT = """Running 3s test @ http://127.0.0.1:8200/dialogues/1/sessions/2/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   205.98ms   40.91ms 400.12ms   71.43%
    Req/Sec    38.80      9.83    60.00     70.00%
  Latency Distribution
     50%  204.50ms
     75%  230.01ms
     90%  258.33ms
     99%    1.02s
  116 requests in 3.01s, 9.31MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:     38.55
Transfer/sec:      3.09MB
"""


def test_wrk_report_read_with_its_failures():
    assert parse_wrk(REPORT) == WrkRun(requests_per_second=38.55, p50_ms=204.5, requests=116, bad=7)


@pytest.mark.parametrize(("shown", "ms"), [("812.00us", 0.812), ("5.20ms", 5.2), ("1.50s", 1500.0)])
def test_wrk_median_read_in_milliseconds_whatever_its_unit(shown, ms):
    report = REPORT.replace("204.50ms", shown)
    report = report.replace("  Socket errors: connect 0, read 2, write 0, timeout 1\n", "")
    report = report.replace("  Non-2xx or 3xx responses: 4\n", "")
    run = parse_wrk(report)
    assert (run.p50_ms, run.bad) == (pytest.approx(ms), 0)


def test_wrk_run_without_a_request_has_no_median():
    report = REPORT.replace("  116 requests in", "  0 requests in").replace("204.50ms", "0.00us")
    run = parse_wrk(report)
    assert (run.requests, math.isnan(run.p50_ms)) == (0, True)


def test_something_else_than_a_wrk_report_is_refused():
    with pytest.raises(ValueError, match="not a wrk --latency report"):
        parse_wrk("unable to connect to 127.0.0.1:8200 Connection refused\n")


def test_reference_body_within_ten_percent_either_way():
    assert size_difference(100_000, 90_000) == pytest.approx(-0.1)
    assert [same_size(100_000, r) for r in (90_000, 110_000, 89_999, 110_001, 100_000)] == [
        True,
        True,
        False,
        False,
        True,
    ]


def test_ratio_of_throughputs_and_median_of_rounds():
    assert ratio(38.6, 359.0) == pytest.approx(0.1075, abs=1e-4)
    assert math.isnan(ratio(38.6, 0.0))
    assert median([3.0, math.nan, 1.0, 2.0]) == 2.0
    assert math.isnan(median([math.nan]))


def test_costs_of_the_issue_grow_faster_than_the_items():
    # 26.5 / 48.9 / 239.5 ms at 10 / 40 / 160 items (issue 21): 0.75 ms an item, then 1.59.
    growth = Growth((10, 40, 160), (26.5, 48.9, 239.5), LINEAR_ALLOWANCE_MS["item"])
    assert (round(growth.lower, 3), round(growth.upper, 3), growth.linear) == (0.747, 1.588, False)


def test_costs_growing_by_the_same_amount_per_item_are_linear():
    growth = Growth((10, 40, 160), (8.0, 11.0, 23.0), LINEAR_ALLOWANCE_MS["item"])
    assert (growth.lower, growth.upper, growth.overall, growth.linear) == (
        pytest.approx(0.1),
        pytest.approx(0.1),
        pytest.approx(0.1),
        True,
    )


def test_flat_costs_compare_within_the_allowance_for_noise():
    # Nothing grows: noise either way is not growth; more than the allowance is.
    flat = Growth((2, 11, 20), (10.0, 9.8, 10.6), LINEAR_ALLOWANCE_MS["dialogue"])
    grows = Growth((2, 11, 20), (10.0, 9.8, 12.0), LINEAR_ALLOWANCE_MS["dialogue"])
    assert (flat.linear, grows.linear) == (True, False)


def test_a_size_not_measured_is_not_linear():
    growth = Growth((10, 40, 160), (8.0, math.nan, 23.0), LINEAR_ALLOWANCE_MS["item"])
    assert growth.linear is False
