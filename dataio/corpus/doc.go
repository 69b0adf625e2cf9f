// Package corpus generates hostile and odd candle files: the inputs every
// reader of gem must either load or reject with an error that names the
// file, without panicking and within a small memory budget. The test
// dataio/corpus_test.go runs every case through the loader of the CLI
// (dataio.Read, then Data.Panel); tools/gencorpus writes the cases to a
// directory (dataio/testdata/corpus holds the small ones) so that the gem
// binary can be tried on them too.
//
// # Files
//
//   - doc.go: this overview.
//   - corpus.go: Case and Cases, the long-CSV, gzip, zip, Binance and
//     special-file cases, small and generated (bombs, endless lines, late
//     duplicates, a 20,000-token sparse file).
//   - parquet.go: the Parquet cases: truncated files, bad framing, wrong
//     schemas, values the harness rejects, and page headers and footers
//     that declare huge sizes.
package corpus
