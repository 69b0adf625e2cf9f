package strategy

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Parameters are plain structs whose fields carry a `param:"name"` tag and
// optional `min:"x" max:"y"` bounds; nested structs tagged with a name
// contribute "name.field" parameters (bull.top_n). The functions below read
// and write them by name, so the CLI, the ledger and the sweeps share one
// definition of every parameter.

// ParamNames lists the parameter names of p (a pointer to a parameter
// struct) in declaration order.
func ParamNames(p any) []string {
	var names []string
	walkParams(reflect.ValueOf(p).Elem(), "", func(name string, _ reflect.Value, _ reflect.StructField) {
		names = append(names, name)
	})
	return names
}

// SetParam parses value into the parameter called name. Unknown names,
// malformed values and values outside the declared bounds are errors that
// name the valid choices.
func SetParam(p any, name, value string) error {
	var found bool
	var err error
	walkParams(reflect.ValueOf(p).Elem(), "", func(n string, v reflect.Value, f reflect.StructField) {
		if n != name {
			return
		}
		found = true
		err = setValue(v, f, value)
	})
	if !found {
		return fmt.Errorf("unknown parameter %q; valid parameters: %s", name, strings.Join(ParamNames(p), ", "))
	}
	if err != nil {
		return fmt.Errorf("parameter %s: %w", name, err)
	}
	return nil
}

// GetParam formats the value of the parameter called name.
func GetParam(p any, name string) (string, bool) {
	var out string
	var found bool
	walkParams(reflect.ValueOf(p).Elem(), "", func(n string, v reflect.Value, _ reflect.StructField) {
		if n == name {
			out, found = formatValue(v), true
		}
	})
	return out, found
}

// ParamValues lists "name=value" for every parameter of p, in declaration
// order.
func ParamValues(p any) []string {
	var out []string
	walkParams(reflect.ValueOf(p).Elem(), "", func(n string, v reflect.Value, _ reflect.StructField) {
		out = append(out, n+"="+formatValue(v))
	})
	return out
}

// ParamsString formats every parameter as "name=value ...".
func ParamsString(p any) string { return strings.Join(ParamValues(p), " ") }

func walkParams(v reflect.Value, prefix string, fn func(string, reflect.Value, reflect.StructField)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("param")
		if tag == "" || tag == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			walkParams(v.Field(i), prefix+tag+".", fn)
			continue
		}
		fn(prefix+tag, v.Field(i), f)
	}
}

func formatValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Int:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.String:
		return v.String()
	}
	panic("strategy: unsupported parameter kind " + v.Kind().String())
}

func setValue(v reflect.Value, f reflect.StructField, s string) error {
	s = strings.TrimSpace(s)
	var x float64
	switch v.Kind() {
	case reflect.Float64:
		var err error
		x, err = strconv.ParseFloat(s, 64)
		if err != nil || x != x {
			return fmt.Errorf("%q is not a number", s)
		}
	case reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not an integer", s)
		}
		x = float64(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
		return nil
	case reflect.String:
		if choices := f.Tag.Get("choices"); choices != "" && !slices.Contains(strings.Split(choices, "|"), s) {
			return fmt.Errorf("%q is not one of %s", s, strings.ReplaceAll(choices, "|", ", "))
		}
		v.SetString(s)
		return nil
	}
	if lo, ok := bound(f, "min"); ok && x < lo {
		return fmt.Errorf("%s is below the minimum %g", s, lo)
	}
	if hi, ok := bound(f, "max"); ok && x > hi {
		return fmt.Errorf("%s is above the maximum %g", s, hi)
	}
	if v.Kind() == reflect.Int {
		v.SetInt(int64(x))
	} else {
		v.SetFloat(x)
	}
	return nil
}

func bound(f reflect.StructField, key string) (float64, bool) {
	s := f.Tag.Get(key)
	if s == "" {
		return 0, false
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic("strategy: bad " + key + " tag on " + f.Name)
	}
	return x, true
}

// ParamMap returns every parameter of p by name, with its Go value (for
// JSON output).
func ParamMap(p any) map[string]any {
	out := map[string]any{}
	walkParams(reflect.ValueOf(p).Elem(), "", func(n string, v reflect.Value, _ reflect.StructField) {
		out[n] = v.Interface()
	})
	return out
}
