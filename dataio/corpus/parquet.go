package corpus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// pqCandle is gem's Parquet schema (dataio/parquet.go).
type pqCandle struct {
	Token  string   `parquet:"token,dict"`
	Date   int32    `parquet:"date,date"`
	Open   *float64 `parquet:"open,optional"`
	High   *float64 `parquet:"high,optional"`
	Low    *float64 `parquet:"low,optional"`
	Close  float64  `parquet:"close"`
	Volume *float64 `parquet:"volume,optional"`
}

// pqRows writes rows of any struct type as one Parquet file.
func pqRows[T any](rows ...T) func(io.Writer) error {
	return func(w io.Writer) error {
		pw := parquet.NewGenericWriter[T](w, parquet.CreatedBy("gem corpus", "1", "")) // the same bytes from any binary
		if _, err := pw.Write(rows); err != nil {
			return err
		}
		return pw.Close()
	}
}

func f64(x float64) *float64 { return &x }

// pqGood is n days of BTC and ETH in gem's schema.
func pqGood(n int) []pqCandle {
	var rows []pqCandle
	for _, tok := range []string{"BTC", "ETH"} {
		for i := range n {
			c := 100 + float64(i)
			rows = append(rows, pqCandle{tok, int32(18262 + i), f64(c), f64(c + 1), f64(c - 1), c, f64(10)})
		}
	}
	return rows
}

// footer returns the file's metadata and the bytes before it.
func footer(b []byte) (*format.FileMetaData, []byte, error) {
	if len(b) < 12 {
		return nil, nil, errors.New("corpus: not a Parquet file")
	}
	n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
	meta := b[len(b)-8-n : len(b)-8]
	md := new(format.FileMetaData)
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), meta, md); err != nil {
		return nil, nil, err
	}
	return md, b[:len(b)-8-n], nil
}

// withFooter appends md as the file's footer to body.
func withFooter(body []byte, md *format.FileMetaData) ([]byte, error) {
	meta, err := thrift.Marshal(new(thrift.CompactProtocol), md)
	if err != nil {
		return nil, err
	}
	out := append(bytes.Clone(body), meta...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(meta)))
	return append(out, "PAR1"...), nil
}

// editFooter writes a valid file with its metadata changed by edit.
func editFooter(rows []pqCandle, edit func(*format.FileMetaData)) func(io.Writer) error {
	return func(w io.Writer) error {
		var b bytes.Buffer
		if err := pqRows(rows...)(&b); err != nil {
			return err
		}
		md, body, err := footer(b.Bytes())
		if err != nil {
			return err
		}
		edit(md)
		out, err := withFooter(body, md)
		if err != nil {
			return err
		}
		_, err = w.Write(out)
		return err
	}
}

// editPage writes a valid file with the first page header of column col
// (in the first row group) changed by edit, the offsets after it moved.
func editPage(rows []pqCandle, col int, edit func(*format.PageHeader)) func(io.Writer) error {
	return func(w io.Writer) error {
		var b bytes.Buffer
		if err := pqRows(rows...)(&b); err != nil {
			return err
		}
		md, body, err := footer(b.Bytes())
		if err != nil {
			return err
		}
		cc := &md.RowGroups[0].Columns[col].MetaData
		off := cc.DataPageOffset
		if cc.DictionaryPageOffset > 0 {
			off = min(off, cc.DictionaryPageOffset)
		}
		var ph format.PageHeader
		proto := new(thrift.CompactProtocol)
		if err := thrift.NewDecoder(proto.NewReader(bytes.NewReader(body[off:]))).Decode(&ph); err != nil {
			return err
		}
		old, err := thrift.Marshal(proto, &ph)
		if err != nil {
			return err
		}
		edit(&ph)
		hdr, err := thrift.Marshal(proto, &ph)
		if err != nil {
			return err
		}
		delta := int64(len(hdr) - len(old))
		body = append(append(bytes.Clone(body[:off]), hdr...), body[off+int64(len(old)):]...)
		move := func(x *int64) {
			if *x > off {
				*x += delta
			}
		}
		for g := range md.RowGroups {
			for c := range md.RowGroups[g].Columns {
				ch := &md.RowGroups[g].Columns[c]
				m := &ch.MetaData
				move(&ch.FileOffset)
				move(&m.DataPageOffset)
				move(&m.DictionaryPageOffset)
				move(&m.IndexPageOffset)
				move(&ch.ColumnIndexOffset)
				move(&ch.OffsetIndexOffset)
			}
		}
		cc.TotalCompressedSize += delta
		out, err := withFooter(body, md)
		if err != nil {
			return err
		}
		_, err = w.Write(out)
		return err
	}
}

func parquetCases() []Case {
	good := pqGood(30)
	pq := func(name, want string, write func(io.Writer) error) Case {
		return Case{Name: name, Want: want, write: write}
	}
	ok := func(name string, write func(io.Writer) error) Case { return Case{Name: name, Load: true, write: write} }
	type tsCandle struct {
		Token string  `parquet:"token"`
		Date  int64   `parquet:"timestamp,timestamp(millisecond)"`
		Close float32 `parquet:"close"`
		Vol   int64   `parquet:"volume"`
	}
	type strCandle struct {
		Token string  `parquet:"token"`
		Date  string  `parquet:"date"`
		Close float64 `parquet:"close"`
	}
	type noToken struct {
		Date  int32   `parquet:"date,date"`
		Close float64 `parquet:"close"`
	}
	type intToken struct {
		Token int64   `parquet:"token"`
		Date  int32   `parquet:"date,date"`
		Close float64 `parquet:"close"`
	}
	type listToken struct {
		Token []string `parquet:"token,list"`
		Date  int32    `parquet:"date,date"`
		Close float64  `parquet:"close"`
	}
	type nullToken struct {
		Token *string `parquet:"token,optional"`
		Date  int32   `parquet:"date,date"`
		Close float64 `parquet:"close"`
	}
	type boolClose struct {
		Token string `parquet:"token"`
		Date  int32  `parquet:"date,date"`
		Close bool   `parquet:"close"`
	}
	type floatDate struct {
		Token string  `parquet:"token"`
		Date  float64 `parquet:"date"`
		Close float64 `parquet:"close"`
	}
	pqOf := func(rows ...pqCandle) func(io.Writer) error { return pqRows(rows...) }
	cut := func(f func([]byte) []byte) func(io.Writer) error { return mangle(pqOf(good...), f) }
	return []Case{
		ok("ok.parquet", pqOf(good...)),
		ok("ok-timestamp.parquet", pqRows(tsCandle{"BTC", 1704067200000, 42000.5, 12}, tsCandle{"BTC", 1704153600000, 42100.5, 13})),
		ok("ok-string-dates.parquet", pqRows(strCandle{"BTC", "2024-01-01", 1.5}, strCandle{"BTC", "2024-01-02", 1.6})),
		ok("ok-close-only.parquet", pqOf(pqCandle{Token: "BTC", Date: 19723, Close: 1.5}, pqCandle{Token: "BTC", Date: 19724, Close: 1.6})),
		pq("tiny.parquet", "not a Parquet file", text("PAR1PAR1")),
		pq("truncated.parquet", "not a Parquet file", cut(func(b []byte) []byte { return b[:len(b)/2] })),
		pq("truncated-body.parquet", "", cut(func(b []byte) []byte { return append(bytes.Clone(b[:len(b)/3]), b[len(b)/2:]...) })),
		pq("zeroed-body.parquet", "", cut(func(b []byte) []byte {
			n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
			clear(b[4 : len(b)-8-n])
			return b
		})),
		pq("random-body.parquet", "", cut(func(b []byte) []byte {
			n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
			var r bytes.Buffer
			random(3, len(b))(&r)
			copy(b[4:len(b)-8-n], r.Bytes())
			return b
		})),
		pq("bad-magic.parquet", "not a Parquet file", cut(func(b []byte) []byte { copy(b, "PAR2"); return b })),
		pq("footer-length-huge.parquet", "not a Parquet file", cut(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[len(b)-8:], 0xfffffff0)
			return b
		})),
		pq("garbage-footer.parquet", "", func(w io.Writer) error {
			var r bytes.Buffer
			random(4, 300)(&r)
			b := append([]byte("PAR1"), r.Bytes()...)
			b = binary.LittleEndian.AppendUint32(b, 200)
			_, err := w.Write(append(b, "PAR1"...))
			return err
		}),
		// A 20-byte footer declaring 2^31-1 row groups: decoded as is, it
		// would allocate hundreds of gigabytes.
		pq("footer-list-bomb.parquet", "corrupt footer", rawFooter([]byte{0x15, 0x02, 0x39, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00, 0x00})),
		pq("footer-string-bomb.parquet", "corrupt footer", rawFooter([]byte{0x15, 0x02, 0x19, 0x1c, 0x48, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00})),
		pq("footer-deep-nesting.parquet", "corrupt footer", rawFooter(bytes.Repeat([]byte{0x1c}, 100000))),
		pq("not-parquet.parquet", "not a Parquet file", text(good0())),
		pq("missing-token.parquet", `missing column "token"`, pqRows(noToken{19723, 1.5})),
		pq("int-token.parquet", "want a string", pqRows(intToken{7, 19723, 1.5})),
		pq("list-token.parquet", `missing column "token"`, pqRows(listToken{[]string{"BTC"}, 19723, 1.5})),
		pq("null-token.parquet", "empty token", pqRows(nullToken{nil, 19723, 1.5})),
		pq("bool-close.parquet", "want a number", pqRows(boolClose{"BTC", 19723, true})),
		pq("float-date.parquet", "column date is", pqRows(floatDate{"BTC", 19723, 1.5})),
		pq("nan-close.parquet", "close is NaN", pqOf(pqCandle{Token: "BTC", Date: 19723, Close: math.NaN()})),
		pq("inf-open.parquet", "open is +Inf", pqOf(pqCandle{Token: "BTC", Date: 19723, Open: f64(math.Inf(1)), Close: 1})),
		pq("zero-close.parquet", "close is 0", pqOf(pqCandle{Token: "BTC", Date: 19723, Close: 0})),
		pq("negative-volume.parquet", "volume is negative", pqOf(pqCandle{Token: "BTC", Date: 19723, Close: 1, Volume: f64(-1)})),
		pq("date-out-of-range.parquet", "outside 0001-01-01..9999-12-31", pqOf(pqCandle{Token: "BTC", Date: math.MaxInt32, Close: 1})),
		pq("date-before-year-1.parquet", "outside 0001-01-01..9999-12-31", pqOf(pqCandle{Token: "BTC", Date: math.MinInt32, Close: 1})),
		pq("timestamp-not-midnight.parquet", "not a UTC midnight", pqRows(tsCandle{"BTC", 1704067200001, 1, 1})),
		pq("string-date-bad.parquet", "bad date", pqRows(strCandle{"BTC", "2024-13-01", 1.5})),
		pq("long-token.parquet", "at most 64", pqOf(pqCandle{Token: string(bytes.Repeat([]byte("A"), 100000)), Date: 19723, Close: 1})),
		pq("control-token.parquet", "control character", pqOf(pqCandle{Token: "B\x00TC", Date: 19723, Close: 1})),
		pq("duplicate.parquet", "duplicate BTC 2024-01-01", pqOf(pqCandle{Token: "BTC", Date: 19723, Close: 1}, pqCandle{Token: "BTC", Date: 19723, Close: 2})),
		pq("zero-rows.parquet", "no rows", pqOf()),
		pq("huge-num-rows.parquet", "", editFooter(good, func(md *format.FileMetaData) {
			md.NumRows = 1 << 62
			md.RowGroups[0].NumRows = 1 << 62
		})),
		pq("negative-num-rows.parquet", "", editFooter(good, func(md *format.FileMetaData) {
			md.NumRows = -5
			md.RowGroups[0].NumRows = -5
		})),
		pq("huge-num-values.parquet", "", editFooter(good, func(md *format.FileMetaData) {
			for c := range md.RowGroups[0].Columns {
				md.RowGroups[0].Columns[c].MetaData.NumValues = 1 << 62
			}
		})),
		pq("huge-column-chunk.parquet", "", editFooter(good, func(md *format.FileMetaData) {
			for c := range md.RowGroups[0].Columns {
				md.RowGroups[0].Columns[c].MetaData.TotalCompressedSize = 1 << 40
				md.RowGroups[0].Columns[c].MetaData.TotalUncompressedSize = 1 << 40
			}
		})),
		pq("chunk-offset-past-end.parquet", "", editFooter(good, func(md *format.FileMetaData) {
			md.RowGroups[0].Columns[5].MetaData.DataPageOffset = 1 << 40
		})),
		pq("negative-chunk-offset.parquet", "", editFooter(good, func(md *format.FileMetaData) {
			md.RowGroups[0].Columns[5].MetaData.DataPageOffset = -100
		})),
		pq("many-row-groups-declared.parquet", "", editFooter(good, func(md *format.FileMetaData) {
			for len(md.RowGroups) < 10000 {
				md.RowGroups = append(md.RowGroups, md.RowGroups[0])
			}
		})),
		pq("schema-children-lie.parquet", "", editFooter(good, func(md *format.FileMetaData) {
			md.Schema[0].NumChildren = thrift.New[int32](1 << 30)
		})),
		pq("huge-page.parquet", "", editPage(good, 5, func(h *format.PageHeader) {
			h.UncompressedPageSize = math.MaxInt32
		})),
		pq("huge-compressed-page.parquet", "", editPage(good, 5, func(h *format.PageHeader) {
			h.CompressedPageSize = math.MaxInt32
		})),
		pq("negative-page-size.parquet", "", editPage(good, 5, func(h *format.PageHeader) {
			h.UncompressedPageSize, h.CompressedPageSize = -1, -1
		})),
		pq("huge-page-values.parquet", "", editPage(good, 5, func(h *format.PageHeader) {
			if h.DataPageHeader.Valid {
				h.DataPageHeader.V.NumValues = math.MaxInt32
			}
			if h.DataPageHeaderV2.Valid {
				h.DataPageHeaderV2.V.NumValues, h.DataPageHeaderV2.V.NumRows = math.MaxInt32, math.MaxInt32
			}
		})),
		pq("huge-dictionary-page.parquet", "", editPage(good, 0, func(h *format.PageHeader) {
			h.UncompressedPageSize = math.MaxInt32
			if h.DictionaryPageHeader.Valid {
				h.DictionaryPageHeader.V.NumValues = math.MaxInt32
			}
		})),
	}
}

// rawFooter is a Parquet file of no data with the given footer bytes.
func rawFooter(meta []byte) func(io.Writer) error {
	b := append([]byte("PAR1"), meta...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(meta)))
	return text(string(append(b, "PAR1"...)))
}

// good0 is a small long CSV.
func good0() string { return good }
