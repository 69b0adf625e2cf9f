package ledger

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestForeign(t *testing.T) {
	rows := []Row{{Harness: "a"}, {Harness: "b"}, {Harness: "a"}, {Harness: ""}}
	tests := []struct {
		name        string
		fingerprint string
		want        []int
	}{
		{"current is a", "a", []int{1, 3}},
		{"current is b", "b", []int{0, 2, 3}},
		{"none match", "c", []int{0, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Foreign(rows, tt.fingerprint); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if got := Foreign(nil, "a"); got != nil {
		t.Errorf("no rows: got %v, want nil", got)
	}
}

// TestVerify writes a ledger with rows of two harnesses and a garbage
// line, and checks what verify says and when it fails.
func TestVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	lg, _, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, h := range []string{"cur", "cur"} {
		if err := lg.Append(&Row{Time: t0, Command: "run", Strategy: "s", Fill: "causal", Params: "a=1", Score: 0.5, Harness: h, Data: "d"}); err != nil {
			t.Fatal(err)
		}
	}
	lg.Close()
	var out bytes.Buffer
	if err := Verify(&out, path, "cur"); err != nil || !strings.Contains(out.String(), "all 2 rows were produced by the current harness cur") {
		t.Errorf("clean ledger: %v %q", err, out.String())
	}
	out.Reset()
	if err := Verify(&out, path, "new"); err == nil || !strings.Contains(out.String(), "2 of 2 rows were produced by a harness other than the current new") {
		t.Errorf("foreign rows: %v %q", err, out.String())
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("garbage\tline\n")
	f.Close()
	out.Reset()
	if err := Verify(&out, path, "cur"); err == nil || !strings.Contains(out.String(), "ledger.tsv:4: not a trusted row") {
		t.Errorf("garbage line: %v %q", err, out.String())
	}
	if err := Verify(&out, filepath.Join(t.TempDir(), "none"), "cur"); err == nil {
		t.Error("no error for a missing ledger")
	}
}

func TestParseSince(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2026-03-01":                time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		"2026-03-01T22:00:00Z":      time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC),
		"2026-03-01T23:00:00+01:00": time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC),
	} {
		if got, err := ParseSince(in); err != nil || !got.Equal(want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2026-13-01", "2026-03-01 22:00"} {
		if _, err := ParseSince(bad); err == nil || !strings.Contains(err.Error(), "--since") {
			t.Errorf("ParseSince(%q): %v", bad, err)
		}
	}
}

// TestRowLine: a row's line keeps tabs and newlines of its fields out and
// marks the current harness.
func TestRowLine(t *testing.T) {
	r := Row{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Command: "run\tx\ny", Strategy: "s", Fill: "causal", Params: "a=1", Score: math.Inf(-1), Harness: "h", Data: "d\te"}
	got := r.Line("h")
	want := r.Key() + "  2026-01-02T03:04:05Z  run x y  data d e  harness h (current harness)  score=-inf"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if strings.Contains(r.Line("other"), "current") {
		t.Error("another harness is marked current")
	}
}
