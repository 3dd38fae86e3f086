use std::collections::BTreeMap;

use super::*;
use crate::scenario::test_support::{example, example_with_evidence};
use crate::simulate::CHUNK_BALLOTS;

fn opts(ballots: u64, threads: usize) -> RunOptions {
    RunOptions {
        ballots: Some(ballots),
        seed: Some(12),
        threads: Some(threads),
        without_blocs: false,
    }
}

/// With evidence, the one pass (visitor) gives exactly the kernel's integer tallies, over any
/// range of chunks, and reports every ballot to the progress hook once.
#[test]
fn evidence_pass_tallies_like_the_kernel() {
    let s = example_with_evidence([8, 1, 2, 1]);
    let workers = Workers::new(Some(2)).unwrap();
    let o = opts(7 * CHUNK_BALLOTS - 100, 2);
    let run = Run::new(&s, &o, &workers).unwrap();
    for range in [0..7, 2..5, 6..7, 3..3] {
        let seen = std::sync::atomic::AtomicU64::new(0);
        let t = run
            .tallies(range.clone(), &|n| {
                seen.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            })
            .unwrap();
        assert_eq!(
            t.tally,
            run.tally(range.clone(), &|_| {}).unwrap(),
            "{range:?}"
        );
        assert_eq!(seen.into_inner(), t.tally.ballots);
        let nodes = t.evidence.unwrap();
        let ranges: Vec<[u64; 2]> = nodes.iter().map(|n| n.chunks).collect();
        assert_eq!(ranges, chunk_tree::cover(range, 7));
    }
}

/// Weighted tallies of shards' node covers, combined, are bit for bit the tally of the whole
/// run, for several ways of splitting it, and on any number of threads; they survive a JSON
/// round trip exactly; a missing chunk is an error, not a wrong answer.
#[test]
fn shard_nodes_combine_to_the_whole_run_exactly() {
    let s = example_with_evidence([8, 1, 2, 1]);
    let o = opts(7 * CHUNK_BALLOTS - 100, 2);
    let whole = forecast(&s, &o).unwrap();
    let c = whole.conditioned.clone().expect("conditioned forecast");
    assert_eq!(forecast(&s, &opts(o.ballots.unwrap(), 3)).unwrap(), whole);
    let workers = Workers::new(Some(2)).unwrap();
    let run = Run::new(&s, &o, &workers).unwrap();
    for cuts in [
        vec![0, 7],
        vec![0, 3, 7],
        vec![0, 1, 2, 5, 6, 7],
        vec![0, 0, 4, 7, 7],
    ] {
        let mut tally = Tally::new(s.states.len());
        let mut nodes = Vec::new();
        for r in cuts.windows(2) {
            let t = run.tallies(r[0]..r[1], &|_| {}).unwrap();
            tally.merge(&t.tally);
            for n in t.evidence.unwrap() {
                let json = serde_json::to_string(&n).unwrap();
                let back: WeightedNode = serde_json::from_str(&json).unwrap();
                assert_eq!(back, n);
                nodes.push(n);
            }
        }
        let f = run.assemble(&tally, Some(&nodes)).unwrap();
        assert_eq!(f, whole, "cuts {cuts:?}");
        let got = f.conditioned.unwrap();
        assert_eq!(
            got.effective_sample_size.to_bits(),
            c.effective_sample_size.to_bits()
        );
    }
    // A missing chunk is an error, not a wrong answer.
    let part = run.tallies(0..6, &|_| {}).unwrap();
    let mut map = BTreeMap::new();
    for n in part.evidence.unwrap() {
        map.insert(n.chunks, n.tally);
    }
    assert!(chunk_tree::combine(7, &map).is_err());
}

/// A precision run's forecast is the plain run's with the ballots it used, conditioned part
/// included, whether the doubling schedule or the ballot cap ends it.
#[test]
fn precision_runs_equal_plain_runs() {
    let s = example_with_evidence([8, 1, 2, 1]);
    for (cap, target) in [(200 * CHUNK_BALLOTS, 0.004), (40 * CHUNK_BALLOTS - 7, 1e-4)] {
        let o = opts(cap, 2);
        let p = forecast_to_precision(&s, &o, target).unwrap();
        let plain = forecast(&s, &opts(p.forecast.ballots, 1)).unwrap();
        assert_eq!(p.forecast, plain, "cap {cap}");
        assert_eq!(p.reached, p.forecast.ballots < cap);
    }
    let e = forecast_to_precision(&example(), &RunOptions::default(), 0.7).unwrap_err();
    assert!(
        matches!(&e, Error::Argument { flag, .. } if flag == "--precision"),
        "{e}"
    );
}

/// Settings are checked before any work: ballots out of range, zero threads.
#[test]
fn run_settings_are_checked_up_front() {
    let s = example();
    let workers = Workers::new(None).unwrap();
    let e = Run::new(&s, &opts(0, 1), &workers).err().unwrap();
    assert!(matches!(e, Error::Ballots { ballots: 0, .. }), "{e}");
    let e = Run::new(&s, &opts(MAX_BALLOTS + 1, 1), &workers)
        .err()
        .unwrap();
    assert!(matches!(e, Error::Ballots { .. }), "{e}");
    assert!(matches!(Workers::new(Some(0)), Err(Error::ZeroThreads)));
    assert_eq!(Workers::new(Some(3)).unwrap().threads(), 3);
}
