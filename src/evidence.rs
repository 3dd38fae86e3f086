//! Conditioning a forecast on evidence: observed totals of a related earlier vote.
//!
//! Each `[[evidence]]` entry maps the earlier vote onto this resolution's model (see
//! [`crate::scenario::Evidence`]): in the same ballot — same global and bloc shocks, same
//! leaders' votes — state `i` votes on the evidence vote by its own ordered probit with the
//! latent score shifted by `shift` and a fresh idiosyncratic shock, and is absent with
//! probability `a_i` (the entry's `absent`, or the state's base `p_absent`; no mobilisation).
//! Given a ballot's shocks the states are then independent, with closed-form probabilities
//! `p_i = (yes, no, abstain)`.
//!
//! **Likelihood weighting.** A ballot's weight is the likelihood of the observed totals given
//! its shocks. The count vector (yes, no, abstain) is a sum of independent categorical votes,
//! approximated by a normal with mean `Σ p_i` and covariance `Σ (diag p_i − p_i p_iᵀ)` plus
//! `1/12` on the diagonal (the variance of rounding a continuous count to an integer, which also
//! keeps the covariance positive definite). Several evidence entries multiply their weights.
//! The conditioned forecast is the weighted distribution of the ballots; its reliability is
//! measured by Kish's effective sample size `ESS = (Σw)² / Σw²`.
//!
//! The run pipeline ([`crate::engine`]) weights each ballot in the same pass that tallies it,
//! and combines the weighted tallies of chunks along the [`chunk_tree`].

use serde::{Deserialize, Serialize};

use crate::model::Model;
use crate::normal::cdf;
use crate::scenario::Scenario;
use crate::stats::quantile;
use crate::vote::Outcome;

/// # The chunk tree
///
/// The weighted tally of chunks `[lo, hi)` is the chunk's own tally when `hi = lo + 1`, and
/// otherwise the tally of `[lo, m)` merged with that of `[m, hi)`, where `m = lo + ⌊(hi − lo)/2⌋`;
/// the whole run is the node `[0, C)`. Floating-point addition is not associative, so this
/// fixed shape is what makes the result reproducible. A shard computing chunks `[a, b)` sends
/// the tallies of the maximal nodes inside `[a, b)` ([`chunk_tree::cover`], at most about
/// `2·log₂ C` of them); every node of the whole tree is either inside one shard's range — and
/// then inside one of its maximal nodes — or is rebuilt from its two children, so
/// [`chunk_tree::combine`] redoes exactly the single run's additions.
pub mod chunk_tree {
    use std::collections::BTreeMap;

    use super::WeightedTally;
    use crate::error::{MergeError, Result};

    /// Where node `[lo, hi)` (with `hi − lo ≥ 2`) splits into its two children.
    pub fn split(lo: u64, hi: u64) -> u64 {
        lo + (hi - lo) / 2
    }

    /// The maximal nodes of the tree over `[0, chunks)` that lie inside `range`, in chunk
    /// order (none if `range` is empty).
    pub fn cover(range: std::ops::Range<u64>, chunks: u64) -> Vec<[u64; 2]> {
        fn go(lo: u64, hi: u64, r: &std::ops::Range<u64>, out: &mut Vec<[u64; 2]>) {
            if hi <= r.start || r.end <= lo || lo >= hi {
                return;
            }
            if r.start <= lo && hi <= r.end {
                out.push([lo, hi]);
                return;
            }
            let m = split(lo, hi);
            go(lo, m, r, out);
            go(m, hi, r, out);
        }
        let mut out = Vec::new();
        go(0, chunks, &range, &mut out);
        out
    }

    /// The tally of the whole tree over `[0, chunks)` from the tallies of a set of its nodes
    /// that together cover every chunk exactly once (the shards' [`cover`]s): bit for bit the
    /// tally a single run computes. Errors if a chunk is not covered.
    pub fn combine(
        chunks: u64,
        nodes: &BTreeMap<[u64; 2], WeightedTally>,
    ) -> Result<WeightedTally> {
        fn go(
            lo: u64,
            hi: u64,
            nodes: &BTreeMap<[u64; 2], WeightedTally>,
        ) -> Option<WeightedTally> {
            if let Some(t) = nodes.get(&[lo, hi]) {
                return Some(t.clone());
            }
            if hi - lo <= 1 {
                return None;
            }
            let m = split(lo, hi);
            let mut t = go(lo, m, nodes)?;
            t.merge(&go(m, hi, nodes)?);
            Some(t)
        }
        if chunks == 0 {
            return Err(MergeError::NoChunks.into());
        }
        go(0, chunks, nodes).ok_or_else(|| MergeError::EvidenceGap.into())
    }
}

/// The weighted tally of one node of the [`chunk_tree`], as carried by a shard file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedNode {
    /// The node's chunk range `[lo, hi)`.
    pub chunks: [u64; 2],
    /// Its weighted tally (floats stored as exact bit patterns).
    pub tally: WeightedTally,
}

/// Below this effective sample size the conditioned forecast is flagged as unreliable.
pub const MIN_ESS: f64 = 1000.0;

/// One evidence entry compiled against a model.
#[derive(Debug, Clone)]
struct Compiled {
    observed: [f64; 3],
    shift: f64,
    absent: Vec<f64>,
}

/// Evidence compiled for computing ballot weights.
#[derive(Debug, Clone)]
pub struct EvidenceModel {
    entries: Vec<Compiled>,
}

impl EvidenceModel {
    /// Compiles the scenario's evidence against its model; `None` if it has none.
    pub fn new(s: &Scenario, model: &Model) -> Option<EvidenceModel> {
        if s.evidence.is_empty() {
            return None;
        }
        let entries = s
            .evidence
            .iter()
            .map(|e| Compiled {
                observed: [
                    e.observed[0] as f64,
                    e.observed[1] as f64,
                    e.observed[2] as f64,
                ],
                shift: e.shift,
                absent: model
                    .states
                    .iter()
                    .map(|st| e.absent.unwrap_or(st.base_absent))
                    .collect(),
            })
            .collect();
        Some(EvidenceModel { entries })
    }

    /// Natural log of the ballot's weight: the (normal-approximation) likelihood of every
    /// evidence entry's observed totals given the ballot's global shock, bloc shocks and the
    /// realised votes of leaders (`outcome(i)` for state `i`, scenario order).
    pub fn log_weight(
        &self,
        model: &Model,
        global: f64,
        blocs: &[f64],
        outcome: impl Fn(usize) -> Outcome,
    ) -> f64 {
        // The shared part of each state's latent score in this ballot.
        let common: Vec<f64> = model
            .states
            .iter()
            .map(|st| {
                let mut c = st.loadings.global * global;
                for &(b, l) in &st.loadings.blocs {
                    c += l * blocs[b];
                }
                for &(l, infl, centre) in &st.leaders {
                    c += infl * (outcome(l).score() - centre);
                }
                c
            })
            .collect();
        self.entries
            .iter()
            .map(|e| {
                let mut mean = [0.0; 3];
                let mut cov = [[0.0; 3]; 3];
                for (i, st) in model.states.iter().enumerate() {
                    let present = 1.0 - e.absent[i];
                    let sd = st.loadings.idio;
                    let c = common[i] + e.shift;
                    let p_no = present * cdf((st.cut_no - c) / sd);
                    let p_yes = present * cdf((c - st.cut_yes) / sd);
                    let p = [p_yes, p_no, (present - p_yes - p_no).max(0.0)];
                    for a in 0..3 {
                        mean[a] += p[a];
                        for b in 0..3 {
                            cov[a][b] += if a == b {
                                p[a] * (1.0 - p[a])
                            } else {
                                -p[a] * p[b]
                            };
                        }
                    }
                }
                for (a, row) in cov.iter_mut().enumerate() {
                    row[a] += 1.0 / 12.0;
                }
                let d = [
                    e.observed[0] - mean[0],
                    e.observed[1] - mean[1],
                    e.observed[2] - mean[2],
                ];
                log_normal_density(&d, &cov)
            })
            .sum()
    }
}

/// log N(d; 0, cov) for a symmetric positive-definite 3×3 `cov` (Cholesky).
fn log_normal_density(d: &[f64; 3], cov: &[[f64; 3]; 3]) -> f64 {
    let mut l = [[0.0f64; 3]; 3];
    for i in 0..3 {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                l[i][i] = (cov[i][i] - s).max(1e-300).sqrt();
            } else {
                l[i][j] = (cov[i][j] - s) / l[j][j];
            }
        }
    }
    // Solve L y = d; quadratic form = |y|².
    let mut y = [0.0; 3];
    for i in 0..3 {
        let s: f64 = (0..i).map(|k| l[i][k] * y[k]).sum();
        y[i] = (d[i] - s) / l[i][i];
    }
    let quad: f64 = y.iter().map(|v| v * v).sum();
    let log_det: f64 = (0..3).map(|i| 2.0 * l[i][i].ln()).sum();
    -0.5 * (quad + log_det + 3.0 * (2.0 * std::f64::consts::PI).ln())
}

/// Weighted tallies of ballots, with weights kept as `exp(log_w − log_scale)` so that no
/// weight over- or underflows. Combined in a fixed order, results are identical for any thread
/// count.
///
/// In JSON (shard files) every float is written as the 16 hexadecimal digits of its IEEE 754
/// bit pattern, so that it is read back exactly, infinities included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "WeightedTallyBits", try_from = "WeightedTallyBits")]
pub struct WeightedTally {
    /// Ballots seen.
    pub ballots: u64,
    /// Reference log-weight all stored weights are relative to (−∞ when empty).
    pub log_scale: f64,
    /// Σ w.
    pub sum_w: f64,
    /// Σ w².
    pub sum_w2: f64,
    /// Weighted histograms of the four counts, `hist[o][k]`.
    pub hist: [Vec<f64>; 4],
    /// Weighted per-state outcome totals, `states[i][o]`.
    pub states: Vec<[f64; 4]>,
    /// Weighted adoptions.
    pub adopted: f64,
}

impl WeightedTally {
    /// Empty tally for `n` states.
    pub fn new(n: usize) -> WeightedTally {
        WeightedTally {
            ballots: 0,
            log_scale: f64::NEG_INFINITY,
            sum_w: 0.0,
            sum_w2: 0.0,
            hist: std::array::from_fn(|_| vec![0.0; n + 1]),
            states: vec![[0.0; 4]; n],
            adopted: 0.0,
        }
    }

    fn rescale(&mut self, new_scale: f64) {
        if new_scale <= self.log_scale {
            return;
        }
        let f = if self.log_scale == f64::NEG_INFINITY {
            0.0
        } else {
            (self.log_scale - new_scale).exp()
        };
        self.sum_w *= f;
        self.sum_w2 *= f * f;
        self.adopted *= f;
        self.hist.iter_mut().flatten().for_each(|x| *x *= f);
        self.states.iter_mut().flatten().for_each(|x| *x *= f);
        self.log_scale = new_scale;
    }

    /// Adds one ballot with log-weight `log_w`, counts (yes, no, abstain, absent), per-state
    /// outcomes in scenario order, and whether it adopted.
    pub fn add(&mut self, log_w: f64, counts: [u32; 4], outcomes: &[Outcome], adopted: bool) {
        self.ballots += 1;
        if log_w > self.log_scale {
            // Rescale only when a weight exceeds the scale by a margin, to keep it rare.
            self.rescale(log_w + 20.0);
        }
        let w = (log_w - self.log_scale).exp();
        self.sum_w += w;
        self.sum_w2 += w * w;
        for (h, &c) in self.hist.iter_mut().zip(&counts) {
            h[c as usize] += w;
        }
        for (s, o) in self.states.iter_mut().zip(outcomes) {
            s[o.index()] += w;
        }
        if adopted {
            self.adopted += w;
        }
    }

    /// Adds another tally (call in a fixed order for reproducible bits).
    pub fn merge(&mut self, o: &WeightedTally) {
        self.ballots += o.ballots;
        if o.sum_w == 0.0 {
            return;
        }
        let scale = self.log_scale.max(o.log_scale);
        self.rescale(scale);
        let f = (o.log_scale - scale).exp();
        self.sum_w += o.sum_w * f;
        self.sum_w2 += o.sum_w2 * f * f;
        self.adopted += o.adopted * f;
        for (h, oh) in self.hist.iter_mut().zip(&o.hist) {
            for (a, b) in h.iter_mut().zip(oh) {
                *a += b * f;
            }
        }
        for (a, b) in self.states.iter_mut().zip(&o.states) {
            for k in 0..4 {
                a[k] += b[k] * f;
            }
        }
    }

    /// Kish's effective sample size (Σw)²/Σw².
    pub fn ess(&self) -> f64 {
        if self.sum_w2 == 0.0 {
            0.0
        } else {
            self.sum_w * self.sum_w / self.sum_w2
        }
    }
}

/// [`WeightedTally`] as stored: floats as hexadecimal bit patterns.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightedTallyBits {
    ballots: u64,
    log_scale: String,
    sum_w: String,
    sum_w2: String,
    hist: [Vec<String>; 4],
    states: Vec<[String; 4]>,
    adopted: String,
}

fn to_hex(x: f64) -> String {
    format!("{:016x}", x.to_bits())
}

fn from_hex(s: &str) -> std::result::Result<f64, String> {
    if s.len() != 16 {
        return Err(format!("{s:?} is not 16 hexadecimal digits"));
    }
    u64::from_str_radix(s, 16)
        .map(f64::from_bits)
        .map_err(|e| format!("{s:?} is not 16 hexadecimal digits: {e}"))
}

impl From<WeightedTally> for WeightedTallyBits {
    fn from(t: WeightedTally) -> Self {
        WeightedTallyBits {
            ballots: t.ballots,
            log_scale: to_hex(t.log_scale),
            sum_w: to_hex(t.sum_w),
            sum_w2: to_hex(t.sum_w2),
            hist: t.hist.map(|h| h.into_iter().map(to_hex).collect()),
            states: t.states.into_iter().map(|s| s.map(to_hex)).collect(),
            adopted: to_hex(t.adopted),
        }
    }
}

impl TryFrom<WeightedTallyBits> for WeightedTally {
    type Error = String;

    fn try_from(b: WeightedTallyBits) -> std::result::Result<Self, String> {
        let list = |v: &[String]| {
            v.iter()
                .map(|x| from_hex(x))
                .collect::<std::result::Result<Vec<f64>, String>>()
        };
        let [h0, h1, h2, h3] = &b.hist;
        Ok(WeightedTally {
            ballots: b.ballots,
            log_scale: from_hex(&b.log_scale)?,
            sum_w: from_hex(&b.sum_w)?,
            sum_w2: from_hex(&b.sum_w2)?,
            hist: [list(h0)?, list(h1)?, list(h2)?, list(h3)?],
            states: b
                .states
                .iter()
                .map(|s| {
                    let v = list(s)?;
                    Ok([v[0], v[1], v[2], v[3]])
                })
                .collect::<std::result::Result<_, String>>()?,
            adopted: from_hex(&b.adopted)?,
        })
    }
}

/// Summary of the conditioned forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conditioned {
    /// Labels of the evidence entries used.
    pub evidence: Vec<String>,
    /// Ballots simulated (before weighting).
    pub ballots: u64,
    /// Kish's effective sample size of the weighted ballots.
    pub effective_sample_size: f64,
    /// Warning text when the effective sample size is below [`MIN_ESS`], else null.
    pub warning: Option<String>,
    /// Weighted mean yes count.
    pub yes_mean: f64,
    /// Weighted yes-count quantiles p05, p50, p95.
    pub yes_quantiles: [u64; 3],
    /// Weighted probability of adoption.
    pub adoption_probability: f64,
    /// Weighted probability of each claim reference, `(label, probability)`.
    pub references: Vec<(String, f64)>,
}

impl Conditioned {
    /// Summarises a weighted tally for the scenario's references.
    pub fn new(s: &Scenario, t: &WeightedTally) -> Conditioned {
        let ess = t.ess();
        let total = t.sum_w.max(f64::MIN_POSITIVE);
        let yes = &t.hist[0];
        let yes_mean = yes
            .iter()
            .enumerate()
            .map(|(k, w)| k as f64 * w)
            .sum::<f64>()
            / total;
        let references = s
            .references
            .iter()
            .filter_map(|r| match r.kind {
                crate::scenario::ReferenceKind::Claim(c) => {
                    let p: f64 = t.hist[c.outcome.index()]
                        .iter()
                        .enumerate()
                        .filter(|&(k, _)| c.op.holds(k as u64, c.value))
                        .map(|(_, w)| w)
                        .sum::<f64>()
                        / total;
                    Some((r.label.clone(), p))
                }
                crate::scenario::ReferenceKind::Actual(_) => None,
            })
            .collect();
        Conditioned {
            evidence: s.evidence.iter().map(|e| e.label.clone()).collect(),
            ballots: t.ballots,
            effective_sample_size: ess,
            warning: (ess < MIN_ESS).then(|| {
                format!(
                    "effective sample size {ess:.0} is below {MIN_ESS:.0}: the evidence is far from most simulated ballots, so the conditioned forecast rests on few of them; run more ballots or revisit the evidence mapping"
                )
            }),
            yes_mean,
            yes_quantiles: [0.05, 0.5, 0.95].map(|q| quantile(yes, q)),
            adoption_probability: t.adopted / total,
            references,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_density_matches_independent_case() {
        let cov = [[4.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 9.0]];
        let d = [2.0, -1.0, 3.0];
        let expect: f64 = [(2.0, 2.0), (-1.0, 1.0), (3.0, 3.0)]
            .iter()
            .map(|&(x, s): &(f64, f64)| {
                -0.5 * (x / s).powi(2) - s.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
            })
            .sum();
        assert!((log_normal_density(&d, &cov) - expect).abs() < 1e-12);
    }

    #[test]
    fn weighted_tally_merge_is_scale_free() {
        let outs = [Outcome::Yes, Outcome::No];
        let mut a = WeightedTally::new(2);
        a.add(-1000.0, [1, 1, 0, 0], &outs, true);
        a.add(-1001.0, [2, 0, 0, 0], &[Outcome::Yes, Outcome::Yes], true);
        let mut b = WeightedTally::new(2);
        b.add(5.0, [0, 2, 0, 0], &[Outcome::No, Outcome::No], false);
        let mut ab = a.clone();
        ab.merge(&b);
        // The two tiny weights vanish next to e^5 but nothing is NaN or infinite.
        assert!(ab.sum_w.is_finite() && ab.sum_w > 0.0);
        assert!((ab.ess() - 1.0).abs() < 1e-9);
        // Equal weights: ESS equals the number of ballots.
        let mut c = WeightedTally::new(2);
        for _ in 0..10 {
            c.add(3.0, [1, 1, 0, 0], &outs, true);
        }
        assert!((c.ess() - 10.0).abs() < 1e-9);
        assert!((c.adopted / c.sum_w - 1.0).abs() < 1e-12);
        assert_eq!(quantile(&c.hist[0], 0.5), 1);
    }

    /// The covers of any split of the chunks into consecutive shards are disjoint, in order,
    /// cover every chunk, and are nodes of the tree (a leaf, or a node whose split is inside).
    #[test]
    fn covers_partition_the_chunks() {
        for chunks in 1..40u64 {
            for cut in 0..=chunks {
                let mut all = chunk_tree::cover(0..cut, chunks);
                all.extend(chunk_tree::cover(cut..chunks, chunks));
                assert_eq!(all.first().map(|r| r[0]), Some(0));
                assert_eq!(all.last().map(|r| r[1]), Some(chunks));
                for w in all.windows(2) {
                    assert_eq!(w[0][1], w[1][0], "{chunks} chunks cut at {cut}");
                }
                // At most two nodes per tree level on each side of the cut.
                let depth = 64 - chunks.leading_zeros() as usize;
                assert!(all.len() <= 4 * depth + 2, "{chunks}, {cut}: {all:?}");
            }
            assert_eq!(chunk_tree::cover(0..chunks, chunks), vec![[0, chunks]]);
            assert!(chunk_tree::cover(3..3, chunks).is_empty());
        }
    }

    #[test]
    fn weighted_tally_json_keeps_every_bit() {
        let mut t = WeightedTally::new(1);
        t.add(-745.0, [1, 0, 0, 0], &[Outcome::Yes], true);
        t.sum_w2 = f64::MIN_POSITIVE / 3.0;
        let json = serde_json::to_string(&t).unwrap();
        let back: WeightedTally = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        let empty = WeightedTally::new(2);
        let back: WeightedTally =
            serde_json::from_str(&serde_json::to_string(&empty).unwrap()).unwrap();
        assert_eq!(back.log_scale, f64::NEG_INFINITY);
        let bad = json.replacen(&to_hex(t.sum_w), "xyz", 1);
        assert!(serde_json::from_str::<WeightedTally>(&bad).is_err());
    }
}
