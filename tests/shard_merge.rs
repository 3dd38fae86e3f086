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

/// Writes shards `1..=n` (files `<prefix><i>-of-<n>.json`) of `lobbysim <command>` on
/// `scenario` with `args`, shard `i` on `1 + i % 2` threads.
fn command_shards(
    dir: &Path,
    command: &str,
    scenario: &str,
    prefix: &str,
    n: u64,
    args: &[&str],
) -> Vec<String> {
    (1..=n)
        .map(|i| {
            let name = format!("{prefix}{i}-of-{n}.json");
            let shard = format!("{i}/{n}");
            let threads = (1 + i % 2).to_string();
            let mut all = vec![command, scenario];
            all.extend_from_slice(args);
            all.extend(["--threads", &threads, "--shard", &shard, "-o", &name]);
            ok(dir, &all);
            name
        })
        .collect()
}

/// Writes shards `1..=n` of a run of `ballots` ballots (see [`command_shards`]).
fn shards(dir: &Path, prefix: &str, n: u64, ballots: &str, extra: &[&str]) -> Vec<String> {
    let ex = example();
    let args = [&["--ballots", ballots], extra].concat();
    command_shards(dir, "run", ex.to_str().unwrap(), prefix, n, &args)
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

const STRENGTH: &str = "campaign.\"Northern outreach\".strength=0:2:0.5";
const COHESION: &str = "bloc.\"Eastern Pact\".cohesion=0,0.4";

/// Writes shards `1..=n` of a sweep (see [`command_shards`]).
fn sweep_shards(dir: &Path, prefix: &str, n: u64, sweep: &[&str]) -> Vec<String> {
    command_shards(dir, "sweep", example().to_str().unwrap(), prefix, n, sweep)
}

#[test]
fn sweep_shards_merge_to_the_single_sweep_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ex = example();
    let ex = ex.to_str().unwrap();
    // A 5 × 2 grid of 10 points in 3 uneven shards (3, 3, 4 points), and a 3-point grid in
    // 5 shards (two of them empty), without blocs.
    let cases: [(&[&str], u64); 2] = [
        (
            &["--set", STRENGTH, "--set", COHESION, "--ballots", "9000"],
            3,
        ),
        (
            &[
                "--set",
                "state.LLL.p_yes=0.2,0.4,0.6",
                "--ballots",
                "5000",
                "--seed",
                "3",
                "--without-blocs",
            ],
            5,
        ),
    ];
    for (k, (sweep, n)) in cases.iter().enumerate() {
        let names = sweep_shards(d, &format!("c{k}-"), *n, sweep);
        let shard: serde_json::Value = serde_json::from_slice(&read(d, &names[0])).unwrap();
        assert_eq!(shard["format"], "lobbysim-sweep-shard-1");
        let rev: Vec<&str> = names.iter().rev().map(String::as_str).collect();
        for fmt in ["text", "json", "csv", "svg"] {
            let single = format!("single-{k}.{fmt}");
            let merged = format!("merged-{k}.{fmt}");
            let mut args = vec!["sweep", ex];
            args.extend_from_slice(sweep);
            args.extend(["--threads", "2", "--format", fmt, "-o", &single]);
            ok(d, &args);
            let mut args = vec!["merge", "--format", fmt, "-o", &merged];
            args.extend(rev.iter().copied());
            ok(d, &args);
            assert_eq!(read(d, &single), read(d, &merged), "case {k}, {fmt}");
        }
    }
    // The default format (text) to stdout, scenario given explicitly.
    let names = sweep_shards(d, "t", 2, &["--set", STRENGTH, "--ballots", "5000"]);
    let single = ok(d, &["sweep", ex, "--set", STRENGTH, "--ballots", "5000"]);
    let merged = ok(d, &["merge", "--scenario", ex, &names[0], &names[1]]);
    assert_eq!(single.stdout, merged.stdout);
    assert!(merged.stderr.is_empty());
}

#[test]
fn merge_refuses_sweep_shards_that_do_not_belong_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = ["--set", STRENGTH, "--ballots", "5000"];
    let names = sweep_shards(d, "s", 3, &base);
    let fail = |args: &[&str], want: &str| {
        let out = run(d, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: expected {want:?} in {err}");
    };

    fail(
        &["merge", &names[0], &names[2]],
        "missing shard(s): 2/3 (every grid point must be covered exactly once)",
    );
    fail(
        &["merge", &names[0], &names[1], &names[1], &names[2]],
        "s2-of-3.json: shard: shard 2/3 also given as s2-of-3.json",
    );
    // Another seed, another grid, another ballot count: each named by file and field.
    let seed = sweep_shards(d, "seed", 3, &[&base[..], &["--seed", "99"]].concat());
    fail(
        &["merge", &names[0], &seed[1], &names[2]],
        "seed2-of-3.json: seed: 99 differs from 20221012 in s1-of-3.json",
    );
    let grid = sweep_shards(
        d,
        "grid",
        3,
        &["--set", STRENGTH, "--set", COHESION, "--ballots", "5000"],
    );
    fail(
        &["merge", &names[0], &grid[1], &names[2]],
        "grid2-of-3.json: set: ",
    );
    let ballots = sweep_shards(d, "b", 3, &["--set", STRENGTH, "--ballots", "6000"]);
    fail(
        &["merge", &names[0], &ballots[1], &names[2]],
        "b2-of-3.json: ballots: 6000 differs from 5000",
    );
    // Another shard count.
    let two = sweep_shards(d, "two", 2, &base);
    fail(
        &["merge", &names[0], &two[1], &names[2]],
        "shards: 2 differs from 3",
    );
    // A shard file whose point range was tampered with.
    let text = String::from_utf8(read(d, &names[1])).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let points = format!("\"points\":{}", v["points"]);
    assert!(text.contains(&points), "{text}");
    std::fs::write(
        d.join("tampered.json"),
        text.replace(&points, "\"points\":[0,1]"),
    )
    .unwrap();
    fail(
        &["merge", &names[0], "tampered.json", &names[2]],
        "tampered.json: points: [0, 1] but shard 2/3 of a 5-point grid must cover points 1..3",
    );
    // Run and sweep shards cannot be mixed.
    let run_shards = shards(d, "r", 2, "5000", &[]);
    fail(
        &["merge", &names[0], &run_shards[0]],
        "cannot merge shards of different kinds: s1-of-3.json is a shard of `lobbysim sweep`, \
         r1-of-2.json of `lobbysim run`",
    );
    // Formats of the other kind.
    fail(
        &["merge", "--format", "md", &names[0], &names[1], &names[2]],
        "--format md is only for run shards",
    );
    fail(
        &["merge", "--format", "svg", &run_shards[0], &run_shards[1]],
        "--format svg is only for sweep shards",
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
    fail(
        &[
            "merge",
            "--scenario",
            "changed.toml",
            &names[0],
            &names[1],
            &names[2],
        ],
        "but the shards were made from a file with SHA-256",
    );
    // The complete set still merges, and a bad --shard is a usage error.
    ok(d, &["merge", &names[0], &names[1], &names[2]]);
    let ex = example();
    for bad in ["0/3", "4/3", "3", "a/b"] {
        let out = run(
            d,
            &[
                "sweep",
                ex.to_str().unwrap(),
                "--set",
                STRENGTH,
                "--shard",
                bad,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
    }
}

/// Writes `es11-4-evidence.toml` into `dir`: the shipped ES-11/4 scenario (its data paths made
/// absolute) plus the 10 Oct 2022 procedural vote as `[[evidence]]`, mapped as in
/// docs/model.md (shift −0.5, absent 34/193).
fn es11_4_with_evidence(dir: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/unga-es11-4-2022.toml")).unwrap();
    let text = text.replace("\"../data/", &format!("\"{}/data/", root.display()));
    let text = format!(
        "{text}\n[[evidence]]\nlabel = \"Secret-ballot motion, 10 Oct 2022\"\n\
         observed = {{ yes = 107, no = 13, abstain = 39, absent = 34 }}\nshift = -0.5\n\
         absent = 0.176\n"
    );
    std::fs::write(dir.join("es11-4-evidence.toml"), text).unwrap();
    "es11-4-evidence.toml".into()
}

/// Shards of a run of a scenario with evidence carry the weighted tallies of their chunk-tree
/// nodes, and merge rebuilds the conditioned forecast bit for bit: the merged output equals
/// the single run's in every byte (the check of issue 6 on the real scenario, 20,000 ballots).
#[test]
fn evidence_shards_merge_to_the_single_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = es11_4_with_evidence(d);
    let single = |fmt: &str, threads: &str| {
        ok(
            d,
            &[
                "run",
                &scen,
                "--ballots",
                "20000",
                "--threads",
                threads,
                "--format",
                fmt,
            ],
        )
        .stdout
    };
    let json = single("json", "2");
    assert_eq!(json, single("json", "1"), "thread invariance with evidence");
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let c = &v["conditioned"];
    assert_eq!(c["ballots"], 20000);
    assert!(c["effective_sample_size"].as_f64().unwrap() > 1000.0, "{c}");
    let singles = [
        ("json", json.clone()),
        ("text", single("text", "2")),
        ("md", single("md", "2")),
    ];
    // 20,000 ballots = 5 chunks: 2 shards as in the issue, and 7 (two of them empty).
    for n in [2u64, 7] {
        let names = command_shards(d, "run", &scen, "e", n, &["--ballots", "20000"]);
        let file: serde_json::Value = serde_json::from_slice(&read(d, &names[0])).unwrap();
        assert!(
            file["evidence"].is_array(),
            "no evidence tallies in the shard"
        );
        for (fmt, want) in &singles {
            let mut args = vec!["merge", "--format", fmt];
            args.extend(names.iter().rev().map(String::as_str));
            let merged = ok(d, &args).stdout;
            assert_eq!(&merged, want, "{n} shards, {fmt}");
        }
    }
}

#[test]
fn merge_refuses_evidence_shards_with_missing_or_wrong_tallies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = es11_4_with_evidence(d);
    let names = command_shards(d, "run", &scen, "e", 3, &["--ballots", "12000"]);
    let fail = |args: &[&str], want: &str| {
        let out = run(d, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: expected {want:?} in {err}");
    };
    // A shard without its evidence tallies (as an older lobbysim would have written it).
    let strip = |name: &str, out: &str| {
        let mut v: serde_json::Value = serde_json::from_slice(&read(d, name)).unwrap();
        v.as_object_mut().unwrap().remove("evidence");
        std::fs::write(d.join(out), serde_json::to_string(&v).unwrap()).unwrap();
    };
    strip(&names[1], "bare2.json");
    fail(
        &["merge", &names[0], "bare2.json", &names[2]],
        "bare2.json: evidence: has no evidence tallies, unlike the first shard",
    );
    strip(&names[0], "bare1.json");
    strip(&names[2], "bare3.json");
    fail(
        &["merge", "bare1.json", "bare2.json", "bare3.json"],
        "has [[evidence]] but the shards carry no evidence tallies",
    );
    // Tallies of the wrong chunk-tree nodes.
    let mut v: serde_json::Value = serde_json::from_slice(&read(d, &names[2])).unwrap();
    v["evidence"][0]["chunks"] = serde_json::json!([0, 1]);
    std::fs::write(d.join("moved.json"), serde_json::to_string(&v).unwrap()).unwrap();
    fail(
        &["merge", &names[0], &names[1], "moved.json"],
        "moved.json: evidence: covers chunk-tree nodes [[0, 1]]; the shard's chunks need [[2, 3]]",
    );
    // A corrupted float.
    let text = String::from_utf8(read(d, &names[0])).unwrap();
    let at = text.find("\"sum_w\":\"").unwrap() + 9;
    let corrupt = format!("{}zz{}", &text[..at], &text[at + 2..]);
    std::fs::write(d.join("corrupt.json"), corrupt).unwrap();
    fail(
        &["merge", "corrupt.json", &names[1], &names[2]],
        "corrupt.json:1: not a lobbysim shard file",
    );
    ok(d, &["merge", &names[0], &names[1], &names[2]]);
}

/// `run --precision` on a scenario with evidence also reports the conditioned forecast, exactly
/// as a plain run with the ballots it used.
#[test]
fn precision_run_with_evidence_equals_plain_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The example scenario with an earlier vote as evidence.
    let text = std::fs::read_to_string(example()).unwrap();
    std::fs::copy(
        example().with_file_name("example-members.csv"),
        d.join("example-members.csv"),
    )
    .unwrap();
    let text = format!(
        "{text}\n[[evidence]]\nlabel = \"earlier\"\nobserved = {{ yes = 8, no = 1, abstain = 2, absent = 1 }}\n"
    );
    std::fs::write(d.join("ev.toml"), text).unwrap();
    let scen = "ev.toml";
    let out = ok(
        d,
        &[
            "run",
            scen,
            "--precision",
            "0.003",
            "--format",
            "json",
            "-o",
            "p.json",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let ballots = err
        .split("reached with ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap_or_else(|| panic!("no ballot count in {err:?}"));
    ok(
        d,
        &[
            "run",
            scen,
            "--ballots",
            ballots,
            "--format",
            "json",
            "-o",
            "plain.json",
        ],
    );
    let p = read(d, "p.json");
    assert_eq!(p, read(d, "plain.json"));
    let v: serde_json::Value = serde_json::from_slice(&p).unwrap();
    assert!(v["conditioned"]["effective_sample_size"].is_number(), "{v}");
}
