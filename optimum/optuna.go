package optimum

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"gem/strategy"
)

// TableFile is a block's scores as an external optimiser's evaluations
// read them (gem optimum serve): the strategy, the full assignment the
// lines overlay, and each configuration's score by its full assignment's
// text (null: rejected).
type TableFile struct {
	Strategy string               `json:"strategy"`
	Base     string               `json:"base"`
	Scores   map[string]jsonScore `json:"scores"`
}

// jsonScore is a score JSON can hold: a number, or null for −Inf.
type jsonScore float64

func (s jsonScore) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(s), 0) || math.IsNaN(float64(s)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(s))
}

func (s *jsonScore) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = jsonScore(math.Inf(-1))
		return nil
	}
	return json.Unmarshal(b, (*float64)(s))
}

// MaxTableBytes bounds a table file (a block of a few hundred thousand
// configurations).
const MaxTableBytes = 1 << 30

// File returns the table file of t, whose strategy is named strategy.
func (t *Table) File(strategy string) *TableFile {
	f := &TableFile{Strategy: strategy, Base: t.Block.Base().String(), Scores: make(map[string]jsonScore, len(t.Scores))}
	for i, s := range t.Scores {
		f.Scores[t.Block.Config(i).String()] = jsonScore(s)
	}
	return f
}

// ReadTableFile reads a table file.
func ReadTableFile(path string) (*TableFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var t TableFile
	if err := json.NewDecoder(io.LimitReader(f, MaxTableBytes)).Decode(&t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &t, nil
}

// Serve answers each line of in, a JSON object of parameters over the
// table's base (as gem eval --stdin reads them), with {"score": ...} from
// the table, or {"line": n, "error": ...} for a bad line or one outside
// the table.
func (t *TableFile) Serve(in io.Reader, out io.Writer) error {
	c, err := strategy.Build(t.Strategy, t.Base)
	if err != nil {
		return fmt.Errorf("table: %w", err)
	}
	base := strategy.Assign(c)
	w := bufio.NewWriter(out)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var reply any
		a, err := base.ApplyJSON(sc.Bytes())
		if err == nil {
			if v, ok := t.Scores[a.String()]; ok {
				reply = struct {
					Score jsonScore `json:"score"`
				}{v}
			} else {
				err = fmt.Errorf("%s is outside the table", a.Diff(base))
			}
		}
		if err != nil {
			reply = struct {
				Line  int    `json:"line"`
				Error string `json:"error"`
			}{n, err.Error()}
		}
		b, _ := json.Marshal(reply)
		w.Write(append(b, '\n'))
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("stdin: %w", err)
	}
	return nil
}

// Optuna returns the External that runs Optuna's TPE (the script at script,
// tools/optuna_tpe.py, through /usr/bin/python3) with its evaluations
// answered by serve, the command line of gem optimum serve without its
// --table flag; its curve counts Optuna's trials, repeats included.
func Optuna(script, strategy string, serve []string) External {
	return func(ctx context.Context, t *Table, budget, seed int) (Curve, error) {
		dir, err := os.MkdirTemp("", "gem-compare-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		tb, err := json.Marshal(t.File(strategy))
		if err != nil {
			return nil, err
		}
		sb, err := json.Marshal(t.Block.Space())
		if err != nil {
			return nil, err
		}
		tablePath, spacePath := filepath.Join(dir, "table.json"), filepath.Join(dir, "space.json")
		if err := os.WriteFile(tablePath, tb, 0o600); err != nil {
			return nil, err
		}
		if err := os.WriteFile(spacePath, sb, 0o600); err != nil {
			return nil, err
		}
		marks := make([]string, budget)
		for i := range marks {
			marks[i] = strconv.Itoa(i + 1)
		}
		args := []string{script, "--space", spacePath, "--budget", strconv.Itoa(budget), "--seed", strconv.Itoa(seed), "--checkpoints", strings.Join(marks, ","), "--"}
		cmd := exec.CommandContext(ctx, "/usr/bin/python3", append(append(args, serve...), "--table", tablePath)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		outb, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %s", script, err, strings.TrimSpace(stderr.String()))
		}
		var c Curve
		lines := strings.Split(strings.TrimSpace(string(outb)), "\n")
		for _, l := range lines[1:] {
			f := strings.SplitN(l, "\t", 3)
			if len(f) < 2 {
				return nil, fmt.Errorf("%s: unexpected line %q", script, l)
			}
			v := math.Inf(-1)
			if f[1] != "null" {
				if v, err = strconv.ParseFloat(f[1], 64); err != nil {
					return nil, fmt.Errorf("%s: line %q: %w", script, l, err)
				}
			}
			c = append(c, v)
		}
		return c, nil
	}
}
