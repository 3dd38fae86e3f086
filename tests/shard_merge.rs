//! End-to-end: `run --shard i/n` + `merge` reproduce a single run byte for byte; `merge`
//! refuses shards that do not belong together; `run --precision` equals a plain run with the
//! ballots it reports.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lobbysim"))
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("binary runs")
}

fn ok(dir: &Path, args: &[&str]) -> Output {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn read(dir: &Path, f: &str) -> Vec<u8> {
    std::fs::read(dir.join(f)).unwrap()
}

/// Writes shards `1..=n` (files `<prefix><i>-of-<n>.json`) of a run of `ballots` ballots, shard `i` on `1 + i % 2` threads.
fn shards(dir: &Path, prefix: &str, n: u64, ballots: &str, extra: &[&str]) -> Vec<String> {
    let ex = example();
    (1..=n)
        .map(|i| {
            let name = format!("{prefix}{i}-of-{n}.json");
            let shard = format!("{i}/{n}");
            let threads = (1 + i % 2).to_string();
            let mut args = vec![
                "run",
                ex.to_str().unwrap(),
                "--ballots",
                ballots,
                "--threads",
                &threads,
                "--shard",
                &shard,
                "-o",
                &name,
            ];
            args.extend_from_slice(extra);
            ok(dir, &args);
            name
        })
        .collect()
}

#[test]
fn shards_merge_to_the_single_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ex = example();
    let ex = ex.to_str().unwrap();
    // 30,000 ballots = 8 chunks (the last one partial); 3 uneven shards, and 11 shards (more
    // than chunks: some shards are empty).
    for n in [3, 11] {
        let names = shards(d, "s", n, "30000", &[]);
        let rev: Vec<&str> = names.iter().rev().map(String::as_str).collect();
        for fmt in ["json", "text"] {
            let single = format!("single.{fmt}");
            let merged = format!("merged-{n}.{fmt}");
            ok(
                d,
                &[
                    "run",
                    ex,
                    "--ballots",
                    "30000",
                    "--threads",
                    "2",
                    "--format",
                    fmt,
                    "-o",
                    &single,
                ],
            );
            let mut args = vec!["merge", "--format", fmt, "-o", &merged];
            args.append(&mut rev.clone());
            ok(d, &args);
            assert_eq!(read(d, &single), read(d, &merged), "{n} shards, {fmt}");
        }
    }
    // Merge to stdout with the default (text) format, too.
    let names = shards(d, "w", 2, "9000", &["--without-blocs"]);
    let single = ok(d, &["run", ex, "--ballots", "9000", "--without-blocs"]);
    let merged = ok(d, &["merge", &names[0], &names[1]]);
    assert_eq!(single.stdout, merged.stdout);
    assert!(merged.stderr.is_empty());
}

#[test]
fn merge_refuses_shards_that_do_not_belong_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let names = shards(d, "s", 3, "20000", &[]);
    let other = shards(d, "o", 3, "20000", &["--seed", "99"]);

    let missing = run(d, &["merge", &names[0], &names[2]]);
    assert_eq!(missing.status.code(), Some(1));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("missing shard(s): 2/3"), "{err}");
    assert!(missing.stdout.is_empty());

    let twice = run(d, &["merge", &names[0], &names[1], &names[1], &names[2]]);
    assert_eq!(twice.status.code(), Some(1));
    let err = String::from_utf8_lossy(&twice.stderr);
    assert!(
        err.contains("s2-of-3.json: shard: shard 2/3 also given"),
        "{err}"
    );

    // other[1] is shard 2/3 of a run with another seed: named with its file and field.
    let mixed = run(d, &["merge", &names[0], &other[1], &names[2]]);
    assert_eq!(mixed.status.code(), Some(1));
    let err = String::from_utf8_lossy(&mixed.stderr);
    assert!(err.contains("seed: 99 differs from"), "{err}");

    std::fs::write(d.join("junk.json"), "{\"format\": 1}\n").unwrap();
    let junk = run(d, &["merge", "junk.json"]);
    assert_eq!(junk.status.code(), Some(1));
    let err = String::from_utf8_lossy(&junk.stderr);
    assert!(
        err.contains("junk.json:1: not a lobbysim shard file"),
        "{err}"
    );

    // A scenario file that is not the one the shards were made from.
    let changed = d.join("changed.toml");
    let text = std::fs::read_to_string(example()).unwrap();
    std::fs::write(&changed, text.replace("seed = 20221012", "seed = 1")).unwrap();
    std::fs::copy(
        example().with_file_name("example-members.csv"),
        d.join("example-members.csv"),
    )
    .unwrap();
    let wrong = run(
        d,
        &[
            "merge",
            "--scenario",
            "changed.toml",
            &names[0],
            &names[1],
            &names[2],
        ],
    );
    assert_eq!(wrong.status.code(), Some(1));
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(err.contains("SHA-256"), "{err}");

    for bad in ["0/3", "4/3", "3", "a/b"] {
        let out = run(d, &["run", example().to_str().unwrap(), "--shard", bad]);
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
    }
}

#[test]
fn precision_run_equals_plain_run_with_the_ballots_it_reports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ex = example();
    let ex = ex.to_str().unwrap();
    let out = ok(
        d,
        &[
            "run",
            ex,
            "--precision",
            "0.0015",
            "--format",
            "json",
            "-o",
            "p.json",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let ballots: u64 = err
        .split("reached with ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|b| b.parse().ok())
        .unwrap_or_else(|| panic!("no ballot count in {err:?}"));
    // 0.0015 needs more than the first batch of 65,536 ballots for this scenario.
    assert!(
        ballots > 65_536 && ballots.is_multiple_of(4096),
        "{ballots}"
    );
    let b = ballots.to_string();
    ok(
        d,
        &[
            "run",
            ex,
            "--ballots",
            &b,
            "--format",
            "json",
            "-o",
            "plain.json",
        ],
    );
    assert_eq!(read(d, "p.json"), read(d, "plain.json"));
    // Same on one thread.
    ok(
        d,
        &[
            "run",
            ex,
            "--precision",
            "0.0015",
            "--threads",
            "1",
            "--format",
            "json",
            "-o",
            "p1.json",
        ],
    );
    assert_eq!(read(d, "p.json"), read(d, "p1.json"));

    // A cap below what the target needs: stops at the cap, warns, still succeeds.
    let capped = ok(
        d,
        &["run", ex, "--precision", "0.0001", "--ballots", "10000"],
    );
    let err = String::from_utf8_lossy(&capped.stderr);
    assert!(
        err.contains("not reached") && err.contains("10000 ballots"),
        "{err}"
    );

    for bad in ["0", "-1", "0.7", "nan"] {
        let arg = format!("--precision={bad}");
        let out = run(d, &["run", ex, &arg]);
        assert_eq!(out.status.code(), Some(1), "--precision {bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--precision"));
    }
}
