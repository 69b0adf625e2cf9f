"""Print, per reference fits file, the SHA-256 digest that TestGoldenFitsCorrectlyRounded expects.

It reruns every fit of ../../shared/golden/reference_fits_*_defaults.tsv with
scipy.optimize.curve_fit(method="lm", maxfev=5000), from the file's init_a0 and
init_a1, but with the power a1**x computed correctly rounded (exact rational
arithmetic, then one rounding) instead of numpy's SIMD pow. Go's FitExponential
computes the same correctly rounded powers, so a faithful port of lmdif must
give bit-identical a0, a1, nfev and ier on every row.

Each row contributes the line
    "<date>\t<token>\t<a0 bits hex>\t<a1 bits hex>\t<nfev>\t<ier>\n"
to the digest of its file. Run from the levmar directory (Debian bookworm's
python3-scipy 1.10.1 / python3-numpy 1.24.2):

    python3 testdata/gen_golden_digest.py
"""
import csv
import hashlib
import struct
from fractions import Fraction

import numpy as np
from scipy.optimize import curve_fit

GOLDEN = "../../shared/golden/"
SETS = [
    ("reference_fits_safehaven_2022_defaults.tsv", "safehaven_2022.csv"),
    ("reference_fits_majors_2022_2023_defaults.tsv", "majors_2022_2023.csv"),
    ("reference_fits_gaps_2022_defaults.tsv", "gaps_2022.csv"),
]


def model(x, a0, a1):
    base = Fraction(float(a1))
    p = Fraction(1)
    pw = []
    for _ in x:
        pw.append(float(p))  # float(Fraction) rounds to nearest
        p *= base
    return a0 * np.array(pw)


def bits(v):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", float(v)))[0]


def main():
    for fits, candles in SETS:
        closes = {}
        with open(GOLDEN + candles) as fh:
            for r in csv.DictReader(fh):
                closes.setdefault(r["token"], []).append((r["timestamp"], float(r["close"])))
        h = hashlib.sha256()
        with open(GOLDEN + fits) as fh:
            for r in csv.DictReader(fh, delimiter="\t"):
                y = np.array([c for d, c in closes[r["token"]] if r["window_start"] <= d <= r["last_candle"]])
                x = np.arange(len(y), dtype=float)
                p0 = (float(r["init_a0"]), float(r["init_a1"]))
                p, _, info, _, ier = curve_fit(model, x, y, p0=p0, method="lm", maxfev=5000, full_output=True)
                line = "%s\t%s\t%s\t%s\t%d\t%d\n" % (r["date"], r["token"], bits(p[0]), bits(p[1]), info["nfev"], ier)
                h.update(line.encode())
        print('{"%s", "%s"},' % (fits, h.hexdigest()))


if __name__ == "__main__":
    main()
