package dataio

import (
	"cmp"
	"fmt"
	"os"
	"strings"

	"gem/harness"
	"gem/synth"
)

// Source says where a panel comes from: candle files, or the synthetic
// universe; the universe filters; and the funding of its perps. It holds
// the options of the --data flags that every gem command shares, as the
// flags give them, and its errors name an option by its flag (--from,
// --format, --funding-missing), so that a command can return them as they
// are.
type Source struct {
	// Paths are the candle files, read together (Read). None means the
	// synthetic universe of Synth.
	Paths []string
	// Synth is the synthetic universe used without Paths; its zero value
	// is invalid, so start from synth.DefaultConfig.
	Synth synth.Config
	// Format is the files' format as ParseFormat reads it ("" or "auto"
	// detects each file's); it is parsed only when there are Paths.
	Format string
	// Token and DropBadRows are Options.Token and Options.DropBadRows.
	Token       string
	DropBadRows bool
	// Filter selects the universe. Its From and To are set from the
	// fields below when those are not empty.
	Filter Filter
	// From and To keep the candles dated in [From, To] (YYYY-MM-DD; empty
	// means no bound).
	From, To string
	// Funding is a file of perp funding settlements (harness.LoadFunding)
	// for the perps of the data; empty means none. It is an error when the
	// data has no perps.
	Funding string
	// FundingMissing is the rule for a held perp's day without a
	// settlement (harness.ParseFundingMissing); empty means "error".
	FundingMissing string
	// AllowMixed is Data.AllowMixed: spot and perp files in one panel.
	AllowMixed bool
	// Warn, when set, is told about each row DropBadRows skipped, in file
	// order, and then their number, before the filters run; and by Load,
	// of each of PanelWarnings, prefixed "warning: ".
	Warn func(msg string)
}

// Load reads the panel and describes it in a few words: where it came from,
// its filters, its size and dates, and its funding:
//
//	panel.csv.gz [no stablecoins]: 454 tokens, 3121 days (2017-08-17..2026-03-03)
func (s *Source) Load() (p *harness.Panel, desc string, err error) {
	missing, err := harness.ParseFundingMissing(cmp.Or(s.FundingMissing, "error"))
	if err != nil {
		return nil, "", fmt.Errorf("--funding-missing: %w", err)
	}
	d, what, err := s.Read()
	if err != nil {
		return nil, "", err
	}
	if p, err = d.Panel(); err != nil {
		return nil, "", err
	}
	desc = fmt.Sprintf("%s: %d tokens, %d days (%s..%s)", what, p.NumTokens(), p.NumDays(), p.Dates[0], p.Dates[p.NumDays()-1])
	for _, w := range PanelWarnings(p, what) {
		s.warn("warning: " + w)
	}
	if s.Funding != "" {
		if !p.HasPerps() {
			return nil, "", fmt.Errorf("--funding %s: the data has no perps (a perp file's name contains \"perp\")", s.Funding)
		}
		f, err := harness.LoadFunding(s.Funding)
		if err != nil {
			return nil, "", err
		}
		p.AttachFunding(f)
		desc += fmt.Sprintf("; funding %s: %d tokens, %d settlements", s.Funding, len(f.Series), f.Rows())
	}
	if p.HasPerps() {
		p.SetFundingMissing(missing)
		desc += "; missing funding: " + missing.String()
	}
	return p, desc, nil
}

// Read reads the candles (the files, or the synthetic universe) and applies
// the filters; what describes them: the files or the synthetic universe's
// seed, the number of rows dropped, and the filters (Filter.String) in
// brackets. The candles are not yet a panel: Data.Panel builds it, with
// AllowMixed set.
func (s *Source) Read() (d *Data, what string, err error) {
	f := s.Filter
	for _, b := range []struct {
		flag, value string
		dst         *harness.Date
	}{{"--from", s.From, &f.From}, {"--to", s.To, &f.To}} {
		if b.value == "" {
			continue
		}
		if *b.dst, err = harness.ParseDate(b.value); err != nil {
			return nil, "", fmt.Errorf("%s: %w", b.flag, err)
		}
	}
	if len(s.Paths) == 0 {
		if err := synth.CheckSize(s.Synth); err != nil {
			return nil, "", fmt.Errorf("--synth-tokens, --synth-days: %w", err)
		}
		d = &Data{Candles: synth.Generate(s.Synth)}
		what = fmt.Sprintf("synthetic universe (seed %d)", s.Synth.Seed)
	} else {
		format, err := ParseFormat(s.Format)
		if err != nil {
			return nil, "", fmt.Errorf("--format: %w", err)
		}
		if d, err = Read(Options{Format: format, Token: s.Token, DropBadRows: s.DropBadRows}, s.Paths...); err != nil {
			return nil, "", err
		}
		what = strings.Join(s.Paths, ", ")
		if n := len(d.Dropped); n > 0 {
			for _, e := range d.Dropped {
				s.warn(fmt.Sprintf("dropped %v", e))
			}
			s.warn(fmt.Sprintf("--drop-bad-rows dropped %d rows", n))
			what += fmt.Sprintf(" (%d bad rows dropped)", n)
		}
	}
	d.AllowMixed = s.AllowMixed
	if !f.IsZero() {
		if d.Candles, d.Where, err = f.Apply(d.Candles, d.Where); err != nil {
			return nil, "", err
		}
		what += " [" + f.String() + "]"
	}
	return d, what, nil
}

// Check reads the Paths with Check, in the Format and with the Token of s;
// the filters do not apply.
func (s *Source) Check() (*Report, error) {
	format, err := ParseFormat(s.Format)
	if err != nil {
		return nil, fmt.Errorf("--format: %w", err)
	}
	return Check(Options{Format: format, Token: s.Token}, s.Paths...)
}

// Convert reads the candles (Read) and writes them to out in the format its
// extension names (Write), after checking that they make a panel. An
// existing out is an error unless overwrite. It returns what it read and
// wrote in two lines.
func (s *Source) Convert(out string, overwrite bool) (string, error) {
	if _, err := os.Stat(out); err == nil && !overwrite {
		return "", fmt.Errorf("%s exists (pass --force to overwrite it)", out)
	}
	d, what, err := s.Read()
	if err != nil {
		return "", err
	}
	p, err := d.Panel()
	if err != nil {
		return "", err
	}
	if err := Write(out, d.Candles); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s\nwrote %d candles of %d tokens (%s..%s) to %s (%s)", what, len(d.Candles), p.NumTokens(), p.Dates[0], p.Dates[p.NumDays()-1], out, OutputFormat(out)), nil
}

func (s *Source) warn(msg string) {
	if s.Warn != nil {
		s.Warn(msg)
	}
}
