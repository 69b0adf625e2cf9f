package report

import (
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Page is one report: a title and sections of text, tables and charts. It
// is written as a single HTML file with every chart inlined as SVG and no
// external resource (no script, stylesheet, font or image is fetched), so it
// opens anywhere without a network.
type Page struct {
	Title    string
	Subtitle string // one line under the title: data, fill mode, fingerprints
	Sections []Section
}

// Section is a heading followed by paragraphs, bullet points, charts,
// tables and links to files, in that order.
type Section struct {
	Heading string
	Notes   []string // paragraphs of plain text
	Bullets []string
	Charts  []*Chart
	Tables  []Table
	Files   []File
}

// File is a file that WriteFile writes beside the page's HTML, linked from
// its section: NAME.html gets NAME + Suffix.
type File struct {
	Suffix string // e.g. "-trades.csv"
	Text   string // the link's text
	Data   []byte
}

// filePath is where a page written to htmlPath writes f.
func (f File) filePath(htmlPath string) string {
	return strings.TrimSuffix(htmlPath, filepath.Ext(htmlPath)) + f.Suffix
}

// Table is a small table of preformatted cells.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// Charts lists every chart of the page in order.
func (p *Page) Charts() []*Chart {
	var out []*Chart
	for _, s := range p.Sections {
		out = append(out, s.Charts...)
	}
	return out
}

// Files lists every file of the page in order.
func (p *Page) Files() []File {
	var out []File
	for _, s := range p.Sections {
		out = append(out, s.Files...)
	}
	return out
}

// WriteHTML writes the page as one self-contained HTML document. Its files
// are named but not linked: WriteFile links them.
func (p *Page) WriteHTML(w io.Writer) error { return p.writeHTML(w, "") }

// writeHTML writes the page, linking its files relative to the HTML file
// htmlPath ("" for no links).
func (p *Page) writeHTML(w io.Writer, htmlPath string) error {
	type chartView struct {
		*Chart
		SVG template.HTML
	}
	type fileView struct {
		File
		Name, Href string
	}
	type sectionView struct {
		Section
		Charts []chartView
		Files  []fileView
	}
	view := struct {
		*Page
		Sections []sectionView
	}{Page: p}
	for _, s := range p.Sections {
		sv := sectionView{Section: s}
		for _, f := range s.Files {
			fv := fileView{File: f, Name: "NAME" + f.Suffix}
			if htmlPath != "" {
				fv.Name = filepath.Base(f.filePath(htmlPath))
				fv.Href = fv.Name
			}
			sv.Files = append(sv.Files, fv)
		}
		for _, c := range s.Charts {
			svg, err := c.SVG()
			if err != nil {
				return err
			}
			// The SVG comes from gonum/plot's vgsvg, which escapes every
			// text it draws, so it is safe to inline.
			sv.Charts = append(sv.Charts, chartView{c, template.HTML(svg)})
		}
		view.Sections = append(view.Sections, sv)
	}
	if err := pageTemplate.Execute(w, view); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// WriteFile writes the page's HTML to path, and each of its files beside
// it (File).
func (p *Page) WriteFile(path string) error {
	for _, f := range p.Files() {
		if err := os.WriteFile(f.filePath(path), f.Data, 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := p.writeHTML(f, path); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// WriteFiles writes the page to htmlPath (WriteFile) and, unless pngDir is
// empty, each chart as a PNG file in pngDir (WritePNGs), and returns the
// paths written, the HTML first.
func (p *Page) WriteFiles(htmlPath, pngDir string) ([]string, error) {
	if err := p.WriteFile(htmlPath); err != nil {
		return nil, err
	}
	paths := []string{htmlPath}
	for _, f := range p.Files() {
		paths = append(paths, f.filePath(htmlPath))
	}
	if pngDir == "" {
		return paths, nil
	}
	pngs, err := p.WritePNGs(pngDir)
	return append(paths, pngs...), err
}

// WritePNGs writes each chart as dir/NAME.png, creating dir if needed, and
// returns the files' paths.
func (p *Page) WritePNGs(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var paths []string
	for _, c := range p.Charts() {
		path := filepath.Join(dir, c.Name+".png")
		f, err := os.Create(path)
		if err != nil {
			return paths, fmt.Errorf("report: %w", err)
		}
		err = c.WritePNG(f)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("report: %w", cerr)
		}
		if err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: "Liberation Sans", Arimo, Arial, Helvetica, sans-serif; color: #222; margin: 0 auto; max-width: 1100px; padding: 1.5em 2em 4em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.1em; }
.subtitle { color: #666; margin-top: 0; font-size: 0.92em; word-break: break-all; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
nav { font-size: 0.9em; }
nav a { margin-right: 1em; color: #1f5fa6; }
.charts { display: flex; flex-wrap: wrap; gap: 1.2em; }
figure.chart { margin: 0.6em 0; flex: 1 1 auto; max-width: 100%; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figure.chart svg text { font-family: "Liberation Sans", Arimo, Arial, Helvetica, sans-serif !important; }
figure.chart h3 { font-size: 1em; margin: 0 0 0.2em; }
figcaption { color: #555; font-size: 0.88em; max-width: 52em; }
table { border-collapse: collapse; margin: 0.8em 0 1.2em; font-size: 0.9em; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.25em 0.8em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f4f4f4; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{with .Subtitle}}<p class="subtitle">{{.}}</p>{{end}}
<nav>{{range $i, $s := .Sections}}<a href="#s{{$i}}">{{$s.Heading}}</a>{{end}}</nav>
{{range $i, $s := .Sections}}
<section id="s{{$i}}">
<h2>{{$s.Heading}}</h2>
{{range $s.Notes}}<p>{{.}}</p>
{{end}}{{with $s.Bullets}}<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>
{{end}}{{with $s.Charts}}<div class="charts">
{{range .}}<figure class="chart" id="chart-{{.Name}}" data-chart="{{.Name}}">
{{with .Title}}<h3>{{.}}</h3>{{end}}
{{.SVG}}
{{with .Caption}}<figcaption>{{.}}</figcaption>{{end}}
</figure>
{{end}}</div>
{{end}}{{range $s.Tables}}<table>
{{with .Caption}}<caption>{{.}}</caption>{{end}}
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}{{range $s.Files}}<p class="file">{{if .Href}}<a href="{{.Href}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}: {{.Text}}</p>
{{end}}</section>
{{end}}
</body>
</html>
`))
