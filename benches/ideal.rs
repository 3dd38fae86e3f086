//! Ideal-point model benchmarks (criterion), on `data/unga/`.
//!
//! Groups:
//! * `ideal/history` — reading and validating both history files (458,026 votes); target
//!   well under a second.
//! * `ideal/objective` — one evaluation of the log posterior and its gradient on the 2012–2022
//!   window (870 roll calls, 167,910 state votes), for the issue's D = 10, K = 3 and for the
//!   defaults, on 1 and 2 threads.
//! * `ideal/fit` — the whole fit of 2012–2022 (start values, preconditioner, L-BFGS to
//!   convergence, canonical rotation) for D = 10, K = 3 (the issue's target: ≤ 15 s on two
//!   cores) and for the defaults, on the default thread pool. Ten samples each.
//! * `ideal/prior` — the prior for one new vote (193 members, three like roll calls) from a
//!   fitted model; target ≪ 0.2 s.
//!
//! Run: `cargo bench --bench ideal` (add a group name to run one, e.g. `-- ideal/prior`).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput};

use lobbysim::ideal::design::Design;
use lobbysim::ideal::init::start_values;
use lobbysim::ideal::objective::{Objective, Scratch};
use lobbysim::ideal::predict::read_members;
use lobbysim::ideal::{Date, FitOptions, History, PoolOptions, Window, fit, prior};

fn window() -> Window {
    let since: Date = "2012-01-01".parse().expect("date");
    Window::new(Some(since), None).expect("window")
}

fn issue_options() -> FitOptions {
    FitOptions {
        dims: 10,
        absence_rank: 3,
        ..FitOptions::default()
    }
}

fn bench_history(c: &mut Criterion) {
    let mut g = c.benchmark_group("ideal/history");
    g.throughput(Throughput::Elements(458_026));
    g.bench_function("read data/unga", |b| {
        b.iter(|| {
            black_box(History::read(Path::new("data/unga"), Window::default()).expect("read"))
        })
    });
    g.finish();
}

fn bench_objective(c: &mut Criterion, h: &History) {
    let mut g = c.benchmark_group("ideal/objective");
    for (name, o) in [
        ("D10K3", issue_options()),
        ("default", FitOptions::default()),
    ] {
        let design = Design::new(h, o.dims, o.absence_rank).expect("design");
        let theta = start_values(h, &design);
        let obj = Objective::new(&design, &o);
        g.throughput(Throughput::Elements(design.observations() as u64));
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let mut grad = vec![0.0; theta.len()];
            let mut scratch = Scratch::default();
            g.bench_function(format!("{name}/threads={threads}"), |b| {
                b.iter(|| pool.install(|| black_box(obj.evaluate(&theta, &mut grad, &mut scratch))))
            });
        }
    }
    g.finish();
}

fn bench_fit(c: &mut Criterion, h: &History) {
    let mut g = c.benchmark_group("ideal/fit");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(60));
    for (name, o) in [
        ("2012-2022 D10K3", issue_options()),
        ("2012-2022 default", FitOptions::default()),
    ] {
        g.bench_function(name, |b| b.iter(|| black_box(fit(h, &o).expect("fit"))));
    }
    g.finish();
}

fn bench_prior(c: &mut Criterion, h: &History) {
    let model = fit(h, &FitOptions::default()).expect("fit");
    let members = read_members(Path::new("data/members.csv")).expect("members");
    let like: Vec<String> = ["A/RES/ES-11/1", "A/RES/ES-11/2", "A/RES/68/262"]
        .into_iter()
        .map(String::from)
        .collect();
    let date: Date = "2022-10-12".parse().expect("date");
    let pool = PoolOptions::default();
    let mut g = c.benchmark_group("ideal/prior");
    g.throughput(Throughput::Elements(members.len() as u64));
    g.bench_function("ES-11/4, 193 members, 3 like", |b| {
        b.iter(|| black_box(prior(&model, &like, date, Some(&members), &pool).expect("prior")))
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let h = History::read(Path::new("data/unga"), window()).expect("data/unga");
    bench_history(&mut c);
    bench_objective(&mut c, &h);
    bench_prior(&mut c, &h);
    bench_fit(&mut c, &h);
    c.final_summary();
}
