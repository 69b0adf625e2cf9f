package report

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// ReadCommits returns the commits of the git repository at dir that
// HEAD reaches and that were committed at or after since, oldest first,
// merges left out: the kept changes the shutdown report pairs with the
// keep marks. It fails when git is missing or dir is not a repository.
func ReadCommits(dir string, since time.Time) ([]Commit, error) {
	cmd := exec.Command("git", "-C", dir, "log", "--no-merges", "--reverse",
		"--since="+since.UTC().Format(time.RFC3339), "--format=%H%x1f%cI%x1f%s")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git log in %s: %v %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	var cs []Commit
	for line := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimRight(line, "\n"), "\x1f")
		if len(f) != 3 {
			return nil, fmt.Errorf("git log in %s: unexpected line %q", dir, line)
		}
		t, err := time.Parse(time.RFC3339, f[1])
		if err != nil {
			return nil, fmt.Errorf("git log in %s: %v", dir, err)
		}
		if !t.Before(since) {
			cs = append(cs, Commit{Hash: f[0], Time: t, Subject: f[2]})
		}
	}
	return cs, nil
}
