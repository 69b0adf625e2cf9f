package harness

import "slices"

// Position is a holding of one token. Entry is the price at which the
// position was opened; later buys and partial sells do not change it.
type Position struct {
	Token int
	Qty   float64
	Entry float64
}

// portfolio is the cash-and-positions book of one backtest. Positions are kept
// in order of first purchase (a token fully sold and bought again moves to
// the end), which fixes the order of sells and of every sum over holdings.
type portfolio struct {
	cash      float64
	positions []Position
	slot      []int32 // slot[token] is the index in positions, or -1
	fee       float64
	dust      float64 // a position at or below this quantity is deleted
	fees      float64 // fees paid so far
	traded    float64 // notional traded so far, buys plus sells
	everHeld  int     // distinct tokens ever bought
	bought    []bool
}

func newPortfolio(numTokens int, capital, fee, dust float64) *portfolio {
	pf := &portfolio{cash: capital, slot: make([]int32, numTokens), fee: fee, dust: dust, bought: make([]bool, numTokens)}
	for i := range pf.slot {
		pf.slot[i] = -1
	}
	return pf
}

// value returns cash plus the value of the positions, each valued at
// price(token). The position values are summed in book order starting from
// zero and the cash is added last, as the reference does.
func (pf *portfolio) value(price func(tok int, entry float64) float64) float64 {
	v := 0.0
	for _, p := range pf.positions {
		v += p.Qty * price(p.Token, p.Entry)
	}
	return v + pf.cash
}

func (pf *portfolio) held(tok int) bool { return pf.slot[tok] >= 0 }

func (pf *portfolio) remove(k int) {
	pf.slot[pf.positions[k].Token] = -1
	pf.positions = slices.Delete(pf.positions, k, k+1)
	for j := k; j < len(pf.positions); j++ {
		pf.slot[pf.positions[j].Token] = int32(j)
	}
}

// sellAll sells position k whole at price p, paying the fee, and removes it.
func (pf *portfolio) sellAll(k int, p float64) {
	gross := pf.positions[k].Qty * p
	fee := gross * pf.fee
	pf.cash += gross - fee
	pf.fees += fee
	pf.traded += gross
	pf.remove(k)
}

// rebalance trades toward target weights: sells first in book order, then
// buys in target order. fill(tok) is the price a trade in tok fills at, false
// when tok cannot trade today; mark(tok, entry) values a position that cannot.
// weight is scratch space of one float per token, all zero on entry and on
// return. closeOut makes a sell to a zero target sell the whole quantity, so
// no dust remains (the reference leaves the sub-ulp residue of q*p/p).
func (pf *portfolio) rebalance(targets []Target, weight []float64, fill func(tok int) (float64, bool), mark func(tok int, entry float64) float64, closeOut bool) {
	price := func(tok int, entry float64) float64 {
		if p, ok := fill(tok); ok {
			return p
		}
		return mark(tok, entry)
	}
	for _, t := range targets {
		weight[t.Token] = t.Weight
	}
	total := pf.value(price)
	minTrade := 0.001 * total
	for k := 0; k < len(pf.positions); {
		pos := &pf.positions[k]
		p, tradable := fill(pos.Token)
		if !tradable && closeOut {
			k++ // a causal book cannot sell what has no price today
			continue
		}
		if !tradable {
			p = pos.Entry
		}
		cur := pos.Qty * p
		tgt := total * weight[pos.Token]
		if cur-tgt > minTrade {
			qty := (cur - tgt) / p
			if closeOut && weight[pos.Token] == 0 {
				qty = pos.Qty
			}
			gross := qty * p
			fee := gross * pf.fee
			pf.cash += gross - fee
			pf.fees += fee
			pf.traded += gross
			pos.Qty -= qty
			if pos.Qty <= pf.dust {
				pf.remove(k)
				continue
			}
		}
		k++
	}
	total = pf.value(price)
	for _, t := range targets {
		p, ok := fill(t.Token)
		if !ok {
			continue
		}
		cur := 0.0
		if k := pf.slot[t.Token]; k >= 0 {
			cur = pf.positions[k].Qty * p
		}
		buy := total*t.Weight - cur
		if !(buy > minTrade) {
			continue
		}
		amount := min(buy, pf.cash)
		if !(amount > 0) {
			continue
		}
		fee := amount * pf.fee
		qty := (amount - fee) / p
		pf.cash -= amount
		pf.fees += fee
		pf.traded += amount
		if k := pf.slot[t.Token]; k >= 0 {
			pf.positions[k].Qty += qty
		} else {
			if !pf.bought[t.Token] {
				pf.bought[t.Token] = true
				pf.everHeld++
			}
			pf.slot[t.Token] = int32(len(pf.positions))
			pf.positions = append(pf.positions, Position{Token: t.Token, Qty: qty, Entry: p})
		}
	}
	for _, t := range targets {
		weight[t.Token] = 0
	}
}
