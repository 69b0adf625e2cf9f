package search

import (
	"os/exec"
	"testing"
)

// TestOptunaScript runs the tests of tools/optuna_tpe.py (its space parser,
// its loop against a fake evaluator, its JSON-lines protocol against a fake
// gem eval --stdin). It skips without Debian's python3-optuna.
func TestOptunaScript(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Python")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import optuna").Run(); err != nil {
		t.Skipf("Optuna is not available (apt-get install -y python3-optuna): %v", err)
	}
	out, err := exec.Command("/usr/bin/python3", "../tools/optuna_tpe_test.py").CombinedOutput()
	if err != nil {
		t.Fatalf("tools/optuna_tpe_test.py: %v\n%s", err, out)
	}
}
