package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"gem/ledger"
)

// hostileRows is a ledger whose every text field is hostile: HTML that
// runs script, markdown links to javascript:, table-breaking pipes,
// backticks that close a code span, emphasis.
func hostileRows() []ledger.Row {
	const img = "<img src=x onerror=alert(1)>"
	t0 := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	var rows []ledger.Row
	for i, p := range []string{
		"top_n=1 " + img + "=1",
		"top_n=2 " + img + "=2",
		"top_n=3|x " + img + "=`a``b` [c](javascript:alert(1))=_d_",
		"top_n=*4* x=`a``b`</script><script>alert(1)</script>",
	} {
		rows = append(rows, ledger.Row{Time: t0.Add(time.Duration(i) * time.Minute), Command: "sweep|" + img, Strategy: img,
			Fill: "[x](javascript:alert(1))", Params: p, Score: 0.1 * float64(i+1), Rejection: "<script>alert(1)</script>",
			Harness: "`` <b>h</b>", Data: "d|~~x~~", Seconds: 1})
	}
	return rows
}

// unescaped matches a character that is neither backslash-escaped nor
// escaping another.
func unescapedCount(line string, c byte) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case c:
			n++
		}
	}
	return n
}

// TestSummaryHostile: no tag, link or emphasis from a ledger field survives
// into the markdown summary, every table row keeps its header's columns,
// and the code span holds the configuration literally.
func TestSummaryHostile(t *testing.T) {
	rows := hostileRows()
	var buf bytes.Buffer
	if err := WriteSummary(&buf, Summarize(rows), SummaryOptions{Ledger: "<b>ledger</b>.tsv", Harness: "h"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	checkMarkdown(t, out)
	m := regexp.MustCompile("differs from the baseline in: (`+)(.*)`+\n").FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no configuration line in:\n%s", out)
	}
	code := m[2]
	for _, run := range regexp.MustCompile("`+").FindAllString(code, -1) {
		if len(run) == len(m[1]) {
			t.Errorf("the code span's fence %q occurs inside it: %q", m[1], code)
		}
	}
	if !strings.Contains(code, "x=`a``b`</script><script>alert(1)</script>") {
		t.Errorf("code span %q does not hold the configuration literally", code)
	}
	for _, tt := range []struct{ in, want string }{
		{"fit_window", "fit_window"},
		{"_d_", `\_d\_`},
		{"a|b", `a\|b`},
		{"<i>&", "&lt;i&gt;&amp;"},
		{`\*`, `\\\*`},
		{"x\ny", "x y"},
	} {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"a=1", "`a=1`"},
		{"a=`b`", "`` a=`b` ``"},
		{"a``b", "```a``b```"},
	} {
		if got := mdCode(tt.in); got != tt.want {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// checkMarkdown fails when a raw < or > survives outside the final
// configuration's code span, when a table row has another number of cells
// than its header, or when a table row holds an unescaped [, ], `, * or ~.
func checkMarkdown(t *testing.T, out string) {
	t.Helper()
	cols := -1
	for _, line := range strings.Split(out, "\n") {
		// The summary's own text has no < or >: any is from a field. The
		// code span alone shows its content literally.
		if !strings.HasPrefix(line, "Final configuration") && strings.ContainsAny(line, "<>") {
			t.Errorf("a raw < or > survives: %s", line)
		}
		if !strings.HasPrefix(line, "|") {
			cols = -1
			continue
		}
		n := unescapedCount(line, '|')
		if cols < 0 {
			cols = n
		} else if n != cols {
			t.Errorf("table row with %d cells, header %d: %s", n-1, cols-1, line)
		}
		for _, c := range []byte{'[', ']', '`', '*', '~'} {
			if unescapedCount(line, c) != 0 {
				t.Errorf("unescaped %c in table row: %s", c, line)
			}
		}
	}
}

// TestLedgerPageHostile: the HTML page of a hostile ledger, charts
// included, carries none of its fields' tags.
func TestLedgerPageHostile(t *testing.T) {
	p, err := LedgerPage(hostileRows(), LedgerOptions{Path: "<b>ledger</b>.tsv", Harness: "h"})
	if err != nil {
		t.Fatal(err)
	}
	var html bytes.Buffer
	if err := p.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	out := html.String()
	for _, bad := range []string{"<img", "<script>alert", "<b>", "javascript:alert(1)\""} {
		if i := strings.Index(out, bad); i >= 0 {
			t.Errorf("HTML contains %q: %.80s", bad, out[i:])
		}
	}
	if !strings.Contains(out, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the hostile strategy name is not on the page, escaped")
	}
}
