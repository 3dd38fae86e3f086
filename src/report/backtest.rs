//! The backtest (`lobbysim backtest`): a side-by-side text table, and the reliability diagram
//! of every forecaster as SVG (`--plot`); JSON is its `Serialize` layout.

use std::fmt::Write;

use super::chart::{ReliabilityBin, ReliabilitySeries, reliability_chart};
use super::{Render, TextStyle};
use crate::backtest::{Backtest, Score};
use crate::error::Result;

impl Render for Backtest {
    fn what(&self) -> &'static str {
        "backtest"
    }

    fn text(&self, _: TextStyle) -> String {
        text(self)
    }

    /// The reliability diagram of every forecaster (see `reliability_svg` in this module).
    fn svg(&self) -> Option<Result<String>> {
        Some(reliability_svg(self))
    }
}

/// The reliability diagram of a backtest (what `backtest --plot` writes): every forecaster's
/// calibration table (the non-empty bins of [`Score::calibration`]) on one set of axes, each
/// labelled with its expected calibration error, under a title with the scenario name and a
/// subtitle with the roll call scored against, the states and the run.
fn reliability_svg(b: &Backtest) -> Result<String> {
    let series: Vec<ReliabilitySeries> = b
        .scores
        .iter()
        .map(|s| ReliabilitySeries {
            label: format!("{} (ECE {:.3})", s.name, s.ece),
            bins: s
                .calibration
                .iter()
                .filter_map(|c| {
                    Some(ReliabilityBin {
                        mean_predicted: c.mean_predicted?,
                        observed_freq: c.observed?,
                        count: c.n,
                    })
                })
                .collect(),
        })
        .collect();
    let file = std::path::Path::new(&b.actual_file)
        .file_name()
        .map_or_else(
            || b.actual_file.clone(),
            |f| f.to_string_lossy().into_owned(),
        );
    let a = b.actual;
    let subtitle = format!(
        "calibration against {file} ({}-{}-{}, {} not voting) · {} states × 4 outcomes · \
         {} ballots, seed {}",
        a[0], a[1], a[2], a[3], b.states, b.ballots, b.seed
    );
    reliability_chart(&b.scenario, &subtitle, &series)
}

fn text(b: &Backtest) -> String {
    let mut o = String::new();
    let a = b.actual;
    let _ = writeln!(
        o,
        "Backtest of {:?} against {} ({}-{}-{}, {} not voting)",
        b.scenario, b.actual_file, a[0], a[1], a[2], a[3]
    );
    let _ = writeln!(
        o,
        "{} states · {} ballots · seed {}",
        b.states, b.ballots, b.seed
    );
    if !b.history.is_empty() {
        let _ = writeln!(o, "history (oldest first): {}", b.history.join(", "));
    }
    for w in &b.warnings {
        let _ = writeln!(o, "warning: {w}");
    }
    let _ = write!(o, "\n{:<34}", "metric");
    for s in &b.scores {
        let _ = write!(o, "{:>20}", s.name);
    }
    o.push('\n');
    let line = |o: &mut String, label: &str, f: &dyn Fn(&Score) -> String| {
        let _ = write!(o, "{label:<34}");
        for s in &b.scores {
            let _ = write!(o, "{:>20}", f(s));
        }
        o.push('\n');
    };
    line(&mut o, "Brier score (0 best, 2 worst)", &|s| {
        format!("{:.4}", s.brier)
    });
    line(&mut o, "log loss (nats)", &|s| format!("{:.4}", s.log_loss));
    line(&mut o, "accuracy of most likely outcome", &|s| {
        format!("{:.3}", s.accuracy)
    });
    line(&mut o, "expected calibration error", &|s| {
        format!("{:.4}", s.ece)
    });
    for (k, name) in ["yes", "no", "abstain", "absent"].iter().enumerate() {
        line(
            &mut o,
            &format!("{name} (actual {}): expected", a[k]),
            &|s| format!("{:.1} ({:+.1})", s.counts[k].expected, s.counts[k].error),
        );
        line(&mut o, "  percentile of actual", &|s| {
            format!("{:.1}", s.counts[k].percentile)
        });
        line(&mut o, "  80% / 95% interval", &|s| {
            let c = &s.counts[k];
            format!(
                "[{},{}] [{},{}]",
                c.central_80[0], c.central_80[1], c.central_95[0], c.central_95[1]
            )
        });
    }
    if let Some(f) = b.scores.first() {
        let _ = writeln!(o, "\nCalibration of the {} (state × outcome)", f.name);
        let _ = writeln!(o, "  bin          n   mean predicted   observed");
        for c in &f.calibration {
            let fmt = |x: Option<f64>| x.map_or("—".to_string(), |v| format!("{v:.3}"));
            let _ = writeln!(
                o,
                "  {:.1}–{:.1} {:>6}   {:>14}   {:>8}",
                c.lower,
                c.upper,
                c.n,
                fmt(c.mean_predicted),
                fmt(c.observed)
            );
        }
        let _ = writeln!(o, "\nLargest surprises of the {}", f.name);
        for s in &f.surprises {
            let _ = writeln!(
                o,
                "  {} voted {:<8} forecast probability {:.3}",
                s.iso3, s.vote, s.probability
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backtest::{independent_dists, score};
    use crate::vote::{Outcome, VoteProbs};

    fn vp(a: [f64; 4]) -> VoteProbs {
        VoteProbs::from_array(a)
    }

    #[test]
    fn reliability_svg_has_one_series_per_forecaster() {
        let probs = [vp([0.5, 0.2, 0.2, 0.1]), vp([0.1, 0.6, 0.3, 0.0])];
        let votes = [Outcome::Yes, Outcome::Abstain];
        let dists = independent_dists(&probs);
        let iso = ["AAA", "BBB"];
        let b = Backtest {
            scenario: "two states".into(),
            scenario_sha256: String::new(),
            actual_file: "dir/vote.csv".into(),
            actual: [1, 0, 1, 0],
            states: 2,
            ballots: 10,
            seed: 3,
            history: vec![],
            scores: vec![
                score("model", &probs, &dists, &votes, &iso),
                score("other", &probs[..1], &dists, &votes[..1], &iso[..1]),
            ],
            warnings: vec![],
        };
        let svg = b.svg().unwrap().unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let texts = crate::report::chart::tests::texts(&doc);
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        assert!(texts.contains(&"two states"), "{texts:?}");
        // ECEs: 2.4 / 8 (see calibration_table_by_hand); A alone (0.1·1 + 0.2·2 + 0.5·1) / 4.
        assert!(texts.contains(&"model (ECE 0.300)"), "{texts:?}");
        assert!(texts.contains(&"other (ECE 0.250)"), "{texts:?}");
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("calibration against vote.csv (1-0-1"))
        );
        // Non-empty bins: 6 for the two-state table, 3 for A alone (0.1, 0.2 twice, 0.5),
        // plus one legend marker per series.
        let circles = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count();
        assert_eq!(circles, 6 + 3 + 2);
    }
}
