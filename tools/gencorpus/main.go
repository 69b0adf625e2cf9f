// Command gencorpus writes the files of gem's input corpus (package
// gem/dataio/corpus) to a directory, with a README listing each case and
// whether gem must load or reject it:
//
//	go run ./tools/gencorpus [-max BYTES] DIR
//
// -max keeps only the files of at most BYTES bytes (the committed corpus in
// dataio/testdata/corpus is -max 16384); without it every case is written,
// about 2 GB of bombs compressed to a few megabytes. Cases that are special
// files (/dev/zero) or directories are listed, not written.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gem/dataio/corpus"
)

func main() {
	maxSize := flag.Int64("max", 0, "write only files of at most this many bytes (0: all)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: gencorpus [-max BYTES] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *maxSize); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}

func run(dir string, maxSize int64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var readme strings.Builder
	readme.WriteString("# gem's input corpus\n\nWritten by `go run ./tools/gencorpus")
	if maxSize > 0 {
		fmt.Fprintf(&readme, " -max %d", maxSize)
	}
	readme.WriteString(" DIR` from package `gem/dataio/corpus`; do not edit.\nEach file must load (`load`) or be rejected with an error naming it (`reject: message`).\n\n")
	for _, c := range corpus.Cases() {
		if c.Path != "" || c.Dir {
			continue
		}
		path, err := c.Write(dir)
		if err != nil {
			return err
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		if maxSize > 0 && st.Size() > maxSize {
			if err := os.Remove(path); err != nil {
				return err
			}
			continue
		}
		verdict := "load"
		if !c.Load {
			verdict = "reject"
			if c.Want != "" {
				verdict += ": " + c.Want
			}
		}
		if c.Format != "" {
			verdict += " (--format " + c.Format + ")"
		}
		fmt.Fprintf(&readme, "- `%s` %s\n", filepath.Base(path), verdict)
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(readme.String()), 0o644)
}
