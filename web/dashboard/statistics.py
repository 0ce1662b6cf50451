"""Fair figures: every share and mean the dashboard and the reports show comes with its n and a 95% interval.

A share of 👍 or of satisfied citizens from 8 answers is not the same figure as one from 800, and two
services whose intervals overlap cannot honestly be put in order; the interval says how far the
figure could move with other citizens answering. Pure functions, no database.

- A share (k of n) gets the Wilson score interval: unlike "p ± 1.96·√(p(1-p)/n)" it stays within
  0-100% and does not collapse to a point at 0 or n of n.
- A mean of 1-5 scores gets Student's t interval (mean ± t·s/√n), cut to the 1-5 scale; with one
  score there is no spread to measure, so no interval.

Officers read figures the Vietnamese way: "4,2 (3,9–4,5; n = 57)", "80% (49–94%; n = 10)".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist
from typing import Iterable, Optional

from scipy.stats import t as student_t

CONFIDENCE = 0.95
LOWEST_SCORE, HIGHEST_SCORE = 1, 5
NO_FIGURE = "–"


def _quantile(confidence: float) -> float:
    """The two-sided normal quantile: 1.96 for 95%."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


@dataclass(frozen=True)
class Share:
    """k of n, as a share with its interval; value and bounds are None when n is 0."""

    k: int
    n: int
    value: Optional[float]
    low: Optional[float]
    high: Optional[float]

    @property
    def text(self) -> str:
        """ "80% (49–94%; n = 10)", or "– (n = 0)"."""
        if self.value is None:
            return f"{NO_FIGURE} (n = 0)"
        return f"{percent(self.value)} ({percent(self.low, sign=False)}–{percent(self.high)}; n = {number(self.n)})"


@dataclass(frozen=True)
class Mean:
    """The mean of n scores with its interval; value is None for n = 0, the bounds also for n = 1."""

    n: int
    value: Optional[float]
    low: Optional[float]
    high: Optional[float]

    @property
    def text(self) -> str:
        """ "4,2 (3,9–4,5; n = 57)", "5,0 (n = 1)" (no interval), or "– (n = 0)"."""
        if self.value is None:
            return f"{NO_FIGURE} (n = 0)"
        if self.low is None:
            return f"{decimal(self.value)} (n = {number(self.n)})"
        return f"{decimal(self.value)} ({decimal(self.low)}–{decimal(self.high)}; n = {number(self.n)})"


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> Share:
    """The share k/n with its Wilson score interval (Wilson 1927; Newcombe 1998, method 3)."""
    if not 0 <= k <= n:
        raise ValueError(f"k must be between 0 and n, not {k} of {n}")
    if n == 0:
        return Share(k, n, None, None, None)
    z = _quantile(confidence)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # at k = 0 or k = n the exact bound is 0 or 1; floating point lands a hair beside it
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return Share(k, n, p, low, high)


def mean_interval(
    scores: Iterable[int], confidence: float = CONFIDENCE, lowest: float = LOWEST_SCORE, highest: float = HIGHEST_SCORE
) -> Mean:
    """The mean of the scores with Student's t interval, cut to the scale [lowest, highest]."""
    values = [float(score) for score in scores]
    n = len(values)
    if n == 0:
        return Mean(0, None, None, None)
    mean = sum(values) / n
    if n == 1:
        return Mean(1, mean, None, None)
    spread = math.sqrt(sum((value - mean) ** 2 for value in values) / (n - 1))
    half = float(student_t.ppf(0.5 + confidence / 2, n - 1)) * spread / math.sqrt(n)
    return Mean(n, mean, max(float(lowest), mean - half), min(float(highest), mean + half))


# ---- how officers read them ------------------------------------------------------------------
def number(value: int) -> str:
    """A whole number with the Vietnamese thousands separator: 12.345."""
    return f"{value:,}".replace(",", ".")


def _rounded(value: float, places: int) -> Decimal:
    """Rounded as people round, half up, from the shortest decimal that is the float (3.05, not 3.0499…)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def decimal(value: float, places: int = 1) -> str:
    """A decimal with the Vietnamese comma: 4,2 (and 1.234,5)."""
    text = f"{_rounded(value, places):,}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent(value: float, sign: bool = True) -> str:
    """A share as a whole percentage: 0.8 -> "80%" ("80" without the sign, for the low end of a range)."""
    return f"{_rounded(value * 100, 0):f}" + ("%" if sign else "")
