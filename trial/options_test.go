package trial

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gem/harness"
	"gem/strategy"
)

func TestOptionsConfig(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		err  string // a substring of the wanted error; "" for none
		fill harness.FillMode
		win  string // the window's String
		set  string // a name=value the assignment must hold; "" for all defaults
	}{
		{name: "defaults", o: Options{Strategy: "specialist", Fill: "causal"}, fill: harness.Causal},
		{name: "sets in order", o: Options{Strategy: "specialist", Fill: "reference", Sets: []string{"top_n=3", " top_n =7"}}, fill: harness.Reference, set: "top_n=7"},
		{name: "window", o: Options{Strategy: "specialist", Fill: "causal", From: "2021-01-01", To: "2021-12-31"}, fill: harness.Causal, win: "2021-01-01..2021-12-31"},
		{name: "open window", o: Options{Strategy: "specialist", Fill: "causal", To: "2021-12-31"}, fill: harness.Causal, win: "..2021-12-31"},
		{name: "bad fill", o: Options{Strategy: "specialist", Fill: "tomorrow"}, err: "tomorrow"},
		{name: "bad strategy", o: Options{Strategy: "martingale", Fill: "causal"}, err: "martingale"},
		{name: "set without value", o: Options{Strategy: "specialist", Fill: "causal", Sets: []string{"top_n"}}, err: `--set "top_n": want name=value`},
		{name: "misspelt set", o: Options{Strategy: "specialist", Fill: "causal", Sets: []string{"top_nn=3"}}, err: "--set: "},
		{name: "value out of bounds", o: Options{Strategy: "specialist", Fill: "causal", Sets: []string{"top_n=0"}}, err: "top_n"},
		{name: "weights without a book", o: Options{Strategy: "weights", Fill: "causal"}, err: "--strategy weights and --weights FILE go together"},
		{name: "a book without weights", o: Options{Strategy: "specialist", Fill: "causal", Weights: "w.csv"}, err: "go together"},
		{name: "window backwards", o: Options{Strategy: "specialist", Fill: "causal", From: "2022-01-01", To: "2021-01-01"}, err: "--score-from/--score-to: "},
		{name: "bad window day", o: Options{Strategy: "specialist", Fill: "causal", From: "2022-02-30"}, err: "--score-from/--score-to: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, fill, win, err := tc.o.Config()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Name() != tc.o.Strategy || fill != tc.fill || win.String() != tc.win {
				t.Errorf("got %s, %s, window %q; want %s, %s, %q", cfg.Name(), fill, win, tc.o.Strategy, tc.fill, tc.win)
			}
			a := strategy.Assign(cfg).String()
			if tc.set == "" {
				def, _ := strategy.New(tc.o.Strategy)
				if want := strategy.Assign(def).String(); a != want {
					t.Errorf("got assignment %s, want the defaults %s", a, want)
				}
			} else if !strings.Contains(" "+a+" ", " "+tc.set+" ") {
				t.Errorf("assignment %s lacks %s", a, tc.set)
			}
		})
	}
}

func TestOptionsBook(t *testing.T) {
	p := testEnv(t).Panel
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tok, day := p.Series[0].Token, p.Dates[3]
	good := write("good.csv", "date,token,weight\n"+day.String()+","+tok+",0.5\n")
	if b, err := (&Options{Weights: good}).Book(p); err != nil || b == nil || len(b.Dates) != 1 {
		t.Errorf("good book: got %v, %v; want one date", b, err)
	}
	if b, err := (&Options{}).Book(p); b != nil || err != nil {
		t.Errorf("no book: got %v, %v; want nil, nil", b, err)
	}
	alien := write("alien.csv", "date,token,weight\n"+day.String()+",NOSUCHTOKEN,0.5\n")
	if _, err := (&Options{Weights: alien}).Book(p); err == nil || !strings.HasPrefix(err.Error(), alien+": ") {
		t.Errorf("a token the data lacks: got %v, want an error naming %s", err, alien)
	}
	if _, err := (&Options{Weights: filepath.Join(dir, "missing.csv")}).Book(p); err == nil {
		t.Errorf("a missing file: no error")
	}
}

func TestCheckData(t *testing.T) {
	var candles []harness.Candle
	for d := range 5 {
		candles = append(candles, harness.Candle{Token: "AAA", Date: harness.Date(18000 + d), Open: 1, High: 1, Low: 1, Close: 1, Volume: 1})
	}
	noBTC, err := harness.NewPanel(candles)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ensemble", "longshort"} {
		cfg, err := strategy.New(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckData(cfg, noBTC); err == nil || !strings.Contains(err.Error(), "no BTC") {
			t.Errorf("%s on data without BTC: got %v, want a refusal", name, err)
		}
	}
	spec, _ := strategy.New("specialist")
	if err := CheckData(spec, noBTC); err != nil {
		t.Errorf("specialist: got %v, want nil (it watches no market)", err)
	}
	for n, want := range map[int]bool{-1: false, 0: false, 1: true, 64: true} {
		if err := CheckWorkers(n); (err == nil) != want {
			t.Errorf("CheckWorkers(%d) = %v", n, err)
		}
	}
}
