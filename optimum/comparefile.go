package optimum

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"gem/dataio"
)

// Bounds of a comparison file that LoadComparison accepts.
const (
	// MaxComparisonBytes bounds the size of a comparison file.
	MaxComparisonBytes = 64 << 20
	// MaxComparisonMethods bounds the methods of a comparison file.
	MaxComparisonMethods = 100
)

// ComparisonPath is the comparison file gem search --compare keeps beside
// the ledger at ledgerPath: its name with ".compare.json" appended.
func ComparisonPath(ledgerPath string) string { return ledgerPath + ".compare.json" }

// comparisonFile is a Comparison as JSON; a −Inf score (no configuration
// scored yet) is null.
type comparisonFile struct {
	Optimum float64      `json:"optimum"`
	Budgets []int        `json:"budgets"`
	Seeds   int          `json:"seeds"`
	Batch   int          `json:"batch"`
	Methods []methodFile `json:"methods"`
}

type methodFile struct {
	Name   string        `json:"name"`
	Curves [][]jsonScore `json:"curves"`
}

// Save writes the comparison to path as JSON, through a temporary file in
// the same directory renamed into place, so that a crash never leaves a
// half-written file at path.
func (c *Comparison) Save(path string) error {
	f := comparisonFile{Optimum: c.Optimum, Budgets: c.Budgets, Seeds: c.Seeds, Batch: c.Batch, Methods: make([]methodFile, len(c.Methods))}
	for i, m := range c.Methods {
		f.Methods[i] = methodFile{Name: m.Name, Curves: make([][]jsonScore, len(m.Curves))}
		for j, cv := range m.Curves {
			f.Methods[i].Curves[j] = make([]jsonScore, len(cv))
			for k, v := range cv {
				f.Methods[i].Curves[j][k] = jsonScore(v)
			}
		}
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("optimum: %s: %w", path, err)
	}
	if err := dataio.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	}); err != nil {
		return fmt.Errorf("optimum: %w", err)
	}
	return nil
}

// LoadComparison reads a comparison written by Save. It refuses, naming
// the file, one larger than MaxComparisonBytes, one that is not such JSON,
// and one whose contents Compare cannot have produced: a non-finite
// optimum, budgets and seeds CheckCompare refuses or budgets not
// increasing, a batch below 1, no methods or more than
// MaxComparisonMethods, a method without a name, with no curve or more
// curves than seeds, or a curve longer than the largest budget, decreasing,
// or above the optimum.
func LoadComparison(path string) (*Comparison, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxComparisonBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > MaxComparisonBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB: not a comparison file", path, MaxComparisonBytes>>20)
	}
	var cf comparisonFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c, err := cf.comparison()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// comparison validates the file's contents and returns them.
func (cf *comparisonFile) comparison() (*Comparison, error) {
	if math.IsInf(cf.Optimum, 0) || math.IsNaN(cf.Optimum) {
		return nil, errors.New("the optimum is not a finite number")
	}
	if err := CheckCompare(cf.Budgets, cf.Seeds); err != nil {
		return nil, err
	}
	for i := 1; i < len(cf.Budgets); i++ {
		if cf.Budgets[i] <= cf.Budgets[i-1] {
			return nil, fmt.Errorf("the budgets are not increasing: %d after %d", cf.Budgets[i], cf.Budgets[i-1])
		}
	}
	if cf.Batch < 1 {
		return nil, fmt.Errorf("batch %d: want at least 1", cf.Batch)
	}
	if len(cf.Methods) == 0 || len(cf.Methods) > MaxComparisonMethods {
		return nil, fmt.Errorf("%d methods: want 1 to %d", len(cf.Methods), MaxComparisonMethods)
	}
	top := cf.Budgets[len(cf.Budgets)-1]
	c := &Comparison{Optimum: cf.Optimum, Budgets: cf.Budgets, Seeds: cf.Seeds, Batch: cf.Batch, Methods: make([]Method, len(cf.Methods))}
	for i, m := range cf.Methods {
		if m.Name == "" {
			return nil, fmt.Errorf("method %d has no name", i+1)
		}
		if len(m.Curves) == 0 || len(m.Curves) > cf.Seeds {
			return nil, fmt.Errorf("method %s: %d curves, want 1 to the %d seeds", m.Name, len(m.Curves), cf.Seeds)
		}
		c.Methods[i] = Method{Name: m.Name, Curves: make([]Curve, len(m.Curves))}
		for j, cv := range m.Curves {
			if len(cv) > top {
				return nil, fmt.Errorf("method %s curve %d: %d evaluations, more than the largest budget %d", m.Name, j+1, len(cv), top)
			}
			out := make(Curve, len(cv))
			for k, v := range cv {
				out[k] = float64(v)
				switch {
				case out[k] > cf.Optimum:
					return nil, fmt.Errorf("method %s curve %d evaluation %d: score %g above the optimum %g", m.Name, j+1, k+1, out[k], cf.Optimum)
				case k > 0 && out[k] < out[k-1]:
					return nil, fmt.Errorf("method %s curve %d evaluation %d: the best score so far decreases", m.Name, j+1, k+1)
				}
			}
			c.Methods[i].Curves[j] = out
		}
	}
	return c, nil
}
