//! Fits the ideal-point model to `data/unga/` and reports the wall-clock time (median of
//! `--repeat` fits) and the convergence; optionally writes the model file. This is the call
//! `lobbysim ideal fit` will make.
//!
//! ```text
//! cargo run --release --example ideal_fit -- [--since 2012-01-01] [--until DATE] [--dims D]
//!     [--rank K] [--memory M] [--threads T] [--repeat N] [-o MODEL.json]
//! ```
//! Defaults: since 2012-01-01, to the end of the data, the library's default options, the
//! default thread pool, one fit.

use std::path::Path;
use std::time::Instant;

use lobbysim::ideal::{Date, FitOptions, History, Window, fit};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|k| args.get(k + 1))
            .cloned()
    };
    let since: Date = value("--since")
        .as_deref()
        .unwrap_or("2012-01-01")
        .parse()?;
    let until: Option<Date> = value("--until").map(|s| s.parse()).transpose()?;
    let mut options = FitOptions::default();
    if let Some(d) = value("--dims") {
        options.dims = d.parse()?;
    }
    if let Some(k) = value("--rank") {
        options.absence_rank = k.parse()?;
    }
    if let Some(m) = value("--memory") {
        options.memory = m.parse()?;
    }
    let repeat: usize = value("--repeat").map_or(Ok(1), |s| s.parse())?;
    let threads: Option<usize> = value("--threads").map(|s| s.parse()).transpose()?;

    let t0 = Instant::now();
    let history = History::read(Path::new("data/unga"), Window::new(Some(since), until)?)?;
    println!(
        "history {since} to {}: {} roll calls, {} state votes, {} states (read in {:.3} s)",
        until.map_or("the end".to_string(), |d| d.to_string()),
        history.rollcalls.len(),
        history.vote_count(),
        history.states.len(),
        t0.elapsed().as_secs_f64()
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()?;
    let mut times = Vec::new();
    let mut model = None;
    for _ in 0..repeat.max(1) {
        let t1 = Instant::now();
        let m = pool.install(|| fit(&history, &options))?;
        times.push(t1.elapsed().as_secs_f64());
        model = Some(m);
    }
    let model = model.ok_or("no fit")?;
    times.sort_by(f64::total_cmp);
    let c = &model.convergence;
    println!(
        "fit D = {}, K = {} on {} thread(s): median {:.2} s over {} run(s) (all: {}); {} \
         iterations, {} evaluations, objective {:.3}, log-likelihood {:.3}, |gradient| {:.3e}; {}",
        options.dims,
        options.absence_rank,
        pool.current_num_threads(),
        times[times.len() / 2],
        times.len(),
        times
            .iter()
            .map(|t| format!("{t:.2}"))
            .collect::<Vec<_>>()
            .join(", "),
        c.iterations,
        c.evaluations,
        c.objective,
        c.log_likelihood,
        c.gradient_norm,
        c.termination
    );
    if let Some(out) = value("-o") {
        model.write(Path::new(&out))?;
        println!("wrote {out}");
    }
    Ok(())
}
