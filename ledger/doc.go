// Package ledger is gem's append-only record of trials: one tab-separated
// row per evaluated configuration, written with a single append and synced,
// so that an agent can grep and tail it while a sweep runs and a crash loses
// at most the row being written.
//
// Files:
//   - ledger.go: the Row type, the column layout, Open (which repairs a torn
//     last line), Append and Read.
//   - returns.go: Series, one trial's daily returns keyed by its ledger key,
//     and ReturnsFile, the checksummed append-only binary file of them kept
//     beside the ledger (results/ledger.tsv → results/ledger.returns;
//     ReturnsPath): the format is documented on ReturnsFile and
//     Series.MarshalBinary; OpenReturns cuts a torn last record; every
//     length is bounded (MaxReturnsDays, MaxReturnsRecord) and checked
//     before anything is allocated.
//   - verify.go: Foreign, the rows produced by a harness other than the
//     current one, and Verify, gem ledger verify's answer; Row.Line, a row
//     on one line; ParseSince, the --since times.
//   - selection.go: Selection (rows by command and time, with their daily
//     returns), ExportReturns and WriteReturnsCSV (gem ledger returns).
package ledger
