package report

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"gem/optimum"
)

// regretSection is the comparison of search methods against the optimum
// of a block (gem search --compare): the chart of regret against
// evaluations and the regret table gem search --compare prints.
func regretSection(c *optimum.Comparison) Section {
	s := Section{Heading: "Regret against the optimum"}
	s.Notes = append(s.Notes, fmt.Sprintf("From gem search --compare: each method searched one block of the joint space whose every configuration was scored (optimum %s), over %d seeds (phased: one deterministic run), in batches of %d. Regret is the optimum minus the best score found within n evaluations; 0 means the method found the optimum.",
		fmtScore(c.Optimum), c.Seeds, c.Batch))
	if ch := regretChart(c); ch != nil {
		s.Charts = append(s.Charts, ch)
	} else {
		s.Notes = append(s.Notes, "No method scored a configuration: every regret is infinite, there is nothing to draw.")
	}
	header, rows := c.TableRows()
	s.Tables = append(s.Tables, Table{Caption: "Regret at each budget: median [q25, q75] over seeds; inf while a run has scored nothing", Header: header, Rows: rows})
	return s
}

// regretBand is a method's quartiles of regret over seeds at evaluations
// x (each value of a constant run kept only at its ends, which draws the
// same lines).
type regretBand struct {
	x, q25, median, q75 []float64
}

// regretBands computes c.Regret for m at every number of evaluations from
// 1 to top.
func regretBands(c *optimum.Comparison, m optimum.Method, top int) regretBand {
	var all regretBand
	for n := 1; n <= top; n++ {
		lo, med, hi := c.Regret(m, n)
		all.x, all.q25, all.median, all.q75 = append(all.x, float64(n)), append(all.q25, lo), append(all.median, med), append(all.q75, hi)
	}
	same := func(i, j int) bool {
		return all.q25[i] == all.q25[j] && all.median[i] == all.median[j] && all.q75[i] == all.q75[j]
	}
	var b regretBand
	for i := range all.x {
		if i > 0 && i < len(all.x)-1 && same(i, i-1) && same(i, i+1) {
			continue
		}
		b.x, b.q25, b.median, b.q75 = append(b.x, all.x[i]), append(b.q25, all.q25[i]), append(b.median, all.median[i]), append(b.q75, all.q75[i])
	}
	return b
}

// finiteRuns are the index ranges [from, to) over which every ys[k][i] is
// finite.
func finiteRuns(ys ...[]float64) [][2]int {
	var runs [][2]int
	from := -1
	for i := range ys[0] {
		ok := true
		for _, y := range ys {
			ok = ok && finite(y[i])
		}
		switch {
		case ok && from < 0:
			from = i
		case !ok && from >= 0:
			runs, from = append(runs, [2]int{from, i}), -1
		}
	}
	if from >= 0 {
		runs = append(runs, [2]int{from, len(ys[0])})
	}
	return runs
}

// regretChart draws, per method, the median regret over seeds against the
// number of evaluations, from 1 to the largest budget, with the band from
// q25 to q75 shaded where both are finite, on a log x axis when the largest
// budget is 100 or more; nil when no median is finite.
func regretChart(c *optimum.Comparison) *Chart {
	top := c.Budgets[len(c.Budgets)-1]
	logX := top >= 100
	xlabel := "evaluations"
	if logX {
		xlabel += " (log scale)"
	}
	p := newPlot("", xlabel, "regret (optimum − best found)")
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	p.X.Min, p.X.Max, p.Y.Min = 1, float64(top), 0
	legend := newLegend()
	drawn := false
	for i, m := range c.Methods {
		col := categorical[i%len(categorical)]
		b := regretBands(c, m, top)
		for _, r := range finiteRuns(b.q25, b.q75) {
			var poly plotter.XYs
			for k := r[0]; k < r[1]; k++ {
				poly = append(poly, plotter.XY{X: b.x[k], Y: b.q75[k]})
			}
			for k := r[1] - 1; k >= r[0]; k-- {
				poly = append(poly, plotter.XY{X: b.x[k], Y: b.q25[k]})
			}
			if pg, err := plotter.NewPolygon(poly); err == nil {
				pg.Color = withAlpha(col, 0.15)
				pg.LineStyle.Width = 0
				p.Add(pg)
			}
		}
		var first *plotter.Line
		for _, r := range finiteRuns(b.median) {
			var pts plotter.XYs
			for k := r[0]; k < r[1]; k++ {
				pts = append(pts, plotter.XY{X: b.x[k], Y: b.median[k]})
			}
			if len(pts) == 1 { // a single point still needs a visible mark
				pts = append(pts, plotter.XY{X: pts[0].X * 1.01, Y: pts[0].Y})
			}
			l := &plotter.Line{XYs: pts}
			l.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.6)}
			p.Add(l)
			if first == nil {
				first = l
			}
		}
		if first != nil {
			legend.Add(m.Name, first)
			drawn = true
		}
	}
	if !drawn {
		return nil
	}
	return &Chart{Name: "regret", Title: "Regret against evaluations", Width: wideWidth, Height: 3.6 * vg.Inch,
		Caption: "For each method, the median over seeds of the optimum minus the best score found within n evaluations (line) and its interquartile range (shaded, where both quartiles are finite). A curve that reaches 0 found the block's optimum; gaps are where a median run had scored nothing yet.",
		draw:    stacked([]*plot.Plot{p}, []float64{1}, &legend)}
}
