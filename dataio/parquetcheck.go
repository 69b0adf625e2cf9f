package dataio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"gem/harness"
)

// Limits on a Parquet file's declarations, checked before parquet-go reads
// it: parquet-go allocates what a footer or page header declares (a list of
// 2^31 row groups in a 30-byte footer, a page of 2 GiB), so a small hostile
// file would take gigabytes or crash the process.
const (
	// maxParquetFooter bounds the footer's length in bytes.
	maxParquetFooter = 64 << 20
	// maxThriftItems bounds the elements of every list, set and map in a
	// footer or page header together (a real candle file has hundreds).
	maxThriftItems = 100_000
	// maxThriftDepth bounds the nesting of structs and containers.
	maxThriftDepth = 32
	// parquetRowsPerByte and minParquetRows bound the rows a file may
	// declare: gem's own files take about 15 bytes a row.
	parquetRowsPerByte = 16
	minParquetRows     = 1 << 20
)

// checkParquet checks the framing, the footer and every page header of a
// Parquet file against what the file can hold: sizes and offsets inside
// the file, row and value counts that agree between the footer and the
// pages, at most parquetRowsPerByte rows per byte (or minParquetRows), and
// decompressed pages within harness.TextLimit of the file's size in all.
// It returns a description of the first problem, or nil.
func checkParquet(r io.ReaderAt, size int64) error {
	var head [4]byte
	var tail [8]byte
	if size < 12 {
		return fmt.Errorf("not a Parquet file: %d bytes", size)
	}
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return err
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return err
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if string(head[:]) != "PAR1" || string(tail[4:]) != "PAR1" || n > size-12 {
		return errors.New("not a Parquet file: bad magic number or footer length")
	}
	if n > maxParquetFooter {
		return fmt.Errorf("footer of %d bytes, more than %d", n, maxParquetFooter)
	}
	meta := make([]byte, n)
	if _, err := r.ReadAt(meta, size-8-n); err != nil {
		return err
	}
	if _, err := checkThrift(meta); err != nil {
		return fmt.Errorf("corrupt footer: %w", err)
	}
	var md format.FileMetaData
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), meta, &md); err != nil {
		return fmt.Errorf("corrupt footer: %w", err)
	}
	maxRows := max(parquetRowsPerByte*size, minParquetRows)
	if md.NumRows < 0 || md.NumRows > maxRows {
		return fmt.Errorf("footer declares %d rows, want 0 to %d for a file of %d bytes", md.NumRows, maxRows, size)
	}
	dataEnd := size - 8 - n
	budget := harness.TextLimit(size) // decompressed bytes of all pages
	rows := int64(0)
	for g := range md.RowGroups {
		rg := &md.RowGroups[g]
		if rg.NumRows < 0 || rg.NumRows > md.NumRows-rows {
			return fmt.Errorf("row group %d declares %d rows, more than the footer's %d rows allow", g, rg.NumRows, md.NumRows)
		}
		rows += rg.NumRows
		for c := range rg.Columns {
			if err := checkChunk(r, &rg.Columns[c].MetaData, rg.NumRows, dataEnd, &budget); err != nil {
				return fmt.Errorf("row group %d, column %d: %w", g, c, err)
			}
		}
	}
	if rows != md.NumRows {
		return fmt.Errorf("row groups hold %d rows, the footer declares %d", rows, md.NumRows)
	}
	return nil
}

// checkChunk walks a column chunk's page headers.
func checkChunk(r io.ReaderAt, m *format.ColumnMetaData, rows, dataEnd int64, budget *int64) error {
	start := m.DataPageOffset
	if m.DictionaryPageOffset > 0 {
		start = min(start, m.DictionaryPageOffset)
	}
	end := start + m.TotalCompressedSize
	switch {
	case start < 4 || m.TotalCompressedSize < 0 || end > dataEnd || end < start:
		return fmt.Errorf("chunk at %d of %d bytes is outside the file's %d data bytes", start, m.TotalCompressedSize, dataEnd)
	case m.NumValues < rows || m.NumValues > max(rows, 1)*64:
		// A flat column has one value per row; a nested one, at least one
		// (a null or empty list counts).
		return fmt.Errorf("chunk declares %d values for %d rows", m.NumValues, rows)
	}
	values := int64(0)
	for pos := start; pos < end; {
		buf, hn, err := pageHeader(r, pos, end)
		if err != nil {
			return fmt.Errorf("corrupt page header at %d: %w", pos, err)
		}
		var ph format.PageHeader
		if err := thrift.Unmarshal(new(thrift.CompactProtocol), buf[:hn], &ph); err != nil {
			return fmt.Errorf("corrupt page header at %d: %w", pos, err)
		}
		next := pos + int64(hn) + int64(ph.CompressedPageSize)
		switch {
		case ph.CompressedPageSize < 0 || next > end:
			return fmt.Errorf("page at %d declares %d bytes, past the chunk's end at %d", pos, ph.CompressedPageSize, end)
		case ph.UncompressedPageSize < 0 || int64(ph.UncompressedPageSize) > *budget:
			return fmt.Errorf("page at %d declares %d bytes decompressed, more than the %d left of the limit for a file of this size", pos, ph.UncompressedPageSize, *budget)
		}
		*budget -= int64(ph.UncompressedPageSize)
		switch {
		case ph.DataPageHeader.Valid:
			values += int64(ph.DataPageHeader.V.NumValues)
		case ph.DataPageHeaderV2.Valid:
			values += int64(ph.DataPageHeaderV2.V.NumValues)
		case ph.DictionaryPageHeader.Valid:
			if k := ph.DictionaryPageHeader.V.NumValues; k < 0 || k > ph.UncompressedPageSize {
				return fmt.Errorf("dictionary page at %d declares %d values in %d bytes", pos, k, ph.UncompressedPageSize)
			}
		}
		if (ph.DataPageHeader.Valid && ph.DataPageHeader.V.NumValues < 0) || (ph.DataPageHeaderV2.Valid && ph.DataPageHeaderV2.V.NumValues < 0) {
			return fmt.Errorf("page at %d declares a negative number of values", pos)
		}
		pos = next
	}
	if values != m.NumValues {
		return fmt.Errorf("pages hold %d values, the chunk declares %d", values, m.NumValues)
	}
	return nil
}

// pageHeader reads the page header at pos (before end) and returns the
// bytes read and the header's length. A header is a few dozen bytes, but
// statistics may add the column's min and max: it reads 4 KiB, and up to
// maxPageHeader when the header is longer.
func pageHeader(r io.ReaderAt, pos, end int64) ([]byte, int, error) {
	for n := int64(4 << 10); ; n = maxPageHeader {
		buf := make([]byte, min(end-pos, n))
		if _, err := r.ReadAt(buf, pos); err != nil {
			return nil, 0, err
		}
		hn, err := checkThrift(buf)
		if err == nil || n == maxPageHeader || int64(len(buf)) == end-pos {
			return buf, hn, err
		}
	}
}

// maxPageHeader bounds a page header's length in bytes.
const maxPageHeader = 1 << 20

// checkThrift checks that b starts with a struct in Thrift's compact
// protocol whose every list, set, map and byte string fits in b (at most
// maxThriftItems elements in all, nested at most maxThriftDepth deep), and
// returns its length in bytes.
func checkThrift(b []byte) (int, error) {
	c := thriftChecker{b: b, items: maxThriftItems}
	if err := c.value(12, 0); err != nil {
		return 0, err
	}
	return c.i, nil
}

type thriftChecker struct {
	b     []byte
	i     int
	items int
}

var errThrift = errors.New("malformed Thrift")

func (c *thriftChecker) byte() (byte, error) {
	if c.i >= len(c.b) {
		return 0, io.ErrUnexpectedEOF
	}
	c.i++
	return c.b[c.i-1], nil
}

func (c *thriftChecker) uvarint() (uint64, error) {
	x, n := binary.Uvarint(c.b[c.i:])
	if n <= 0 {
		return 0, errThrift
	}
	c.i += n
	return x, nil
}

// skip advances past n bytes of b.
func (c *thriftChecker) skip(n uint64) error {
	if n > uint64(len(c.b)-c.i) {
		return fmt.Errorf("%w: %d bytes declared, %d left", errThrift, n, len(c.b)-c.i)
	}
	c.i += int(n)
	return nil
}

// count takes n elements from the budget; each takes at least a byte.
func (c *thriftChecker) count(n uint64) error {
	if n > uint64(len(c.b)-c.i) || n > uint64(c.items) {
		return fmt.Errorf("%w: %d elements declared", errThrift, n)
	}
	c.items -= int(n)
	return nil
}

// value checks one value of compact type typ.
func (c *thriftChecker) value(typ byte, depth int) error {
	if depth > maxThriftDepth {
		return fmt.Errorf("%w: nested deeper than %d", errThrift, maxThriftDepth)
	}
	switch typ {
	case 1, 2: // boolean in the type (a field) or one byte (an element)
		return nil
	case 3:
		return c.skip(1)
	case 4, 5, 6:
		_, err := c.uvarint()
		return err
	case 7:
		return c.skip(8)
	case 8:
		n, err := c.uvarint()
		if err != nil {
			return err
		}
		return c.skip(n)
	case 9, 10:
		h, err := c.byte()
		if err != nil {
			return err
		}
		n := uint64(h >> 4)
		if n == 15 {
			if n, err = c.uvarint(); err != nil {
				return err
			}
		}
		if err := c.count(n); err != nil {
			return err
		}
		elem := h & 0x0f
		for range n {
			if elem == 1 || elem == 2 {
				if err := c.skip(1); err != nil {
					return err
				}
				continue
			}
			if err := c.value(elem, depth+1); err != nil {
				return err
			}
		}
		return nil
	case 11:
		n, err := c.uvarint()
		if err != nil || n == 0 {
			return err
		}
		if err := c.count(n); err != nil {
			return err
		}
		kv, err := c.byte()
		if err != nil {
			return err
		}
		for range n {
			for _, t := range [2]byte{kv >> 4, kv & 0x0f} {
				if t == 1 || t == 2 {
					if err := c.skip(1); err != nil {
						return err
					}
				} else if err := c.value(t, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	case 12:
		for {
			h, err := c.byte()
			if err != nil {
				return err
			}
			if h == 0 {
				return nil // stop
			}
			if h>>4 == 0 { // a long-form field id follows
				if _, err := c.uvarint(); err != nil {
					return err
				}
			}
			if err := c.value(h&0x0f, depth+1); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("%w: type %d", errThrift, typ)
}
