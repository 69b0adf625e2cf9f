package ledger

import (
	"slices"
	"testing"
)

func TestForeign(t *testing.T) {
	rows := []Row{{Harness: "a"}, {Harness: "b"}, {Harness: "a"}, {Harness: ""}}
	tests := []struct {
		name        string
		fingerprint string
		want        []int
	}{
		{"current is a", "a", []int{1, 3}},
		{"current is b", "b", []int{0, 2, 3}},
		{"none match", "c", []int{0, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Foreign(rows, tt.fingerprint); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if got := Foreign(nil, "a"); got != nil {
		t.Errorf("no rows: got %v, want nil", got)
	}
}
