// Package harness is gem's untouchable side: it loads and validates the
// candles, walks a backtest day by day, keeps the books, charges the fees,
// computes the metrics and the score, and fingerprints its own source. It
// imports nothing from the interior (strategy, regime, search), which it calls
// through one interface, Strategy: once per day the strategy, seeing the
// market through a View that ends at its decision day and its own book
// through an Account, either holds or returns a new target book. The View's
// slices are capped, so causality holds by construction.
//
// Every ledger row carries Fingerprint, a hash of this package's source
// files, so that a score produced by an edited harness shows as such.
//
// Files and their roles:
//
//	doc.go          this overview.
//	backtest.go     the contract with the interior (Strategy, Target, Account,
//	                Stake), FillMode, Config, Run and its opt-in record of
//	                fills (Fill, FillReason), Backtest, the day loop.
//	portfolio.go    the cash-and-positions book: valuation and rebalancing
//	                (sells in book order, then buys), fees per side; signed
//	                quantities for shorts, margin for levered books.
//	perp.go         perpetual futures: the venue facts (MaxGross,
//	                MaintenanceMargin, LiquidationFee), each token's Market,
//	                the FundingMissing rule, each day's range (dayRange:
//	                open, low, high, close), funding settled at every event
//	                at the event's price, cross margin checked against the
//	                day's adverse extremes and liquidation at the trigger.
//	funding.go      the funding CSV (token,time,funding_rate): LoadFunding.
//	view.go         View, the read-only window on a Panel that ends at the
//	                decision day, and PanelID for caches.
//	panel.go        Date, Candle, Series and Panel: point-in-time candles by
//	                token and calendar day, indexed in memory proportional
//	                to the candles (not tokens × days), both ways: a token's
//	                candles through a day (Rows) and a day's tokens
//	                (TradingOn).
//	load.go         the long candle CSV (plain or gzip): CSVReader, OpenCSV,
//	                LoadFiles, ParseError with file, line and column; the
//	                candle rules (CheckValue, CheckToken, ValidateCandle),
//	                Collector (duplicates caught as they arrive), and the
//	                input limits (TextLimit, MaxLineBytes, MaxTokenBytes).
//	evaluate.go     Evaluate: the base and the stress backtest, scored.
//	metrics.go      Metrics and ComputeMetrics (the reference's arithmetic),
//	                the daily concentration (HHI, on |w| for signed books).
//	schema.go       the metrics schema: each metric's name, label and format,
//	                from which the ledger, JSON and tables derive.
//	score.go        the fee, the stress multiplier, the initial capital and
//	                Score, gem's one scalar.
//	numpy.go        numpy's pairwise summation, mean and population standard
//	                deviation, for bit-identical metrics.
//	pow.go          Pow, a correctly rounded power for the annualised return.
//	fingerprint.go  Fingerprint of the harness source and of a Panel.
//
// Tests: backtest_test.go (fills, fees and marks by hand; the score's
// gates), fills_test.go (the record of fills by hand: a buy at the open, a
// stale sale at the last close, a short liquidated at its trigger price,
// reference fills at the close; on random signed books, the fills summing to
// the notional traded, the fees and the final positions), perp_test.go (shorts, funding at the event's price, intraday
// liquidation, stressed funding and signed HHI by hand, fuzzed
// invariants of signed books, the funding reader on hostile input), account_test.go (the Account's marks against the snapshots),
// load_test.go and fuzz_test.go (the CSV reader on bad and hostile input),
// panel_test.go (Rows and TradingOn against counting, duplicates, dates, a sparse panel's
// memory), metrics_test.go (annualising by elapsed days),
// bench_test.go (loading the merged panel).
package harness
