//! End-to-end tests of `sweep`, `calibrate`, `optimize` and `explain`: the real binary in a
//! temporary directory, checking stdout, stderr and the exit code.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> String {
    root()
        .join("scenarios/example.toml")
        .to_string_lossy()
        .into_owned()
}

fn rollcall(name: &str) -> String {
    root()
        .join("tests/data/tune")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lobbysim"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs")
}

fn ok_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = run(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    assert!(stderr.is_empty(), "unexpected stderr: {stderr}");
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert_eq!(out.status.code(), Some(1), "{args:?} should fail");
    assert!(out.stdout.is_empty());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const STRENGTH: &str = "campaign.\"Northern outreach\".strength";

#[test]
fn sweep_json_has_documented_keys_and_is_monotone() {
    let dir = tempfile::tempdir().unwrap();
    let set = format!("{STRENGTH}=0:2:0.5");
    let j = ok_json(
        dir.path(),
        &[
            "sweep",
            &example(),
            "--set",
            &set,
            "--ballots",
            "8192",
            "--format",
            "json",
        ],
    );
    let points = j["points"].as_array().unwrap();
    assert_eq!(points.len(), 5);
    let mut prev = f64::NEG_INFINITY;
    for (k, p) in points.iter().enumerate() {
        assert_eq!(p["params"][STRENGTH].as_f64().unwrap(), 0.5 * k as f64);
        let mean = p["yes"]["mean"].as_f64().unwrap();
        assert!(mean >= prev, "mean yes fell at point {k}");
        prev = mean;
        for q in ["p05", "p50", "p95"] {
            assert!(p["yes"]["quantiles"][q].is_u64());
        }
        assert!(p["adoption_probability"].is_f64());
        assert_eq!(p["references"][0]["label"], "Optimists' forecast");
        assert!(p["references"][0]["probability"].is_f64());
    }
    assert_eq!(j["run"]["ballots"], 8192);
}

#[test]
fn sweep_output_does_not_depend_on_threads_and_csv_writes_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let set = format!("{STRENGTH}=0.5,1");
    let args = |t: &'static str| {
        vec![
            "sweep".to_string(),
            example(),
            "--set".into(),
            set.clone(),
            "--set".into(),
            "state.LLL.p_yes=0.2:0.4:0.2".into(),
            "--ballots".into(),
            "10000".into(),
            "--threads".into(),
            t.into(),
            "--format".into(),
            "csv".into(),
        ]
    };
    let a = run(
        dir.path(),
        &args("1").iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let b = run(
        dir.path(),
        &args("2").iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(a.status.success() && b.status.success());
    assert_eq!(a.stdout, b.stdout);
    let csv = String::from_utf8(a.stdout).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(csv.lines().next().unwrap().contains("adoption_probability"));
    let mut with_file = args("2");
    with_file.extend(["--output".into(), "sweep.csv".into()]);
    let out = run(
        dir.path(),
        &with_file.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(out.status.success() && out.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sweep.csv")).unwrap(),
        csv
    );
}

#[test]
fn sweep_errors_name_the_path_and_suggest() {
    let dir = tempfile::tempdir().unwrap();
    let e = fails(
        dir.path(),
        &[
            "sweep",
            &example(),
            "--set",
            "bloc.\"Northern Unoin\".cohesion=0:0.5:0.1",
        ],
    );
    assert!(e.contains("unknown bloc \"Northern Unoin\""), "{e}");
    assert!(e.contains("bloc.\"Northern Union\".cohesion"), "{e}");
    let e = fails(
        dir.path(),
        &[
            "sweep",
            &example(),
            "--set",
            "campaign.\"Northern outreach\".direction=0:1:1",
        ],
    );
    assert!(e.contains("not a numeric parameter"), "{e}");
    let e = fails(
        dir.path(),
        &[
            "sweep",
            &example(),
            "--set",
            "model.global_correlation=0:1.5:0.5",
        ],
    );
    assert!(e.contains("must be in [0, 1)"), "{e}");
}

#[test]
fn calibrate_reports_fit_scores_and_uncertainty() {
    let dir = tempfile::tempdir().unwrap();
    let j = ok_json(
        dir.path(),
        &[
            "calibrate",
            &example(),
            "--against",
            &rollcall("example-rollcall.csv"),
            "--against",
            &rollcall("example-rollcall-2.csv"),
            "--fit",
            STRENGTH,
            "--ballots",
            "4096",
            "--format",
            "json",
        ],
    );
    let f = &j["fitted"][0];
    assert_eq!(f["path"], STRENGTH);
    let (v, se) = (f["value"].as_f64().unwrap(), f["stderr"].as_f64().unwrap());
    assert!(v > 0.0 && se > 0.0, "{f}");
    let iv = f["interval95"].as_array().unwrap();
    assert!(iv[0].as_f64().unwrap() <= v && v <= iv[1].as_f64().unwrap());
    let (lb, la) = (
        j["log_likelihood"]["before"].as_f64().unwrap(),
        j["log_likelihood"]["after"].as_f64().unwrap(),
    );
    assert!(la >= lb, "{lb} → {la}");
    assert!(j["brier"]["before"].is_f64() && j["brier"]["after"].is_f64());
    assert_eq!(j["observations"], 24);
}

#[test]
fn calibrate_refuses_what_it_cannot_identify_and_bad_rollcalls() {
    let dir = tempfile::tempdir().unwrap();
    let rc = rollcall("example-rollcall.csv");
    let e = fails(
        dir.path(),
        &[
            "calibrate",
            &example(),
            "--against",
            &rc,
            "--fit",
            "bloc.\"Eastern Pact\".cohesion",
        ],
    );
    assert!(e.contains("never changes any state's probabilities"), "{e}");
    let short = dir.path().join("short.csv");
    std::fs::write(&short, "iso3,country,vote\nAAA,Avalon,Y\nZZZ,Nowhere,N\n").unwrap();
    let e = fails(
        dir.path(),
        &[
            "calibrate",
            &example(),
            "--against",
            "short.csv",
            "--fit",
            STRENGTH,
        ],
    );
    assert!(
        e.contains("short.csv:3: iso3: unknown state \"ZZZ\""),
        "{e}"
    );
    assert!(e.contains("missing from the roll call"), "{e}");
    let e = fails(
        dir.path(),
        &[
            "calibrate",
            &example(),
            "--against",
            "nope.csv",
            "--fit",
            STRENGTH,
        ],
    );
    assert!(e.contains("nope.csv"), "{e}");
}

#[test]
fn optimize_reports_plan_and_objective() {
    let dir = tempfile::tempdir().unwrap();
    let j = ok_json(
        dir.path(),
        &[
            "optimize",
            &example(),
            "--campaign",
            "Northern outreach",
            "--budget",
            "3",
            "--steps",
            "6",
            "--objective",
            "P(yes>=8)",
            "--ballots",
            "4096",
            "--format",
            "json",
        ],
    );
    assert_eq!(j["objective"]["name"], "P(yes >= 8)");
    let (b, a) = (
        j["objective"]["start"].as_f64().unwrap(),
        j["objective"]["after"].as_f64().unwrap(),
    );
    assert!(a > b, "{b} → {a}");
    assert!(j["objective"]["before"].is_f64());
    let plan = j["plan"].as_array().unwrap();
    let total: f64 = plan.iter().map(|p| p["effort"].as_f64().unwrap()).sum();
    assert!((total - 3.0).abs() < 1e-9);
    assert!(
        plan.iter()
            .all(|p| p["iso3"].is_string() && p["gain"].is_f64())
    );
    let e = fails(
        dir.path(),
        &[
            "optimize",
            &example(),
            "--campaign",
            "Nope",
            "--budget",
            "1",
        ],
    );
    assert!(e.contains("unknown campaign"), "{e}");
    let e = fails(
        dir.path(),
        &[
            "optimize",
            &example(),
            "--campaign",
            "Northern outreach",
            "--budget",
            "1",
            "--objective",
            "yes>=8",
        ],
    );
    assert!(e.contains("--objective"), "{e}");
}

#[test]
fn explain_shows_the_decomposition() {
    let dir = tempfile::tempdir().unwrap();
    let j = ok_json(
        dir.path(),
        &["explain", &example(), "EEE", "--format", "json"],
    );
    assert_eq!(j["iso3"], "EEE");
    for k in ["p_yes", "p_no", "p_abstain", "p_absent"] {
        assert!(j["base"][k].is_f64() && j["final"][k].is_f64(), "{k}");
    }
    let c = j["contributions"].as_array().unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c[0]["source"], "campaign \"Northern outreach\" (yes)");
    assert!(c[0]["shift"].as_f64().unwrap() > 0.0);
    let out = run(dir.path(), &["explain", &example(), "FFF"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("leader AAA of bloc \"Northern Union\""),
        "{text}"
    );
    assert!(text.contains("Final (simulation)"), "{text}");
    let e = fails(dir.path(), &["explain", &example(), "ZZZ"]);
    assert!(e.contains("unknown state \"ZZZ\""), "{e}");
    // A format explain does not have is a usage error, refused before any work.
    let out = run(
        dir.path(),
        &["explain", &example(), "EEE", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("invalid value 'csv'") && e.contains("[possible values: text, json]"),
        "{e}"
    );
}

#[test]
fn calibrating_against_a_prior_rollcall_is_refused_as_circular() {
    let dir = tempfile::tempdir().unwrap();
    let s = root().join("scenarios/unga-es11-4-2022.toml");
    let rc = root().join("data/rollcalls/ES-11-1.csv");
    let e = fails(
        dir.path(),
        &[
            "calibrate",
            s.to_str().unwrap(),
            "--against",
            rc.to_str().unwrap(),
            "--fit",
            "campaign.\"Western outreach\".strength",
        ],
    );
    assert!(e.contains("base positions were estimated from"), "{e}");
}
