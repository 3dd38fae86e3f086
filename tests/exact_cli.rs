//! End-to-end tests of `lobbysim exact` and `lobbysim run --compare-exact`, running the real
//! binary in a temporary directory.

use std::path::Path;
use std::process::{Command, Output};

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/example.toml")
        .display()
        .to_string()
}

fn lobbysim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lobbysim"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run lobbysim")
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn exact_json_has_pmfs_of_every_count() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = example();
    let out = lobbysim(
        tmp.path(),
        &[
            "exact",
            &ex,
            "--without-blocs",
            "--format",
            "json",
            "-o",
            "e.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", s(&out.stderr));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("e.json")).unwrap()).unwrap();
    for count in ["yes", "no", "abstain", "absent"] {
        let pmf = v["counts"][count]["pmf"].as_array().unwrap();
        assert_eq!(pmf.len(), 13, "{count}: counts 0..=12");
        let total: f64 = pmf.iter().map(|p| p.as_f64().unwrap()).sum();
        assert!((total - 1.0).abs() < 1e-12, "{count}: {total}");
    }
    assert_eq!(v["method"]["kind"], "gauss-hermite");
    assert!(v["quadrature_error"].as_f64().unwrap() < 1e-7);
    assert_eq!(v["scenario"]["without_blocs"], true);
    let p = v["adoption_probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p));
}

#[test]
fn exact_text_and_fixed_order() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = example();
    let out = lobbysim(
        tmp.path(),
        &["exact", &ex, "--without-blocs", "--order", "30"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", s(&out.stderr));
    let text = s(&out.stdout);
    assert!(
        text.contains("exact distribution (without blocs)"),
        "{text}"
    );
    assert!(text.contains("order 30"), "{text}");
    assert!(text.contains("P(adopted, two-thirds rule) = "), "{text}");
    assert!(text.contains("Optimists' forecast (yes >= 8): "), "{text}");
}

#[test]
fn exact_refuses_blocs_and_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = example();
    for args in [
        vec!["exact", ex.as_str()],
        vec!["run", ex.as_str(), "--compare-exact"],
    ] {
        let out = lobbysim(tmp.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: refused before any output");
        let err = s(&out.stderr);
        assert!(
            err.starts_with(&format!("error: {ex}: no exact solution")),
            "{err}"
        );
        assert!(
            err.contains("bloc cohesion > 0 in \"Northern Union\", \"Eastern Pact\"")
                && err.contains("--without-blocs"),
            "{err}"
        );
    }
}

#[test]
fn compare_exact_prints_the_distance_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = example();
    let out = lobbysim(
        tmp.path(),
        &[
            "run",
            &ex,
            "--without-blocs",
            "--compare-exact",
            "--ballots",
            "50000",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", s(&out.stderr));
    // stdout stays valid JSON.
    let _: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let err = s(&out.stderr);
    assert!(
        err.starts_with("yes count, simulated vs exact: total variation 0.0")
            && err.contains("over 50000 ballots")
            && err.contains("chi-square"),
        "{err}"
    );
    // The distance is of the size Monte Carlo noise predicts (well under 0.02 here).
    let tv: f64 = err
        .split("total variation ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|x| x.parse().ok())
        .unwrap();
    assert!(tv < 0.02, "{tv}");
}
