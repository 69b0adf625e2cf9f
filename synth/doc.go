// Package synth generates gem's built-in synthetic market universe: daily
// candles for a few hundred crypto tokens, so that a fresh clone runs end to
// end without data files. Generate returns the candles, Panel wraps them in a
// harness.Panel, and Market exposes the hidden market factor (regimes and
// returns) as ground truth.
//
// # Files
//
//   - doc.go: this overview and the model.
//   - config.go: Config, its fields' units and zero values, DefaultConfig,
//     Regime and the State constants.
//   - market.go: the market factor (regime chain and returns), Market.
//   - generate.go: token parameters and schedules, the price, OHLC and
//     volume paths, Generate and Panel.
//   - names.go: the fixed token names and the ticker generator.
//   - rng.go: PCG streams, samplers (uniform, normal, Student t) and the
//     portable exp and log that keep the output bit-identical everywhere.
//   - synth_test.go, example_test.go: tests, benchmark and example.
//
// # Determinism
//
// The candles depend only on the Config. Randomness comes from math/rand/v2
// PCG generators seeded with Config.Seed: one stream for the market, one for
// the ticker names and one per token (so a token's parameters do not depend
// on how many tokens follow it). Nothing reads the clock, the global RNG or
// map iteration order. To be bit-identical on every GOARCH the package
// avoids math.Exp, math.Log and math.Pow (architecture-specific assembly)
// in favour of its own pexp and plog, and wraps every product that feeds a
// sum in float64(...) so the compiler cannot fuse it into a multiply-add.
//
// # Market factor
//
// A hidden three-state Markov chain s_t ∈ {bear, ranging, bull} drives the
// market factor's daily log return m_t. The first state is uniform; each
// later day the chain leaves state s with probability 1/D_s (D_s is
// Regime.Duration, so a stay lasts D_s days on average), falling back from
// bear or bull to ranging with probability 0.7 (else to the other extreme)
// and breaking out of ranging to bear or bull with even odds:
//
//	P(s_t = s | s_{t-1} = s) = 1 - 1/D_s
//	m_t = μ_{s_t} + σ_{s_t} z_t
//	z_t = T_ν sqrt((ν-2)/ν),  T_ν ~ Student t with ν = Config.TailDF
//
// so z_t has unit variance and fat tails (excess kurtosis 6/(ν-4) for ν > 4,
// infinite for ν ≤ 4); ν ≤ 2 gives Gaussian z_t. The default regimes are
// bear μ = -0.3%, σ = 4.5%, D = 50 days; ranging μ = 0.03%, σ = 2.5%,
// D = 60; bull μ = 0.4%, σ = 3.5%, D = 70; with ν = 4.
//
// # Tokens
//
// Token i's daily log return on day t, from its previous close, is
//
//	r_{i,t} = β_i m_t + μ_i + a_{i,t} + c_{i,t} + σ_i ε_{i,t}
//	a_{i,t} = φ_i a_{i,t-1} + τ_i sqrt(1-φ_i²) η_{i,t},  a_{i,list} ~ N(0, τ_i²)
//	log C_{i,t} = log C_{i,t-1} + r_{i,t}
//
// with ε unit-variance Student t like z, η standard normal, and c the crash
// drift (below). The trend a is an AR(1) drift with stationary standard
// deviation τ_i and time constant 1/(1-φ_i) days: persistent, so past
// returns predict future ones. Generated tokens draw
//
//	β_i ~ N(1.2, 0.3²) clamped to [0.3, 2.5]
//	σ_i ~ log-uniform [0.025, 0.08]
//	μ_i ~ N(-0.0008, 0.0008²)
//	trending (probability TrendFrac): τ_i ~ U[0.003, 0.006],  1/(1-φ_i) ~ U[60, 180]
//	otherwise:                        τ_i ~ U[0, 0.0005],     1/(1-φ_i) = 30
//	C_{i,list-1} ~ log-uniform [1e-4, 1e3],  dollar volume ~ log-uniform [1e5, 1e8]
//
// The fixed tokens list on the first day: BTC (β = 1, σ = 0.6%, price 7,200,
// so its returns track the market factor), ETH (β = 1.15, μ = 0.04%,
// σ = 1.8%, a weak trend, price 130), the gold-like XAUT (β = 0.05,
// μ = 0.02%, σ = 0.9%, price 1,520) and the stablecoins USDC, USDT and DAI,
// whose log price is a fast mean-reverting noise around the peg, with ε
// clipped to ±8 (so closes stay within 1.6% of 1):
//
//	log C_t = x_t + d_t,  x_t = 0.5 x_{t-1} + 0.001 ε_t
//
// d_t is zero except for USDC's one brief depeg: on a day drawn uniformly
// from the middle half of the calendar d jumps to log(1-δ), δ ~ U[6%, 13%],
// and decays by 40% a day (d_{t+1} = 0.6 d_t), back within 1% of the peg
// in under a week.
//
// # Listings and delistings
//
// A generated token lists on the first day with probability ListedAtStart,
// otherwise on a day uniform on [1, ListWindow×Days]; it has no candle
// before. With probability DelistFrac it is delisted on a day uniform from
// 60 days after listing to the calendar's end (its candles stop the day
// before); 60% of those delistings follow a crash of the last 5 to 20 days,
// a drift c = -K/length per day with K ~ U[1, 3] (a fall of 63% to 95%).
// A token whose close would drop below 1e-7 dies that day (no further
// candles); a close above 1e9 reflects off that ceiling (log C → 2 log 1e9 -
// log C). Every output price is finally clamped to [2e-8, 5e11].
//
// # Candles
//
// With v_{i,t} = sqrt(β_i² σ_{s_t}² + σ_i²) the day's volatility (0.2% for
// stablecoins), the open is the previous close times a small gap, and the
// high and low are the exact extremes of a Brownian bridge from open to
// close, with U, U' uniform on (0, 1):
//
//	log O_t = log C_{t-1} + 0.05 v_t ξ_t,        ξ_t ~ N(0, 1)
//	x_t = log C_t - log O_t
//	log H_t = log O_t + (x_t + sqrt(x_t² - 2 v_t² log U)) / 2
//	log L_t = log O_t + (x_t - sqrt(x_t² - 2 v_t² log U')) / 2
//
// so H ≥ max(O, C) and L ≤ min(O, C). Volume, in token units, is a dollar
// volume that grows with the square root of the price's rise since listing,
// spikes with the size of the day's move (and by e during a crash), and
// carries AR(1) noise, divided by the close:
//
//	log V_t = log DV_i + 0.5 (log C_t - log C_{list-1}) + u_t + 0.25 min(|r_t|/v_t, 10) - log C_t
//	u_t = 0.9 u_{t-1} + 0.2 ζ_t,  ζ_t ~ N(0, 1)
//
// With probability CloseOnlyFrac a generated token's first 30 to 365 days
// are close-only rows: open, high, low and volume are NaN.
package synth
