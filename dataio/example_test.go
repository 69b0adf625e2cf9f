package dataio_test

import (
	"fmt"

	"gem/dataio"
	"gem/harness"
)

// Read reads any mix of formats, and Panel builds one harness panel from
// them; a Binance dump takes its token from the file name.
func ExampleRead() {
	d, err := dataio.Read(dataio.Options{}, "testdata/BTCUSDT-1d-2024-01.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := d.Panel()
	if err != nil {
		fmt.Println(err)
		return
	}
	s := p.Series[0]
	fmt.Println(s.Token, p.NumDays(), "days from", p.Dates[0], "last close", s.Close[len(s.Close)-1])
	// Output: BTC 5 days from 2024-01-01 last close 44145.11
}

// A reused ticker becomes two assets, and the filters pick a universe.
func ExampleFilter() {
	d := func(s string) harness.Date { x, _ := harness.ParseDate(s); return x }
	candles := []harness.Candle{
		{Token: "LUNA", Date: d("2022-05-12"), Close: 0.0003},
		{Token: "LUNA", Date: d("2022-05-13"), Close: 0.00005},
		{Token: "LUNA", Date: d("2022-05-31"), Close: 8.87},
		{Token: "USDT", Date: d("2022-05-31"), Close: 1},
	}
	f := dataio.Filter{SplitReused: true, ExcludeStablecoins: true, From: d("2022-05-13")}
	kept, _, err := f.Apply(candles, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range kept {
		fmt.Println(c.Token, c.Date, c.Close)
	}
	// Output:
	// LUNA 2022-05-13 5e-05
	// LUNA#2 2022-05-31 8.87
}
