//! The prior for a new vote: each state's probabilities of yes, no, abstain and not voting
//! on a resolution like given earlier roll calls, from the fitted model and the state's own
//! record on those roll calls.
//!
//! For the new vote on date `d` (session `t*`) and like roll calls `l = 1…L`, most recent first:
//!
//! 1. **Model, per like roll call.** The state's latest position `x_{i,t_i}` (`t_i` its last
//!    fitted session not after `t*`) is extrapolated by the random walk: mean unchanged,
//!    variance `h·τ²` per dimension with `h = t* − t_i` sessions. Integrating the latent normal
//!    over that uncertainty is exact for the probit: with `η = β_l·x` and
//!    `s = √(1 + h·τ²·|β_l|²)`, `P(no | present) = Φ((c₁ − η)/s)`,
//!    `P(yes | present) = 1 − Φ((c₂ − η)/s)`. Not voting: `λ = μ_l + a_{i,t_i} + u_i·v_l` with
//!    variance `h·τ_a²`, `P(absent) = logistic(λ / √(1 + π·h·τ_a²/8))` (the probit
//!    approximation of the logistic-normal integral).
//! 2. **Model mixture.** `p_model = Σ_l ω_l p_l` with `ω_l ∝ like_decay^{age_l}`, `age_l` the
//!    years from like roll call `l` to the new vote (so a like vote three weeks old outweighs
//!    one eight years old far more than one a year old outweighs one two years old).
//! 3. **Record.** `p_record[o] = (Σ_l ω'_l·1[state voted o in l] + α) / (Σ_l ω'_l + 4α)` over the
//!    like roll calls the state was a member for, `ω'_l ∝ record_decay^{age_l}` normalised
//!    over all like roll calls, `α = record_smoothing`.
//! 4. **Pooling** (log-linear, separately for turnout and for the vote cast): the log-odds of
//!    not voting are `w_ma·logit(p_model[absent]) + w_ra·logit(p_record[absent])`, and among
//!    those present `q[o] ∝ q_model[o]^{w_mv} · q_record[o]^{w_rv}` (`q` the shares of yes, no,
//!    abstain among the votes cast); `p = [(1 − p_absent)·q, p_absent]`. With all four weights 1
//!    for the model and 0 for the record this returns the model unchanged.
//!
//! The weights, the decays and `α` are [`PoolOptions`], chosen by the nested validation in
//! `docs/ideal.md` (tuned on the 75th session only).
//!
//! **States without a fitted position** (not a member during the model's window): the model
//! part is the mean of `p_model` over the fitted states of the same regional group (from the
//! members list), or over all fitted states when the group is unknown or has none; the record
//! part is used as for any state (uniform when the state was a member for none of the like
//! roll calls). A state marked as not voting (`voting = false`) gets `p_absent = 1`.

use serde::{Deserialize, Serialize};

use super::date::Date;
use super::error::{IdealError, Result};
use super::file::IdealModel;
use super::history::Iso3;
use super::probit::{logistic, norm_cdf, pm};
use crate::vote::{Outcome, VoteProbs};

/// Weights of the pooled forecast (see the module documentation). The defaults are the values
/// chosen on the 75th session by `examples/ideal_validate.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolOptions {
    /// Exponent of the model's P(yes | present), P(no | present), P(abstain | present) (≥ 0).
    pub vote_model_weight: f64,
    /// Exponent of the record's shares of yes, no and abstain among the votes cast (≥ 0).
    pub vote_record_weight: f64,
    /// Weight of the model's log-odds of not voting (≥ 0).
    pub absence_model_weight: f64,
    /// Weight of the record's log-odds of not voting (≥ 0).
    pub absence_record_weight: f64,
    /// Factor by which a like roll call's weight in the model mixture falls per year of age,
    /// in (0, 1].
    pub like_decay: f64,
    /// Factor by which a like roll call's weight in the record falls per year of age, in (0, 1].
    pub record_decay: f64,
    /// `α > 0`: pseudo-votes added to each outcome of the record.
    pub record_smoothing: f64,
}

impl Default for PoolOptions {
    fn default() -> Self {
        // Chosen on the 75th session by `cargo run --release --example ideal_validate`
        // (docs/ideal.md, "Tuning"); that run checks these values equal its choice.
        PoolOptions {
            vote_model_weight: 0.413,
            vote_record_weight: 1.01,
            absence_model_weight: 0.667,
            absence_record_weight: 0.473,
            like_decay: 0.347,
            record_decay: 0.516,
            record_smoothing: 0.086,
        }
    }
}

impl PoolOptions {
    /// Pooling that returns the model mixture unchanged (the record ignored).
    pub fn model_only(&self) -> PoolOptions {
        PoolOptions {
            vote_model_weight: 1.0,
            vote_record_weight: 0.0,
            absence_model_weight: 1.0,
            absence_record_weight: 0.0,
            ..*self
        }
    }

    /// Checks the ranges; the error names the option.
    pub fn validate(&self) -> Result<()> {
        let checks = [
            (
                "vote_model_weight",
                self.vote_model_weight,
                0.0,
                100.0,
                true,
            ),
            (
                "vote_record_weight",
                self.vote_record_weight,
                0.0,
                100.0,
                true,
            ),
            (
                "absence_model_weight",
                self.absence_model_weight,
                0.0,
                100.0,
                true,
            ),
            (
                "absence_record_weight",
                self.absence_record_weight,
                0.0,
                100.0,
                true,
            ),
            ("like_decay", self.like_decay, 0.0, 1.0, false),
            ("record_decay", self.record_decay, 0.0, 1.0, false),
            ("record_smoothing", self.record_smoothing, 0.0, 1e3, false),
        ];
        for (name, v, lo, hi, lo_ok) in checks {
            let ok = v.is_finite() && v <= hi && (v > lo || (lo_ok && v == lo));
            if !ok {
                return Err(IdealError::options(
                    name,
                    format!(
                        "must be in {}{lo}, {hi}], got {v}",
                        if lo_ok { "[" } else { "(" }
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A member state to forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// ISO 3166-1 alpha-3 code.
    pub iso3: Iso3,
    /// Display name (the code when unknown).
    pub name: String,
    /// Regional group for the fallback of states without a fitted position.
    pub region: Option<String>,
    /// `false` for a state that cannot vote (e.g. under Article 19): certainly not voting.
    pub voting: bool,
}

/// What a state's forecast rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The state's own fitted position, pooled with its record.
    Model,
    /// No fitted position: the mean model forecast of its regional group, pooled with its record.
    Region,
    /// No fitted position and no usable group: the mean over all fitted states, pooled with its
    /// record.
    Assembly,
    /// Marked as not voting.
    NotVoting,
}

/// One state's prior.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorRow {
    /// ISO code.
    pub iso3: Iso3,
    /// Display name.
    pub name: String,
    /// The pooled probabilities (yes, no, abstain, not voting; all > 0 unless not voting).
    pub probs: VoteProbs,
    /// The model part alone (before pooling), in outcome order.
    pub model: [f64; 4],
    /// What the forecast rests on.
    pub basis: Basis,
}

/// A like roll call as used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LikeRollCall {
    /// Symbol.
    pub symbol: String,
    /// Record number.
    pub record: u64,
    /// Date.
    pub date: Date,
    /// Title.
    pub title: String,
    /// Weight in the model mixture (the weights sum to 1).
    pub weight: f64,
}

/// The prior for one new vote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prior {
    /// Date of the new vote.
    pub date: Date,
    /// Its session.
    pub session: i32,
    /// The like roll calls, most recent first.
    pub like: Vec<LikeRollCall>,
    /// The pooling weights used.
    pub pool: PoolOptions,
    /// One row per member, in the order given (default: the model's states that voted in its
    /// latest roll call, by code).
    pub rows: Vec<PriorRow>,
}

impl Prior {
    /// Expected counts of yes, no, abstain, not voting.
    pub fn expected_counts(&self) -> [f64; 4] {
        let mut e = [0.0; 4];
        for r in &self.rows {
            for (k, p) in r.probs.to_array().iter().enumerate() {
                e[k] += p;
            }
        }
        e
    }
}

/// Element-wise mean of probability vectors.
pub fn mean_probs(ps: &[&[f64; 4]]) -> [f64; 4] {
    let mut m = [0.0; 4];
    let n = ps.len().max(1) as f64;
    for p in ps {
        for k in 0..4 {
            m[k] += p[k] / n;
        }
    }
    m
}

/// Resolves like roll calls given as symbols or record numbers to model indices, most recent
/// first (ties: later in the model first). Unknown, repeated, or not-earlier-than-`date` roll
/// calls are errors naming them.
pub fn resolve_like(model: &IdealModel, like: &[String], date: Date) -> Result<Vec<usize>> {
    if like.is_empty() {
        return Err(IdealError::options("like", "give at least one roll call"));
    }
    let mut idx = Vec::with_capacity(like.len());
    for name in like {
        let j = model
            .find_rollcall(name)
            .ok_or_else(|| IdealError::UnknownRollCall {
                name: name.clone(),
                message: format!(
                    "not among the model's {} roll calls ({} to {}); give a symbol as in \
                 rollcalls.csv (e.g. A/RES/ES-11/1) or a record number",
                    model.rollcalls.len(),
                    model.history.first_date,
                    model.history.last_date
                ),
            })?;
        if idx.contains(&j) {
            return Err(IdealError::options(
                "like",
                format!("{name} is listed twice"),
            ));
        }
        if model.rollcalls[j].date >= date {
            return Err(IdealError::options(
                "like",
                format!(
                    "{name} ({}) is not before the new vote ({date})",
                    model.rollcalls[j].date
                ),
            ));
        }
        idx.push(j);
    }
    idx.sort_by(|&a, &b| {
        model.rollcalls[b]
            .date
            .cmp(&model.rollcalls[a].date)
            .then(b.cmp(&a))
    });
    Ok(idx)
}

/// Normalised weights `decay^age` of roll calls `age` years before the new vote (ages ≥ 0).
pub fn age_weights(ages: &[f64], decay: f64) -> Vec<f64> {
    // decay^age = exp(age · ln decay); the youngest gets the largest weight.
    let l = pm::ln(decay);
    let raw: Vec<f64> = ages.iter().map(|&a| pm::exp(a.max(0.0) * l)).collect();
    let s: f64 = raw.iter().sum();
    raw.into_iter().map(|w| w / s).collect()
}

/// The model's probabilities (yes, no, abstain, not voting) that model state `i` casts each
/// vote on a roll call with the parameters of model roll call `j`, held in session `session`
/// (module documentation, step 1).
pub fn model_probs(model: &IdealModel, i: usize, j: usize, session: i32) -> [f64; 4] {
    let s = &model.states[i];
    let r = &model.rollcalls[j];
    let t = session.clamp(s.first_session, s.last_session);
    let k = (t - s.first_session) as usize;
    let h = f64::from((session - s.last_session).max(0));
    let x = &s.positions[k];
    let beta = &r.discrimination;
    let eta: f64 = beta.iter().zip(x).map(|(b, x)| b * x).sum();
    let b2: f64 = beta.iter().map(|b| b * b).sum();
    let scale = (1.0 + h * model.options.drift * model.options.drift * b2).sqrt();
    let p_no = norm_cdf((r.cut_no - eta) / scale);
    let p_yes = norm_cdf((eta - r.cut_yes) / scale);
    let p_abstain = (1.0 - p_no - p_yes).max(0.0);
    let lam = r.absence_level
        + s.absence[k]
        + s.absence_loading
            .iter()
            .zip(&r.absence_loading)
            .map(|(u, v)| u * v)
            .sum::<f64>();
    let var_lam = h * model.options.absence_drift * model.options.absence_drift;
    let p_absent = logistic(lam / (1.0 + std::f64::consts::PI * var_lam / 8.0).sqrt());
    let present = 1.0 - p_absent;
    [
        p_yes * present,
        p_no * present,
        p_abstain * present,
        p_absent,
    ]
}

/// A state's record on the like roll calls (most recent first; `None`: not a member then),
/// smoothed (module documentation, step 3).
pub fn record_probs(votes: &[Option<Outcome>], ages: &[f64], pool: &PoolOptions) -> [f64; 4] {
    let w = age_weights(ages, pool.record_decay);
    let mut c = [pool.record_smoothing; 4];
    for (v, w) in votes.iter().zip(&w) {
        if let Some(o) = v {
            c[o.index()] += w;
        }
    }
    let s: f64 = c.iter().sum();
    c.map(|x| x / s)
}

/// The mixture of per-like-roll-call model probabilities with weights from `like_decay`.
pub fn mix(components: &[[f64; 4]], ages: &[f64], pool: &PoolOptions) -> [f64; 4] {
    let w = age_weights(ages, pool.like_decay);
    let mut p = [0.0; 4];
    for (c, w) in components.iter().zip(&w) {
        for k in 0..4 {
            p[k] += w * c[k];
        }
    }
    p
}

/// Log-linear pooling of the model and record parts (module documentation, step 4): not
/// voting by a weighted sum of log-odds, the vote among those present by a weighted geometric
/// mean; then `p = [(1 − p_absent)·q, p_absent]`.
pub fn pool(model: [f64; 4], record: [f64; 4], pool: &PoolOptions) -> [f64; 4] {
    let tiny = 1e-300;
    let logit = |p: f64| pm::ln(p.max(tiny)) - pm::ln((1.0 - p).max(tiny));
    let lam =
        pool.absence_model_weight * logit(model[3]) + pool.absence_record_weight * logit(record[3]);
    let p_absent = logistic(lam);
    let share = |p: &[f64; 4], k: usize| (p[k] / (1.0 - p[3]).max(tiny)).max(tiny);
    let logs: [f64; 3] = std::array::from_fn(|k| {
        pool.vote_model_weight * pm::ln(share(&model, k))
            + pool.vote_record_weight * pm::ln(share(&record, k))
    });
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = logs.map(|l| pm::exp(l - top));
    let s: f64 = e.iter().sum();
    let present = 1.0 - p_absent;
    [
        present * e[0] / s,
        present * e[1] / s,
        present * e[2] / s,
        p_absent,
    ]
}

/// The prior for a new vote on `date` like the roll calls `like` (symbols or record numbers)
/// for `members` (default: the states of the model's latest roll call).
pub fn prior(
    model: &IdealModel,
    like: &[String],
    date: Date,
    members: Option<&[Member]>,
    pool_options: &PoolOptions,
) -> Result<Prior> {
    pool_options.validate()?;
    let like_idx = resolve_like(model, like, date)?;
    let default_members: Vec<Member>;
    let members = match members {
        Some(m) => m,
        None => {
            let last = model
                .rollcalls
                .last()
                .ok_or_else(|| IdealError::Fit("empty model".into()))?;
            default_members = model
                .states
                .iter()
                .enumerate()
                .filter(|&(i, _)| last.vote_of(i).is_some())
                .map(|(_, s)| Member {
                    iso3: s.iso3,
                    name: s.iso3.to_string(),
                    region: None,
                    voting: true,
                })
                .collect();
            &default_members
        }
    };
    let session = date.session();
    let ages: Vec<f64> = like_idx
        .iter()
        .map(|&j| date.years_since(model.rollcalls[j].date))
        .collect();
    let model_part = |i: usize| -> [f64; 4] {
        let now: Vec<[f64; 4]> = like_idx
            .iter()
            .map(|&j| model_probs(model, i, j, session))
            .collect();
        mix(&now, &ages, pool_options)
    };
    // Fallback means over fitted states, by region (regions from the members list).
    let fitted: Vec<(usize, [f64; 4])> = members
        .iter()
        .filter_map(|m| model.state_index(m.iso3).map(|i| (i, model_part(i))))
        .collect();
    let region_of = |iso: Iso3| {
        members
            .iter()
            .find(|m| m.iso3 == iso)
            .and_then(|m| m.region.clone())
    };
    let mean_over = |pred: &dyn Fn(Iso3) -> bool| -> Option<[f64; 4]> {
        let sel: Vec<&[f64; 4]> = fitted
            .iter()
            .filter(|(i, _)| pred(model.states[*i].iso3))
            .map(|(_, p)| p)
            .collect();
        (!sel.is_empty()).then(|| mean_probs(&sel))
    };
    let assembly = mean_over(&|_| true);
    let mut rows = Vec::with_capacity(members.len());
    for m in members {
        if !m.voting {
            rows.push(PriorRow {
                iso3: m.iso3,
                name: m.name.clone(),
                probs: VoteProbs::from_array([0.0, 0.0, 0.0, 1.0]),
                model: [0.0, 0.0, 0.0, 1.0],
                basis: Basis::NotVoting,
            });
            continue;
        }
        let i = model.state_index(m.iso3);
        let (model_p, basis) = match i {
            Some(i) => (model_part(i), Basis::Model),
            None => {
                let by_region = m
                    .region
                    .as_ref()
                    .and_then(|r| mean_over(&|iso| region_of(iso).as_deref() == Some(r.as_str())));
                match (by_region, assembly) {
                    (Some(p), _) => (p, Basis::Region),
                    (None, Some(p)) => (p, Basis::Assembly),
                    (None, None) => ([0.25; 4], Basis::Assembly),
                }
            }
        };
        let votes: Vec<Option<Outcome>> = like_idx
            .iter()
            .map(|&j| i.and_then(|i| model.rollcalls[j].vote_of(i)))
            .collect();
        let p = pool(
            model_p,
            record_probs(&votes, &ages, pool_options),
            pool_options,
        );
        rows.push(PriorRow {
            iso3: m.iso3,
            name: m.name.clone(),
            probs: VoteProbs::from_array(p),
            model: model_p,
            basis,
        });
    }
    let weights = age_weights(&ages, pool_options.like_decay);
    Ok(Prior {
        date,
        session,
        like: like_idx
            .iter()
            .zip(weights)
            .map(|(&j, weight)| {
                let r = &model.rollcalls[j];
                LikeRollCall {
                    symbol: r.symbol.clone(),
                    record: r.record,
                    date: r.date,
                    title: r.title.clone(),
                    weight,
                }
            })
            .collect(),
        pool: *pool_options,
        rows,
    })
}

/// Reads a members file `iso3,name,un_region` (as `data/members.csv`; extra columns ignored,
/// an optional `voting` column of `true`/`false`). Errors name the file, line and field.
pub fn read_members(path: &std::path::Path) -> Result<Vec<Member>> {
    let bytes = std::fs::read(path).map_err(|source| IdealError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes.as_slice());
    let headers = rdr
        .headers()
        .map_err(|e| IdealError::input(path, Some(1), "header", e.to_string()))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let iso_col =
        col("iso3").ok_or_else(|| IdealError::input(path, Some(1), "header", "no iso3 column"))?;
    let (name_col, region_col, voting_col) = (col("name"), col("un_region"), col("voting"));
    let mut out: Vec<Member> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            IdealError::input(
                path,
                e.position().map(|p| p.line() as usize),
                "",
                e.to_string(),
            )
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let raw = rec.get(iso_col).unwrap_or("").trim();
        let iso3 = Iso3::new(raw).ok_or_else(|| {
            IdealError::input(
                path,
                Some(line),
                "iso3",
                format!("expected three upper-case letters, got {raw:?}"),
            )
        })?;
        if out.iter().any(|m| m.iso3 == iso3) {
            return Err(IdealError::input(
                path,
                Some(line),
                "iso3",
                format!("{iso3} listed twice"),
            ));
        }
        let voting = match voting_col.and_then(|c| rec.get(c)).map(str::trim) {
            None | Some("") | Some("true") => true,
            Some("false") => false,
            Some(other) => {
                return Err(IdealError::input(
                    path,
                    Some(line),
                    "voting",
                    format!("expected true or false, got {other:?}"),
                ));
            }
        };
        out.push(Member {
            iso3,
            name: name_col
                .and_then(|c| rec.get(c))
                .map_or_else(|| iso3.to_string(), |s| s.trim().to_string()),
            region: region_col
                .and_then(|c| rec.get(c))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            voting,
        });
    }
    Ok(out)
}
