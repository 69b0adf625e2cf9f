package optimum

import (
	"fmt"
	"strings"

	"gem/space"
)

// MaxConfigurations bounds a block: the phased plan's whole joint space
// (2,239,488 configurations) fits with room to spare.
const MaxConfigurations = 1 << 26

// Block is every combination of the values of a few parameters, each other
// parameter at a base assignment's value. Configuration i is numbered in
// mixed radix over the parameters' Levels, the last parameter fastest (the
// order of search.Grid).
type Block struct {
	base  space.Assignment // a full assignment of the strategy's space
	space *space.Space     // the block's parameters, each with finite Levels
	at    []int            // the index of each block parameter in base's space
	size  int
}

// NewBlock returns the block of s's parameters around base, an assignment
// of the strategy's whole space that names each of them. It is an error for
// a parameter of s to have no finite list of values, to be missing from
// base's space, or for the block to exceed MaxConfigurations.
func NewBlock(base space.Assignment, s *space.Space) (*Block, error) {
	b := &Block{base: base, space: s, size: 1}
	for i := range s.Len() {
		p := s.Param(i)
		n := p.Levels()
		if n == 0 {
			return nil, fmt.Errorf("optimum: parameter %s has no finite list of values", p.Name)
		}
		j, err := base.Space().Index(p.Name)
		if err != nil {
			return nil, fmt.Errorf("optimum: %w", err)
		}
		b.at = append(b.at, j)
		if b.size > MaxConfigurations/n {
			return nil, fmt.Errorf("optimum: the block has more than %d configurations", MaxConfigurations)
		}
		b.size *= n
	}
	return b, nil
}

// Size is the number of configurations.
func (b *Block) Size() int { return b.size }

// Space is the block's space.
func (b *Block) Space() *space.Space { return b.space }

// Base is the assignment the block's values overlay.
func (b *Block) Base() space.Assignment { return b.base }

// levels returns the level of each block parameter in configuration i.
func (b *Block) levels(i int) []int {
	if i < 0 || i >= b.size {
		panic(fmt.Sprintf("optimum: configuration %d of a block of %d", i, b.size))
	}
	lv := make([]int, b.space.Len())
	for k := len(lv) - 1; k >= 0; k-- {
		n := b.space.Param(k).Levels()
		lv[k], i = i%n, i/n
	}
	return lv
}

// Config returns configuration i, a full assignment of base's space. It
// panics unless 0 ≤ i < Size.
func (b *Block) Config(i int) space.Assignment {
	a := b.base
	for k, l := range b.levels(i) {
		var err error
		if a, err = a.With(b.at[k], b.space.Param(k).Level(l)); err != nil {
			panic(fmt.Sprintf("optimum: level %d of %s: %v", l, b.space.Param(k).Name, err))
		}
	}
	return a
}

// Index returns the number of the configuration a names: an assignment of
// the block's space, or a full assignment of base's space equal to base
// outside the block. It is an error for a to be outside the block.
func (b *Block) Index(a space.Assignment) (int, error) {
	i := 0
	for k := range b.space.Len() {
		p := b.space.Param(k)
		v, err := a.Get(p.Name)
		if err != nil {
			return 0, fmt.Errorf("optimum: %w", err)
		}
		l := p.LevelOf(v)
		if l < 0 {
			return 0, fmt.Errorf("optimum: %s=%s is not a value of the block", p.Name, p.Format(v))
		}
		i = i*p.Levels() + l
	}
	if a.Space() != b.space && !a.Equal(b.Config(i)) {
		return 0, fmt.Errorf("optimum: %s is outside the block (other parameters than %s changed)", a.Diff(b.base), b.names())
	}
	return i, nil
}

func (b *Block) names() string {
	var names []string
	for k := range b.space.Len() {
		names = append(names, b.space.Param(k).Name)
	}
	return strings.Join(names, ", ")
}

// groups splits the block's parameters by the part of their name before the
// first dot (hmm.* and regime.* together: both set the regime series): the
// parameters a tape records one setting per combination of.
func (b *Block) groups() [][]int {
	var keys []string
	by := map[string][]int{}
	for k := range b.space.Len() {
		g, _, _ := strings.Cut(b.space.Param(k).Name, ".")
		if g == "regime" {
			g = "hmm"
		}
		if by[g] == nil {
			keys = append(keys, g)
		}
		by[g] = append(by[g], k)
	}
	out := make([][]int, len(keys))
	for j, g := range keys {
		out[j] = by[g]
	}
	return out
}

// family returns, for each group, every combination of its parameters'
// values with every other parameter at base: the settings whose regime
// series and specialist books cover every configuration of the block when
// each depends on the parameters of one group only.
func (b *Block) family() []space.Assignment {
	var out []space.Assignment
	for _, g := range b.groups() {
		n := 1
		for _, k := range g {
			n *= b.space.Param(k).Levels()
		}
		for i := range n {
			a := b.base
			for j := len(g) - 1; j >= 0; j-- {
				p := b.space.Param(g[j])
				var err error
				if a, err = a.With(b.at[g[j]], p.Level(i%p.Levels())); err != nil {
					panic(fmt.Sprintf("optimum: %s: %v", p.Name, err))
				}
				i /= p.Levels()
			}
			out = append(out, a)
		}
	}
	return out
}
