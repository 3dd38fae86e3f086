//! The exact report (`lobbysim exact`): text; JSON is its `Serialize` layout.

use std::fmt::Write;

use super::{Render, TextStyle};
use crate::exact::{ExactReport, Method};

impl Render for ExactReport {
    fn what(&self) -> &'static str {
        "exact report"
    }

    /// A readable summary: method, counts, adoption and references.
    fn text(&self, _: TextStyle) -> String {
        let mut s = String::new();
        let method = match self.method {
            Method::Independent => "independent states (one convolution)".to_string(),
            Method::GaussHermite { order } => format!(
                "Gauss–Hermite quadrature over the global shock, order {order} \
                 (estimated error {:.1e} in total variation)",
                self.quadrature_error
            ),
        };
        let _ = writeln!(
            s,
            "{} — exact distribution{}",
            self.scenario.name,
            if self.scenario.without_blocs {
                " (without blocs)"
            } else {
                ""
            }
        );
        let _ = writeln!(s, "{} members; method: {method}", self.scenario.members);
        let _ = writeln!(s, "\ncount       mean     sd   95% interval");
        for (name, c) in [
            ("yes", &self.counts.yes),
            ("no", &self.counts.no),
            ("abstain", &self.counts.abstain),
            ("absent", &self.counts.absent),
        ] {
            let _ = writeln!(
                s,
                "{name:<8} {:>7.2} {:>6.2}   [{}, {}]",
                c.mean, c.sd, c.central_95[0], c.central_95[1]
            );
        }
        let _ = writeln!(
            s,
            "\nP(adopted, {} rule) = {:.6}",
            self.scenario.rule, self.adoption_probability
        );
        if !self.references.is_empty() {
            let _ = writeln!(s, "\nreferences");
            for r in &self.references {
                let _ = writeln!(s, "  {} ({}): {:.6}", r.label, r.claim, r.probability);
            }
        }
        s
    }
}
