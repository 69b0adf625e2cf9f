package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gem/dataio"
	"gem/harness"
)

// gemRun runs the CLI in-process and returns its exit status and output.
func gemRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeText(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDataCheckCLI: errors give exit status 1, warnings 0 (a day no token
// has is both a token gap and a calendar gap); --json is one
// JSON document with the same counts.
func TestDataCheckCLI(t *testing.T) {
	bad := writeText(t, "bad.csv", "token,date,open,high,low,close,volume\nBTC,2022-01-01,1,2,1,1.5,5\nBTC,2022-01-02,1,2,1,0,5\nBTC,2022-01-04,1,2,1,1.5,5\n")
	code, out, errOut := gemRun(t, "data", "check", bad)
	if code != 1 || !strings.Contains(errOut, "1 errors, 2 warnings") || !strings.Contains(out, "bad.csv:3: close is 0") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr: %s", code, out, errOut)
	}
	code, out, _ = gemRun(t, "data", "check", "--json", bad)
	var r struct {
		Errors, Warnings int
		Tokens           []struct{ Token string }
		Issues           []struct{ Kind string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 1 || r.Errors != 1 || r.Warnings != 2 || len(r.Tokens) != 1 || len(r.Issues) != 3 {
		t.Errorf("exit %d, %+v, %v:\n%s", code, r, err, out)
	}
	good := writeText(t, "good.csv", "token,date,open,high,low,close,volume\nUSDC,2022-01-01,1,1,1,1,5\nUSDC,2022-01-02,1,1,0.9,0.95,5\n")
	if code, out, errOut := gemRun(t, "data", "check", good); code != 0 || !strings.Contains(out, "depeg") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
}

// TestDataCheckMerged: the CLI flags LUNA's reuse and the listed
// redenominations on the real merged panel, without errors.
func TestDataCheckMerged(t *testing.T) {
	path := "../../../shared/data/binance_spot_1d_panel_merged.csv.gz"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real data not found at %s (it lives in ../shared, outside the repository): %v", path, err)
	}
	code, out, errOut := gemRun(t, "data", "check", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, tok := range []string{"COCOS", "DREP", "BTCST", "SUN", "QUICK", "STRAX"} {
		if !strings.Contains(out, "redenomination  "+tok) {
			t.Errorf("no redenomination of %s in the report", tok)
		}
	}
	if !strings.Contains(out, "reuse           LUNA   2022-05-13..2022-05-31") {
		t.Errorf("no reuse of LUNA in the report:\n%s", out)
	}
}

// TestConvertAndFilters: convert writes Parquet that every --data command
// reads, the universe filters cut it, and --drop-bad-rows reports each
// dropped row on stderr.
func TestConvertAndFilters(t *testing.T) {
	data := synthCSV(t)
	pq := filepath.Join(t.TempDir(), "u.parquet")
	if code, out, errOut := gemRun(t, "data", "convert", data, pq); code != 0 {
		t.Fatalf("convert: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := gemRun(t, "eval", "--data", pq, "--strategy", "benchmark", "--ledger", "-",
		"--tokens", "BTC,ETH,USDC", "--exclude-stablecoins", "--from", "2020-03-01", "--to", "2021-02-28", "--min-history", "100")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "2 tokens, 365 days (2020-03-01..2021-02-28)") {
		t.Errorf("eval output:\n%s", out)
	}
	csv := filepath.Join(t.TempDir(), "u.csv.gz")
	if code, _, errOut := gemRun(t, "data", "convert", "--tokens", "BTC", pq, csv); code != 0 {
		t.Fatalf("convert back: %s", errOut)
	}
	p, err := loadPanel(csv)
	if err != nil || p.NumTokens() != 1 || p.NumDays() != 730 {
		t.Errorf("converted file: %v", err)
	}
	// An existing output is kept unless --force.
	code, _, errOut = gemRun(t, "data", "convert", pq, csv)
	if p, err := loadPanel(csv); code != 1 || !strings.Contains(errOut, "exists (pass --force") || err != nil || p.NumTokens() != 1 {
		t.Errorf("convert onto an existing file: exit %d, %s; the file must be kept (%v)", code, errOut, err)
	}
	if code, _, errOut := gemRun(t, "data", "convert", "--force", pq, csv); code != 0 {
		t.Errorf("convert --force: exit %d, %s", code, errOut)
	} else if p, err := loadPanel(csv); err != nil || p.NumTokens() < 2 {
		t.Errorf("convert --force: %v, want the file overwritten with every token", err)
	}
	if code, _, errOut := gemRun(t, "eval", "--data", pq, "--tokens", "NOPE", "--ledger", "-"); code != 1 || !strings.Contains(errOut, "no such token: NOPE") {
		t.Errorf("unknown token: exit %d, %s", code, errOut)
	}

	bad := writeText(t, "bad.csv", "token,date,open,high,low,close,volume\nBTC,2022-01-01,1,2,1,1.5,5\nBTC,2022-01-02,0,2,1,1.5,5\nBTC,2022-01-03,1,2,1,1.6,5\n")
	code, _, errOut = gemRun(t, "eval", "--data", bad, "--strategy", "benchmark", "--ledger", "-")
	if code != 1 || !strings.Contains(errOut, bad+":3:16: open is 0") {
		t.Errorf("strict: exit %d, %s", code, errOut)
	}
	code, out, errOut = gemRun(t, "data", "convert", "--drop-bad-rows", bad, filepath.Join(t.TempDir(), "ok.csv"))
	if code != 0 || !strings.Contains(errOut, "gem: dropped "+bad+":3:16: open is 0") || !strings.Contains(errOut, "dropped 1 rows") || !strings.Contains(out, "wrote 2 candles") {
		t.Errorf("drop: exit %d\n%s%s", code, out, errOut)
	}
}

// TestFetchBinanceCLI: gem data fetch binance against a local server in
// Binance's format writes the file, and a rerun finds it up to date.
func TestFetchBinanceCLI(t *testing.T) {
	const day = 86_400_000
	first := int64(19723) * day // 2024-01-01
	var requests int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		if r.URL.Path != "/api/v3/klines" || r.URL.Query().Get("symbol") != "BTCUSDT" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":-1121,"msg":"Invalid symbol."}`)
			return
		}
		start, _ := strconv.ParseInt(r.URL.Query().Get("startTime"), 10, 64)
		end, _ := strconv.ParseInt(r.URL.Query().Get("endTime"), 10, 64)
		var rows []string
		for ot := max(start, first); ot <= end && ot < first+10*day; ot += day {
			rows = append(rows, fmt.Sprintf(`[%d,"1.0","2.0","0.5","1.5","10.0",%d,"15.0",3,"5.0","7.5","0"]`, ot, ot+day-1))
		}
		fmt.Fprintf(w, "[%s]", strings.Join(rows, ","))
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "btc.parquet")
	args := []string{"data", "fetch", "binance", "--symbols", "BTCUSDT", "--from", "2024-01-01", "--to", "2024-01-10", "--out", out, "--base-url", srv.URL}
	code, _, errOut := gemRun(t, args...)
	if code != 0 || !strings.Contains(errOut, "BTCUSDT: 10 candles added") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	code, _, errOut = gemRun(t, args...)
	if code != 0 || !strings.Contains(errOut, "BTCUSDT: up to date") || requests != 1 {
		t.Errorf("rerun: exit %d after %d requests: %s", code, requests, errOut)
	}
	code, _, errOut = gemRun(t, append(args[:4:4], "NOPEUSDT", "--out", out, "--base-url", srv.URL, "--from", "2024-01-01", "--to", "2024-01-10")...)
	if code != 1 || !strings.Contains(errOut, "Invalid symbol") {
		t.Errorf("bad symbol: exit %d: %s", code, errOut)
	}
	p, err := loadPanel(out)
	if err != nil || p.TokenDays() != 10 || p.Series[0].Token != "BTC" {
		t.Errorf("fetched file: %v", err)
	}
}

// TestCheckLookaheadCLI: causal fills pass; reference fills show the known
// same-close leak and still exit 0.
func TestCheckLookaheadCLI(t *testing.T) {
	data := synthCSV(t)
	code, out, errOut := gemRun(t, "check", "lookahead", "--data", data, "--strategy", "specialist", "--days", "4", "--workers", "2")
	if code != 0 || !strings.Contains(out, "PASS") {
		t.Errorf("causal: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = gemRun(t, "check", "lookahead", "--data", data, "--strategy", "specialist", "--fill", "reference", "--days", "6", "--set", "r2_threshold=0.1", "--workers", "2")
	if code != 0 || !strings.Contains(out, "KNOWN LEAK") {
		t.Errorf("reference: exit %d\n%s%s", code, out, errOut)
	}
}

// loadPanel reads a file of any format and builds its panel.
func loadPanel(path string) (*harness.Panel, error) {
	d, err := dataio.Read(dataio.Options{}, path)
	if err != nil {
		return nil, err
	}
	return d.Panel()
}

// TestSynthSizeFlags: --synth-tokens and --synth-days size the synthetic
// universe, within bounds.
func TestSynthSizeFlags(t *testing.T) {
	code, out, errOut := gemRun(t, "eval", "--synth-tokens", "8", "--synth-days", "200", "--strategy", "benchmark", "--ledger", "-")
	if code != 0 || !strings.Contains(out, "8 tokens, 200 days") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	for _, args := range [][]string{{"--synth-tokens", "0"}, {"--synth-days", "-5"}, {"--synth-tokens", "100000", "--synth-days", "100000"}} {
		code, _, errOut := gemRun(t, append([]string{"eval", "--strategy", "benchmark", "--ledger", "-"}, args...)...)
		if code != 1 || !strings.Contains(errOut, "--synth-tokens, --synth-days") {
			t.Errorf("%v: exit %d, %s", args, code, errOut)
		}
	}
}
