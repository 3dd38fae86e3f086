//! The calibration (`lobbysim calibrate`): text; JSON is its `Serialize` layout.

use std::fmt::Write;

use super::{Render, TextStyle};
use crate::tune::calibrate::Calibration;

impl Render for Calibration {
    fn what(&self) -> &'static str {
        "calibration"
    }

    fn text(&self, _: TextStyle) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "lobbysim {} — calibration of {}",
            self.run.version, self.run.scenario
        );
        for a in &self.against {
            let _ = writeln!(
                o,
                "  against {} ({}-{}-{}, {} not voting)",
                a.file.display(),
                a.tally[0],
                a.tally[1],
                a.tally[2],
                a.tally[3]
            );
        }
        let _ = writeln!(
            o,
            "  {} observations; {}\n  optimiser: Nelder–Mead (argmin), {} iterations\n",
            self.observations, self.method, self.iterations
        );
        let w = self
            .fitted
            .iter()
            .map(|f| f.path.chars().count())
            .max()
            .unwrap_or(4)
            .max(9);
        let _ = writeln!(
            o,
            "{:<w$}  {:>10}  {:>10}  {:>9}  95% profile interval",
            "parameter", "before", "fitted", "stderr"
        );
        for f in &self.fitted {
            let _ = writeln!(
                o,
                "{:<w$}  {:>10.4}  {:>10.4}  {:>9.4}  [{:.4}, {:.4}]{}",
                f.path,
                f.before,
                f.value,
                f.stderr,
                f.interval95[0],
                f.interval95[1],
                if f.at_bound {
                    "  (reaches a bound)"
                } else {
                    ""
                }
            );
        }
        let _ = writeln!(
            o,
            "\nlog-likelihood  before {:.3}  after {:.3}  (gain {:.3})",
            self.log_likelihood.before,
            self.log_likelihood.after,
            self.log_likelihood.after - self.log_likelihood.before
        );
        let _ = writeln!(
            o,
            "Brier score     before {:.4}  after {:.4}  (mean over observations, 0 = perfect, 2 = worst)",
            self.brier.before, self.brier.after
        );
        let _ = writeln!(o, "uncertainty: {}", self.uncertainty);
        if !self.warnings.is_empty() {
            let _ = writeln!(o, "\nWarnings");
            for x in &self.warnings {
                let _ = writeln!(o, "  {x}");
            }
        }
        o
    }
}
