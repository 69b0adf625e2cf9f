package dataio

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gem/harness"
)

// OutputFormat returns the format Write uses for path: Parquet for
// .parquet, otherwise the long CSV (gzip-compressed for .gz).
func OutputFormat(path string) Format {
	if strings.EqualFold(filepath.Ext(path), ".parquet") {
		return Parquet
	}
	return Long
}

// Write writes candles to path in the format its name asks for (see
// OutputFormat), sorted by token and date, through WriteFileAtomic: a crash
// never leaves a half-written file at path.
func Write(path string, candles []harness.Candle) error {
	sorted := slices.Clone(candles)
	slices.SortStableFunc(sorted, func(a, b harness.Candle) int {
		return cmp.Or(strings.Compare(a.Token, b.Token), cmp.Compare(a.Date, b.Date))
	})
	err := WriteFileAtomic(path, func(w io.Writer) error {
		switch {
		case OutputFormat(path) == Parquet:
			return writeParquet(w, sorted)
		case strings.EqualFold(filepath.Ext(path), ".gz"):
			zw := gzip.NewWriter(w)
			if err := WriteCSV(zw, sorted); err != nil {
				return err
			}
			return zw.Close()
		default:
			return WriteCSV(w, sorted)
		}
	})
	if err != nil {
		return fmt.Errorf("dataio: %w", err)
	}
	return nil
}

// WriteFileAtomic writes path with write, through a buffered temporary
// file in the same directory that is synced and then renamed into place, so
// that a crash never leaves a half-written file at path. The file keeps
// the permissions of the file it replaces (0644 for a new one). Errors
// name path.
func WriteFileAtomic(path string, write func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	bw := bufio.NewWriterSize(tmp, 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		mode := os.FileMode(0o644) // CreateTemp makes 0600
		if st, serr := os.Stat(path); serr == nil {
			mode = st.Mode().Perm()
		}
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// WriteCSV writes candles as a long CSV in the given order. Numbers are
// written in the shortest decimal form that reads back to the same float64;
// NaN (a field the source did not give) is an empty field.
func WriteCSV(w io.Writer, candles []harness.Candle) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(strings.Join(longColumns[:], ",") + "\n")
	var b []byte
	for i := range candles {
		c := &candles[i]
		b = appendToken(b[:0], c.Token)
		b = append(b, ',')
		b = append(b, c.Date.String()...)
		for _, v := range [5]float64{c.Open, c.High, c.Low, c.Close, c.Volume} {
			b = append(b, ',')
			if !math.IsNaN(v) {
				b = strconv.AppendFloat(b, v, 'f', -1, 64)
			}
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendToken appends a token name, quoted as CSV requires when it holds a
// comma, a quote or a line break.
func appendToken(b []byte, tok string) []byte {
	if !strings.ContainsAny(tok, ",\"\r\n") {
		return append(b, tok...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(tok, `"`, `""`)...)
	return append(b, '"')
}
