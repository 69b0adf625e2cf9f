package synth

import "strconv"

// fixedNames are the tokens every universe starts with, in order.
var fixedNames = [...]string{"BTC", "ETH", "USDC", "USDT", "DAI", "XAUT"}

var (
	onsets = [...]string{
		"B", "BL", "BR", "C", "CH", "D", "DR", "F", "FL", "G", "GR", "H", "J",
		"K", "KR", "L", "M", "N", "P", "PL", "Q", "R", "S", "SH", "SK", "ST",
		"T", "TR", "V", "W", "X", "Z",
	}
	vowels = [...]string{"A", "E", "I", "O", "U", "Y", "AI", "EO", "OO", "IA"}
	codas  = [...]string{"", "", "", "", "N", "X", "R", "K", "S", "M", "L", "T", "Z"}
)

// tickers returns n unique uppercase tickers of 3 to 5 letters built from
// syllables, none equal to a fixed name. If the syllable space runs low
// (tens of thousands of tokens), a decimal suffix keeps them unique.
func tickers(r *src, n int) []string {
	seen := make(map[string]bool, n+len(fixedNames)) // membership only
	for _, f := range fixedNames {
		seen[f] = true
	}
	out := make([]string, 0, n)
	for len(out) < n {
		name := ""
		for try := 0; ; try++ {
			name = syllables(r)
			if !seen[name] {
				break
			}
			if try >= 64 {
				base := name[:min(len(name), 4)]
				for k := 2; ; k++ {
					if name = base + strconv.Itoa(k); !seen[name] {
						break
					}
				}
				break
			}
		}
		seen[name] = true
		out = append(out, name)
	}
	return out
}

// syllables draws one candidate ticker: one or two onset-vowel syllables
// and an optional coda, redrawn until it has at most 5 letters and padded
// to at least 3.
func syllables(r *src) string {
	b := make([]byte, 0, 12)
	for {
		b = append(b[:0], onsets[r.intn(len(onsets))]...)
		b = append(b, vowels[r.intn(len(vowels))]...)
		if r.bernoulli(0.6) {
			b = append(b, onsets[r.intn(len(onsets))]...)
			b = append(b, vowels[r.intn(len(vowels))]...)
		}
		b = append(b, codas[r.intn(len(codas))]...)
		if len(b) <= 5 {
			break
		}
	}
	for len(b) < 3 {
		b = append(b, "NXRKSMLTZ"[r.intn(9)])
	}
	return string(b)
}
