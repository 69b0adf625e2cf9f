// Package dataio reads and writes candle files in every format gem accepts,
// selects universes from them, and checks them for suspicious data. Every
// reader produces []harness.Candle with the file and line each came from;
// panels are built by harness.NewPanel, so all formats obey the same rules.
//
// # Files
//
//   - doc.go: this overview.
//   - read.go: Format, Options, Data; Read (format detection, gzip and zip,
//     each layer limited by harness.TextLimit and every line by
//     harness.MaxLineBytes) and Data.Panel (each token's market from its
//     file's name, spot and perp mixed only with AllowMixed); the bad-row policy (strict,
//     drop, raw). A candle's rules are the harness's (harness.ValidateCandle),
//     duplicates are caught as they arrive (harness.Collector), and the long
//     CSV is read by the harness's own reader, harness.CSVReader.
//   - binance.go: Binance kline CSV dumps; TokenFromSymbol.
//   - parquet.go: Parquet, read and written with github.com/parquet-go/parquet-go.
//   - parquetcheck.go: checkParquet, the footer and page headers checked
//     against the file before parquet-go reads it (parquet-go allocates
//     whatever they declare), with a bounded walk of their Thrift encoding.
//   - write.go: Write (long CSV, gzip CSV or Parquet, chosen by extension,
//     written atomically) and WriteCSV.
//   - stablecoin.go: the stablecoin and fiat tickers.
//   - breaks.go: Breaks, the redenomination and ticker-reuse rules.
//   - filter.go: Filter, the universe filters of the --data commands, and
//     Filter.String, their description.
//   - check.go: Check, the per-token report of gem data check.
//   - checktext.go: Report.WriteText and WriteJSON, the report as gem data
//     check prints it, and Report.Err, its verdict.
//   - source.go: Source, the options of the --data flags (files or the
//     synthetic universe, filters, perp funding): Load (a panel and its
//     description), Read, Check and Convert.
//   - warn.go: PanelWarnings, what makes a panel that loads a poor test
//     (one token, nothing to fit), which Source.Load passes to Warn.
//   - *_test.go: formats and round trips (read_test.go), the bad-input
//     table (bad_test.go), fuzz targets (fuzz_test.go), filters, checks,
//     sources and the printed check report (source_test.go), warnings
//     (warn_test.go), every file of ../shared/data (shared_test.go), BenchmarkRead
//     (bench_test.go), and the hostile corpus (corpus_test.go: every case of
//     package gem/dataio/corpus, the small ones committed in
//     testdata/corpus, run through Read and Data.Panel in a child process
//     under a 4 GB address-space limit and a peak-RSS budget; and the
//     loader's peak RSS per candle).
//
// # Formats
//
// The long CSV has the header token,date,open,high,low,close,volume in any
// column order ("timestamp" may stand for "date", as in the reference's
// files); dates are YYYY-MM-DD; an empty open, high, low or volume is a
// field the source did not give (NaN; a row with only a close is
// close-only). A Binance kline dump holds one symbol: twelve columns,
// open_time first in milliseconds or (spot dumps from 2025) microseconds,
// with or without a header; only daily klines are accepted, and the token
// comes from the file name (BTCUSDT-1d-2024-01.csv holds BTC) unless
// Options.Token names it. Parquet files have the long CSV's columns; gem
// writes DATE dates and nullable doubles. Any CSV may be gzip-compressed or,
// alone, in a zip archive. Read tells the formats apart by extension
// (.parquet) and by the first line (a "token" column means long CSV).
//
// # Bad input
//
// A problem is a *harness.ParseError naming the file, the line (for
// Parquet, the row number) and, where it helps, the column. By default the
// first bad row stops the read, as the harness demands: a zero or negative
// price is an error, never silently skipped. Options.DropBadRows instead
// skips each bad row and returns it in Data.Dropped, for the caller to
// report (gem prints every one on stderr); problems of the whole file still
// stop it. This is how the CoinMarketCap file in ../shared/data, with a
// zero close (CTK) and a zero open and low (AAVE), loads:
//
//	gem eval --data ../shared/data/coinmarketcap_usd_1d_hieulethanh_to_2020.csv --drop-bad-rows
//
// Check reads every row it can and reports the bad ones with the rest.
//
// # Suspicious data
//
// Breaks implements two rules on consecutive candles of a token. A
// redenomination (or token swap, or collapse) is a close-to-close ratio of
// at least 20 either way, or of at least 5 across a trading halt of one to
// 13 missing days. A reused ticker is a gap of at least 14 missing days
// followed by a close at least 5 times away from the last. On the merged
// Binance panel they find exactly the cases PROVENANCE.md lists (LUNA's
// reuse; COCOS, DREP, BTCST, SUN, QUICK, STRAX) plus LUNA's collapse day.
// Filter.SplitReused and Filter.SplitRedenominated turn a series into two
// assets at such a break.
package dataio
