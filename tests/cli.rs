//! End-to-end tests of the `lobbysim` binary: real process, temp directories, stdout, stderr
//! and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lobbysim"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    root().join("scenarios/example.toml")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn every_shipped_scenario_validates() {
    let mut n = 0;
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            let out = run(&["validate", p.to_str().unwrap()]);
            assert!(
                out.status.success(),
                "{}: {}",
                p.display(),
                text(&out.stderr)
            );
            assert!(text(&out.stdout).contains(": ok"));
            n += 1;
        }
    }
    assert!(n >= 1);
}

#[test]
fn run_text_shows_summary_histogram_and_references() {
    let out = run(&["run", example().to_str().unwrap(), "--ballots", "20000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for needle in [
        "Example: twelve-state assembly",
        "20000 ballots",
        "P(adopted)",
        "P(yes >= 8)",
        "◀ Optimists' forecast (yes >= 8)",
        "◀ Hypothetical outcome (yes = 7)",
        "Swing states",
        "80% interval",
    ] {
        assert!(s.contains(needle), "missing {needle:?} in:\n{s}");
    }
    assert!(!s.contains("\x1b["), "no colour when not a terminal");
    assert!(out.stderr.is_empty(), "stderr: {}", text(&out.stderr));
}

#[test]
fn run_json_to_file_has_the_documented_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.json");
    let out = run(&[
        "run",
        example().to_str().unwrap(),
        "--ballots",
        "10000",
        "--seed",
        "42",
        "--threads",
        "2",
        "--format",
        "json",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(v["engine"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["scenario"]["name"], "Example: twelve-state assembly");
    let sha = v["scenario"]["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert_eq!(v["seed"], 42);
    assert_eq!(v["ballots"], 10000);
    for c in ["yes", "no", "abstain", "absent"] {
        let count = &v["counts"][c];
        assert!(count["mean"].is_number() && count["sd"].is_number());
        for q in ["p05", "p25", "p50", "p75", "p95"] {
            assert!(count["quantiles"][q].is_u64(), "{c}.{q}");
        }
        let h: u64 = count["histogram"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .sum();
        assert_eq!(h, 10000, "{c} histogram sums to ballots");
        assert_eq!(count["histogram"].as_array().unwrap().len(), 13);
    }
    let p = v["adoption"]["probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p));
    let refs = v["references"].as_array().unwrap();
    assert_eq!(refs.len(), 2);
    assert_eq!(refs[0]["label"], "Optimists' forecast");
    assert!(refs[0]["probability"].is_f64());
    assert_eq!(refs[1]["actual"]["yes"]["actual"], 7);
    let states = v["states"].as_array().unwrap();
    assert_eq!(states.len(), 12);
    for st in states {
        let sum: f64 = ["p_yes", "p_no", "p_abstain", "p_absent"]
            .iter()
            .map(|k| st[k].as_f64().unwrap())
            .sum();
        assert!((sum - 1.0).abs() < 1e-12, "{st}");
    }
    // Same bytes on stdout with `--output -`.
    let dash = run(&[
        "run",
        example().to_str().unwrap(),
        "--ballots",
        "10000",
        "--seed",
        "42",
        "--threads",
        "1",
        "--format",
        "json",
        "--output",
        "-",
    ]);
    assert_eq!(dash.stdout, std::fs::read(&path).unwrap());
}

/// The determinism contract at the command line: the same scenario and seed give the same
/// JSON bytes on 1, 2 and 7 threads — for the example and for a 193-state assembly with blocs,
/// leaders and campaigns (several chunks, a partial last chunk, and the widest SIMD pass this
/// CPU has; `LOBBYSIM_SIMD=baseline`, the portable pass without fused multiply-adds, gives the
/// same bytes too).
#[test]
fn json_is_identical_on_1_2_and_7_threads() {
    let big = root().join("tests/scenarios/synthetic193.toml");
    let json = |scenario: &Path, threads: &str, simd: Option<&str>| -> Vec<u8> {
        let mut cmd = bin();
        if let Some(simd) = simd {
            cmd.env("LOBBYSIM_SIMD", simd);
        }
        let out = cmd
            .args(["run", scenario.to_str().unwrap(), "--ballots", "30000"])
            .args(["--seed", "2022", "--threads", threads, "--format", "json"])
            .output()
            .expect("binary runs");
        assert!(out.status.success(), "{}", text(&out.stderr));
        out.stdout
    };
    for scenario in [example(), big] {
        let one = json(&scenario, "1", None);
        let shown = scenario.display();
        assert_eq!(one, json(&scenario, "2", None), "1 vs 2 threads, {shown}");
        assert_eq!(one, json(&scenario, "7", None), "1 vs 7 threads, {shown}");
        let portable = json(&scenario, "2", Some("baseline"));
        assert_eq!(one, portable, "portable pass, {shown}");
    }
}

/// The JSON manifest identifies every input: `scenario.inputs` lists each file the shipped
/// real scenario reads (members, four roll calls, the bloc list — once), as written in the
/// scenario, with the SHA-256 of its bytes; changing one byte of an input changes its hash.
#[test]
fn json_manifest_hashes_every_input_file() {
    use sha2::{Digest, Sha256};
    let hex = |b: &[u8]| -> String {
        Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect()
    };
    let real = root().join("scenarios/unga-es11-4-2022.toml");
    let out = run(&[
        "run",
        real.to_str().unwrap(),
        "--ballots",
        "1000",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let inputs = v["scenario"]["inputs"].as_array().expect("inputs");
    let files: Vec<&str> = inputs.iter().map(|i| i["file"].as_str().unwrap()).collect();
    assert_eq!(files.len(), 6, "{files:?}");
    assert!(files.contains(&"../data/members.csv") && files.contains(&"../data/blocs.csv"));
    for i in inputs {
        let path = real.parent().unwrap().join(i["file"].as_str().unwrap());
        assert_eq!(
            i["sha256"],
            hex(&std::fs::read(&path).unwrap()),
            "{}",
            path.display()
        );
    }
    // A copy of the example with one byte of its members file changed: only that hash moves.
    let dir = tempfile::tempdir().unwrap();
    for f in ["example.toml", "example-members.csv"] {
        std::fs::copy(root().join("scenarios").join(f), dir.path().join(f)).unwrap();
    }
    let manifest = |dir: &Path| -> serde_json::Value {
        let out = run(&[
            "run",
            dir.join("example.toml").to_str().unwrap(),
            "--ballots",
            "100",
            "--format",
            "json",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["scenario"].clone()
    };
    let before = manifest(dir.path());
    let csv = dir.path().join("example-members.csv");
    let mut body = std::fs::read_to_string(&csv).unwrap();
    body.push('\n');
    std::fs::write(&csv, body).unwrap();
    let after = manifest(dir.path());
    assert_eq!(before["sha256"], after["sha256"]);
    assert_ne!(before["inputs"][0]["sha256"], after["inputs"][0]["sha256"]);
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn validate_lists_every_problem_with_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let body = r#"[scenario]
name = "broken"

[simulation]
ballots = 0
seed = 1

[[state]]
iso3 = "AAA"
p_yes = 0.7
p_no = 0.2
p_abstain = 0.2
p_absent = 0.0

[[state]]
iso3 = "BBB"
p_yes = 1.5
p_no = 0.0
p_abstain = 0.0
p_absent = 0.0

[[bloc]]
name = "X"
members = ["AAA", "ZZZ"]
cohesion = 1.0

[[campaign]]
name = "c"
actor = "AAA"
direction = "yes"
strength = 1.0
targets = [{ state = "BBB", effort = -1.0 }]
"#;
    let p = write(dir.path(), "broken.toml", body);
    let out = run(&["validate", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    for needle in [
        "broken.toml:5: [simulation].ballots: must be between 1 and 10000000000, got 0",
        "broken.toml:8: state AAA: p_yes + p_no + p_abstain + p_absent: must sum to 1",
        "broken.toml:15: state BBB: p_yes: must be in [0, 1], got 1.5",
        "broken.toml:22: [[bloc]] X: members: unknown state \"ZZZ\"",
        "broken.toml:22: [[bloc]] X: cohesion: must be in [0, 1), got 1",
        "broken.toml:27: [[campaign]] c: targets[0].effort: must be in [0, 1000000], got -1",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }
    // `run` refuses the same file with the same messages and a non-zero exit code.
    let r = run(&["run", p.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    assert!(
        text(&r.stderr).contains("6 problems found"),
        "{}",
        text(&r.stderr)
    );
}

#[test]
fn malformed_toml_and_unknown_fields_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "typo.toml",
        "[scenario]\nname = \"x\"\n[simulation]\nballots = 10\nseed = 1\nbalots = 3\n",
    );
    let out = run(&["validate", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    assert!(e.contains("typo.toml:6:"), "{e}");
    assert!(e.contains("unknown field `balots`"), "{e}");

    let p = write(dir.path(), "trunc.toml", "[scenario]\nname = \"x");
    let e = text(&run(&["validate", p.to_str().unwrap()]).stderr);
    assert!(e.contains("trunc.toml:2:"), "{e}");
}

#[test]
fn members_csv_errors_name_the_csv_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m.csv",
        "iso3,name,p_yes,p_no,p_abstain,p_absent\nAAA,A,0.5,0.5,0,0\nBBB,B,0.5,abc,0,0\nAAA,A2,0.5,0.5,0,0\n",
    );
    let p = write(
        dir.path(),
        "s.toml",
        "[scenario]\nname = \"x\"\n[simulation]\nballots = 10\nseed = 1\n[members]\nfile = \"m.csv\"\n",
    );
    let e = text(&run(&["validate", p.to_str().unwrap()]).stderr);
    assert!(
        e.contains("m.csv:3: p_no: expected a number, got \"abc\""),
        "{e}"
    );

    write(
        dir.path(),
        "m.csv",
        "iso3,name,p_yes,p_no,p_abstain,p_absent\nAAA,A,0.5,0.5,0,0\nAAA,A2,0.5,0.5,0,0\n",
    );
    let e = text(&run(&["validate", p.to_str().unwrap()]).stderr);
    assert!(
        e.contains("m.csv:3: state AAA: duplicate state (first defined at line 2)"),
        "{e}"
    );

    std::fs::remove_file(dir.path().join("m.csv")).unwrap();
    let out = run(&["run", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("m.csv"), "{}", text(&out.stderr));
}

#[test]
fn absurd_command_line_values_are_refused() {
    let ex = example();
    for args in [
        vec!["run", ex.to_str().unwrap(), "--ballots", "0"],
        vec!["run", ex.to_str().unwrap(), "--ballots", "1000000000000"],
        vec!["run", ex.to_str().unwrap(), "--threads", "0"],
        vec!["run", ex.to_str().unwrap(), "--seed", "-4"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
    let out = run(&["run", "no/such/file.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no/such/file.toml"));
}
