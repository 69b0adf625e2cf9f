package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"sync"
)

// MetricField is one metric of the schema: the single declaration from which
// the ledger's columns, the JSON fields, the wire format and the printed
// table all follow. It is read from the `metric`, `label` and `fmt` tags of
// Metrics' fields, in their order: a new metric is one new tagged field.
type MetricField struct {
	Name   string // snake_case: the JSON key and the ledger column after base_ or stress_
	Label  string // the printed table's row label
	Format string // printf verb of the printed table; counts print as whole numbers
	Count  bool   // an integer count
	// OmitZero (tag table:"omitzero") leaves the metric out of the printed
	// tables when it is 0 in every column: the perp metrics of a spot run.
	OmitZero bool
	index    int
}

// Shown reports whether the printed tables show the metric beside the
// columns ms: always, unless it is OmitZero and 0 in every one of them.
func (f *MetricField) Shown(ms ...Metrics) bool {
	if !f.OmitZero {
		return true
	}
	for i := range ms {
		if f.Get(&ms[i]) != 0 {
			return true
		}
	}
	return false
}

// Get returns the metric's value in m.
func (f *MetricField) Get(m *Metrics) float64 {
	v := reflect.ValueOf(m).Elem().Field(f.index)
	if f.Count {
		return float64(v.Int())
	}
	return v.Float()
}

// Set sets the metric in m to x (truncated for a count).
func (f *MetricField) Set(m *Metrics, x float64) {
	v := reflect.ValueOf(m).Elem().Field(f.index)
	if f.Count {
		v.SetInt(int64(x))
		return
	}
	v.SetFloat(x)
}

// Text formats the metric of m for the printed table.
func (f *MetricField) Text(m *Metrics) string {
	if f.Count {
		return strconv.FormatInt(int64(f.Get(m)), 10)
	}
	return fmt.Sprintf(f.Format, f.Get(m))
}

// MetricSchema returns the metrics in declaration order. Callers must not
// modify the result.
var MetricSchema = sync.OnceValue(func() []MetricField {
	t := reflect.TypeFor[Metrics]()
	var out []MetricField
	for i := range t.NumField() {
		sf := t.Field(i)
		name := sf.Tag.Get("metric")
		if name == "" {
			continue
		}
		f := MetricField{Name: name, Label: sf.Tag.Get("label"), Format: sf.Tag.Get("fmt"), OmitZero: sf.Tag.Get("table") == "omitzero", index: i}
		switch sf.Type.Kind() {
		case reflect.Int:
			f.Count = true
		case reflect.Float64:
			if f.Format == "" {
				panic("harness: metric " + name + " has no fmt tag")
			}
		default:
			panic("harness: metric " + name + " is neither int nor float64")
		}
		out = append(out, f)
	}
	return out
})

// MarshalJSON writes the metrics as an object keyed by the schema's names;
// a value JSON cannot hold (NaN, ±Inf) is written as null.
func (m Metrics) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range MetricSchema() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(f.Name))
		b.WriteByte(':')
		x := f.Get(&m)
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			b.WriteString("null")
		case f.Count:
			b.WriteString(strconv.FormatInt(int64(x), 10))
		default:
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes (null as NaN); unknown keys are
// ignored, so a newer writer's metrics read.
func (m *Metrics) UnmarshalJSON(data []byte) error {
	var raw map[string]*float64
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	for _, f := range MetricSchema() {
		x, ok := raw[f.Name]
		switch {
		case !ok:
		case x == nil:
			f.Set(m, math.NaN())
		default:
			f.Set(m, *x)
		}
	}
	return nil
}
