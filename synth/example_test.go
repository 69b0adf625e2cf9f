package synth_test

import (
	"fmt"

	"gem/synth"
)

// A small universe: 20 tokens over 90 days from 2020-01-01.
func Example() {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 20, 90
	p, err := synth.Panel(cfg)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.NumTokens(), "tokens,", p.NumDays(), "days from", p.Dates[0])
	for _, tok := range []string{"BTC", "ETH", "USDC"} {
		s := p.Series[p.TokenIndex(tok)]
		fmt.Println(tok, "listed", p.Dates[s.Day[0]], "with", len(s.Day), "candles")
	}
	// Output:
	// 20 tokens, 90 days from 2020-01-01
	// BTC listed 2020-01-01 with 90 candles
	// ETH listed 2020-01-01 with 90 candles
	// USDC listed 2020-01-01 with 90 candles
}
