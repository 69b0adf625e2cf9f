package harness

import (
	"math"
	"slices"
)

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
	// record makes every fill append to fills, dated day (Config.RecordFills).
	record bool
	day    int
	fills  []Fill
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

// gross returns the positions' gross notional Σ |qty × price(token)|, in
// book order.
func (pf *portfolio) gross(price func(tok int, entry float64) float64) float64 {
	g := 0.0
	for _, p := range pf.positions {
		g += math.Abs(p.Qty * price(p.Token, p.Entry))
	}
	return g
}

func (pf *portfolio) held(tok int) bool { return pf.slot[tok] >= 0 }

func (pf *portfolio) remove(k int) {
	pf.slot[pf.positions[k].Token] = -1
	pf.positions = slices.Delete(pf.positions, k, k+1)
	for j := k; j < len(pf.positions); j++ {
		pf.slot[pf.positions[j].Token] = int32(j)
	}
}

// log records a fill of signed quantity qty of tok at price p paying fee,
// traded being what the book adds to its notional traded; only with record.
func (pf *portfolio) log(tok int, qty, p, fee, traded float64, why FillReason) {
	pf.fills = append(pf.fills, Fill{Day: pf.day, Token: tok, Qty: qty, Price: p, Fee: fee, Traded: traded, Reason: why})
}

// sellAll sells position k whole at price p, paying the fee, and removes it,
// a fill for reason why.
func (pf *portfolio) sellAll(k int, p float64, why FillReason) {
	gross := pf.positions[k].Qty * p
	fee := gross * pf.fee
	pf.cash += gross - fee
	pf.fees += fee
	pf.traded += gross
	if pf.record {
		pf.log(pf.positions[k].Token, -pf.positions[k].Qty, p, fee, gross, why)
	}
	pf.remove(k)
}

// rebalance trades toward target weights: sells first in book order, then
// buys in target order. Quantities are signed (a short is a negative
// quantity, its sale proceeds in cash): a sell lowers a position's quantity,
// a buy raises it, so one code path serves longs and shorts. A buy spends
// its amount, the fee included (the position grows by (amount − fee) / p);
// a sell receives its gross less the fee. A long-only book with weights
// summing to at most 1 (levered false) buys at most its cash, as the
// reference does; a levered book (a short held or targeted, or weights
// summing past 1) trades on margin, and a short no longer targeted is
// bought back whole, in book order, before the targets' buys. fill(tok) is the price a trade in tok fills at, false
// when tok cannot trade today; mark(tok, entry) values a position that cannot.
// weight is scratch space of one float per token, all zero on entry and on
// return. closeOut makes a sell to a zero target sell the whole quantity, so
// no dust remains (the reference leaves the sub-ulp residue of q*p/p).
func (pf *portfolio) rebalance(targets []Target, weight []float64, fill func(tok int) (float64, bool), mark func(tok int, entry float64) float64, closeOut, levered bool) {
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
			if pf.record {
				pf.log(pos.Token, -qty, p, fee, gross, FillRebalance)
			}
			pos.Qty -= qty
			// A long sold to a target of zero or more ends at or below the
			// dust (the reference's rounding can leave it a sub-ulp
			// negative); only a sale to a short target can leave a short.
			if pos.Qty <= pf.dust && (weight[pos.Token] >= 0 || pos.Qty >= -pf.dust) {
				pf.remove(k)
				continue
			}
		}
		k++
	}
	total = pf.value(price)
	for k := 0; levered && k < len(pf.positions); {
		pos := &pf.positions[k]
		p, ok := fill(pos.Token)
		if !ok || pos.Qty >= 0 || weight[pos.Token] != 0 || !(-pos.Qty*p > minTrade) {
			k++
			continue
		}
		gross := -pos.Qty * p
		fee := gross * pf.fee
		pf.cash -= gross + fee
		pf.fees += fee
		pf.traded += gross
		if pf.record {
			pf.log(pos.Token, -pos.Qty, p, fee, gross, FillRebalance)
		}
		pf.remove(k)
	}
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
		if t.Weight < 0 && -buy > minTrade {
			pf.sellShort(t.Token, -buy/p, p)
			continue
		}
		if !(buy > minTrade) {
			continue
		}
		amount := buy
		if !levered {
			amount = min(buy, pf.cash)
		}
		if !(amount > 0) {
			continue
		}
		fee := amount * pf.fee
		qty := (amount - fee) / p
		pf.cash -= amount
		pf.fees += fee
		pf.traded += amount
		if pf.record {
			pf.log(t.Token, qty, p, fee, amount, FillRebalance)
		}
		pf.add(t.Token, qty, p)
	}
	for _, t := range targets {
		weight[t.Token] = 0
	}
}

// add adds qty (signed) to token tok's position, opening it at price p.
func (pf *portfolio) add(tok int, qty, p float64) {
	if k := pf.slot[tok]; k >= 0 {
		pf.positions[k].Qty += qty
		return
	}
	if !pf.bought[tok] {
		pf.bought[tok] = true
		pf.everHeld++
	}
	pf.slot[tok] = int32(len(pf.positions))
	pf.positions = append(pf.positions, Position{Token: tok, Qty: qty, Entry: p})
}

// sellShort sells qty > 0 of token tok at price p, opening or growing a
// short: the cash receives the gross less the fee.
func (pf *portfolio) sellShort(tok int, qty, p float64) {
	gross := qty * p
	fee := gross * pf.fee
	pf.cash += gross - fee
	pf.fees += fee
	pf.traded += gross
	if pf.record {
		pf.log(tok, -qty, p, fee, gross, FillRebalance)
	}
	pf.add(tok, -qty, p)
}
