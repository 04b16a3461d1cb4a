"""Arithmetic that stays finite on any number a cell can hold (pure).

Sums cannot overflow: the sync stage leaves out every number over `sync.cells.LARGEST` (1e100).
A quotient can: 30 calls against a goal of 5e-324 (the smallest double) is past the largest
double, 1.8e308. Such a quotient is left blank, as one with nothing to divide by is. Rounding
leaves numbers too large to have decimals as they are (`np.round` would multiply them past the
largest double first).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["quotient", "rounded"]

FloatArray = npt.NDArray[np.float64]
_WHOLE = 1e15
"""From this size on a double has no decimals left to round."""


def quotient(numerator: FloatArray | float, denominator: FloatArray | float) -> FloatArray:
    """numerator / denominator, NaN (blank) where the denominator is 0 or the quotient is not
    a finite number."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result = np.divide(numerator, denominator, dtype=np.float64)
    return np.where(np.isfinite(result), result, np.nan)


def rounded(values: FloatArray, decimals: int) -> FloatArray:
    """`np.round(values, decimals)`, without overflow: numbers of 1e15 and over are whole
    numbers already and stay as they are."""
    small = np.abs(values) < _WHOLE  # NaN is not small and stays NaN
    return np.where(small, np.round(np.where(small, values, 0.0), decimals), values)
