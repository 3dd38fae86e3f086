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
//! A campaign's `turnout` share τ also lowers the state's latent propensity to be absent by τ·δ.
//! Shifts of several campaigns add up.

use serde::Serialize;

use crate::scenario::{Campaign, Direction, Scenario};

/// Fraction of a campaign's maximum shift reached with effort `e ≥ 0`: `1 − exp(−e)`, in [0, 1).
pub fn saturation(effort: f64) -> f64 {
    -(-effort).exp_m1()
}

/// The shifts lobbying applies to one state, in latent standard deviations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Shift {
    /// Added to the latent score (positive toward yes).
    pub location: f64,
    /// Added to the width of the abstain band on each side (≥ 0).
    pub widen: f64,
    /// Subtracted from the latent absence propensity (≥ 0 lowers P(absent)).
    pub turnout: f64,
}

impl std::ops::Add for Shift {
    type Output = Shift;

    /// Component-wise sum.
    fn add(self, o: Shift) -> Shift {
        Shift {
            location: self.location + o.location,
            widen: self.widen + o.widen,
            turnout: self.turnout + o.turnout,
        }
    }
}

/// The shift one campaign gives a state with the given total effort and susceptibility.
pub fn campaign_shift(c: &Campaign, effort: f64, susceptibility: f64) -> Shift {
    let delta = c.strength * susceptibility * saturation(effort);
    let (location, widen) = match c.direction {
        Direction::Yes => (delta, 0.0),
        Direction::No => (-delta, 0.0),
        Direction::Abstain => (0.0, delta),
    };
    Shift {
        location,
        widen,
        turnout: c.turnout * delta,
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
        assert!((s.turnout - 0.5 * s.location).abs() < 1e-15);
        c.direction = Direction::No;
        assert!(campaign_shift(&c, 1.0, 1.0).location < 0.0);
        c.direction = Direction::Abstain;
        let a = campaign_shift(&c, 1.0, 0.5);
        assert!(a.location == 0.0 && a.widen > 0.0);
        assert_eq!(campaign_shift(&c, 1.0, 0.0), Shift::default());
    }
}
