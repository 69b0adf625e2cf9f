package main

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

	"github.com/spf13/cobra"

	"gem/strategy"
)

// tableFile is a block's scores as gem optimum serve reads them: the
// strategy, the full assignment the lines overlay, and each configuration's
// score by its full assignment's text (null: rejected).
type tableFile struct {
	Strategy string               `json:"strategy"`
	Base     string               `json:"base"`
	Scores   map[string]jsonScore `json:"scores"`
}

// maxTableBytes bounds a table file (a block of a few million
// configurations).
const maxTableBytes = 1 << 30

func newOptimumServeCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:    "serve",
		Short:  "Answer gem eval --stdin lines from a block's table of scores (for external optimisers in gem search --compare)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := readTable(path)
			if err != nil {
				return err
			}
			return serveTable(cmd.InOrStdin(), cmd.OutOrStdout(), t)
		},
	}
	cmd.Flags().StringVar(&path, "table", "", "the table file gem search --compare writes")
	return cmd
}

// readTable reads and checks a table file.
func readTable(path string) (*tableFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var t tableFile
	if err := json.NewDecoder(io.LimitReader(f, maxTableBytes)).Decode(&t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &t, nil
}

// serveTable answers each line of in, a JSON object of parameters over the
// table's base, with {"score": ...} from the table, or {"line": n, "error":
// ...} for a bad line or one outside the table.
func serveTable(in io.Reader, out io.Writer, t *tableFile) error {
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
			v, ok := t.Scores[a.String()]
			if ok {
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

// optuna runs Optuna's TPE (the script at script, through /usr/bin/python3)
// on the block for budget trials with seed, its evaluations answered from
// the block's table, and returns its curve (Optuna's trials, repeats
// included).
func (b *block) optuna(ctx context.Context, script string, budget, seed int) (curve, error) {
	dir, err := os.MkdirTemp("", "gem-compare-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	t := tableFile{Strategy: b.strategy, Base: b.base.String(), Scores: map[string]jsonScore{}}
	for k, v := range b.table {
		t.Scores[k] = jsonScore(v)
	}
	tb, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	sb, err := json.Marshal(b.space)
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
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	marks := make([]string, budget)
	for i := range marks {
		marks[i] = strconv.Itoa(i + 1)
	}
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", script, "--space", spacePath, "--budget", strconv.Itoa(budget),
		"--seed", strconv.Itoa(seed), "--checkpoints", strings.Join(marks, ","), "--", self, "optimum", "serve", "--table", tablePath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", script, err, strings.TrimSpace(stderr.String()))
	}
	var c curve
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
