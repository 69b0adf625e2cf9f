// Package fetch downloads daily candles for users with internet: Binance
// spot klines and DefiLlama price charts, into a candle file that a killed
// or interrupted fetch resumes. Base URLs are fields, so tests (and
// mirrors) point them elsewhere; the tests never touch the real hosts.
//
// # Files
//
//   - doc.go: this overview.
//   - client.go: Client, the JSON getter with retries: passing network
//     errors, truncated bodies, HTTP 429, 418 and 5xx are retried, waiting as
//     long as Retry-After asks or else an exponential backoff; Permanent, the
//     errors that fail at once (DNS, refused connections, no route, TLS);
//     StatusError.
//   - binance.go: Binance, /api/v3/klines at a daily interval, 1000 candles a
//     request; the kline still forming is dropped.
//   - defillama.go: DefiLlama, coins.llama.fi/chart/{coin}, close-only
//     candles (one price a day).
//   - store.go: Into, which fetches jobs into a file, resuming from what the
//     file holds and rewriting it atomically after each job.
//   - jobs.go: BinanceJobs and DefiLlamaJobs (the jobs a list of symbols or
//     coins names), each source's Fetcher, ParseDays, Progress.String, and
//     Request, a fetch as gem data fetch's flags give it.
//   - fake_test.go: a local server answering in both APIs' formats, with
//     scripted errors, rate limits and cut connections; *_test.go use it;
//     fuzz_test.go fuzzes the kline and price-chart parsers; client_test.go
//     checks which transport errors fail fast.
//
// # Dates
//
// A Binance daily kline opens at a UTC midnight and is dated by that day;
// its close time is the last millisecond of the day, and a kline whose close
// time has not passed is still forming and is not returned. A DefiLlama
// price stamped at time T is the close of the UTC day that ends at the
// midnight nearest T, so the close of day d is the price at midnight d+1,
// and a day that has not ended has none.
package fetch
