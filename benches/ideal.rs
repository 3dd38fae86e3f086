//! Ideal-point model benchmarks (criterion).
//!
//! Groups (on `data/unga/`, 2012-01-01 to the end, default options, D = 10):
//! * `ideal/objective` — one evaluation of the log posterior and its gradient, 1 and 2 threads.
//!
//! Run: `cargo bench --bench ideal`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput};

use lobbysim::ideal::design::Design;
use lobbysim::ideal::init::start_values;
use lobbysim::ideal::objective::{Objective, Scratch};
use lobbysim::ideal::{Date, FitOptions, History, Window};

fn history() -> History {
    let since: Date = "2012-01-01".parse().expect("date");
    History::read(
        Path::new("data/unga"),
        Window::new(Some(since), None).expect("window"),
    )
    .expect("data/unga")
}

fn bench_objective(c: &mut Criterion) {
    let h = history();
    let o = FitOptions::default();
    let design = Design::new(&h, o.dims, o.absence_rank).expect("design");
    let theta = start_values(&h, &design);
    let obj = Objective::new(&design, &o);
    let mut g = c.benchmark_group("ideal/objective");
    g.throughput(Throughput::Elements(design.observations() as u64));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let mut grad = vec![0.0; theta.len()];
        let mut scratch = Scratch::default();
        g.bench_function(format!("threads={threads}"), |b| {
            b.iter(|| pool.install(|| black_box(obj.evaluate(&theta, &mut grad, &mut scratch))))
        });
    }
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_objective(&mut c);
    c.final_summary();
}
