//! The ideal-point prior's validation protocol on `data/unga/` (see `docs/ideal.md`), printed
//! as Markdown tables.
//!
//! ```text
//! cargo run --release --example ideal_validate               # tune on the 75th, test on the 76th, …
//! cargo run --release --example ideal_validate -- --defaults # skip tuning: library defaults
//! cargo run --release --example ideal_validate -- --per-vote # also one row per scored vote
//! cargo run --release --example ideal_validate -- --svg docs/ideal-positions.svg  # draw positions
//! ```
//!
//! 1. Nested validation. Tuning: every candidate fit option is fitted on 1 Sep 2010 –
//!    31 Aug 2020 and its pooling weights tuned on the 75th session's repeated titles; the
//!    candidate with the lowest pooled log loss wins (stage 1: dimensions; stage 2: one option
//!    at a time around the best). Held out: the winner is fitted on 1 Sep 2011 – 31 Aug 2021
//!    and scored unchanged on the 76th session.
//! 2. Rolling backtests of ES-11/2 and ES-11/3, fitted on the history before each.
//! 3. The ES-11/4 prior (12 Oct 2022), compared with its totals as a check only.
//! 4. Bloc cohesion of `data/blocs.csv` under that model (sessions 74–76).
//!
//! These are the library calls the `lobbysim backtest` protocol mode makes
//! (`ideal::validate::{tune, evaluate_period}`, `ideal::rolling::{rolling, forecast}`).

use std::path::Path;
use std::time::Instant;

use lobbysim::ideal::cohesion::{cohesion, read_blocs};
use lobbysim::ideal::positions::{scatter, scatter_svg};
use lobbysim::ideal::predict::read_members;
use lobbysim::ideal::rolling::{forecast, rolling};
use lobbysim::ideal::score::ScoreSummary;
use lobbysim::ideal::validate::{
    Candidate, FORECASTERS, PeriodReport, Protocol, Setting, evaluate_period, naive_scores,
    targets, tune,
};
use lobbysim::ideal::{Date, FitOptions, History, PoolOptions, Window};

const TUNE_SESSION: i32 = 75;
const TEST_SESSION: i32 = 76;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let defaults_only = args.iter().any(|a| a == "--defaults");
    let per_vote = args.iter().any(|a| a == "--per-vote");
    let history = History::read(Path::new("data/unga"), Window::default())?;
    let protocol = Protocol::default();
    let digest = history.digest.clone().ok_or("no digest")?;
    println!("# Ideal-point prior: validation\n");
    println!(
        "History `data/unga/`: {} roll calls, {} state votes, {} states, {} to {} \
         (rollcalls.csv SHA-256 {}…, votes.csv {}…). Protocol: {:?}.\n",
        history.rollcalls.len(),
        history.vote_count(),
        history.states.len(),
        history.rollcalls[0].date,
        history.rollcalls[history.rollcalls.len() - 1].date,
        &digest.rollcalls_sha256[..12],
        &digest.votes_sha256[..12],
        protocol
    );
    for s in [TUNE_SESSION, TEST_SESSION] {
        let t = targets(&history, s, &protocol);
        let scored: usize = t
            .iter()
            .map(|t| history.rollcalls[t.index].votes.len())
            .sum();
        let all = history
            .rollcalls
            .iter()
            .filter(|r| r.date.session() == s)
            .count();
        println!(
            "Session {s}: {} of its {all} roll calls repeat a title of the 10 sessions before \
             ({scored} state-votes).",
            t.len()
        );
    }
    println!();
    println!(
        "Naive rules on session {TEST_SESSION} (the check against the prototype's figures):\n"
    );
    println!(
        "| like votes searched | targets | repeat last Brier / log loss | mean of last three Brier / log loss |"
    );
    println!("|---|---|---|---|");
    for like_sessions in [protocol.like_sessions, 31] {
        let p = Protocol {
            like_sessions,
            ..protocol
        };
        let (n, [r, m]) = naive_scores(&history, TEST_SESSION, &p);
        println!(
            "| {like_sessions} sessions before | {n} | {:.4} / {:.4} | {:.4} / {:.4} |",
            r.brier, r.log_loss, m.brier, m.log_loss
        );
    }
    println!();

    let (setting, pool) = if defaults_only {
        println!("Tuning skipped (`--defaults`): library defaults.\n");
        let s = Setting {
            fit_options: FitOptions::default(),
            fit_sessions: protocol.fit_sessions,
        };
        (s, PoolOptions::default())
    } else {
        choose(&history, &protocol)?
    };
    let protocol = Protocol {
        fit_sessions: setting.fit_sessions,
        ..protocol
    };
    let fit_options = setting.fit_options;

    println!("## Tuning period (session {TUNE_SESSION}; weights chosen here)\n");
    let t0 = Instant::now();
    let (tuning, _) = evaluate_period(&history, TUNE_SESSION, &protocol, &fit_options, Some(pool))?;
    let tune_time = t0.elapsed().as_secs_f64();
    print_period(&tuning, per_vote);

    println!("## Held-out period (session {TEST_SESSION}; nothing chosen here)\n");
    let t0 = Instant::now();
    let (held, _) = evaluate_period(&history, TEST_SESSION, &protocol, &fit_options, Some(pool))?;
    let held_time = t0.elapsed().as_secs_f64();
    print_period(&held, per_vote);

    println!("## Rolling backtests\n");
    println!(
        "| target | like | forecaster | Brier | log loss | accuracy | expected Y-N-A-X (actual) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut roll_times = Vec::new();
    for (target, like) in [
        ("A/RES/ES-11/2", vec!["A/RES/ES-11/1", "A/RES/68/262"]),
        (
            "A/RES/ES-11/3",
            vec!["A/RES/ES-11/1", "A/RES/ES-11/2", "A/RES/68/262"],
        ),
    ] {
        let like: Vec<String> = like.into_iter().map(String::from).collect();
        let t0 = Instant::now();
        let r = rolling(&history, target, &like, &protocol, &fit_options, &pool)?;
        roll_times.push(t0.elapsed().as_secs_f64());
        for (k, f) in r.forecasters.iter().enumerate() {
            let e = f.expected;
            println!(
                "| {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.1}-{:.1}-{:.1}-{:.1}{} |",
                if k == 0 { r.target.as_str() } else { "" },
                if k == 0 {
                    r.like.join(", ")
                } else {
                    String::new()
                },
                f.forecaster,
                f.brier,
                f.log_loss,
                f.accuracy,
                e[0],
                e[1],
                e[2],
                e[3],
                if k == 0 {
                    format!(
                        " ({}-{}-{}-{})",
                        r.actual[0], r.actual[1], r.actual[2], r.actual[3]
                    )
                } else {
                    String::new()
                }
            );
        }
    }
    println!();

    println!("## ES-11/4 (12 Oct 2022): prior from everything before it\n");
    let members = read_members(Path::new("data/members.csv"))?;
    let like: Vec<String> = ["A/RES/ES-11/1", "A/RES/ES-11/2", "A/RES/68/262"]
        .into_iter()
        .map(String::from)
        .collect();
    let date: Date = "2022-10-12".parse()?;
    let t0 = Instant::now();
    let (p, model) = forecast(
        &history,
        &like,
        date,
        Some(&members),
        &protocol,
        &fit_options,
        &pool,
    )?;
    let es_time = t0.elapsed().as_secs_f64();
    let e = p.expected_counts();
    println!(
        "Fitted {} to {} ({} roll calls). Like: {}. Expected yes {:.1}, no {:.1}, abstain {:.1}, \
         not voting {:.1} over {} members; recorded (never used to fit or tune): 143-5-35-10.\n",
        model.history.first_date,
        model.history.last_date,
        model.history.rollcalls,
        p.like
            .iter()
            .map(|l| format!("{} (weight {:.3})", l.symbol, l.weight))
            .collect::<Vec<_>>()
            .join(", "),
        e[0],
        e[1],
        e[2],
        e[3],
        p.rows.len()
    );
    println!("## Bloc cohesion (the ES-11/4 model, sessions 74–76)\n");
    let blocs = read_blocs(Path::new("data/blocs.csv"))?;
    let t0 = Instant::now();
    let c = cohesion(&model, &blocs, Some([74, 76]))?;
    let coh_time = t0.elapsed().as_secs_f64();
    println!(
        "{} roll calls. `ρ`: maximum-likelihood residual latent correlation (± its standard \
         error); scenario cohesion = ρ / (1 − g), shown for g = 0.2.\n",
        c.rollcalls
    );
    println!(
        "| bloc | members (fitted) | pair-votes | observed | expected | excess | ρ ± se | cohesion (g = 0.2) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let f3 = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.3}"));
    for b in &c.blocs {
        println!(
            "| {} | {} ({}) | {} | {} | {} | {} | {}{} | {} |",
            b.bloc,
            b.members,
            b.fitted_members,
            b.pair_votes,
            f3(b.observed),
            f3(b.expected),
            b.excess.map_or("–".to_string(), |v| format!("{v:+.3}")),
            f3(b.residual_correlation),
            b.residual_correlation_se
                .map_or(String::new(), |s| format!(" ± {s:.3}")),
            f3(b.scenario_cohesion(0.2))
        );
    }
    println!();
    if let Some(k) = args.iter().position(|a| a == "--svg") {
        let path = args.get(k + 1).ok_or("--svg needs a file")?;
        let pts = scatter(&model, 76, [1, 2])?;
        let svg = scatter_svg(&pts, "Fitted positions, 76th session (2021–22)", [1, 2])?;
        std::fs::write(path, svg)?;
        println!("Wrote the 2-D positions of session 76 to {path}.\n");
    }
    println!(
        "Wall-clock (not part of the results): tuning-period fit and scoring {tune_time:.1} s, \
         held-out {held_time:.1} s, rolling {:.1} s and {:.1} s, ES-11/4 {es_time:.1} s, \
         cohesion {coh_time:.1} s.",
        roll_times[0], roll_times[1]
    );
    Ok(())
}

/// Nested validation on the tuning session: returns the chosen setting and weights.
fn choose(
    history: &History,
    protocol: &Protocol,
) -> Result<(Setting, PoolOptions), Box<dyn std::error::Error>> {
    println!("## Tuning (session {TUNE_SESSION})\n");
    println!(
        "| candidate | iterations | model only Brier | model only log loss | ideal Brier | ideal log loss |"
    );
    println!("|---|---|---|---|---|---|");
    let show = |c: &Candidate| {
        println!(
            "| {} | {} | {:.4} | {:.4} | {:.4} | {:.4} |",
            describe(&c.setting),
            c.iterations,
            c.model_only.brier,
            c.model_only.log_loss,
            c.ideal.brier,
            c.ideal.log_loss
        );
    };
    // The search starts from a fixed base (not the library defaults, which are set from its
    // result): D = 10, K = 3, τ = 0.3, τa = 0.5, sβ = 1.5, ten sessions.
    let base = Setting {
        fit_options: FitOptions {
            dims: 10,
            absence_rank: 3,
            drift: 0.3,
            absence_drift: 0.5,
            discrimination_scale: 1.5,
            ..FitOptions::default()
        },
        fit_sessions: protocol.fit_sessions,
    };
    let defaults = Setting {
        fit_options: FitOptions::default(),
        fit_sessions: protocol.fit_sessions,
    };
    let with = |f: &dyn Fn(&mut Setting)| {
        let mut s = base.clone();
        f(&mut s);
        s
    };
    let stage1: Vec<Setting> = [2, 4, 6, 8, 10, 12, 15]
        .into_iter()
        .map(|d| with(&|s| s.fit_options.dims = d))
        .collect();
    let (c1, b1) = tune(history, TUNE_SESSION, protocol, &stage1, &show)?;
    let best = c1[b1].setting.clone();
    let around = |f: &dyn Fn(&mut Setting)| {
        let mut s = best.clone();
        f(&mut s);
        s
    };
    let mut stage2 = Vec::new();
    for v in [0.15, 0.6] {
        stage2.push(around(&|s| s.fit_options.drift = v));
    }
    for v in [0, 6] {
        if v != best.fit_options.absence_rank {
            stage2.push(around(&|s| s.fit_options.absence_rank = v));
        }
    }
    for v in [0.25, 1.0] {
        stage2.push(around(&|s| s.fit_options.absence_drift = v));
    }
    for v in [1.0, 2.5] {
        stage2.push(around(&|s| s.fit_options.discrimination_scale = v));
    }
    stage2.push(around(&|s| s.fit_sessions = 15));
    let (c2, b2) = tune(history, TUNE_SESSION, protocol, &stage2, &show)?;
    let chosen = if c2[b2].ideal.log_loss < c1[b1].ideal.log_loss {
        c2[b2].clone()
    } else {
        c1[b1].clone()
    };
    println!(
        "\nChosen (lowest tuning log loss): {}; pooling {:?}.",
        describe(&chosen.setting),
        chosen.pool
    );
    let same_fit = chosen.setting == defaults;
    let same_pool = chosen.pool == PoolOptions::default();
    println!(
        "Library defaults {} the chosen setting and {} the chosen pooling weights.\n",
        if same_fit { "equal" } else { "DIFFER FROM" },
        if same_pool { "equal" } else { "DIFFER FROM" }
    );
    Ok((chosen.setting, chosen.pool))
}

fn describe(s: &Setting) -> String {
    let o = &s.fit_options;
    format!(
        "D={} K={} τ={} τa={} sβ={} W={}",
        o.dims, o.absence_rank, o.drift, o.absence_drift, o.discrimination_scale, s.fit_sessions
    )
}

fn print_period(r: &PeriodReport, per_vote: bool) {
    println!(
        "Fit {} – {}: {} iterations, {}. {} targets. Pooling: {:?}.\n",
        r.fit_window.since.map_or("start".into(), |d| d.to_string()),
        r.fit_window.until.map_or("end".into(), |d| d.to_string()),
        r.convergence.iterations,
        r.convergence.termination,
        r.targets.len(),
        r.pool
    );
    println!(
        "| forecaster | state-votes | Brier | log loss | Brier share Y / N / A / X | log-loss share Y / N / A / X |"
    );
    println!("|---|---|---|---|---|---|");
    for f in &r.forecasters {
        let s: &ScoreSummary = &f.pooled;
        let share = |g: &dyn Fn(usize) -> f64| {
            (0..4)
                .map(|k| format!("{:.2}", g(k)))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        println!(
            "| {} | {} | {:.4} | {:.4} | {} | {} |",
            f.forecaster,
            s.state_votes,
            s.brier,
            s.log_loss,
            share(&|k| s.by_outcome[k].brier_share),
            share(&|k| s.by_outcome[k].log_loss_share)
        );
    }
    let n = r.forecasters[0].pooled.by_outcome;
    println!(
        "\nRecorded outcomes: yes {}, no {}, abstain {}, not voting {}.\n",
        n[0].state_votes, n[1].state_votes, n[2].state_votes, n[3].state_votes
    );
    if per_vote {
        println!(
            "| target | date | like | {} |",
            FORECASTERS
                .iter()
                .map(|f| format!("{f} Brier / log loss"))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        println!("|---|---|---|{}", "---|".repeat(FORECASTERS.len()));
        for t in &r.targets {
            println!(
                "| {} | {} | {} | {} |",
                t.symbol,
                t.date,
                t.like.join(", "),
                t.brier
                    .iter()
                    .zip(&t.log_loss)
                    .map(|(b, l)| format!("{b:.3} / {l:.3}"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        println!();
    }
}
