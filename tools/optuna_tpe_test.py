#!/usr/bin/python3
"""Tests of tools/optuna_tpe.py without gem: the space parser on the form
`gem params --json` prints and on bad input, the optimisation loop against a
fake evaluator (a Python function), and the JSON-lines protocol against a
fake `gem eval --stdin` (this file run with --fake-gem).

    /usr/bin/python3 tools/optuna_tpe_test.py
"""

import json
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optuna_tpe  # noqa: E402

# Entries as `gem params --json` prints them (docs shortened).
GEM_SPACE = [
    {"name": "bull.r2_threshold", "kind": "float", "min": -1, "max": 1, "default": 0.3, "doc": "d",
     "search_min": 0, "search_max": 0.95},
    {"name": "bull.top_n", "kind": "int", "min": 1, "max": 10000, "default": 15, "doc": "d",
     "search_min": 1, "search_max": 30},
    {"name": "bull.momentum_cap", "kind": "float", "min": None, "max": None, "default": 0.14, "doc": "d",
     "search_min": 0.02, "search_max": 1},
    {"name": "bull.use_r2_filter", "kind": "bool", "min": None, "max": None, "default": True, "doc": "d"},
    {"name": "bull.fit_model", "kind": "categorical", "min": None, "max": None, "default": "exponential",
     "doc": "d", "choices": ["exponential", "linear"]},
    {"name": "hmm.restarts", "kind": "int", "min": 1, "max": 1000, "default": 10, "doc": "not searched"},
    {"name": "hmm.tol", "kind": "log_float", "min": 1e-14, "max": 0.1, "default": 1e-06, "doc": "d",
     "search_min": 1e-9, "search_max": 1e-3},
    {"name": "bear.top_n", "kind": "int", "min": 1, "max": 10000, "default": 3, "doc": "plan values",
     "values": [1, 3, 5, 8]},
    {"name": "hmm.seed", "kind": "int", "min": 0, "max": None, "default": 1, "doc": "d",
     "search_min": 4, "search_max": 4},
]


def fake_score(params):
    """A stand-in for gem: a maximum of 3 at r2 = 0.5, top_n = 12, cap = 0.3,
    the filter on, the linear model, tol = 1e-6, bear.top_n = 5; rejected
    (None) when top_n > 20."""
    if params["bull.top_n"] > 20:
        return None
    y = -(params["bull.r2_threshold"] - 0.5) ** 2 - ((params["bull.top_n"] - 12) / 10) ** 2
    y -= (params["bull.momentum_cap"] - 0.3) ** 2 + (math.log10(params["hmm.tol"]) + 6) ** 2 / 10
    y += (1 if params["bull.use_r2_filter"] else 0) + (1 if params["bull.fit_model"] == "linear" else 0)
    y += 1 if params["bear.top_n"] == 5 else 0
    return y


class ParseSpace(unittest.TestCase):
    def test_gem_form(self):
        dims = optuna_tpe.parse_space(json.dumps(GEM_SPACE))
        got = {d.name: d for d in dims}
        self.assertEqual([d.name for d in dims], ["bull.r2_threshold", "bull.top_n", "bull.momentum_cap",
                                                   "bull.use_r2_filter", "bull.fit_model", "hmm.tol", "bear.top_n"])
        self.assertEqual((got["bull.top_n"].low, got["bull.top_n"].high), (1, 30))
        self.assertIsInstance(got["bull.top_n"].low, int)
        self.assertEqual(got["bull.use_r2_filter"].choices, [False, True])
        self.assertEqual(got["bull.fit_model"].choices, ["exponential", "linear"])
        self.assertEqual(got["bear.top_n"].choices, [1, 3, 5, 8])
        self.assertEqual(got["hmm.tol"].kind, "log_float")
        self.assertNotIn("hmm.restarts", got)  # no search range: default
        self.assertNotIn("hmm.seed", got)  # search_min = search_max

    def test_bad(self):
        bad = {
            "not json": "[{",
            "not a list": json.dumps({"name": "x"}),
            "entry not an object": json.dumps([3]),
            "no name": json.dumps([{"kind": "int"}]),
            "name with a space": json.dumps([{"name": "a b", "kind": "int"}]),
            "twice": json.dumps([{"name": "a", "kind": "bool"}, {"name": "a", "kind": "bool"}]),
            "unknown kind": json.dumps([{"name": "a", "kind": "complex"}]),
            "categorical without choices": json.dumps([{"name": "a", "kind": "categorical"}]),
            "choices not strings": json.dumps([{"name": "a", "kind": "categorical", "choices": [1, 2]}]),
            "reversed range": json.dumps([{"name": "a", "kind": "int", "search_min": 5, "search_max": 1}]),
            "half a range": json.dumps([{"name": "a", "kind": "float", "search_min": 0}]),
            "string bound": json.dumps([{"name": "a", "kind": "float", "search_min": "0", "search_max": 1}]),
            "bool bound": json.dumps([{"name": "a", "kind": "int", "search_min": True, "search_max": 3}]),
            "fractional int": json.dumps([{"name": "a", "kind": "int", "search_min": 0.5, "search_max": 3}]),
            "infinite bound": '[{"name": "a", "kind": "float", "search_min": 0, "search_max": Infinity}]',
            "NaN value": '[{"name": "a", "kind": "float", "values": [NaN, 1]}]',
            "log from zero": json.dumps([{"name": "a", "kind": "log_float", "search_min": 0, "search_max": 1}]),
            "empty values": json.dumps([{"name": "a", "kind": "int", "values": []}]),
            "value not a choice": json.dumps([{"name": "a", "kind": "categorical", "choices": ["x"], "values": ["y"]}]),
            "too many": json.dumps([{"name": "p%d" % i, "kind": "bool"} for i in range(optuna_tpe.MAX_PARAMS + 1)]),
            "deep nesting": "[" * 100000 + "]" * 100000,
        }
        for what, text in bad.items():
            with self.subTest(what):
                with self.assertRaises(optuna_tpe.SpaceError):
                    optuna_tpe.parse_space(text)


class Optimise(unittest.TestCase):
    def test_fake_evaluator(self):
        dims = optuna_tpe.parse_space(json.dumps(GEM_SPACE))
        seen = []

        def evaluate(params):
            # Every line holds exactly the searched names, with JSON types
            # gem reads: ints for int, bools for bool, strings for choices.
            self.assertEqual(sorted(params), sorted(d.name for d in dims))
            self.assertIsInstance(params["bull.top_n"], int)
            self.assertIsInstance(params["bull.use_r2_filter"], bool)
            self.assertIn(params["bull.fit_model"], ("exponential", "linear"))
            self.assertTrue(1e-9 <= params["hmm.tol"] <= 1e-3)
            json.dumps(params)
            y = fake_score(params)
            seen.append(y)
            return y

        rows = optuna_tpe.optimise(dims, evaluate, 60, 3, [10, 30, 100])
        self.assertEqual([r[0] for r in rows], [10, 30, 60])
        bests = [r[1] for r in rows]
        self.assertEqual(bests, sorted(bests))  # the best never falls
        finite = [y for y in seen if y is not None]
        self.assertEqual(bests[-1], max(finite))
        self.assertIn(None, seen)  # the rejected region was visited and survived
        # 60 TPE trials get within 0.5 of the maximum 3; this fake's uniform
        # draws reach that about 1 time in 150 (the three discrete bonuses
        # alone: 1/2 · 1/2 · 1/4).
        self.assertGreater(bests[-1], 2.5)
        again = optuna_tpe.optimise(dims, fake_score, 60, 3, [10, 30, 100])
        self.assertEqual([r[1] for r in again], bests)  # seeded

    def test_protocol(self):
        space = os.path.join(os.environ.get("TMPDIR", "/tmp"), "optuna_tpe_test_space.json")
        with open(space, "w") as f:
            json.dump(GEM_SPACE, f)
        dims = optuna_tpe.parse_space(json.dumps(GEM_SPACE))
        gem = optuna_tpe.GemEvaluator([sys.executable, os.path.abspath(__file__), "--fake-gem"])
        try:
            rows = optuna_tpe.optimise(dims, gem, 20, 1, [10])
        finally:
            gem.close()
        self.assertEqual([r[0] for r in rows], [10, 20])
        self.assertIsNotNone(rows[-1][1])
        bad = optuna_tpe.GemEvaluator([sys.executable, os.path.abspath(__file__), "--fake-gem"])
        try:
            with self.assertRaises(RuntimeError):
                bad({"no.such": 1})
        finally:
            bad.close()


def fake_gem():
    """Plays `gem eval --stdin`: a result object per line, score null when
    rejected, an error object for an unknown parameter."""
    names = {p["name"] for p in GEM_SPACE}
    for n, line in enumerate(sys.stdin, 1):
        params = json.loads(line)
        unknown = sorted(set(params) - names)
        if unknown:
            out = {"line": n, "error": "unknown parameter %s" % unknown[0]}
        else:
            out = {"score": fake_score(params), "metrics": {}}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1:] == ["--fake-gem"]:
        fake_gem()
    else:
        unittest.main()
