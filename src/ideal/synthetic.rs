//! Voting histories simulated from known parameters of the model (for parameter-recovery and
//! calibration tests, benchmarks and examples). Seeded ChaCha8, so a seed gives the same
//! history everywhere.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::date::Date;
use super::error::{IdealError, Result};
use super::history::{History, Iso3, RollCall, StateVote};
use super::probit::{logistic, pm};
use crate::vote::Outcome;

/// Size and scales of a simulated history.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Number of states (at most 26³).
    pub states: usize,
    /// Number of session years.
    pub sessions: usize,
    /// Roll calls per session.
    pub rollcalls_per_session: usize,
    /// Position dimensions.
    pub dims: usize,
    /// Absence interaction rank.
    pub rank: usize,
    /// Yearly position drift (standard deviation per dimension).
    pub drift: f64,
    /// Standard deviation of the discrimination components.
    pub discrimination_scale: f64,
    /// Mean absence level (log-odds).
    pub absence_level_mean: f64,
    /// First session number.
    pub first_session: i32,
    /// A bloc: the first `.0` states share a latent shock of variance `.1` (ρ) on every roll
    /// call (their latent variance stays 1), as in [`super::cohesion`]'s model.
    pub bloc: Option<(usize, f64)>,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            states: 80,
            sessions: 3,
            rollcalls_per_session: 40,
            dims: 2,
            rank: 1,
            drift: 0.3,
            discrimination_scale: 1.5,
            absence_level_mean: -2.5,
            first_session: 70,
            bloc: None,
        }
    }
}

/// The parameters a history was simulated from (same meaning as in the model file).
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    /// `positions[i][t]`: D numbers, session `first_session + t`.
    pub positions: Vec<Vec<Vec<f64>>>,
    /// `absence[i][t]`: absence propensity (log-odds).
    pub absence: Vec<Vec<f64>>,
    /// `loading[i]`: K numbers.
    pub loading: Vec<Vec<f64>>,
    /// Per roll call: discrimination (D), `cut_no`, `cut_yes`, absence level, loadings (K).
    pub rollcalls: Vec<TrueRollCall>,
}

/// True parameters of one simulated roll call.
#[derive(Debug, Clone, PartialEq)]
pub struct TrueRollCall {
    /// Session index (0-based from the first session).
    pub session: usize,
    /// Discrimination.
    pub beta: Vec<f64>,
    /// Lower cut-point.
    pub cut_no: f64,
    /// Upper cut-point.
    pub cut_yes: f64,
    /// Absence level.
    pub level: f64,
    /// Absence loadings.
    pub loading: Vec<f64>,
}

impl Truth {
    /// True probabilities (yes, no, abstain, not voting) of state `i` on roll call `j`.
    pub fn probs(&self, i: usize, j: usize) -> [f64; 4] {
        self.probs_given(i, j, 0.0, 0.0)
    }

    /// As [`Truth::probs`], given a shared shock `b` with variance share `rho`.
    pub fn probs_given(&self, i: usize, j: usize, rho: f64, b: f64) -> [f64; 4] {
        let r = &self.rollcalls[j];
        let x = &self.positions[i][r.session];
        let eta: f64 = r.beta.iter().zip(x).map(|(b, x)| b * x).sum::<f64>() + rho.sqrt() * b;
        let s = (1.0 - rho).sqrt();
        let lam = r.level
            + self.absence[i][r.session]
            + r.loading
                .iter()
                .zip(&self.loading[i])
                .map(|(v, u)| v * u)
                .sum::<f64>();
        let pa = logistic(lam);
        let p_no = super::probit::norm_cdf((r.cut_no - eta) / s);
        let p_yes = super::probit::norm_cdf((eta - r.cut_yes) / s);
        let present = 1.0 - pa;
        [
            present * p_yes,
            present * p_no,
            present * (1.0 - p_no - p_yes).max(0.0),
            pa,
        ]
    }
}

/// A standard normal draw (Box–Muller with portable functions).
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * pm::ln(u1)).sqrt() * libm::cos(std::f64::consts::TAU * u2)
}

/// Draws an outcome from probabilities with one uniform.
pub fn draw(rng: &mut ChaCha8Rng, p: &[f64; 4]) -> Outcome {
    let u: f64 = rng.random::<f64>();
    let mut c = 0.0;
    for (k, &o) in Outcome::ALL.iter().enumerate() {
        c += p[k];
        if u < c {
            return o;
        }
    }
    Outcome::Absent
}

/// Three-letter code of state `i` (`AAA`, `AAB`, …), for `i < 26³`.
pub fn code(i: usize) -> Option<Iso3> {
    (i < 26 * 26 * 26).then_some(())?;
    Iso3::from_bytes(&[
        b'A' + (i / 676 % 26) as u8,
        b'A' + (i / 26 % 26) as u8,
        b'A' + (i % 26) as u8,
    ])
}

/// Simulates true parameters and a history from them (an error for more than 26³ states or
/// dates beyond the year 9999). Roll call `k` of session `s` is dated
/// `first_session + s` + 1945, 1 October + `k` days, with symbol `SIM/s/k` and title
/// `Item k` (so each title recurs every session).
pub fn simulate(spec: &Spec, seed: u64) -> Result<(History, Truth)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (n, s, d, k) = (spec.states, spec.sessions, spec.dims, spec.rank);
    let mut positions = Vec::with_capacity(n);
    let mut absence = Vec::with_capacity(n);
    let mut loading = Vec::with_capacity(n);
    for _ in 0..n {
        let mut x: Vec<f64> = (0..d).map(|_| normal(&mut rng)).collect();
        let mut a = 0.7 * normal(&mut rng);
        let mut px = Vec::with_capacity(s);
        let mut pa = Vec::with_capacity(s);
        for _ in 0..s {
            px.push(x.clone());
            pa.push(a);
            for v in x.iter_mut() {
                *v += spec.drift * normal(&mut rng);
            }
            a += 0.3 * normal(&mut rng);
        }
        positions.push(px);
        absence.push(pa);
        loading.push((0..k).map(|_| 0.8 * normal(&mut rng)).collect());
    }
    let mut rollcalls = Vec::new();
    let mut records = Vec::new();
    for t in 0..s {
        for q in 0..spec.rollcalls_per_session {
            let beta: Vec<f64> = (0..d)
                .map(|_| spec.discrimination_scale * normal(&mut rng))
                .collect();
            // Mostly-yes roll calls with some abstention, as in the Assembly.
            let cut_no = -1.2 + 0.6 * normal(&mut rng);
            let cut_yes = cut_no + 0.3 + pm::exp(-0.5 + 0.4 * normal(&mut rng));
            let level = spec.absence_level_mean + 0.5 * normal(&mut rng);
            let lv: Vec<f64> = (0..k).map(|_| 0.8 * normal(&mut rng)).collect();
            rollcalls.push(TrueRollCall {
                session: t,
                beta,
                cut_no,
                cut_yes,
                level,
                loading: lv,
            });
            records.push((t, q));
        }
    }
    let truth = Truth {
        positions,
        absence,
        loading,
        rollcalls,
    };
    let states: Vec<Iso3> = (0..n)
        .map(|i| code(i).ok_or_else(|| IdealError::options("states", "at most 26³")))
        .collect::<Result<_>>()?;
    let mut rcs = Vec::with_capacity(records.len());
    for (j, &(t, q)) in records.iter().enumerate() {
        let year = spec.first_session + t as i32 + 1945;
        let date = Date::new(year, 10, 1)
            .and_then(|d0| {
                let mut d = d0;
                for _ in 0..q {
                    d = next_day(d)?;
                }
                Some(d)
            })
            .ok_or_else(|| IdealError::options("first_session", "dates out of range"))?;
        let (in_bloc, rho) = spec.bloc.unwrap_or((0, 0.0));
        let shock = normal(&mut rng);
        let votes = (0..n)
            .map(|i| {
                let p = if i < in_bloc {
                    truth.probs_given(i, j, rho, shock)
                } else {
                    truth.probs(i, j)
                };
                StateVote {
                    state: i as u16,
                    vote: draw(&mut rng, &p),
                }
            })
            .collect();
        rcs.push(RollCall {
            record: 1_000_000 + j as u64,
            symbol: format!("SIM/{t}/{q}"),
            date,
            title: format!("Item {q}"),
            votes,
        });
    }
    let history = History::from_parts(states, rcs)?;
    Ok((history, truth))
}

fn next_day(d: Date) -> Option<Date> {
    Date::new(d.year(), d.month(), d.day() + 1)
        .or_else(|| Date::new(d.year(), d.month() + 1, 1))
        .or_else(|| Date::new(d.year() + 1, 1, 1))
}
