#!/usr/bin/python3
"""Independent cross-check of gem's validate package with numpy and scipy.

Reads a JSON file {"returns": [[...], ...] (one row per day, one column per
trial), "x": [...], "y": [...]} and prints, as JSON:

- for the trial with the highest Sharpe ratio (mean / sample sd): its
  column, Sharpe ratio, population skewness and (non-excess) kurtosis;
- the sample variance of all the trials' Sharpe ratios;
- the effective number of trials, the participation ratio of the
  correlation matrix, (sum of eigenvalues)^2 / sum of squared eigenvalues
  (Bretherton et al. 1999), from numpy's eigenvalues;
- SR0, the expected maximum Sharpe ratio of that many trials, and the
  probabilistic and deflated Sharpe ratios (Bailey and Lopez de Prado
  2012, 2014) with scipy's normal distribution;
- Spearman's rho and Kendall's tau-b of x and y from scipy.stats.

Usage: /usr/bin/python3 tools/validate_check.py input.json
"""
import json
import sys

import numpy as np
from scipy import stats


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    r = np.asarray(data["returns"], dtype=float)
    t = r.shape[0]
    sharpe = r.mean(axis=0) / r.std(axis=0, ddof=1)
    best = int(np.argmax(sharpe))
    sr = float(sharpe[best])
    skew = float(stats.skew(r[:, best], bias=True))
    kurt = float(stats.kurtosis(r[:, best], fisher=False, bias=True))
    var = float(np.var(sharpe, ddof=1))

    eig = np.linalg.eigvalsh(np.corrcoef(r, rowvar=False))
    trials = float(eig.sum() ** 2 / (eig ** 2).sum())

    gamma = np.euler_gamma
    sr0 = np.sqrt(var) * ((1 - gamma) * stats.norm.ppf(1 - 1 / trials)
                          + gamma * stats.norm.ppf(1 - 1 / (trials * np.e)))

    def psr(benchmark):
        den = np.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr ** 2)
        return float(stats.norm.cdf((sr - benchmark) * np.sqrt(t - 1) / den))

    rho = stats.spearmanr(data["x"], data["y"])[0]
    tau = stats.kendalltau(data["x"], data["y"], variant="b")[0]
    json.dump({
        "best": best, "sharpe": sr, "skewness": skew, "kurtosis": kurt,
        "variance": var, "trials": trials, "expected_max": float(sr0),
        "psr": psr(0.0), "dsr": psr(sr0),
        "spearman": float(rho), "kendall": float(tau),
    }, sys.stdout)


if __name__ == "__main__":
    main()
