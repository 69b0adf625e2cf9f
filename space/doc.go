// Package space is gem's typed parameter space: the one declaration of every
// tunable parameter (its kind, bounds, default and a one-line doc) from which
// the command line's --set, the ledger, the wire format, JSON, plan files,
// search spaces and `gem params` are all derived.
//
// A Space is an ordered list of Params; an Assignment gives every Param of
// its Space a Value. An Assignment formats as "name=value ..." in the
// Space's order (String) and parses back from that form with any subset of
// the names (Space.Parse: the rest take their defaults), so a ledger row
// written before a parameter existed reads as that parameter's default.
//
// Files and their roles:
//
//	doc.go      this overview.
//	value.go    Kind and Value: a parameter's kind and one typed value.
//	param.go    Param: parsing, formatting, bounds, the unit-interval
//	            encoding search methods use, finite domains.
//	space.go    Space and Assignment: look-up with suggestions for misspelt
//	            names, defaults, String/Parse, JSON, differences.
//	struct.go   Of, Load and Store: the bridge to parameter structs whose
//	            fields carry `param:"name"` tags (the only reflection).
//
// Values are exact: integers are int64 end to end (never through float64),
// and floats parse only from plain decimal text ("0.25", "-3", "1e-6"), never
// from Go's hexadecimal or underscore syntax, and must be finite.
package space
