package dataio

import "strings"

// usdStablecoins are tickers of coins pegged to one US dollar. USTC (the
// former TerraUSD, unpegged since May 2022) and FRAX (the governance token's
// ticker since 2025) are left out on purpose.
var usdStablecoins = map[string]bool{
	"USDT": true, "USDC": true, "BUSD": true, "TUSD": true, "USDP": true, "PAX": true,
	"DAI": true, "FDUSD": true, "USDD": true, "UST": true, "GUSD": true, "HUSD": true,
	"SUSD": true, "LUSD": true, "USD1": true, "XUSD": true, "PYUSD": true, "USDE": true,
	"USDS": true, "RLUSD": true, "U": true,
}

// fiatTokens are fiat currencies and coins pegged to one (EURUSDT, AEUR ...):
// not crypto assets, and without a peg of 1 in USD.
var fiatTokens = map[string]bool{
	"EUR": true, "EURI": true, "AEUR": true, "EURC": true, "GBP": true, "AUD": true,
	"TRY": true, "BRL": true, "BIDR": true, "IDRT": true, "BVND": true, "NGN": true,
	"RUB": true, "UAH": true, "ZAR": true, "PLN": true, "RON": true, "ARS": true,
	"JPY": true, "MXN": true,
}

// baseToken strips the "#n" suffix SplitReused gives a reused ticker's
// later assets.
func baseToken(tok string) string {
	if i := strings.LastIndexByte(tok, '#'); i > 0 {
		return tok[:i]
	}
	return tok
}

// IsUSDStablecoin reports whether tok is a known US-dollar stablecoin
// ticker (USDT, USDC, DAI, FDUSD ...), whose fair price is 1.
func IsUSDStablecoin(tok string) bool { return usdStablecoins[strings.ToUpper(baseToken(tok))] }

// IsStablecoin reports whether tok is a US-dollar stablecoin or a fiat
// currency or fiat-pegged coin (EUR, GBP, AEUR ...): the tokens
// Filter.ExcludeStablecoins removes. Gold tokens (PAXG, XAUT) are not
// stablecoins.
func IsStablecoin(tok string) bool {
	return IsUSDStablecoin(tok) || fiatTokens[strings.ToUpper(baseToken(tok))]
}
