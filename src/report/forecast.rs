//! The [`Forecast`]: what a run of the engine reports, built from its tallies (the JSON layout
//! documented in `docs/json-schema.md`, which the field docs below describe).

use serde::Serialize;

use crate::scenario::{Claim, ReferenceKind, Rule, Scenario};
use crate::simulate::{CHUNK_BALLOTS, RunConfig, Tally};
use crate::stats::{CountSummary, binomial_se};
use crate::vote::Outcome;

/// Number of swing states listed in reports.
pub const SWING_STATES: usize = 10;

/// Engine identification and the settings that determine the random stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngineInfo {
    /// Always `lobbysim`.
    pub name: &'static str,
    /// Crate version that produced the forecast.
    pub version: &'static str,
    /// Generator (`chacha8`, `chacha12`, `chacha20`).
    pub rng: &'static str,
    /// Ballots per chunk (each chunk has its own stream).
    pub chunk_ballots: u64,
}

/// The scenario a forecast was made from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioInfo {
    /// `[scenario].name`.
    pub name: String,
    /// `[scenario].date`.
    pub date: Option<String>,
    /// SHA-256 of the scenario file's bytes (lower-case hex).
    pub sha256: String,
    /// The other files the scenario read (members, bloc lists, roll calls) with their SHA-256.
    pub inputs: Vec<crate::scenario::InputFile>,
    /// Number of member states.
    pub members: usize,
    /// Decision rule (`two-thirds` or `simple`).
    pub rule: Rule,
    /// Whether bloc cohesion and leaders were dropped (`--without-blocs`).
    pub without_blocs: bool,
}

impl ScenarioInfo {
    /// The identification of `scenario` (run `without_blocs` or not).
    pub fn new(scenario: &Scenario, without_blocs: bool) -> ScenarioInfo {
        ScenarioInfo {
            name: scenario.meta.name.clone(),
            date: scenario.meta.date.clone(),
            sha256: scenario.sha256.clone(),
            inputs: scenario.inputs.clone(),
            members: scenario.states.len(),
            rule: scenario.rule,
            without_blocs,
        }
    }
}

/// Summaries of the four counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counts {
    /// Yes votes.
    pub yes: CountSummary,
    /// No votes.
    pub no: CountSummary,
    /// Abstentions.
    pub abstain: CountSummary,
    /// Not voting.
    pub absent: CountSummary,
}

impl Counts {
    /// Summary of one count.
    pub fn get(&self, o: Outcome) -> &CountSummary {
        match o {
            Outcome::Yes => &self.yes,
            Outcome::No => &self.no,
            Outcome::Abstain => &self.abstain,
            Outcome::Absent => &self.absent,
        }
    }
}

/// Probability of adoption.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adoption {
    /// Share of ballots in which the resolution was adopted under the rule.
    pub probability: f64,
    /// Monte Carlo standard error of `probability`.
    pub mc_se: f64,
}

/// Where an actual count falls in the forecast distribution of that count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountPosition {
    /// The actual count.
    pub actual: u64,
    /// P(count ≤ actual).
    pub p_le: f64,
    /// P(count ≥ actual).
    pub p_ge: f64,
    /// Mid-percentile, 100·(P(count < actual) + ½·P(count = actual)).
    pub percentile: f64,
    /// Natural log of P(count = actual); `null` if no simulated ballot had that count.
    pub log_probability: Option<f64>,
}

/// Positions of the four actual counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActualPositions {
    /// Yes.
    pub yes: CountPosition,
    /// No.
    pub no: CountPosition,
    /// Abstain.
    pub abstain: CountPosition,
    /// Absent.
    pub absent: CountPosition,
}

/// What a reference is: a claim, or an actual result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReferenceTag {
    /// A claim about one count (`yes >= 110`).
    Claim,
    /// An actual result.
    Actual,
}

/// How the forecast scores against one reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceResult {
    /// The reference's label.
    pub label: String,
    /// `claim` or `actual`.
    pub kind: ReferenceTag,
    /// The claim (`yes >= 110`), or for an actual result `yes = <actual yes>`; written as text.
    #[serde(serialize_with = "crate::report::as_text")]
    pub claim: Claim,
    /// Forecast probability that the claim holds; for an actual result, P(yes = actual yes).
    pub probability: f64,
    /// Monte Carlo standard error of `probability`.
    pub mc_se: f64,
    /// For an actual result: where each count falls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<ActualPositions>,
}

/// Simulated outcome probabilities of one state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateResult {
    /// ISO 3166-1 alpha-3 code.
    pub iso3: String,
    /// Name.
    pub name: String,
    /// Share of ballots voting yes.
    pub p_yes: f64,
    /// Share voting no.
    pub p_no: f64,
    /// Share abstaining.
    pub p_abstain: f64,
    /// Share not voting.
    pub p_absent: f64,
}

/// A state whose yes vote is most uncertain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SwingState {
    /// ISO code.
    pub iso3: String,
    /// Name.
    pub name: String,
    /// Simulated P(yes).
    pub p_yes: f64,
    /// Variance of the state's yes indicator, p_yes·(1 − p_yes) (max 0.25): its contribution
    /// to the variance of the yes count if it voted independently.
    pub yes_variance: f64,
}

/// A complete forecast: what every exporter renders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// Engine and stream settings.
    pub engine: EngineInfo,
    /// Scenario identification.
    pub scenario: ScenarioInfo,
    /// Master seed.
    pub seed: u64,
    /// Ballots simulated.
    pub ballots: u64,
    /// Count summaries.
    pub counts: Counts,
    /// Adoption under the rule.
    pub adoption: Adoption,
    /// Scores against the scenario's references.
    pub references: Vec<ReferenceResult>,
    /// Per-state simulated probabilities, in scenario order.
    pub states: Vec<StateResult>,
    /// The [`SWING_STATES`] states with the most uncertain yes vote.
    pub swing_states: Vec<SwingState>,
    /// The forecast conditioned on the scenario's `[[evidence]]` (absent when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditioned: Option<crate::evidence::Conditioned>,
}

fn position(hist: &[u64], ballots: u64, actual: u64) -> CountPosition {
    let n = ballots as f64;
    let a = actual as usize;
    let below: u64 = hist.iter().take(a).sum();
    let at = hist.get(a).copied().unwrap_or(0);
    CountPosition {
        actual,
        p_le: (below + at) as f64 / n,
        p_ge: (ballots - below) as f64 / n,
        percentile: 100.0 * (below as f64 + 0.5 * at as f64) / n,
        log_probability: (at > 0).then(|| (at as f64 / n).ln()),
    }
}

impl Forecast {
    /// Builds the forecast of `scenario` from the tally of a run with `cfg` and, for a scenario
    /// with evidence, the forecast conditioned on it (see [`crate::engine::assemble`]).
    pub fn new(
        scenario: &Scenario,
        cfg: &RunConfig,
        tally: &Tally,
        without_blocs: bool,
        conditioned: Option<crate::evidence::Conditioned>,
    ) -> Forecast {
        let n = tally.ballots;
        let nf = n as f64;
        let summary = |o: Outcome| CountSummary::from_histogram(&tally.hist[o.index()]);
        let counts = Counts {
            yes: summary(Outcome::Yes),
            no: summary(Outcome::No),
            abstain: summary(Outcome::Abstain),
            absent: summary(Outcome::Absent),
        };
        let references = scenario
            .references
            .iter()
            .map(|r| match r.kind {
                ReferenceKind::Claim(c) => {
                    let hits: u64 = tally.hist[c.outcome.index()]
                        .iter()
                        .enumerate()
                        .filter(|&(k, _)| c.op.holds(k as u64, c.value))
                        .map(|(_, &h)| h)
                        .sum();
                    let p = hits as f64 / nf;
                    ReferenceResult {
                        label: r.label.clone(),
                        kind: ReferenceTag::Claim,
                        claim: c,
                        probability: p,
                        mc_se: binomial_se(p, n),
                        actual: None,
                    }
                }
                ReferenceKind::Actual(a) => {
                    let pos = |o: Outcome| position(&tally.hist[o.index()], n, a[o.index()]);
                    let yes = pos(Outcome::Yes);
                    let p = tally.hist[0].get(a[0] as usize).copied().unwrap_or(0) as f64 / nf;
                    ReferenceResult {
                        label: r.label.clone(),
                        kind: ReferenceTag::Actual,
                        claim: Claim::actual_yes(a),
                        probability: p,
                        mc_se: binomial_se(p, n),
                        actual: Some(ActualPositions {
                            yes,
                            no: pos(Outcome::No),
                            abstain: pos(Outcome::Abstain),
                            absent: pos(Outcome::Absent),
                        }),
                    }
                }
            })
            .collect();
        let states: Vec<StateResult> = scenario
            .states
            .iter()
            .zip(&tally.states)
            .map(|(s, c)| StateResult {
                iso3: s.iso3.clone(),
                name: s.name.clone(),
                p_yes: c[0] as f64 / nf,
                p_no: c[1] as f64 / nf,
                p_abstain: c[2] as f64 / nf,
                p_absent: c[3] as f64 / nf,
            })
            .collect();
        let p_adopt = tally.adopted as f64 / nf;
        Forecast {
            engine: EngineInfo {
                name: "lobbysim",
                version: env!("CARGO_PKG_VERSION"),
                rng: cfg.rng.name(),
                chunk_ballots: CHUNK_BALLOTS,
            },
            scenario: ScenarioInfo::new(scenario, without_blocs),
            seed: cfg.seed,
            ballots: n,
            counts,
            adoption: Adoption {
                probability: p_adopt,
                mc_se: binomial_se(p_adopt, n),
            },
            references,
            swing_states: swing_states(&states, SWING_STATES),
            conditioned,
            states,
        }
    }
}

impl super::Render for Forecast {
    fn what(&self) -> &'static str {
        "report"
    }

    /// The summary with a terminal histogram of the yes count ([`super::text`]).
    fn text(&self, style: super::TextStyle) -> String {
        super::text::render(self, style)
    }

    /// The per-state table ([`super::csv::states`]).
    fn csv(&self) -> Option<crate::Result<String>> {
        Some(super::csv::states(self))
    }

    /// The count histograms ([`super::csv::histogram`]).
    fn csv_histogram(&self) -> Option<crate::Result<String>> {
        Some(super::csv::histogram(self))
    }

    /// The Markdown summary ([`super::markdown`]).
    fn markdown(&self) -> Option<crate::Result<String>> {
        Some(Ok(super::markdown::render(self)))
    }

    /// The yes-count chart ([`super::svg::yes_distribution`]).
    fn svg(&self) -> Option<crate::Result<String>> {
        Some(super::svg::yes_distribution(self))
    }

    /// The self-contained HTML report ([`super::html`]).
    fn html(&self) -> Option<crate::Result<String>> {
        Some(super::html::render(self))
    }
}

/// One row of the prior-versus-conditioned comparison shown when a scenario has evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparisonRow {
    /// What the row measures, e.g. `mean yes` or `P(yes >= 110) (Diplomats' prediction)`.
    pub label: String,
    /// The value in the ordinary (prior) forecast, formatted.
    pub prior: String,
    /// The value in the forecast conditioned on the evidence, formatted.
    pub conditioned: String,
}

/// The rows comparing the ordinary forecast with the one conditioned on evidence, as the
/// Markdown and HTML exports show them: mean, median and 90% interval of the yes count,
/// P(adopted), and the probability of each claim reference. Numbers are formatted as in the
/// text output (mean to 2 decimals, probabilities to 4).
pub fn conditioned_rows(f: &Forecast, c: &crate::evidence::Conditioned) -> Vec<ComparisonRow> {
    let row = |label: &str, prior: String, conditioned: String| ComparisonRow {
        label: label.to_string(),
        prior,
        conditioned,
    };
    let y = &f.counts.yes;
    let [c05, c50, c95] = c.yes_quantiles;
    let mut rows = vec![
        row(
            "mean yes",
            format!("{:.2}", y.mean),
            format!("{:.2}", c.yes_mean),
        ),
        row("median yes", y.quantiles.p50.to_string(), c50.to_string()),
        row(
            "90% interval of yes (5%–95%)",
            format!("{}–{}", y.quantiles.p05, y.quantiles.p95),
            format!("{c05}–{c95}"),
        ),
        row(
            "P(adopted)",
            format!("{:.4}", f.adoption.probability),
            format!("{:.4}", c.adoption_probability),
        ),
    ];
    // Both lists hold the scenario's claim references in scenario order.
    let claims = f
        .references
        .iter()
        .filter(|r| r.kind == ReferenceTag::Claim);
    for (r, (label, p)) in claims.zip(&c.references) {
        rows.push(row(
            &format!("P({}) ({label})", r.claim),
            format!("{:.4}", r.probability),
            format!("{p:.4}"),
        ));
    }
    rows
}

/// The `k` states with the largest p_yes·(1 − p_yes), ties broken by iso3.
pub fn swing_states(states: &[StateResult], k: usize) -> Vec<SwingState> {
    let mut v: Vec<SwingState> = states
        .iter()
        .map(|s| SwingState {
            iso3: s.iso3.clone(),
            name: s.name.clone(),
            p_yes: s.p_yes,
            yes_variance: s.p_yes * (1.0 - s.p_yes),
        })
        .collect();
    v.sort_by(|a, b| {
        b.yes_variance
            .total_cmp(&a.yes_variance)
            .then_with(|| a.iso3.cmp(&b.iso3))
    });
    v.truncate(k);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RunOptions, forecast};

    /// The comparison rows pair each prior figure with its conditioned counterpart, one row per
    /// claim reference (actual results have no conditioned probability).
    #[test]
    fn conditioned_rows_pair_prior_and_conditioned_figures() {
        let s = crate::scenario::test_support::example_with_evidence([9, 1, 1, 1]);
        let opts = RunOptions {
            ballots: Some(4096),
            seed: Some(3),
            threads: Some(1),
            without_blocs: false,
        };
        let f = forecast(&s, &opts).expect("forecast runs");
        let c = f
            .conditioned
            .as_ref()
            .expect("evidence gives a conditioned forecast");
        let rows = conditioned_rows(&f, c);
        let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "mean yes",
                "median yes",
                "90% interval of yes (5%–95%)",
                "P(adopted)",
                "P(yes >= 8) (Optimists' forecast)"
            ]
        );
        assert_eq!(rows[0].prior, format!("{:.2}", f.counts.yes.mean));
        assert_eq!(rows[0].conditioned, format!("{:.2}", c.yes_mean));
        assert_eq!(
            rows[2].conditioned,
            format!("{}–{}", c.yes_quantiles[0], c.yes_quantiles[2])
        );
        assert_eq!(rows[4].prior, format!("{:.4}", f.references[0].probability));
        assert_eq!(rows[4].conditioned, format!("{:.4}", c.references[0].1));
        // Evidence of many yes votes raises the conditioned yes figures.
        assert!(c.yes_mean > f.counts.yes.mean);
    }
}
