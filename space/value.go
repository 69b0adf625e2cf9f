package space

import "fmt"

// Kind is a parameter's kind.
type Kind uint8

const (
	// Int is a whole number, int64.
	Int Kind = iota + 1
	// Float is a finite real number searched on a linear scale.
	Float
	// LogFloat is a positive finite real number searched on a log scale.
	LogFloat
	// Bool is true or false.
	Bool
	// Categorical is one of a fixed list of strings.
	Categorical
)

var kindNames = [...]string{Int: "int", Float: "float", LogFloat: "log_float", Bool: "bool", Categorical: "categorical"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Value is one typed parameter value. Which field is meaningful depends on
// the kind of the parameter it belongs to: I for Int, F for Float and
// LogFloat, B for Bool, S for Categorical. The zero Value is the zero of
// every kind.
type Value struct {
	I int64
	F float64
	B bool
	S string
}

// IntValue, FloatValue, BoolValue and StringValue make Values.
func IntValue(i int64) Value     { return Value{I: i} }
func FloatValue(f float64) Value { return Value{F: f} }
func BoolValue(b bool) Value     { return Value{B: b} }
func StringValue(s string) Value { return Value{S: s} }
