//! The real data in `data/` and the shipped ES-11/4 scenario: counts match the official record,
//! the prior estimator behaves on it, and the scenario runs end to end.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use lobbysim::input::members::{Member, read_group_members};
use lobbysim::prior::{self, Settings};
use lobbysim::{rollcall, scenario};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn members() -> Vec<Member> {
    read_group_members(&root().join("data/members.csv")).unwrap()
}

fn codes() -> Vec<String> {
    members().into_iter().map(|m| m.iso3).collect()
}

/// Official totals (yes, no, abstain, not voting), from the UN Digital Library records listed in
/// data/README.md.
const OFFICIAL: [(&str, [u64; 4]); 4] = [
    ("68-262", [100, 11, 58, 24]),
    ("ES-11-1", [141, 5, 35, 12]),
    ("ES-11-2", [140, 5, 38, 10]),
    ("ES-11-3", [93, 24, 58, 18]),
];

#[test]
fn members_are_the_193_with_their_groups() {
    let m = members();
    assert_eq!(m.len(), 193);
    let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
    for x in &m {
        *groups.entry(x.group.as_str()).or_default() += 1;
    }
    let want: BTreeMap<&str, usize> = [
        ("African", 54),
        ("Asia-Pacific", 54),
        ("Eastern European", 23),
        ("GRULAC", 33),
        ("WEOG", 29),
    ]
    .into_iter()
    .collect();
    assert_eq!(groups, want);
}

#[test]
fn roll_call_tallies_match_official_totals() {
    let codes = codes();
    let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    for (name, totals) in OFFICIAL {
        let r = rollcall::read(&root().join(format!("data/rollcalls/{name}.csv"))).unwrap();
        assert_eq!(r.votes.len(), 193, "{name}");
        r.check_covers(&refs).unwrap();
        assert_eq!(r.tally(), totals, "{name}");
    }
}

#[test]
fn blocs_match_their_documented_sizes() {
    let text = std::fs::read_to_string(root().join("data/blocs.csv")).unwrap();
    let known: HashSet<String> = codes().into_iter().collect();
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let (bloc, iso3) = line.split_once(',').unwrap();
        assert!(known.contains(iso3), "{bloc}: {iso3}");
        *sizes.entry(bloc.to_string()).or_default() += 1;
    }
    let want = [
        ("EU", 27),
        ("NATO", 30),
        ("AU", 54),
        ("ArabLeague", 21),
        ("ASEAN", 10),
        ("SCO", 8),
        ("CSTO", 6),
        ("ALBA", 10),
        ("GCC", 6),
        ("CARICOM", 14),
        ("CIS", 9),
        ("CIS_associate", 1),
        ("BRICS", 5),
    ];
    for (b, n) in want {
        assert_eq!(sizes.get(b), Some(&n), "{b}");
    }
    assert_eq!(sizes.len(), want.len());
}

fn real_inputs(settings: Settings) -> prior::Inputs {
    let files: Vec<(PathBuf, f64)> = OFFICIAL
        .iter()
        .map(|(n, _)| (root().join(format!("data/rollcalls/{n}.csv")), 1.0))
        .collect();
    prior::Inputs::read(&root().join("data/members.csv"), &files, settings).unwrap()
}

#[test]
fn prior_on_real_data_is_proper_and_shrinks_sensibly() {
    let p = prior::estimate(&real_inputs(Settings::default())).unwrap();
    assert_eq!(p.states.len(), 193);
    for s in &p.states {
        let a = s.probs.to_array();
        assert!(a.iter().all(|&x| x > 0.0 && x < 1.0), "{}: {a:?}", s.iso3);
        assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{}", s.iso3);
    }
    let get = |c: &str| p.states.iter().find(|s| s.iso3 == c).unwrap().probs;
    // France voted yes on all four: high but not certain.
    let fra = get("FRA");
    assert!(fra.p_yes > 0.95 && fra.p_yes < 1.0, "{fra:?}");
    // Central African Republic voted Y, A, A, N: mixed, no outcome near certainty.
    let caf = get("CAF").to_array();
    assert!(caf.iter().all(|&x| x < 0.7), "{caf:?}");
    assert!(caf[0] > 0.1 && caf[1] > 0.1 && caf[2] > 0.3, "{caf:?}");
    // Russia voted no on all four.
    assert!(get("RUS").p_no > 0.8);
    // Cross-validation chose a strength per group and reported its loss.
    let sel = p.selection.unwrap();
    assert_eq!(sel.folds, 4);
    assert!(sel.cv_log_loss > 0.0 && sel.cv_log_loss < 4f64.ln());
    assert_eq!(p.groups.len(), 5);
}

#[test]
fn shipped_scenario_loads_with_all_members() {
    let path = root().join("scenarios/unga-es11-4-2022.toml");
    let s = scenario::load(&path).unwrap();
    assert_eq!(s.states.len(), 193);
    let blocs: Vec<&str> = s.blocs.iter().map(|b| b.name.as_str()).collect();
    for b in [
        "EU",
        "NATO",
        "AU",
        "ArabLeague",
        "ASEAN",
        "SCO",
        "CSTO",
        "ALBA",
        "GCC",
        "CARICOM",
        "CIS",
        "BRICS",
    ] {
        assert!(blocs.contains(&b), "{b}");
    }
    let eu = &s.blocs[s.bloc_index("EU").unwrap()];
    assert_eq!(eu.members.len(), 27);
    let campaigns: Vec<&str> = s.campaigns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(campaigns, ["Western outreach", "Russian counter-lobbying"]);
    let labels: Vec<&str> = s.references.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Diplomats' prediction", "Actual result (A/RES/ES-11/4)"]
    );
    assert_eq!(s.prior_rollcalls().len(), 4);
    // The forecast is made from what came before: no ES-11/4 roll call is read.
    assert!(
        s.prior_rollcalls()
            .iter()
            .all(|p| !p.to_string_lossy().contains("ES-11-4"))
    );
}

#[test]
fn rolling_backtest_scenarios_use_only_earlier_votes() {
    for (file, used) in [
        ("es11-2-2022.toml", vec!["68-262", "ES-11-1"]),
        ("es11-3-2022.toml", vec!["68-262", "ES-11-1", "ES-11-2"]),
    ] {
        let s = scenario::load(&root().join("scenarios/backtest").join(file)).unwrap();
        assert_eq!(s.states.len(), 193);
        let names: Vec<String> = s
            .prior_rollcalls()
            .iter()
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, used, "{file}");
    }
}

#[test]
fn run_real_scenario_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let scen = root().join("scenarios/unga-es11-4-2022.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_lobbysim"))
        .args(["run", scen.to_str().unwrap(), "--ballots", "8192"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("193 members, two-thirds rule · 8192 ballots"),
        "{text}"
    );
    assert!(
        text.contains("Diplomats' prediction: P(yes >= 110) = "),
        "{text}"
    );
    assert!(text.contains("yes       143: percentile"), "{text}");
    assert!(text.contains("Swing states"), "{text}");
    let json_path = dir.path().join("f.json");
    let out = Command::new(env!("CARGO_BIN_EXE_lobbysim"))
        .args(["run", scen.to_str().unwrap(), "--ballots", "8192"])
        .args(["--format", "json", "-o", json_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let states = v["states"].as_array().unwrap();
    assert_eq!(states.len(), 193);
    let iso: HashSet<&str> = states.iter().map(|s| s["iso3"].as_str().unwrap()).collect();
    assert_eq!(iso.len(), 193);
    assert_eq!(v["references"].as_array().unwrap().len(), 2);
    let p = v["references"][0]["probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p));
}

#[test]
fn members_path_is_relative_to_the_scenario() {
    // Loading from another working directory works because [prior] paths are relative to the
    // scenario file.
    let s = scenario::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/unga-es11-4-2022.toml"
    )))
    .unwrap();
    assert!(s.prior_rollcalls().iter().all(|p| p.exists()));
}
