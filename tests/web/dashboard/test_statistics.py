"""The intervals against published values and against their defining equations, solved independently."""

from __future__ import annotations

import math

import pytest

from web.dashboard.statistics import Mean, Share, decimal, mean_interval, number, percent, wilson

Z95 = 1.959964


def wilson_by_its_equation(k: int, n: int):
    """The Wilson interval is where the score test stops rejecting: the roots in p of
    (k/n - p)^2 = z^2 p (1 - p) / n, a quadratic solved here without the closed form."""
    observed = k / n
    a = 1 + Z95**2 / n
    b = -(2 * observed + Z95**2 / n)
    c = observed**2
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


@pytest.mark.parametrize(
    "k, n, low, high",
    [
        (8, 10, 0.4902, 0.9433),
        # Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table II, method 3
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_published_values_and_its_equation(k, n, low, high):
    share = wilson(k, n)
    assert (share.k, share.n, share.value) == (k, n, k / n)
    assert share.low == pytest.approx(low, abs=5e-5) and share.high == pytest.approx(high, abs=5e-5)
    solved = wilson_by_its_equation(k, n)
    assert share.low == pytest.approx(max(solved[0], 0.0), abs=1e-6)
    assert share.high == pytest.approx(solved[1], abs=1e-6)


def test_wilson_edges():
    assert wilson(0, 0) == Share(0, 0, None, None, None)
    one = wilson(1, 1)
    assert (one.low, one.high) == (pytest.approx(0.2065, abs=5e-5), 1.0), "one answer: a wide interval, not none"
    assert wilson(5, 5).high == 1.0 and wilson(0, 5).low == 0.0
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_mean_interval_uses_student_t():
    # t(0.975, 9) = 2.262 and t(0.975, 4) = 2.776 in every printed t table
    scores = [3, 4, 4, 5, 4, 3, 4, 5, 4, 4]
    spread = math.sqrt(sum((s - 4) ** 2 for s in scores) / 9)
    mean = mean_interval(scores)
    assert (mean.n, mean.value) == (10, 4.0)
    assert mean.low == pytest.approx(4 - 2.262 * spread / math.sqrt(10), abs=1e-3)
    assert mean.high == pytest.approx(4 + 2.262 * spread / math.sqrt(10), abs=1e-3)
    wide = mean_interval([2, 3, 3, 4, 3])
    half = 2.776 * math.sqrt(0.5) / math.sqrt(5)
    assert (wide.low, wide.high) == (pytest.approx(3 - half, abs=1e-3), pytest.approx(3 + half, abs=1e-3))


def test_mean_interval_stays_on_the_scale_and_needs_two_scores():
    assert mean_interval([5, 5, 5, 4]).high == 5.0, "cut to the 1-5 scale"
    assert mean_interval([1, 1, 2]).low == 1.0
    assert mean_interval([4]) == Mean(1, 4.0, None, None)
    assert mean_interval([]) == Mean(0, None, None, None)
    assert mean_interval([4, 4, 4]) == Mean(3, 4.0, 4.0, 4.0), "no spread, nothing to widen"


def test_figures_read_the_vietnamese_way():
    assert wilson(8, 10).text == "80% (49–94%; n = 10)"
    assert wilson(0, 0).text == "– (n = 0)"
    assert Mean(57, 4.2, 3.94, 4.46).text == "4,2 (3,9–4,5; n = 57)"
    assert Mean(1, 5.0, None, None).text == "5,0 (n = 1)"
    assert Mean(1234, 3.0, 2.95, 3.05).text == "3,0 (3,0–3,1; n = 1.234)"
    assert (number(12345), decimal(1234.56), percent(0.485), percent(0.5, sign=False)) == (
        "12.345",
        "1.234,6",
        "49%",
        "50",
    )
