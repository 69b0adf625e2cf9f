#!/usr/bin/python3
"""Optuna's multivariate TPE driving gem through `gem eval --stdin`.

The space is the JSON list `gem params --json` prints: objects with name,
kind (int, float, log_float, bool, categorical), min, max, default, doc, and
where they apply choices, values (a finite search domain) and
search_min/search_max (a numeric search range). A parameter with neither
values nor a search range (or with search_min = search_max) is not searched:
it is left out of every line, so gem uses its default (or --set value).

Each trial is one JSON line to gem (parameter name -> value) and one JSON
result line back, whose "score" is a number or null (rejected: a failed
constraint, told to Optuna through TPE's constraints_func, so that rejected
trials rank below every feasible one). The best score found is printed at
every budget checkpoint:

    gem params --json > space.json
    /usr/bin/python3 tools/optuna_tpe.py --space space.json --budget 215 --seed 1 \
        -- gem eval --stdin --ledger -

prints

    evaluations  best_score  best_params
    50           0.1234      {"bull.top_n": 12, ...}
    ...

Needs Optuna (Debian: apt-get install -y python3-optuna).
"""

import argparse
import json
import math
import subprocess
import sys
import warnings

KINDS = ("int", "float", "log_float", "bool", "categorical")
MAX_PARAMS = 10000
MAX_LEVELS = 1 << 20
DEFAULT_CHECKPOINTS = (50, 100, 215, 500)


class SpaceError(ValueError):
    """A space file that is not a valid `gem params --json` list."""


class Dim:
    """One searched parameter: a numeric range (low..high, log-scaled for
    log_float) or a finite list of choices."""

    def __init__(self, name, kind, low=None, high=None, choices=None):
        self.name, self.kind, self.low, self.high, self.choices = name, kind, low, high, choices

    def suggest(self, trial):
        if self.choices is not None:
            return trial.suggest_categorical(self.name, self.choices)
        if self.kind == "int":
            return trial.suggest_int(self.name, self.low, self.high)
        return trial.suggest_float(self.name, self.low, self.high, log=self.kind == "log_float")

    def __repr__(self):
        if self.choices is not None:
            return "Dim(%s, %s, %r)" % (self.name, self.kind, self.choices)
        return "Dim(%s, %s, %r..%r)" % (self.name, self.kind, self.low, self.high)


def _number(where, v, integer):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise SpaceError("%s: %r is not a number" % (where, v))
    if isinstance(v, float) and not math.isfinite(v):
        raise SpaceError("%s: %r is not finite" % (where, v))
    if integer:
        if isinstance(v, float):
            if v != int(v):
                raise SpaceError("%s: %r is not an integer" % (where, v))
            v = int(v)
        return v
    return float(v)


def parse_space(text, source="space"):
    """Parses the JSON list `gem params --json` prints into the searched
    dimensions, in order. Raises SpaceError naming the entry at fault."""
    try:
        items = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise SpaceError("%s: not JSON: %s" % (source, e))
    if not isinstance(items, list):
        raise SpaceError("%s: want a JSON list of parameters" % source)
    if len(items) > MAX_PARAMS:
        raise SpaceError("%s: %d parameters, at most %d" % (source, len(items), MAX_PARAMS))
    dims, seen = [], set()
    for i, p in enumerate(items):
        where = "%s: parameter %d" % (source, i + 1)
        if not isinstance(p, dict):
            raise SpaceError("%s: not an object" % where)
        name = p.get("name")
        if not isinstance(name, str) or not name or len(name) > 200 or any(c in name for c in " =\t\n\""):
            raise SpaceError("%s: bad name %r" % (where, name))
        where = "%s: %s" % (source, name)
        if name in seen:
            raise SpaceError("%s: declared twice" % where)
        seen.add(name)
        kind = p.get("kind")
        if kind not in KINDS:
            raise SpaceError("%s: kind %r is not one of %s" % (where, kind, ", ".join(KINDS)))
        values, choices = p.get("values"), p.get("choices")
        if kind == "categorical":
            if not isinstance(choices, list) or not choices or len(choices) > MAX_LEVELS or \
                    not all(isinstance(c, str) for c in choices):
                raise SpaceError("%s: a categorical needs a non-empty list of string choices" % where)
        if values is not None:
            if not isinstance(values, list) or not values or len(values) > MAX_LEVELS:
                raise SpaceError("%s: values must be a non-empty list (at most %d)" % (where, MAX_LEVELS))
            if kind in ("int", "float", "log_float"):
                values = [_number("%s: values" % where, v, kind == "int") for v in values]
                if kind == "log_float" and any(v <= 0 for v in values):
                    raise SpaceError("%s: values of a log_float must be positive" % where)
            elif kind == "bool":
                if not all(isinstance(v, bool) for v in values):
                    raise SpaceError("%s: values of a bool must be true or false" % where)
            elif not all(isinstance(v, str) and v in choices for v in values):
                raise SpaceError("%s: values must be among the choices" % where)
            if len(set(values)) > 1:
                dims.append(Dim(name, kind, choices=list(dict.fromkeys(values))))
            continue
        if kind == "bool":
            dims.append(Dim(name, kind, choices=[False, True]))
            continue
        if kind == "categorical":
            if len(set(choices)) > 1:
                dims.append(Dim(name, kind, choices=list(dict.fromkeys(choices))))
            continue
        lo, hi = p.get("search_min"), p.get("search_max")
        if lo is None and hi is None:
            continue  # not searched
        if lo is None or hi is None:
            raise SpaceError("%s: search_min and search_max come together" % where)
        lo = _number("%s: search_min" % where, lo, kind == "int")
        hi = _number("%s: search_max" % where, hi, kind == "int")
        if lo > hi:
            raise SpaceError("%s: search_min %r is above search_max %r" % (where, lo, hi))
        if kind == "log_float" and lo <= 0:
            raise SpaceError("%s: a log_float's search_min must be positive" % where)
        if lo < hi:
            dims.append(Dim(name, kind, low=lo, high=hi))
    return dims


def optimise(dims, evaluate, budget, seed, checkpoints):
    """Runs Optuna's multivariate TPE for budget trials, evaluate(params)
    returning a score or None (rejected), and returns, for each checkpoint
    at most budget (and the budget itself), (evaluations, best score or
    None, best params)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # multivariate and constraints_func are "experimental" in Optuna 3.
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    rejected_key = "rejected"

    def constraints(trial):
        return (1.0 if trial.user_attrs.get(rejected_key) else 0.0,)

    sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, constraints_func=constraints)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    marks = sorted({c for c in checkpoints if 0 < c < budget} | {budget})
    out, best, best_params = [], None, None
    for n in range(1, budget + 1):
        trial = study.ask()
        params = {d.name: d.suggest(trial) for d in dims}
        score = evaluate(params)
        if score is None:
            trial.set_user_attr(rejected_key, True)
            # The value of an infeasible trial does not rank it (the
            # constraint does); any finite number keeps Optuna's checks quiet.
            study.tell(trial, 0.0)
        else:
            study.tell(trial, score)
            if best is None or score > best:
                best, best_params = score, params
        if n in marks:
            out.append((n, best, best_params))
    return out


class GemEvaluator:
    """Talks to one `gem eval --stdin` process: a JSON line out, a JSON
    result line back."""

    def __init__(self, cmd):
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.line = 0

    def __call__(self, params):
        self.line += 1
        self.proc.stdin.write(json.dumps(params) + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline()
        if not reply:
            raise RuntimeError("%s ended before answering line %d (exit %s)" % (" ".join(self.cmd), self.line, self.proc.poll()))
        res = json.loads(reply)
        if "error" in res:
            raise RuntimeError("gem: line %d: %s" % (res.get("line", self.line), res["error"]))
        score = res.get("score")
        if score is None:
            return None
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
            raise RuntimeError("gem: line %d: score %r is not a finite number or null" % (self.line, score))
        return float(score)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()
        self.proc.stdout.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--space", required=True, help="the JSON list `gem params --json` prints")
    ap.add_argument("--budget", type=int, required=True, help="evaluations")
    ap.add_argument("--seed", type=int, default=1, help="TPE's seed")
    ap.add_argument("--checkpoints", default=",".join(str(c) for c in DEFAULT_CHECKPOINTS),
                    help="comma-separated evaluation counts at which to print the best score (the budget is always one)")
    ap.add_argument("cmd", nargs="*", default=["gem", "eval", "--stdin"], help="the gem command after --")
    args = ap.parse_args(argv)
    if args.budget < 1:
        ap.error("--budget must be at least 1")
    try:
        checkpoints = [int(c) for c in args.checkpoints.split(",") if c.strip()]
    except ValueError:
        ap.error("--checkpoints must be comma-separated integers")
    try:
        with open(args.space) as f:
            dims = parse_space(f.read(), args.space)
    except (OSError, SpaceError) as e:
        print("optuna_tpe: %s" % e, file=sys.stderr)
        return 2
    if not dims:
        print("optuna_tpe: %s: no searchable parameter" % args.space, file=sys.stderr)
        return 2
    gem = GemEvaluator(args.cmd)
    try:
        rows = optimise(dims, gem, args.budget, args.seed, checkpoints)
    finally:
        gem.close()
    print("evaluations\tbest_score\tbest_params")
    for n, best, params in rows:
        print("%d\t%s\t%s" % (n, "null" if best is None else repr(best), json.dumps(params)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
