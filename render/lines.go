package render

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"gem/ledger"
	"gem/trial"
)

// MaxLine bounds one input line of EvalLines.
const MaxLine = 1 << 20

// EvalLines evaluates one configuration per line of in, each a JSON object
// of parameters applied to base, and writes one JSON result per line to out,
// in order: the object EvalJSON writes (on one line), or {"line": N,
// "error": ...} for a line that is not a valid configuration. Blank lines
// are skipped; a line over MaxLine bytes gets such an error object and ends
// the run with an error naming it. Every evaluated trial is appended to lg
// (nil for none); bench is the benchmark EvalJSON shows beside an ensemble.
// A cancelled ctx stops before the next line with trial.ErrInterrupted.
func EvalLines(ctx context.Context, in io.Reader, out io.Writer, env *trial.Env, base trial.Spec, lg *ledger.Ledger, bench *trial.Result) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	bw := bufio.NewWriter(out)
	defer bw.Flush()
	fail := func(n int, err error) error {
		b, _ := json.Marshal(struct {
			Line  int    `json:"line"`
			Error string `json:"error"`
		}{n, err.Error()})
		bw.Write(append(b, '\n'))
		return bw.Flush()
	}
	n := 0
	for sc.Scan() {
		n++
		if err := ctx.Err(); err != nil {
			return trial.ErrInterrupted
		}
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			if err := evalLine(ctx, bw, line, env, base, lg, bench); err != nil {
				if ferr := fail(n, err); ferr != nil {
					return ferr
				}
			}
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		fail(n+1, fmt.Errorf("line longer than %d bytes", MaxLine))
		return fmt.Errorf("stdin: line %d is longer than %d bytes", n+1, MaxLine)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("stdin: %w", err)
	}
	return nil
}

// evalLine evaluates one line's configuration and writes its result.
func evalLine(ctx context.Context, w *bufio.Writer, line []byte, env *trial.Env, base trial.Spec, lg *ledger.Ledger, bench *trial.Result) error {
	a, err := base.Params.ApplyJSON(line)
	if err != nil {
		return err
	}
	spec := base
	spec.Params = a
	t, err := trial.Evaluate(ctx, env, spec)
	if err != nil {
		return err
	}
	if lg != nil {
		if err := lg.Append(&t.Row); err != nil {
			return err
		}
	}
	if err := EvalJSON(w, env.Panel, spec, t, bench, ""); err != nil {
		return err
	}
	return w.Flush()
}
