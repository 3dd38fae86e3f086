//! Lobbying campaigns: how effort on a state becomes a shift of its latent vote propensity.
//!
//! A campaign of strength `S` (latent standard deviations) puts a total effort `e ≥ 0` on a
//! state (its own target entries plus those of every targeted bloc it belongs to). The shift is
//!
//! ```text
//! δ = S · susceptibility · (1 − exp(−e))
//! ```
//!
//! so returns diminish: effort 1 reaches 63% of the maximum shift, effort 2 reaches 86%, effort
//! 3 reaches 95%. Direction `yes` adds δ to the latent score, `no` subtracts it, and `abstain`
//! widens the abstain band by δ on both sides (moving mass from yes and from no into abstain).
//! Shifts of several campaigns add up.
//!
//! **Mobilisation.** A campaign with `turnout` share τ also brings absent delegations to vote its
//! way: it mobilises a share `μ = min(1, τ · susceptibility · (1 − exp(−e)))` of the state's base
//! absence probability. With several campaigns the absence probability becomes
//! `p_absent · Π(1 − μ_c)`, and the freed mass is split among the campaigns' directions in
//! proportion to their `μ_c`. Mobilised delegations vote the campaign's direction (yes, no or
//! abstain) — so a yes campaign can only move a state toward yes.

use serde::Serialize;

use crate::scenario::{Campaign, Direction, Scenario};

/// Fraction of a campaign's maximum shift reached with effort `e ≥ 0`: `1 − exp(−e)`, in [0, 1).
pub fn saturation(effort: f64) -> f64 {
    -(-effort).exp_m1()
}

/// The effects lobbying has on one state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Shift {
    /// Added to the latent score, in standard deviations (positive toward yes).
    pub location: f64,
    /// Added to the width of the abstain band on each side, in standard deviations (≥ 0).
    pub widen: f64,
    /// Share of the base absence probability that stays absent, `Π(1 − μ_c)`, in [0, 1].
    pub keep_absent: f64,
    /// Sum of mobilisation shares `μ_c` of campaigns by direction (yes, no, abstain), each ≥ 0.
    pub mobilise: [f64; 3],
}

impl Default for Shift {
    fn default() -> Self {
        Shift {
            location: 0.0,
            widen: 0.0,
            keep_absent: 1.0,
            mobilise: [0.0; 3],
        }
    }
}

impl Shift {
    /// How the state's base absence probability `p_absent` is redistributed: the remaining
    /// absence probability and the mobilised masses voting yes, no and abstain (summing with it
    /// to `p_absent`).
    pub fn absence_split(&self, p_absent: f64) -> (f64, [f64; 3]) {
        let stay = p_absent * self.keep_absent;
        let total: f64 = self.mobilise.iter().sum();
        if total <= 0.0 {
            return (p_absent, [0.0; 3]);
        }
        let freed = p_absent - stay;
        (stay, self.mobilise.map(|m| freed * m / total))
    }
}

impl std::ops::Add for Shift {
    type Output = Shift;

    /// Component-wise sum.
    fn add(self, o: Shift) -> Shift {
        Shift {
            location: self.location + o.location,
            widen: self.widen + o.widen,
            keep_absent: self.keep_absent * o.keep_absent,
            mobilise: std::array::from_fn(|k| self.mobilise[k] + o.mobilise[k]),
        }
    }
}

/// The shift one campaign gives a state with the given total effort and susceptibility.
pub fn campaign_shift(c: &Campaign, effort: f64, susceptibility: f64) -> Shift {
    let sat = saturation(effort);
    let delta = c.strength * susceptibility * sat;
    let (location, widen, k) = match c.direction {
        Direction::Yes => (delta, 0.0, 0),
        Direction::No => (-delta, 0.0, 1),
        Direction::Abstain => (0.0, delta, 2),
    };
    let mu = (c.turnout * susceptibility * sat).min(1.0);
    let mut mobilise = [0.0; 3];
    mobilise[k] = mu;
    Shift {
        location,
        widen,
        keep_absent: 1.0 - mu,
        mobilise,
    }
}

/// Per-state shift of each campaign, `[campaign][state]`.
pub fn shifts_by_campaign(s: &Scenario) -> Vec<Vec<Shift>> {
    s.campaigns
        .iter()
        .map(|c| {
            c.effort_by_state(s)
                .iter()
                .zip(&s.states)
                .map(|(&e, st)| campaign_shift(c, e, st.susceptibility))
                .collect()
        })
        .collect()
}

/// Total lobbying shift on each state.
pub fn total_shifts(s: &Scenario) -> Vec<Shift> {
    let mut total = vec![Shift::default(); s.states.len()];
    for per_state in shifts_by_campaign(s) {
        for (t, x) in total.iter_mut().zip(per_state) {
            *t = *t + x;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturation_curve() {
        assert_eq!(saturation(0.0), 0.0);
        assert!((saturation(1.0) - 0.632_120_558_828_557_7).abs() < 1e-15);
        assert!(saturation(50.0) < 1.0 + 1e-15);
        // Diminishing returns: each extra unit adds less.
        let gains: Vec<f64> = (0..5)
            .map(|e| saturation(e as f64 + 1.0) - saturation(e as f64))
            .collect();
        assert!(gains.windows(2).all(|w| w[1] < w[0]));
    }

    #[test]
    fn directions() {
        let mut c = Campaign {
            name: "c".into(),
            actor: "X".into(),
            direction: Direction::Yes,
            strength: 2.0,
            turnout: 0.5,
            targets: vec![],
        };
        let s = campaign_shift(&c, 1.0, 1.0);
        assert!(s.location > 0.0 && s.widen == 0.0);
        let mu = 0.5 * saturation(1.0);
        assert!((s.keep_absent - (1.0 - mu)).abs() < 1e-15);
        assert_eq!(s.mobilise, [mu, 0.0, 0.0]);
        let (stay, moved) = s.absence_split(0.2);
        assert!((stay + moved.iter().sum::<f64>() - 0.2).abs() < 1e-15);
        assert!(moved[0] > 0.0 && moved[1] == 0.0);
        c.direction = Direction::No;
        assert!(campaign_shift(&c, 1.0, 1.0).location < 0.0);
        c.direction = Direction::Abstain;
        let a = campaign_shift(&c, 1.0, 0.5);
        assert!(a.location == 0.0 && a.widen > 0.0);
        assert_eq!(campaign_shift(&c, 1.0, 0.0), Shift::default());
    }
}
