package ledger

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"gem/harness"
)

// Series is one trial's daily returns: the return of its base run realised
// on each day, r_d = v_d/v_{d−1} − 1 with v the snapshot values, keyed by
// the trial's ledger key.
type Series struct {
	Key     string         // the ledger key (Row.Key): 16 hexadecimal digits
	Days    []harness.Date // strictly increasing
	Returns []float64      // Returns[i] is realised on Days[i]
}

// Bounds of a returns record: no file or message makes a reader allocate
// more than MaxReturnsRecord bytes for one record.
const (
	// MaxReturnsDays is the most days a series may hold (179 years).
	MaxReturnsDays = 1 << 16
	// MaxReturnsRecord is the largest encoded series (Series.MarshalBinary)
	// accepted; MaxReturnsDays days take at most 851,971 bytes.
	MaxReturnsRecord = 1 << 20
)

// returnsMagic opens every returns file: the format's name and version.
const returnsMagic = "GEMRET1\n"

// recordHead is the length of a record's frame: payload length and CRC.
const recordHead = 8

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ReturnsPath is the returns file kept beside the ledger at path: its name
// with the extension replaced by ".returns" (results/ledger.tsv →
// results/ledger.returns).
func ReturnsPath(ledgerPath string) string {
	return strings.TrimSuffix(ledgerPath, filepath.Ext(ledgerPath)) + ".returns"
}

// MarshalBinary encodes the series as a returns record's payload:
//
//	8 bytes        the key's 16 hexadecimal digits as 8 bytes
//	uvarint        n, the number of days, 1..MaxReturnsDays
//	varint         the first day (days since 1970-01-01)
//	n−1 uvarints   the gap from each day to the next, ≥ 1
//	n × 8 bytes    the returns, float64 little-endian, in day order
//
// It fails on a key that is not 16 hexadecimal digits, on no or too many
// days, on days out of order, or on len(Days) ≠ len(Returns).
func (s *Series) MarshalBinary() ([]byte, error) {
	key, err := hex.DecodeString(s.Key)
	if err != nil || len(key) != 8 {
		return nil, fmt.Errorf("returns: key %.40q is not 16 hexadecimal digits", s.Key)
	}
	n := len(s.Days)
	switch {
	case n != len(s.Returns):
		return nil, fmt.Errorf("returns: %d days but %d returns", n, len(s.Returns))
	case n == 0 || n > MaxReturnsDays:
		return nil, fmt.Errorf("returns: %d days; want 1 to %d", n, MaxReturnsDays)
	}
	b := make([]byte, 0, 8+2*binary.MaxVarintLen32+n*9)
	b = append(b, key...)
	b = binary.AppendUvarint(b, uint64(n))
	b = binary.AppendVarint(b, int64(s.Days[0]))
	for i := 1; i < n; i++ {
		if s.Days[i] <= s.Days[i-1] {
			return nil, fmt.Errorf("returns: day %s follows %s", s.Days[i], s.Days[i-1])
		}
		b = binary.AppendUvarint(b, uint64(s.Days[i]-s.Days[i-1]))
	}
	for _, r := range s.Returns {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r))
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary writes. Every length is checked
// against the bytes present before anything is allocated; trailing bytes,
// a day count out of range and days beyond the calendar's range are errors.
func (s *Series) UnmarshalBinary(b []byte) error {
	if len(b) > MaxReturnsRecord {
		return fmt.Errorf("returns: record of %d bytes; at most %d", len(b), MaxReturnsRecord)
	}
	if len(b) < 8 {
		return errors.New("returns: record shorter than its key")
	}
	key := hex.EncodeToString(b[:8])
	p := b[8:]
	n, k := binary.Uvarint(p)
	if k <= 0 || n == 0 || n > MaxReturnsDays {
		return errors.New("returns: bad day count")
	}
	p = p[k:]
	// Each day takes at least one byte of gap (but the first) and 8 of return.
	if uint64(len(p)) < 9*n-1 {
		return fmt.Errorf("returns: record declares %d days but has %d bytes left", n, len(p))
	}
	first, k := binary.Varint(p)
	if k <= 0 || first < math.MinInt32 || first > math.MaxInt32 {
		return errors.New("returns: bad first day")
	}
	p = p[k:]
	days := make([]harness.Date, n)
	days[0] = harness.Date(first)
	d := first
	for i := 1; i < int(n); i++ {
		gap, k := binary.Uvarint(p)
		if k <= 0 || gap == 0 || gap > math.MaxInt32 {
			return fmt.Errorf("returns: bad gap before day %d", i)
		}
		if d += int64(gap); d > math.MaxInt32 {
			return errors.New("returns: days beyond the calendar")
		}
		days[i] = harness.Date(d)
		p = p[k:]
	}
	if uint64(len(p)) != 8*n {
		return fmt.Errorf("returns: %d bytes of returns, want %d", len(p), 8*n)
	}
	rets := make([]float64, n)
	for i := range rets {
		rets[i] = math.Float64frombits(binary.LittleEndian.Uint64(p[8*i:]))
	}
	*s = Series{Key: key, Days: days, Returns: rets}
	return nil
}

// ReturnsFile appends trials' daily returns to a returns file: after an
// 8-byte header ("GEMRET1\n"), one record per series, each
//
//	uint32 LE   payload length L, at most MaxReturnsRecord
//	uint32 LE   CRC-32C (Castagnoli) of the payload
//	L bytes     the payload, Series.MarshalBinary
//
// written with a single write and synced, like a ledger row, so a crash
// loses at most the record being written. It is safe for concurrent use.
type ReturnsFile struct {
	mu   sync.Mutex
	f    *os.File
	path string
	keys map[string]bool
}

// OpenReturns opens (creating it and its directory if needed) the returns
// file at path. A torn last record, left by a crash in the middle of a
// write, is cut off; repaired reports it. A file that is not a returns file,
// or whose records cannot be framed before its end, is an error.
func OpenReturns(path string) (rf *ReturnsFile, repaired bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, false, fmt.Errorf("returns: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("returns: %w", err)
	}
	rf = &ReturnsFile{f: f, path: path, keys: map[string]bool{}}
	if repaired, err = rf.repair(); err != nil {
		f.Close()
		return nil, false, err
	}
	return rf, repaired, nil
}

// repair checks the header (writing one into an empty file), indexes the
// keys of the records and cuts a torn tail.
func (rf *ReturnsFile) repair() (bool, error) {
	st, err := rf.f.Stat()
	if err != nil {
		return false, fmt.Errorf("returns: %w", err)
	}
	size := st.Size()
	head := make([]byte, len(returnsMagic))
	n, _ := rf.f.ReadAt(head, 0)
	switch {
	case size == 0:
		return false, rf.write([]byte(returnsMagic))
	case string(head[:n]) != returnsMagic[:n]:
		return false, fmt.Errorf("returns: %s is not a gem returns file", rf.path)
	case size < int64(len(returnsMagic)):
		// The header itself was torn.
		if err := rf.f.Truncate(0); err != nil {
			return true, fmt.Errorf("returns: %w", err)
		}
		return true, rf.write([]byte(returnsMagic))
	}
	cut, err := scanRecords(rf.f, size, func(_ int64, payload []byte, crcOK bool) {
		if crcOK {
			var s Series
			if s.UnmarshalBinary(payload) == nil {
				rf.keys[s.Key] = true
			}
		}
	})
	if err != nil {
		return false, fmt.Errorf("returns: %s: %w", rf.path, err)
	}
	if cut == size {
		return false, nil
	}
	if err := rf.f.Truncate(cut); err != nil {
		return true, fmt.Errorf("returns: %w", err)
	}
	return true, nil
}

// errFrame reports a record length beyond MaxReturnsRecord: not a torn
// write but a corrupt or foreign file.
var errFrame = errors.New("a record declares more than MaxReturnsRecord bytes (corrupt file?)")

// scanRecords frames the records of r (of the given size, header first)
// and calls each with its offset, payload and whether its CRC matches. It
// returns the end of the last whole record: size unless the tail is torn.
func scanRecords(r io.ReaderAt, size int64, each func(off int64, payload []byte, crcOK bool)) (int64, error) {
	off := int64(len(returnsMagic))
	var head [recordHead]byte
	buf := make([]byte, 0, 64<<10)
	for off < size {
		if size-off < recordHead {
			return off, nil
		}
		if _, err := r.ReadAt(head[:], off); err != nil {
			return off, err
		}
		l := binary.LittleEndian.Uint32(head[:4])
		if l > MaxReturnsRecord {
			return off, fmt.Errorf("offset %d: %w", off, errFrame)
		}
		if size-off-recordHead < int64(l) {
			return off, nil
		}
		if cap(buf) < int(l) {
			buf = make([]byte, l)
		}
		payload := buf[:l]
		if _, err := r.ReadAt(payload, off+recordHead); err != nil {
			return off, err
		}
		each(off, payload, crc32.Checksum(payload, castagnoli) == binary.LittleEndian.Uint32(head[4:]))
		off += recordHead + int64(l)
	}
	return off, nil
}

func (rf *ReturnsFile) write(b []byte) error {
	if _, err := rf.f.Write(b); err != nil {
		return fmt.Errorf("returns: %w", err)
	}
	if err := rf.f.Sync(); err != nil {
		return fmt.Errorf("returns: %w", err)
	}
	return nil
}

// Has reports whether the file holds a readable series of the key.
func (rf *ReturnsFile) Has(key string) bool {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.keys[key]
}

// Append writes one series as one record with a single write and syncs it.
func (rf *ReturnsFile) Append(s *Series) error {
	payload, err := s.MarshalBinary()
	if err != nil {
		return err
	}
	rec := make([]byte, recordHead, recordHead+len(payload))
	binary.LittleEndian.PutUint32(rec[:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(rec[4:], crc32.Checksum(payload, castagnoli))
	rec = append(rec, payload...)
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if err := rf.write(rec); err != nil {
		return err
	}
	rf.keys[s.Key] = true
	return nil
}

// Close closes the file; on a nil ReturnsFile (none asked for) it does
// nothing.
func (rf *ReturnsFile) Close() error {
	if rf == nil {
		return nil
	}
	return rf.f.Close()
}

// RecordProblem is a record of a returns file that was not read: its byte
// offset and why.
type RecordProblem struct {
	Offset int64
	Err    error
}

// ReadReturns reads every series of the returns file at path, in file
// order (a key written twice appears twice; the last is the latest).
// Records that fail their CRC or do not decode are skipped and reported in
// problems, as is a torn tail or a record that cannot be framed (after
// which nothing more is read).
func ReadReturns(path string) (series []Series, problems []RecordProblem, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("returns: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("returns: %w", err)
	}
	head := make([]byte, len(returnsMagic))
	if _, err := f.ReadAt(head, 0); err != nil || string(head) != returnsMagic {
		return nil, nil, fmt.Errorf("returns: %s is not a gem returns file", path)
	}
	end, err := scanRecords(f, st.Size(), func(off int64, payload []byte, crcOK bool) {
		if !crcOK {
			problems = append(problems, RecordProblem{off, errors.New("the record does not match its CRC")})
			return
		}
		var s Series
		if err := s.UnmarshalBinary(payload); err != nil {
			problems = append(problems, RecordProblem{off, err})
			return
		}
		series = append(series, s)
	})
	if err != nil {
		problems = append(problems, RecordProblem{end, err})
	} else if end < st.Size() {
		problems = append(problems, RecordProblem{end, errors.New("a torn last record")})
	}
	return series, problems, nil
}
