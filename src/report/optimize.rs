//! The lobbying plan (`lobbysim optimize`): text; JSON is its `Serialize` layout.

use std::fmt::Write;

use super::{Render, TextStyle};
use crate::tune::optimize::Optimization;

impl Render for Optimization {
    fn what(&self) -> &'static str {
        "lobbying plan"
    }

    fn text(&self, _: TextStyle) -> String {
        let mut o = String::new();
        let ob = &self.objective;
        let _ = writeln!(
            o,
            "lobbysim {} — lobbying plan for {:?} ({}) in {}\nbudget {} in {} increments of {:.4} · {} ballots per plan · seed {} (common random numbers)\n",
            self.run.version,
            self.campaign,
            self.direction,
            self.run.scenario,
            self.budget,
            (self.budget / self.increment).round(),
            self.increment,
            self.run.ballots,
            self.run.seed
        );
        let _ = writeln!(o, "objective {}", ob.name);
        let _ = writeln!(
            o,
            "  scenario as written      {:.4}  (its total effort {})",
            ob.before, ob.written_effort
        );
        let _ = writeln!(
            o,
            "  {} {:.4}",
            if self.kept_targets {
                "existing targets only   "
            } else {
                "campaign without targets"
            },
            ob.start
        );
        let _ = writeln!(o, "  budget split evenly      {:.4}", ob.even_split);
        let _ = writeln!(
            o,
            "  optimised plan           {:.4}  (± {:.4} Monte Carlo s.e. alone)",
            ob.after, ob.mc_se
        );
        if ob.even_split > ob.after {
            let _ = writeln!(
                o,
                "  note: the even split does better than the greedy plan: effort saturates, so \
                 coarse increments concentrate it too much; try more --steps"
            );
        }
        let _ = writeln!(o, "\nplan (effort, marginal gain of its increments)");
        for p in &self.plan {
            let _ = writeln!(
                o,
                "  {} {:<32} effort {:>8.4}  gain {:+.4}",
                p.iso3, p.name, p.effort, p.gain
            );
        }
        let _ = writeln!(
            o,
            "\n{} candidates{}: {}\nmethod: {}",
            self.candidates.len(),
            self.screened.map_or(String::new(), |k| format!(
                " ({k} per round simulated after closed-form screening)"
            )),
            self.candidates.join(" "),
            self.method
        );
        o
    }
}
