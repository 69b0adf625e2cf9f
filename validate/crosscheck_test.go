package validate

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// python is Debian's interpreter, with python3-numpy and python3-scipy.
const python = "/usr/bin/python3"

// TestCrossCheckPython compares DeflatedSharpe, EffectiveTrials, Spearman
// and Kendall with tools/validate_check.py, an independent numpy/scipy
// implementation, on a fixed input: skewed, fat-tailed returns of 12
// trials that share a common factor in two groups, and two vectors with
// ties. It skips when the interpreter or scipy is absent.
func TestCrossCheckPython(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		t.Skipf("%s absent: install python3-numpy and python3-scipy to cross-check", python)
	}
	if err := exec.Command(python, "-c", "import numpy, scipy").Run(); err != nil {
		t.Skipf("numpy or scipy missing for %s (apt-get install -y python3-numpy python3-scipy): %v", python, err)
	}

	rng := rand.New(rand.NewPCG(42, 7))
	const days, trials = 750, 12
	returns := make([][]float64, days)
	for d := range returns {
		factors := [2]float64{rng.NormFloat64(), rng.NormFloat64()}
		for c := range trials {
			// Lognormal shocks (skewed, fat-tailed) on a group factor.
			shock := math.Exp(0.8*rng.NormFloat64()) - math.Exp(0.32)
			r := 0.004*factors[c%2] + 0.006*shock + 0.00004*float64(c)
			returns[d] = append(returns[d], r)
		}
	}
	x, y := make([]float64, 60), make([]float64, 60)
	for i := range x {
		x[i] = math.Round(4 * rng.Float64()) // heavy ties
		y[i] = math.Round(x[i] + 3*rng.NormFloat64())
	}

	dir := t.TempDir()
	in := filepath.Join(dir, "input.json")
	blob, err := json.Marshal(map[string]any{"returns": returns, "x": x, "y": y})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, blob, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "../tools/validate_check.py", in).Output()
	if err != nil {
		t.Fatalf("validate_check.py: %v", err)
	}
	var want struct {
		Best                                 int
		Sharpe, Skewness, Kurtosis, Variance float64
		Trials                               float64
		ExpectedMax                          float64 `json:"expected_max"`
		PSR, DSR                             float64
		Spearman, Kendall                    float64
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("validate_check.py output %q: %v", out, err)
	}

	eff, err := EffectiveTrials(returns)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DeflatedSharpe(returns, eff.Trials)
	if err != nil {
		t.Fatal(err)
	}
	rho, _ := Spearman(x, y)
	tau, _ := Kendall(x, y)
	if got.Best != want.Best {
		t.Errorf("best trial: got %d, want %d", got.Best, want.Best)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Sharpe", got.Sharpe, want.Sharpe},
		{"skewness", got.Skewness, want.Skewness},
		{"kurtosis", got.Kurtosis, want.Kurtosis},
		{"variance of the Sharpe ratios", got.Variance, want.Variance},
		{"effective trials", eff.Trials, want.Trials},
		{"SR₀", got.ExpectedMax, want.ExpectedMax},
		{"PSR", got.PSR, want.PSR},
		{"DSR", got.DSR, want.DSR},
		{"Spearman", rho, want.Spearman},
		{"Kendall", tau, want.Kendall},
	} {
		if !near(c.got, c.want, 1e-9) {
			t.Errorf("%s: got %.15g, scipy %.15g", c.name, c.got, c.want)
		}
	}
	t.Logf("effective trials %.3f of %d; DSR %.4f, PSR %.4f; Spearman %.4f, Kendall %.4f", eff.Trials, trials, got.DSR, got.PSR, rho, tau)
}
