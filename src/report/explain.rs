//! The explanation of one state's probabilities (`lobbysim explain`): text; JSON is its
//! `Serialize` layout.

use std::fmt::Write;

use super::{Render, TextStyle};
use crate::tune::explain::{Explanation, Probs};

impl Probs {
    /// `yes 0.1234  no …  abstain …  absent …`.
    fn text_line(&self) -> String {
        format!(
            "yes {:.4}  no {:.4}  abstain {:.4}  absent {:.4}",
            self.p_yes, self.p_no, self.p_abstain, self.p_absent
        )
    }
}

impl Render for Explanation {
    fn what(&self) -> &'static str {
        "explanation"
    }

    fn text(&self, _: TextStyle) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "lobbysim {} — why {} ({}) votes as it does in {}\n",
            self.run.version, self.iso3, self.name, self.run.scenario
        );
        let _ = writeln!(o, "Base position     {}", self.base.text_line());
        let _ = writeln!(
            o,
            "  latent cut-points t1 = Φ⁻¹(p_no/(1 − p_absent)) = {}, t2 = Φ⁻¹((p_no + p_abstain)/(1 − p_absent)) = {}",
            cut(self.latent.cut_no, "−∞"),
            cut(self.latent.cut_yes, "+∞")
        );
        if self.contributions.is_empty() {
            let _ = writeln!(o, "\nNo campaign, discipline or leader acts on this state.");
        } else {
            let _ = writeln!(o, "\nContributions (probabilities after each, cumulative)");
        }
        let (mut m, mut w, mut keep) = (0.0, 0.0, 1.0);
        for c in &self.contributions {
            if c.kind != "leader" {
                m += c.shift;
            }
            w += c.widen;
            keep *= 1.0 - c.mobilised;
            let _ = writeln!(
                o,
                "  {:<44} shift {:+.4}{}{}",
                c.source,
                c.shift,
                if c.widen != 0.0 {
                    format!("  widen {:.4}", c.widen)
                } else {
                    String::new()
                },
                if c.mobilised != 0.0 {
                    format!("  mobilises {:.4}", c.mobilised)
                } else {
                    String::new()
                }
            );
            let _ = writeln!(o, "      {}", c.formula);
            let _ = writeln!(o, "      → {}", c.after.text_line());
        }
        let _ = writeln!(
            o,
            "\nSummed (without leaders): m = {m:+.4}, w = {w:.4}, absence kept Π(1 − μ) = {keep:.4}\n  P(absent) = p_absent·Π(1 − μ); the mobilised rest votes each campaign's way in proportion to its μ\n  P(no) = mobilised no + (1 − p_absent)·Φ(t1 − w − m); P(yes) = mobilised yes + (1 − p_absent)·(1 − Φ(t2 + w − m))"
        );
        let c = &self.correlation;
        let blocs: Vec<String> = c
            .blocs
            .iter()
            .map(|b| format!("{} {:.4} (cohesion {})", b.bloc, b.loading, b.cohesion))
            .collect();
        let _ = writeln!(
            o,
            "\nCorrelation (moves votes together, never changes these probabilities)\n  global loading {:.4}; bloc loadings: {}; own shock s.d. {:.4}",
            c.global_loading,
            if blocs.is_empty() {
                "none".to_string()
            } else {
                blocs.join(", ")
            },
            c.idiosyncratic
        );
        let _ = writeln!(
            o,
            "\nClosed form (no leaders) {}",
            self.closed_form.text_line()
        );
        if let Some(sim) = &self.simulated {
            let _ = writeln!(
                o,
                "Engine ({} ballots, seed {}) {}  (± {:.4})",
                self.run.ballots,
                self.run.seed,
                sim.probs.text_line(),
                sim.mc_se
            );
        }
        let _ = writeln!(
            o,
            "\nFinal ({})  {}",
            self.final_method,
            self.final_probs.text_line()
        );
        o
    }
}

fn cut(x: Option<f64>, inf: &str) -> String {
    x.map_or(inf.to_string(), |v| format!("{v:.4}"))
}
