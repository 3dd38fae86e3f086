//! The raw scenario file, exactly as written in TOML.
//!
//! Nothing here is checked beyond TOML syntax, types and unknown fields; [`super::load`] turns
//! it into a validated [`super::Scenario`]. Field names are the scenario format's public names.

use serde::Deserialize;
use toml::Spanned;

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// `[scenario]`: what this forecast is about.
    pub scenario: RawMeta,
    /// `[simulation]`: ballots, seed, generator.
    pub simulation: RawSimulation,
    /// `[model]`: correlation structure shared by all states.
    #[serde(default)]
    pub model: RawModel,
    /// `[rule]`: the decision rule for adoption.
    #[serde(default)]
    pub rule: RawRule,
    /// `[members]`: where the member states' base positions come from.
    pub members: Option<RawMembers>,
    /// `[prior]`: base positions estimated from recorded roll calls (instead of `[members]`).
    #[serde(default)]
    pub prior: Option<Spanned<RawPrior>>,
    /// `[[state]]`: states defined or overridden in the TOML file.
    #[serde(default)]
    pub state: Vec<Spanned<RawState>>,
    /// `[[bloc]]`: alliances.
    #[serde(default)]
    pub bloc: Vec<Spanned<RawBloc>>,
    /// `[[campaign]]`: lobbying campaigns.
    #[serde(default)]
    pub campaign: Vec<Spanned<RawCampaign>>,
    /// `[[reference]]`: claims and actual results to score the forecast against.
    #[serde(default)]
    pub reference: Vec<Spanned<RawReference>>,
    /// `[[evidence]]`: observed totals of related earlier votes to condition the forecast on.
    #[serde(default)]
    pub evidence: Vec<Spanned<RawEvidence>>,
}

/// `[[evidence]]`: the totals of a related earlier vote, and how it maps to this resolution.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvidence {
    /// Label shown in reports.
    pub label: String,
    /// Observed totals; must sum to the number of members.
    pub observed: RawActual,
    /// Latent shift of every state on the evidence vote relative to this resolution (standard
    /// deviations; negative = the evidence vote was a harder ask). Default 0.
    #[serde(default)]
    pub shift: Option<f64>,
    /// Probability of not voting on the evidence vote, the same for every state, in [0, 1);
    /// default: each state's own base `p_absent`.
    #[serde(default)]
    pub absent: Option<f64>,
}

/// `[scenario]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    /// Short name shown in reports.
    pub name: String,
    /// Date of the vote being forecast, free text (ISO 8601 recommended).
    #[serde(default)]
    pub date: Option<String>,
    /// Longer description.
    #[serde(default)]
    pub description: Option<String>,
}

/// `[simulation]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    /// Number of simulated ballots (TOML integer; must be in 1..=10^10).
    pub ballots: Spanned<i64>,
    /// Master seed (TOML integer, 0..=2^63-1).
    pub seed: Spanned<i64>,
    /// Random-number generator: `chacha8` (default), `chacha12` or `chacha20`.
    #[serde(default)]
    pub rng: Option<Spanned<String>>,
}

/// `[model]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    /// Share of latent variance common to all states, in [0, 1). Default 0.
    #[serde(default)]
    pub global_correlation: Option<Spanned<f64>>,
}

/// `[rule]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// `two-thirds` (default) or `simple`.
    #[serde(default)]
    pub majority: Option<Spanned<String>>,
}

/// `[members]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMembers {
    /// CSV file of states, relative to the scenario file:
    /// `iso3,name,p_yes,p_no,p_abstain,p_absent[,susceptibility]`.
    pub file: String,
}

/// `[prior]`: estimate the members' base positions from recorded roll calls
/// (see `docs/prior.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrior {
    /// Members file with groups, relative to the scenario file: `iso3,name,un_region`.
    pub members: String,
    /// Roll calls to estimate from, oldest first (baselines take the last as the most recent).
    pub rollcalls: Vec<RawPriorRollCall>,
    /// α: pseudo-votes of the group in each state's estimate, a number > 0 or `"auto"`
    /// (default `"auto"`).
    #[serde(default)]
    pub strength: Option<RawStrength>,
    /// β: pseudo-votes of the Assembly in each group's estimate, a number > 0 or `"auto"`
    /// (default `"auto"`).
    #[serde(default)]
    pub group_strength: Option<RawStrength>,
}

/// One roll call of `[prior] rollcalls`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPriorRollCall {
    /// Roll-call CSV (`iso3,country,vote`), relative to the scenario file.
    pub file: String,
    /// Weight of this roll call, ≥ 0 (default 1).
    #[serde(default)]
    pub weight: Option<f64>,
}

/// A shrinkage strength as written: a number or a word (`auto`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawStrength {
    /// A number of pseudo-votes.
    Number(f64),
    /// A word; only `auto` is valid.
    Word(String),
}

/// `[[state]]`: a state defined in TOML, or an override of one loaded from the members CSV.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    /// ISO 3166-1 alpha-3 code.
    pub iso3: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Base probability of voting yes.
    #[serde(default)]
    pub p_yes: Option<f64>,
    /// Base probability of voting no.
    #[serde(default)]
    pub p_no: Option<f64>,
    /// Base probability of abstaining.
    #[serde(default)]
    pub p_abstain: Option<f64>,
    /// Base probability of not voting.
    #[serde(default)]
    pub p_absent: Option<f64>,
    /// Multiplier of lobbying effects on this state (≥ 0, default 1).
    #[serde(default)]
    pub susceptibility: Option<f64>,
}

/// `[[bloc]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBloc {
    /// Bloc name, unique in the scenario.
    pub name: String,
    /// Member iso3 codes.
    #[serde(default)]
    pub members: Option<Vec<String>>,
    /// CSV with an `iso3` column (and optionally a `bloc` column to filter on this bloc's name),
    /// relative to the scenario file.
    #[serde(default)]
    pub members_file: Option<String>,
    /// How strongly members' votes move together, in [0, 1).
    #[serde(default)]
    pub cohesion: Option<f64>,
    /// Pull toward the bloc's common position, latent units per unit of position gap, ≥ 0.
    #[serde(default)]
    pub discipline: Option<f64>,
    /// The bloc's common position: `yes`, `abstain` or `no`; default the members' mean.
    #[serde(default)]
    pub position: Option<String>,
    /// iso3 of a member whose realised vote sways the others in the same ballot.
    #[serde(default)]
    pub leader: Option<String>,
    /// Latent shift per unit of the leader's vote surprise (default 0.5 when a leader is set).
    #[serde(default)]
    pub leader_influence: Option<f64>,
}

/// `[[campaign]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCampaign {
    /// Campaign name, unique in the scenario.
    pub name: String,
    /// Who lobbies: an iso3 code or a free label.
    pub actor: String,
    /// `yes`, `no` or `abstain`.
    pub direction: String,
    /// Maximum latent shift (standard deviations) on a fully susceptible, saturated target.
    pub strength: f64,
    /// Share of a saturated target's absence probability mobilised to vote the campaign's way
    /// (in [0, 1], default 0).
    #[serde(default)]
    pub turnout: Option<f64>,
    /// Who is lobbied and how hard.
    #[serde(default)]
    pub targets: Vec<RawTarget>,
}

/// One target of a campaign: a state or a whole bloc, with an effort.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// iso3 of a targeted state.
    #[serde(default)]
    pub state: Option<String>,
    /// Name of a targeted bloc (every member receives the effort).
    #[serde(default)]
    pub bloc: Option<String>,
    /// Effort, ≥ 0, in saturation units (effect ∝ 1 − e^(−effort)).
    pub effort: f64,
}

/// `[[reference]]`: either a `claim` or an `actual` result.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReference {
    /// Label shown in reports.
    pub label: String,
    /// A claim such as `yes >= 110`.
    #[serde(default)]
    pub claim: Option<String>,
    /// An actual result.
    #[serde(default)]
    pub actual: Option<RawActual>,
}

/// An actual (recorded) result; the four counts must add up to the number of members.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawActual {
    /// Yes votes.
    pub yes: i64,
    /// No votes.
    pub no: i64,
    /// Abstentions.
    pub abstain: i64,
    /// Not voting.
    pub absent: i64,
}
