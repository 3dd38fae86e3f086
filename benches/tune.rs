//! Cost of the tuning commands on the shipped real-data scenarios (193 states).
//!
//! * `calibrate_es11_3`: fitting three bloc disciplines of the ES-11/3 backtest scenario to the
//!   recorded ES-11/3 roll call, profile intervals included (closed-form likelihood). Target:
//!   under 2 s.
//! * `sweep_point_es11_4`: one sweep grid point of the ES-11/4 scenario at 10 000 ballots
//!   (scenario change + compile + simulate + summary). Target: within 10% of a plain forecast
//!   of the same size, i.e. the sweep adds no cost beyond the simulation.
//! * `forecast_es11_4`: that plain forecast, for comparison.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lobbysim::tune::{ParamPath, calibrate, sweep};
use lobbysim::{RunOptions, forecast, rollcall, scenario};

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tuning(c: &mut Criterion) {
    let bt = scenario::load(&root().join("scenarios/backtest/es11-3-2022.toml")).expect("loads");
    let rc = rollcall::read(&root().join("data/rollcalls/ES-11-3.csv")).expect("reads");
    let fit: Vec<ParamPath> = [
        "bloc.AU.discipline",
        "bloc.ArabLeague.discipline",
        "bloc.CSTO.discipline",
    ]
    .iter()
    .map(|p| ParamPath::parse(&bt, p, "--fit").expect("path"))
    .collect();
    let real = scenario::load(&root().join("scenarios/unga-es11-4-2022.toml")).expect("loads");
    let axis =
        sweep::parse_axis(&real, "campaign.\"Western outreach\".strength=0.75").expect("axis");
    let opts = RunOptions {
        ballots: Some(10_000),
        seed: Some(1),
        threads: Some(1),
        without_blocs: false,
    };
    let mut g = c.benchmark_group("tune");
    g.sample_size(10);
    g.bench_function("calibrate_es11_3", |b| {
        b.iter(|| {
            calibrate::calibrate(&bt, std::slice::from_ref(&rc), &fit, &Default::default())
                .expect("fits")
        })
    });
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("sweep_point_es11_4", |b| {
        b.iter(|| sweep::sweep(&real, std::slice::from_ref(&axis), &opts).expect("sweeps"))
    });
    g.bench_function("forecast_es11_4", |b| {
        b.iter(|| forecast(&real, &opts).expect("runs"))
    });
    g.finish();
}

criterion_group!(benches, tuning);
criterion_main!(benches);
