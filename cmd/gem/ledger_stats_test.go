package main

import (
	"testing"

	"github.com/spf13/cobra"

	"gem/selection"
)

// TestStatsFlagDefaults: without flags, the statistics' settings are
// selection.DefaultOptions, those of the ledger page.
func TestStatsFlagDefaults(t *testing.T) {
	var opt selection.Options
	cmd := &cobra.Command{Use: "stats"}
	registerStatsFlags(cmd, &opt)
	if err := cmd.ParseFlags(nil); err != nil {
		t.Fatal(err)
	}
	if want := selection.DefaultOptions(); opt != want {
		t.Errorf("flag defaults %+v, want %+v", opt, want)
	}
	if err := cmd.ParseFlags([]string{"--blocks", "8", "--draws", "50", "--block-length", "2.5", "--bootstrap-seed", "7"}); err != nil {
		t.Fatal(err)
	}
	if want := (selection.Options{Blocks: 8, Draws: 50, BlockLength: 2.5, Seed: 7}); opt != want {
		t.Errorf("flags set %+v, want %+v", opt, want)
	}
}
