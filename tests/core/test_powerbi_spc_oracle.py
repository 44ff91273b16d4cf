"""The PowerBI-SPC oracle gives PowerBI-SPC's own published test values.

The expected values are the visual's tests (GitHub AUS-DOH-Safety-and-Quality/PowerBI-SPC,
commit 478773a, GPL-3): ``test/Chart Types/{i,p,pprime}.test.ts`` (limits, compared there
with ``toBeCloseTo(x, digits)``, |a − b| < 10^−digits / 2; p and p′ limits are shown in per
cent) and ``test/Outlier Flagging/{shift,trend,twoInThree}.test.ts`` (the rules). The oracle
(tests/core/oracles/powerbi_spc.py) serves the comparison of tools in docs/methods.md.
"""

from __future__ import annotations

import pytest

from tests.core.oracles import powerbi_spc
from tests.core.oracles.qic import qic

# test/Chart Types/i.test.ts: an i chart of the ratios numerators / denominators.
I_NUMERATORS = [5, 7, 5, 7, 7, 5, 4, 9, 8, 13, 8, 7, 8, 7, 12, 11, 8]
I_DENOMINATORS = [113, 132, 121, 134, 116, 131, 93, 138, 182, 157, 100, 103, 146, 108, 153, 141]
I_DENOMINATORS += [134]

# test/Chart Types/pprime.test.ts: qicharts2's nhs_accidents data (attendances seen in 4 hours).
PP_NUMERATORS = [266501, 264225, 276532, 281461, 269071, 261215, 270409, 279778, 270483, 270320]
PP_NUMERATORS += [267923, 271478, 255353, 256820, 261835, 259144, 255910, 260863, 264465, 260989]
PP_DENOMINATORS = [280443, 276823, 291681, 296155, 282343, 275888, 283867, 295251, 284468]
PP_DENOMINATORS += [282529, 279618, 283932, 266629, 268091, 276803, 271578, 266005, 273520]
PP_DENOMINATORS += [278574, 273772]
PP_UL99 = [96.567, 96.5753, 96.5421, 96.5326, 96.5627, 96.5775, 96.5593, 96.5345, 96.5579]
PP_UL99 += [96.5623, 96.5689, 96.5591, 96.5996, 96.5961, 96.5753, 96.5877, 96.6012, 96.583]
PP_UL99 += [96.5713, 96.5824]
PP_LL99 = [94.013, 94.0046, 94.0378, 94.0473, 94.0173, 94.0025, 94.0207, 94.0454, 94.022]
PP_LL99 += [94.0177, 94.0111, 94.0208, 93.9803, 93.9839, 94.0046, 93.9923, 93.9788, 93.9969]
PP_LL99 += [94.0087, 93.9975]

# test/Chart Types/p.test.ts (first six points of 36; limits in per cent, 2 decimals).
P_NUMERATORS = [14, 12, 15, 8, 16, 11, 12, 14, 16, 17, 5, 11, 13, 10, 14, 5, 12, 10, 11, 5, 10]
P_NUMERATORS += [8, 11, 12, 11, 18, 18, 21, 14, 15, 18, 22, 17, 16, 20, 15]
P_DENOMINATORS = [52, 64, 70, 60, 67, 69, 67, 54, 79, 59, 49, 61, 41, 51, 56, 43, 57, 48, 69]
P_DENOMINATORS += [41, 40, 46, 59, 62, 57, 65, 75, 70, 76, 69, 64, 67, 84, 67, 69, 78]
P_UL99 = [38.76, 37.07, 36.4, 37.58, 36.72, 36.5]
P_LL95 = [10.21, 11.34, 11.79, 11, 11.57, 11.72]


def test_i_chart_limits_are_powerbi_spcs() -> None:
    ratios = [a / b for a, b in zip(I_NUMERATORS, I_DENOMINATORS, strict=True)]
    lines = powerbi_spc.i_limits(ratios)
    for key, expected in (("ul99", 0.0957), ("ul95", 0.0836), ("ll95", 0.035), ("ll99", 0.0229)):
        assert all(abs(v - expected) < 0.5e-4 for v in lines[key]), key


def test_p_and_p_prime_chart_limits_are_powerbi_spcs() -> None:
    p = powerbi_spc.p_limits(P_NUMERATORS, P_DENOMINATORS, prime=False)
    for got, expected in zip(p["ul99"], P_UL99, strict=False):
        assert abs(got * 100 - expected) < 0.5e-2
    for got, expected in zip(p["ll95"], P_LL95, strict=False):
        assert abs(got * 100 - expected) < 0.5e-2
    pp = powerbi_spc.p_limits(PP_NUMERATORS, PP_DENOMINATORS, prime=True)
    for got, expected in zip(pp["ul99"], PP_UL99, strict=True):
        assert abs(got * 100 - expected) < 0.5e-4
    for got, expected in zip(pp["ll99"], PP_LL99, strict=True):
        assert abs(got * 100 - expected) < 0.5e-4


def test_powerbi_spc_and_qicharts2_agree_on_laneys_p_prime_limits() -> None:
    # Both compute Laney's p′ the same way (screened moving ranges of the z-scores).
    ours = qic([float(v) for v in PP_NUMERATORS], "pp", [float(v) for v in PP_DENOMINATORS])
    theirs = powerbi_spc.p_limits(PP_NUMERATORS, PP_DENOMINATORS, prime=True)
    assert ours["ucl"] == pytest.approx(theirs["ul99"], rel=1e-12)
    assert ours["lcl_2"] == pytest.approx(theirs["ll95"], rel=1e-12)


@pytest.mark.parametrize(
    ("values", "centre", "n", "expected"),
    [
        ([5, 6, 4, 5, 6, 4, 5], 5, 7, "NNNNNNN"),
        ([5, 6, 6, 6, 6, 6, 5], 5, 5, "NUUUUUN"),
        ([5, 4, 4, 4, 4, 4, 5], 5, 5, "NLLLLLN"),
        ([5, 6, 6, 6, 5], 5, 4, "NNNNN"),
        ([6, 6, 6, 5, 6, 6, 6, 6], 5, 4, "NNNNUUUU"),
        ([5, 5, 5, 5, 5], 5, 3, "NNNNN"),
        ([6, 6, 6, 6, 4, 4, 4, 4, 5], 5, 3, "UUUULLLLN"),
        ([6, 6, 6, 6, 6, 6, 6, 5], 5, 7, "UUUUUUUN"),
    ],
)
def test_shift_is_powerbi_spcs(values: list[float], centre: float, n: int, expected: str) -> None:
    flags = powerbi_spc.shift(values, [centre] * len(values), n)
    assert "".join(f[0].upper() for f in flags) == expected


@pytest.mark.parametrize(
    ("values", "n", "expected"),
    [
        ([5, 6, 5, 6, 5, 6, 5], 5, "NNNNNNN"),
        ([1, 2, 3, 4, 5, 6, 5], 5, "UUUUUUN"),
        ([6, 5, 4, 3, 2, 1, 2], 5, "LLLLLLN"),
        ([1, 2, 3, 2, 3, 4, 5, 6], 4, "NNNUUUUU"),
        ([5, 5, 5, 5, 5], 3, "NNNNN"),
        ([1, 2, 1, 3, 2], 2, "ULULL"),
        ([1, 3, 2, 4, 3, 5], 4, "NNNNNN"),
    ],
)
def test_trend_is_powerbi_spcs(values: list[float], n: int, expected: str) -> None:
    assert "".join(f[0].upper() for f in powerbi_spc.trend(values, n)) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([5, 11, 11, 5, 5, 5], "NUUNNN"),
        ([5, -1, -1, 5, 5, 5], "NLLNNN"),
        ([11, 5, 11, 5, 5], "UNUNN"),
        ([11, 5, 5, 5, 5], "NNNNN"),
        ([5, 11, 11, 11, 5, 5], "NUUUNN"),
        ([5, 11, 11, -1, 5, 5], "NUUNNN"),
        ([5, 11, 11, 5, 11, 5, 5], "NUUNUNN"),
        ([10, 10, 5, 5, 5], "NNNNN"),
    ],
)
def test_two_in_three_is_powerbi_spcs(values: list[float], expected: str) -> None:
    flags = powerbi_spc.two_in_three(values, [0] * len(values), [10] * len(values))
    assert "".join(f[0].upper() for f in flags) == expected
