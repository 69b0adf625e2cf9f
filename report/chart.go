package report

import (
	"bytes"
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Chart is one figure of a report, drawn with gonum/plot: inline SVG in the
// HTML page, and optionally a PNG file.
type Chart struct {
	// Name identifies the chart in the page and names its PNG file
	// (Name.png); it is made of [a-z0-9._-].
	Name    string
	Title   string // heading above the figure
	Caption string // one or two sentences under it: what to look at
	// Width and Height are the figure's size.
	Width, Height vg.Length

	draw func(c draw.Canvas)
}

// pngDPI is the resolution of PNG files: twice the 72 points per inch of
// the SVG, so that they stay sharp on high-density screens.
const pngDPI = 144

// SVG draws the chart as an SVG element, without the XML prologue, ready to
// be inlined in HTML.
func (c *Chart) SVG() ([]byte, error) {
	cv := vgsvg.New(c.Width, c.Height)
	c.draw(draw.New(cv))
	var b bytes.Buffer
	if _, err := cv.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("report: %s: %w", c.Name, err)
	}
	s := b.Bytes()
	i := bytes.Index(s, []byte("<svg"))
	if i < 0 {
		return nil, fmt.Errorf("report: %s: no <svg> element in the plot's output", c.Name)
	}
	return s[i:], nil
}

// WritePNG draws the chart as a PNG image.
func (c *Chart) WritePNG(w io.Writer) error {
	cv := vgimg.NewWith(vgimg.UseWH(c.Width, c.Height), vgimg.UseDPI(pngDPI), vgimg.UseBackgroundColor(color.White))
	c.draw(draw.New(cv))
	if _, err := (vgimg.PngCanvas{Canvas: cv}).WriteTo(w); err != nil {
		return fmt.Errorf("report: %s: %w", c.Name, err)
	}
	return nil
}

// single is the drawing of one plot filling the canvas.
func single(p *plot.Plot) func(draw.Canvas) {
	return func(c draw.Canvas) {
		fillWhite(c)
		p.Draw(c)
	}
}

// stacked draws plots one above the other, the first on top, with heights
// in the given proportions, and lines up their data areas horizontally so
// that plots of the same x range share one x axis visually. A non-nil
// legend is drawn in a column on the right, outside the data.
func stacked(plots []*plot.Plot, heights []float64, legend *plot.Legend) func(draw.Canvas) {
	if len(plots) != len(heights) {
		panic("report: stacked: one height per plot")
	}
	return func(c draw.Canvas) {
		fillWhite(c)
		if legend != nil {
			const gap = 8
			r := legend.Rectangle(c)
			w := r.Max.X - r.Min.X + 2*gap
			legend.Draw(draw.Crop(c, c.Max.X-c.Min.X-w+gap, 0, 0, -gap))
			c = draw.Crop(c, 0, -w, 0, 0)
		}
		total := 0.0
		for _, h := range heights {
			total += h
		}
		full := c.Max.Y - c.Min.Y
		subs := make([]draw.Canvas, len(plots))
		top := vg.Length(0)
		var left, right vg.Length
		for i, p := range plots {
			h := full * vg.Length(heights[i]/total)
			subs[i] = draw.Crop(c, 0, 0, full-top-h, -top)
			top += h
			d := p.DataCanvas(subs[i])
			left = max(left, d.Min.X-subs[i].Min.X)
			right = max(right, subs[i].Max.X-d.Max.X)
		}
		for i, p := range plots {
			d := p.DataCanvas(subs[i])
			l, r := d.Min.X-subs[i].Min.X, subs[i].Max.X-d.Max.X
			p.Draw(draw.Crop(subs[i], left-l, -(right - r), 0, 0))
		}
	}
}

func fillWhite(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
}

// sans is the report's typeface: Liberation Sans, metric-compatible with
// Arial and Helvetica, so that browsers without it lay text out the same.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot returns a plot with the report's fonts and a light grid-free look.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 11)
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 10)
		a.Tick.Label.Font = font.From(sans, 9)
		a.Padding = 2
	}
	p.Legend.TextStyle.Font = font.From(sans, 9)
	p.Legend.ThumbnailWidth = 14
	return p
}

// Colours. The first ten are Tableau's categorical palette; named ones are
// fixed roles.
var (
	categorical = []color.Color{
		rgb(0x4e79a7), rgb(0xf28e2b), rgb(0x59a14f), rgb(0xe15759), rgb(0x76b7b2),
		rgb(0xedc948), rgb(0xb07aa1), rgb(0xff9da7), rgb(0x9c755f), rgb(0xbab0ac),
	}
	strategyColor  = rgb(0x1f5fa6)
	benchmarkColor = rgb(0x888888)
	bearColor      = rgb(0xd6604d)
	rangingColor   = rgb(0xe0c26e)
	bullColor      = rgb(0x4dac26)
	otherColor     = rgb(0xc7c7c7)
	cashColor      = rgb(0xf1dfae) // sand: cash is not one more grey beside "other"
	stressColor    = rgb(0x6fa8dc)
	highlightColor = rgb(0xd62728)
)

func rgb(x uint32) color.Color {
	return color.RGBA{R: uint8(x >> 16), G: uint8(x >> 8), B: uint8(x), A: 0xff}
}

// withAlpha returns c at the given opacity, premultiplied as color.RGBA wants.
func withAlpha(c color.Color, a float64) color.Color {
	r, g, b, _ := c.RGBA()
	return color.RGBA{R: uint8(float64(r>>8) * a), G: uint8(float64(g>>8) * a), B: uint8(float64(b>>8) * a), A: uint8(255 * a)}
}
