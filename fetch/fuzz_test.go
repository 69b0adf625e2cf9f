package fetch

import (
	"encoding/json"
	"math"
	"testing"

	"gem/harness"
)

// FuzzParseKline: any JSON array is a kline or an error, never a panic; an
// accepted kline is a valid candle dated by its open time.
func FuzzParseKline(f *testing.F) {
	f.Add([]byte(`[1735689600000,"1.5","2","1","1.75","10",1735775999999,"17.5",3,"5","8.75","0"]`))
	f.Add([]byte(`[1735689600000,"1e400","2","1","1.75","10",1735775999999]`))
	f.Add([]byte(`[-86400000,"0","2","1","1.75","10",0]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var k []json.RawMessage
		if json.Unmarshal(data, &k) != nil {
			return
		}
		c, openTime, _, err := parseKline(k, "BTC")
		if err != nil {
			return
		}
		if _, err := harness.ValidateCandle(&c); err != nil || c.Token != "BTC" || int64(c.Date)*msPerDay != openTime {
			t.Fatalf("accepted %+v (open time %d): %v", c, openTime, err)
		}
	})
}

// FuzzChartPrices: any chart body gives daily closes inside the asked
// range that are positive and finite, or an error; never a panic.
func FuzzChartPrices(f *testing.F) {
	f.Add([]byte(`{"coins":{"coingecko:x":{"symbol":"X","prices":[{"timestamp":1730764800,"price":1.5},{"timestamp":1730851300,"price":2}]}}}`))
	f.Add([]byte(`{"coins":{"coingecko:x":{"prices":[{"timestamp":9223372036854775807,"price":1}]}}}`))
	f.Add([]byte(`{"coins":{"coingecko:x":{"prices":[{"timestamp":-1,"price":-1}]}}}`))
	from, to := harness.Date(20000), harness.Date(20100)
	f.Fuzz(func(t *testing.T, data []byte) {
		var resp chartResponse
		if json.Unmarshal(data, &resp) != nil {
			return
		}
		for _, c := range resp.Coins {
			m := dailyCloses{}
			if err := m.add(c.Prices, from, to, int64(to+5)*secPerDay); err != nil {
				continue
			}
			for d, p := range m {
				if d < from || d > to || !(p.price > 0) || math.IsInf(p.price, 0) {
					t.Fatalf("day %s price %v outside the range or invalid", d, p.price)
				}
			}
		}
	})
}
