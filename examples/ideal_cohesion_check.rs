//! A check of the cohesion estimator on the real data: random "blocs" (seeded) should show
//! no residual correlation, unlike the blocs of `data/blocs.csv`. Model: the ES-11/4 fit
//! (the ten sessions before 12 Oct 2022, library defaults); roll calls of sessions 74–76.
//!
//! ```text
//! cargo run --release --example ideal_cohesion_check
//! ```

use std::path::Path;

use rand::{RngExt, SeedableRng};

use lobbysim::ideal::cohesion::{Bloc, cohesion, read_blocs};
use lobbysim::ideal::rolling::fit_before;
use lobbysim::ideal::validate::Protocol;
use lobbysim::ideal::{FitOptions, History, Window};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let h = History::read(Path::new("data/unga"), Window::default())?;
    let (m, _) = fit_before(
        &h,
        "2022-10-12".parse()?,
        &Protocol::default(),
        &FitOptions::default(),
    )?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut blocs = Vec::new();
    for (k, &size) in [6usize, 6, 10, 10, 10, 27, 27, 27].iter().enumerate() {
        let mut idx: Vec<usize> = (0..m.states.len()).collect();
        for i in 0..size {
            let j = i + rng.random_range(0..idx.len() - i);
            idx.swap(i, j);
        }
        blocs.push(Bloc {
            name: format!("random {k} ({size} states)"),
            members: idx[..size].iter().map(|&i| m.states[i].iso3).collect(),
        });
    }
    blocs.extend(read_blocs(Path::new("data/blocs.csv"))?);
    let r = cohesion(&m, &blocs, Some([74, 76]))?;
    println!("| bloc | excess agreement | ρ ± se |");
    println!("|---|---|---|");
    for b in &r.blocs {
        println!(
            "| {} | {} | {} |",
            b.bloc,
            b.excess.map_or("–".into(), |v| format!("{v:+.3}")),
            match (b.residual_correlation, b.residual_correlation_se) {
                (Some(r), Some(s)) => format!("{r:.3} ± {s:.3}"),
                (Some(r), None) => format!("{r:.3}"),
                _ => "–".into(),
            }
        );
    }
    Ok(())
}
