package ledger

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gem/harness"
)

func sampleSeries(key string, first harness.Date, rets ...float64) *Series {
	s := &Series{Key: key, Returns: rets}
	for i := range rets {
		s.Days = append(s.Days, first+harness.Date(i))
	}
	return s
}

func equalSeries(a, b *Series) bool {
	if a.Key != b.Key || !slices.Equal(a.Days, b.Days) || len(a.Returns) != len(b.Returns) {
		return false
	}
	for i := range a.Returns {
		if math.Float64bits(a.Returns[i]) != math.Float64bits(b.Returns[i]) {
			return false
		}
	}
	return true
}

func TestReturnsPath(t *testing.T) {
	for in, want := range map[string]string{
		"results/ledger.tsv": "results/ledger.returns",
		"ledger":             "ledger.returns",
		"a.b/c.tsv":          "a.b/c.returns",
	} {
		if got := ReturnsPath(in); got != want {
			t.Errorf("ReturnsPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSeriesEncoding checks the payload byte by byte on a hand-built case:
// key, n = 3 (one byte), first day 18262 (zigzag 36524 = 0xac 0x9d 0x02),
// gaps 1 and 300 (0xac 0x02), then the three float64s.
func TestSeriesEncoding(t *testing.T) {
	s := &Series{Key: "0123456789abcdef", Days: []harness.Date{18262, 18263, 18563}, Returns: []float64{0.5, -0.25, math.Inf(-1)}}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 3, 0xac, 0x9d, 0x02, 1, 0xac, 0x02}
	for _, r := range s.Returns {
		want = binary.LittleEndian.AppendUint64(want, math.Float64bits(r))
	}
	if !bytes.Equal(b, want) {
		t.Fatalf("payload\n got % x\nwant % x", b, want)
	}
	var got Series
	if err := got.UnmarshalBinary(b); err != nil || !equalSeries(&got, s) {
		t.Errorf("round trip: %+v, %v; want %+v", got, err, *s)
	}
}

func TestSeriesMarshalRefuses(t *testing.T) {
	for name, s := range map[string]*Series{
		"short key":     {Key: "abc", Days: []harness.Date{1}, Returns: []float64{0}},
		"non-hex key":   {Key: "zz23456789abcdef", Days: []harness.Date{1}, Returns: []float64{0}},
		"no days":       {Key: "0123456789abcdef"},
		"ragged":        {Key: "0123456789abcdef", Days: []harness.Date{1, 2}, Returns: []float64{0}},
		"out of order":  {Key: "0123456789abcdef", Days: []harness.Date{2, 2}, Returns: []float64{0, 0}},
		"too many days": {Key: "0123456789abcdef", Days: make([]harness.Date, MaxReturnsDays+1), Returns: make([]float64, MaxReturnsDays+1)},
	} {
		if _, err := s.MarshalBinary(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestSeriesHostile: truncated, padded, huge declared lengths and garbage
// payloads are errors, never panics or large allocations.
func TestSeriesHostile(t *testing.T) {
	good, _ := sampleSeries("0123456789abcdef", 100, 0.1, 0.2, 0.3).MarshalBinary()
	huge := append(slices.Clone(good[:8]), binary.AppendUvarint(nil, math.MaxUint64)...)
	declared := append(slices.Clone(good[:8]), binary.AppendUvarint(nil, MaxReturnsDays)...) // 65536 days, no bytes
	zeroGap := slices.Clone(good)
	zeroGap[12] = 0
	bigGap := append(slices.Clone(good[:9]), 0x00) // first day 0
	bigGap = binary.AppendUvarint(bigGap, math.MaxInt32)
	bigGap = binary.AppendUvarint(bigGap, math.MaxInt32)
	bigGap = append(bigGap, make([]byte, 24)...)
	bigGap[8] = 3
	cases := map[string][]byte{
		"empty":         nil,
		"key only":      good[:8],
		"truncated":     good[:len(good)-1],
		"padded":        append(slices.Clone(good), 0),
		"huge count":    huge,
		"declared":      declared,
		"zero count":    append(slices.Clone(good[:8]), 0),
		"zero gap":      zeroGap,
		"beyond dates":  bigGap,
		"garbage":       bytes.Repeat([]byte{0xff}, 64),
		"over the size": make([]byte, MaxReturnsRecord+1),
	}
	for name, b := range cases {
		var s Series
		allocs := testing.AllocsPerRun(1, func() { s.UnmarshalBinary(b) })
		if err := s.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: no error", name)
		}
		if allocs > 4 {
			t.Errorf("%s: %v allocations", name, allocs)
		}
	}
}

func FuzzSeriesUnmarshal(f *testing.F) {
	good, _ := sampleSeries("0123456789abcdef", 100, 0.1, 0.2, 0.3).MarshalBinary()
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Series
		if s.UnmarshalBinary(b) != nil {
			return
		}
		again, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded %+v does not encode: %v", s, err)
		}
		var s2 Series
		if err := s2.UnmarshalBinary(again); err != nil || !equalSeries(&s, &s2) {
			t.Fatalf("re-encoding differs: %v", err)
		}
	})
}

func TestReturnsFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "ledger.returns")
	rf, repaired, err := OpenReturns(path)
	if err != nil || repaired {
		t.Fatalf("OpenReturns: %v, repaired %v", err, repaired)
	}
	a := sampleSeries("0000000000000001", 18000, 0.01, -0.02, 0)
	b := sampleSeries("0000000000000002", 18001, 0.5)
	for _, s := range []*Series{a, b} {
		if err := rf.Append(s); err != nil {
			t.Fatal(err)
		}
	}
	if !rf.Has(a.Key) || rf.Has("0000000000000003") {
		t.Error("Has after Append")
	}
	rf.Close()
	got, problems, err := ReadReturns(path)
	if err != nil || len(problems) != 0 || len(got) != 2 || !equalSeries(&got[0], a) || !equalSeries(&got[1], b) {
		t.Fatalf("ReadReturns: %+v, %v, %v", got, problems, err)
	}
	rf, _, err = OpenReturns(path)
	if err != nil || !rf.Has(b.Key) {
		t.Fatalf("reopened: %v, has %v", err, err == nil && rf.Has(b.Key))
	}
	rf.Close()
}

// TestReturnsTornTail: every prefix of a file with two records, as a
// crash could leave it, opens, keeps the whole records and appends after
// them.
func TestReturnsTornTail(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "full.returns")
	rf, _, _ := OpenReturns(path)
	a := sampleSeries("0000000000000001", 18000, 0.01, -0.02)
	b := sampleSeries("0000000000000002", 18000, 0.03, 0.04)
	rf.Append(a)
	afterA, _ := rf.f.Seek(0, 1)
	rf.Append(b)
	rf.Close()
	full, _ := os.ReadFile(path)
	c := sampleSeries("0000000000000003", 18000, 0.05)
	for n := 0; n <= len(full); n++ {
		p := filepath.Join(dir, "torn.returns")
		os.WriteFile(p, full[:n], 0o644)
		rf, repaired, err := OpenReturns(p)
		if err != nil {
			t.Fatalf("prefix %d: %v", n, err)
		}
		torn := n != 0 && n != len(returnsMagic) && n != int(afterA) && n != len(full)
		if repaired != torn {
			t.Errorf("prefix %d: repaired %v, want %v", n, repaired, torn)
		}
		if err := rf.Append(c); err != nil {
			t.Fatal(err)
		}
		rf.Close()
		got, problems, err := ReadReturns(p)
		want := 1
		if n >= int(afterA) {
			want++
		}
		if n == len(full) {
			want++
		}
		if err != nil || len(problems) != 0 || len(got) != want || !equalSeries(&got[len(got)-1], c) {
			t.Errorf("prefix %d: %d series, problems %v, %v; want %d ending with the new one", n, len(got), problems, err, want)
		}
	}
}

func TestReturnsFileHostile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	if _, _, err := OpenReturns(write("foreign", []byte("time\tcommand\n"))); err == nil {
		t.Error("a foreign file opened")
	}
	if _, _, err := ReadReturns(write("foreign2", []byte("GEMRET"))); err == nil {
		t.Error("a torn header read")
	}
	huge := binary.LittleEndian.AppendUint32([]byte(returnsMagic), MaxReturnsRecord+1)
	huge = append(huge, make([]byte, 12)...)
	if _, _, err := OpenReturns(write("huge", huge)); err == nil {
		t.Error("a record larger than the bound opened")
	}
	if s, problems, err := ReadReturns(write("huge2", huge)); err != nil || len(s) != 0 || len(problems) != 1 {
		t.Errorf("huge record: %d series, %v, %v; want one problem", len(s), problems, err)
	}
	// A record whose CRC fails is skipped; the next one is still read.
	p := filepath.Join(dir, "crc.returns")
	rf, _, _ := OpenReturns(p)
	rf.Append(sampleSeries("0000000000000001", 1, 0.1))
	rf.Append(sampleSeries("0000000000000002", 1, 0.2))
	rf.Close()
	b, _ := os.ReadFile(p)
	b[len(returnsMagic)+recordHead+9] ^= 1 // inside the first payload
	os.WriteFile(p, b, 0o644)
	s, problems, err := ReadReturns(p)
	if err != nil || len(s) != 1 || s[0].Key != "0000000000000002" || len(problems) != 1 {
		t.Errorf("flipped bit: %+v, %v, %v; want the second series and one problem", s, problems, err)
	}
	// A framed record with a good CRC whose payload does not decode.
	bad := []byte("not a series")
	rec := binary.LittleEndian.AppendUint32([]byte(returnsMagic), uint32(len(bad)))
	rec = binary.LittleEndian.AppendUint32(rec, crc32Of(bad))
	rec = append(rec, bad...)
	if s, problems, err := ReadReturns(write("undecodable", rec)); err != nil || len(s) != 0 || len(problems) != 1 {
		t.Errorf("undecodable: %d series, %v, %v", len(s), problems, err)
	}
}

func crc32Of(b []byte) uint32 { return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)) }
