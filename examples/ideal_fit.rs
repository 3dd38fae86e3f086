//! Fits the ideal-point model to `data/unga/` and reports the time and convergence.
//!
//! ```text
//! cargo run --release --example ideal_fit -- [SINCE] [UNTIL] [DIMS] [OUT.json]
//! ```
//! Defaults: since 2012-01-01, until the end of the data, the default options.

use std::path::Path;
use std::time::Instant;

use lobbysim::ideal::{Date, FitOptions, History, Window, fit_with_progress};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let since: Date = args.first().map_or("2012-01-01", String::as_str).parse()?;
    let until: Option<Date> = args.get(1).map(|s| s.parse()).transpose()?;
    let mut options = FitOptions::default();
    if let Some(d) = args.get(2) {
        options.dims = d.parse()?;
    }
    if let Ok(n) = std::env::var("IDEAL_MEMORY") {
        options.memory = n.parse()?;
    }
    if let Ok(n) = std::env::var("IDEAL_MAX_ITERATIONS") {
        options.max_iterations = n.parse()?;
    }
    let t0 = Instant::now();
    let history = History::read(Path::new("data/unga"), Window::new(Some(since), until)?)?;
    let read = t0.elapsed();
    let t1 = Instant::now();
    let model = fit_with_progress(&history, &options, &|p| {
        if p.evaluations % 100 == 0 {
            eprintln!(
                "  evaluation {:5}: objective {:.3}",
                p.evaluations, p.objective
            );
        }
    })?;
    let fitted = t1.elapsed();
    let c = &model.convergence;
    println!(
        "history: {} roll calls, {} state votes, {} states (read in {:.3} s)",
        history.rollcalls.len(),
        history.vote_count(),
        history.states.len(),
        read.as_secs_f64()
    );
    println!(
        "fit: D = {}, K = {}: {:.2} s, {} iterations, {} evaluations, objective {:.3}, \
         log-likelihood {:.3}, |gradient| {:.3e}, {}",
        options.dims,
        options.absence_rank,
        fitted.as_secs_f64(),
        c.iterations,
        c.evaluations,
        c.objective,
        c.log_likelihood,
        c.gradient_norm,
        c.termination
    );
    if let Some(out) = args.get(3) {
        model.write(Path::new(out))?;
        println!("wrote {out}");
    }
    Ok(())
}
