//! End-to-end tests of `lobbysim prior` and `lobbysim backtest` (and the `[prior]` section)
//! through the real binary, in temporary directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn lobbysim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lobbysim"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const MEMBERS: &str =
    "iso3,name,un_region\nAAA,Aland,G1\nBBB,Boland,G1\nCCC,Coland,G2\nDDD,Doland,G2\n";
const R1: &str = "iso3,country,vote\nAAA,A,Y\nBBB,B,A\nCCC,C,N\nDDD,D,Y\n";
const R2: &str = "iso3,country,vote\nAAA,A,Y\nBBB,B,Y\nCCC,C,N\nDDD,D,X\n";
const R3: &str = "iso3,country,vote\nAAA,A,Y\nBBB,B,A\nCCC,C,A\nDDD,D,Y\n";

/// A temp dir with the tiny members file, three roll calls and a scenario using `[prior]`.
fn fixture() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("members.csv"), MEMBERS).unwrap();
    std::fs::write(d.path().join("r1.csv"), R1).unwrap();
    std::fs::write(d.path().join("r2.csv"), R2).unwrap();
    std::fs::write(d.path().join("r3.csv"), R3).unwrap();
    std::fs::write(
        d.path().join("s.toml"),
        r#"[scenario]
name = "tiny"
[simulation]
ballots = 20000
seed = 1
[prior]
members = "members.csv"
rollcalls = [{ file = "r1.csv", weight = 1.0 }, { file = "r2.csv", weight = 2 }]
strength = 1.5
group_strength = 2
"#,
    )
    .unwrap();
    d
}

#[test]
fn prior_writes_a_members_csv_that_scenarios_read() {
    let d = fixture();
    let o = lobbysim(
        d.path(),
        &[
            "prior",
            "--members",
            "members.csv",
            "--rollcall",
            "r1.csv=1",
            "--rollcall",
            "r2.csv=2",
            "--strength",
            "1.5",
            "--group-strength",
            "2",
            "-o",
            "m.csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).contains("prior: 4 states, 2 roll calls"),
        "{}",
        stderr(&o)
    );
    let csv = std::fs::read_to_string(d.path().join("m.csv")).unwrap();
    assert!(
        csv.contains("\niso3,name,p_yes,p_no,p_abstain,p_absent\nAAA,Aland,"),
        "{csv}"
    );
    // The same numbers via --scenario (its [prior] has the same settings), to stdout.
    let o2 = lobbysim(d.path(), &["prior", "--scenario", "s.toml"]);
    assert!(o2.status.success(), "{}", stderr(&o2));
    let rows = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(String::from)
            .collect()
    };
    assert_eq!(rows(&csv), rows(&stdout(&o2)));
    // Hand check AAA: counts (3,0,0,0), W = 3. Assembly over 4 states (W·N = 12):
    // yes 6, no 3, abstain 1, absent 2 → π₀ = (t + ½)/14. G1 (AAA, BBB): yes 5, abstain 1 over
    // 6, β = 2 → π_G1 = (c + 2π₀)/8. p = (c + 1.5·π_G1)/4.5.
    let a0 = [6.5 / 14.0, 3.5 / 14.0, 1.5 / 14.0, 2.5 / 14.0];
    let g1: Vec<f64> = [5.0, 0.0, 1.0, 0.0]
        .iter()
        .zip(a0)
        .map(|(c, a)| (c + 2.0 * a) / 8.0)
        .collect();
    let want_yes = (3.0 + 1.5 * g1[0]) / 4.5;
    let aaa: Vec<f64> = rows(&csv)[1]
        .split(',')
        .skip(2)
        .map(|x| x.parse().unwrap())
        .collect();
    assert!((aaa[0] - want_yes).abs() < 1e-12, "{aaa:?} vs {want_yes}");
    // A scenario reading the written CSV validates with the same states.
    std::fs::write(
        d.path().join("via_csv.toml"),
        "[scenario]\nname = \"x\"\n[simulation]\nballots = 10\nseed = 1\n[members]\nfile = \"m.csv\"\n",
    )
    .unwrap();
    let v = lobbysim(d.path(), &["validate", "via_csv.toml"]);
    assert!(v.status.success(), "{}", stderr(&v));
    assert!(stdout(&v).contains("4 states"));
}

#[test]
fn prior_auto_strength_reports_cross_validation() {
    let d = fixture();
    let o = lobbysim(
        d.path(),
        &[
            "prior",
            "--members",
            "members.csv",
            "--rollcall",
            "r1.csv",
            "--rollcall",
            "r2.csv",
            "--rollcall",
            "r3.csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("over 3 folds"), "{}", stderr(&o));
    assert!(stdout(&o).contains("chosen by leave-one-roll-call-out CV"));
}

#[test]
fn prior_bad_input_names_file_and_line() {
    let d = fixture();
    std::fs::write(
        d.path().join("bad.csv"),
        "iso3,country,vote\nAAA,A,Y\nAAA,A,N\nBBB,B,Q\nZZZ,Z,Y\n",
    )
    .unwrap();
    let o = lobbysim(
        d.path(),
        &[
            "prior",
            "--members",
            "members.csv",
            "--rollcall",
            "bad.csv",
            "--strength",
            "1",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("bad.csv:3: state AAA: duplicate row (first at line 2)"),
        "{e}"
    );
    assert!(
        e.contains("bad.csv:4: vote of BBB: \"Q\" is not a vote"),
        "{e}"
    );
    // Once rows parse, unknown and missing states are reported.
    std::fs::write(
        d.path().join("cover.csv"),
        "iso3,country,vote\nAAA,A,Y\nBBB,B,N\nZZZ,Z,Y\n",
    )
    .unwrap();
    let o = lobbysim(
        d.path(),
        &[
            "prior",
            "--members",
            "members.csv",
            "--rollcall",
            "cover.csv",
            "--strength",
            "1",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("cover.csv:4: iso3: unknown state \"ZZZ\""),
        "{e}"
    );
    assert!(e.contains("missing from the roll call: CCC, DDD"), "{e}");
    // A missing roll-call file is named once, with the OS reason.
    let o = lobbysim(
        d.path(),
        &[
            "prior",
            "--members",
            "members.csv",
            "--rollcall",
            "gone.csv",
            "--strength",
            "1",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).lines().next().unwrap_or(""),
        "error: gone.csv: cannot read roll call: No such file or directory (os error 2)"
    );
    // A single roll call cannot choose strengths by cross-validation.
    let o = lobbysim(
        d.path(),
        &["prior", "--members", "members.csv", "--rollcall", "r1.csv"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("needs at least two"), "{}", stderr(&o));
    // A bad weight is refused by clap with a message naming it.
    let o = lobbysim(
        d.path(),
        &[
            "prior",
            "--members",
            "members.csv",
            "--rollcall",
            "r1.csv=x",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a weight"), "{}", stderr(&o));
}

#[test]
fn scenario_prior_section_errors_name_fields() {
    let d = fixture();
    std::fs::write(
        d.path().join("bad.toml"),
        r#"[scenario]
name = "bad"
[simulation]
ballots = 10
seed = 1
[members]
file = "m.csv"
[prior]
members = "members.csv"
rollcalls = [{ file = "r1.csv", weight = -1 }]
strength = "lots"
"#,
    )
    .unwrap();
    let o = lobbysim(d.path(), &["validate", "bad.toml"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("bad.toml:8: [prior]: give [members] or [prior], not both"),
        "{e}"
    );
    assert!(
        e.contains("bad.toml:8: [prior].strength: \"lots\" is neither"),
        "{e}"
    );
    assert!(
        e.contains("[prior].rollcalls[0].weight: must be a number in [0"),
        "{e}"
    );
    // When the states cannot be estimated, blocs and targets naming them are not each reported
    // as unknown.
    std::fs::write(
        d.path().join("gone.toml"),
        r#"[scenario]
name = "gone"
[simulation]
ballots = 10
seed = 1
[prior]
members = "members.csv"
rollcalls = [{ file = "r1.csv" }, { file = "missing.csv" }]
[[bloc]]
name = "B"
members = ["AAA", "BBB"]
"#,
    )
    .unwrap();
    let o = lobbysim(d.path(), &["validate", "gone.toml"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("gone.toml: 1 problem(s) found"), "{e}");
    assert!(e.contains("missing.csv: cannot read roll call"), "{e}");
}

#[test]
fn backtest_text_and_json_on_a_tiny_scenario() {
    let d = fixture();
    let o = lobbysim(d.path(), &["backtest", "s.toml", "--actual", "r3.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.contains("against r3.csv (2-0-2, 0 not voting)"), "{t}");
    for needle in [
        "lobbysim forecast",
        "last vote",
        "history mean",
        "Brier score",
        "log loss",
        "accuracy of most likely outcome",
        "percentile of actual",
        "Calibration of the lobbysim forecast",
        "Largest surprises",
    ] {
        assert!(t.contains(needle), "{needle}: {t}");
    }
    let o = lobbysim(
        d.path(),
        &[
            "backtest",
            "s.toml",
            "--actual",
            "r3.csv",
            "--format",
            "json",
            "--threads",
            "1",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["actual"], serde_json::json!([2, 0, 2, 0]));
    assert_eq!(v["states"], 4);
    let scores = v["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 3);
    // Last vote baseline by hand: last roll call r2 (shares yes ½, no ¼, absent ¼), ε = 0.2.
    // Probability of the r3 vote: AAA Y→Y 0.8 + 0.1; BBB Y→A 0 (floored); CCC N→A 0
    // (floored); DDD X→Y 0.1. Expected yes: 0.9 (AAA) + 0.9 (BBB) + 0.1 + 0.1.
    let last = &scores[1];
    assert_eq!(last["name"], "last vote");
    let ll = -(0.9f64.ln() + 1e-6f64.ln() * 2.0 + 0.1f64.ln()) / 4.0;
    assert!(
        (last["log_loss"].as_f64().unwrap() - ll).abs() < 1e-12,
        "{last}"
    );
    assert_eq!(last["accuracy"], 0.25);
    assert_eq!(
        last["counts"][0]["expected"].as_f64().unwrap(),
        0.9 + 0.9 + 0.1 + 0.1
    );
    // Same result on 2 threads (determinism of the simulated part).
    let o2 = lobbysim(
        d.path(),
        &[
            "backtest",
            "s.toml",
            "--actual",
            "r3.csv",
            "--format",
            "json",
            "--threads",
            "2",
        ],
    );
    assert_eq!(o.stdout, o2.stdout);
    // Scoring against a roll call the prior used is flagged.
    let o = lobbysim(d.path(), &["backtest", "s.toml", "--actual", "r2.csv"]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("warning: r2.csv records the same votes"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn backtest_refuses_a_roll_call_that_does_not_cover_the_states() {
    let d = fixture();
    std::fs::write(
        d.path().join("short.csv"),
        "iso3,country,vote\nAAA,A,Y\nBBB,B,Y\n",
    )
    .unwrap();
    let o = lobbysim(d.path(), &["backtest", "s.toml", "--actual", "short.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .contains("short.csv: iso3: 2 member state(s) missing from the roll call: CCC, DDD"),
        "{}",
        stderr(&o)
    );
    let o = lobbysim(d.path(), &["backtest", "s.toml", "--actual", "nope.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nope.csv"), "{}", stderr(&o));
}

#[test]
fn rolling_backtest_on_real_data_runs() {
    let dir = tempfile::tempdir().unwrap();
    let scen = root().join("scenarios/backtest/es11-3-2022.toml");
    let actual = root().join("data/rollcalls/ES-11-3.csv");
    let o = lobbysim(
        dir.path(),
        &[
            "backtest",
            scen.to_str().unwrap(),
            "--actual",
            actual.to_str().unwrap(),
            "--ballots",
            "8192",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["actual"], serde_json::json!([93, 24, 58, 18]));
    assert_eq!(v["states"], 193);
    assert_eq!(v["history"].as_array().unwrap().len(), 3);
    for s in v["scores"].as_array().unwrap() {
        let brier = s["brier"].as_f64().unwrap();
        assert!((0.0..=2.0).contains(&brier), "{s}");
        assert_eq!(s["calibration"].as_array().unwrap().len(), 10);
    }
}

/// `backtest --plot`: the reliability diagram of every forecaster is well-formed SVG with the
/// scenario name, the roll call, one legend entry per forecaster carrying its ECE from the
/// JSON, one point per non-empty calibration bin, and it leaves the backtest output unchanged.
#[test]
fn backtest_plot_draws_the_reliability_diagram() {
    let d = fixture();
    let base = [
        "backtest", "s.toml", "--actual", "r3.csv", "--format", "json",
    ];
    let plain = lobbysim(d.path(), &base);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let mut args = base.to_vec();
    args.extend(["--plot", "cal.svg"]);
    let o = lobbysim(d.path(), &args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        o.stdout, plain.stdout,
        "--plot must not change the backtest"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let svg = std::fs::read_to_string(d.path().join("cal.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect();
    let has = |want: &str| texts.iter().any(|t| t == want);
    assert!(has("tiny"), "title: {texts:?}");
    assert!(
        texts.iter().any(
            |t| t.starts_with("calibration against r3.csv (2-0-2, 0 not voting)")
                && t.contains("4 states × 4 outcomes")
                && t.contains("20000 ballots, seed 1")
        ),
        "{texts:?}"
    );
    for want in [
        "perfect calibration",
        "mean forecast probability",
        "observed frequency",
    ] {
        assert!(has(want), "missing {want:?}: {texts:?}");
    }
    let scores = v["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 3);
    let mut points = 0;
    for s in scores {
        let label = format!(
            "{} (ECE {:.3})",
            s["name"].as_str().unwrap(),
            s["ece"].as_f64().unwrap()
        );
        assert!(has(&label), "missing {label:?}: {texts:?}");
        points += s["calibration"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["n"].as_u64().unwrap() > 0)
            .count();
    }
    let circles = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    // One point per non-empty bin, plus one legend marker per forecaster.
    assert_eq!(circles, points + scores.len());

    // Same options, same bytes.
    let o = lobbysim(d.path(), &args);
    assert!(o.status.success());
    assert_eq!(
        std::fs::read_to_string(d.path().join("cal.svg")).unwrap(),
        svg
    );

    // An unwritable plot path is an error naming it.
    let mut bad = base.to_vec();
    bad.extend(["--plot", "no/such/dir/cal.svg"]);
    let o = lobbysim(d.path(), &bad);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("could not write no/such/dir/cal.svg"),
        "{}",
        stderr(&o)
    );
}
