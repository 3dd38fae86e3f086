//! Bad input never crashes: every file in `tests/bad/*.toml` is a hand-written bad scenario,
//! and `lobbysim validate` must reject it with exit code 1 and exactly the messages in the
//! matching `tests/bad/*.stderr` (file, line where known, field, what is wrong). Regenerate the
//! expected messages after a deliberate wording change with
//! `LOBBYSIM_BLESS=1 cargo test --release --test bad_inputs`, and review the diff.
//!
//! Inputs that would be silly to commit (a 50 MB file, non-UTF-8 bytes, a 100 000-state
//! assembly) are generated in a temporary directory.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bad_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad")
}

fn lobbysim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lobbysim"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run lobbysim")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn corpus_is_rejected_with_expected_messages() {
    let bless = std::env::var_os("LOBBYSIM_BLESS").is_some_and(|v| v == "1");
    let dir = bad_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 30, "corpus went missing: {names:?}");
    let mut failures = String::new();
    for name in &names {
        let file = format!("{name}.toml");
        let out = lobbysim(&dir, &["validate", &file]);
        let stderr = text(&out.stderr);
        if out.status.code() != Some(1) || !out.stdout.is_empty() {
            let _ = writeln!(
                failures,
                "{file}: exit {:?}, stdout {:?}, stderr {stderr:?}",
                out.status.code(),
                text(&out.stdout)
            );
            continue;
        }
        assert!(
            !stderr.contains("panicked"),
            "{file} made lobbysim panic: {stderr}"
        );
        let expected = dir.join(format!("{name}.stderr"));
        if bless {
            std::fs::write(&expected, &stderr).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expected).unwrap_or_default();
        if want != stderr {
            let _ = writeln!(
                failures,
                "{file}: stderr differs\n--- expected ({})\n{want}--- got\n{stderr}",
                expected.display()
            );
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

/// Every line of every expected message names the file, and nearly all a line and a field.
#[test]
fn expected_messages_name_file_line_and_field() {
    let dir = bad_dir();
    let mut with_line = 0;
    let mut total = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "stderr") {
            continue;
        }
        let body = std::fs::read_to_string(&path).unwrap();
        for line in body.lines().skip(1) {
            let line = line.trim();
            total += 1;
            assert!(
                line.contains(".toml") || line.contains(".csv"),
                "{}: {line}",
                path.display()
            );
            // `file:LINE: ...`
            if line
                .split(':')
                .nth(1)
                .is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()))
            {
                with_line += 1;
            }
        }
    }
    assert!(total > 40, "{total}");
    assert!(
        with_line * 10 >= total * 9,
        "only {with_line} of {total} messages give a line"
    );
}

#[test]
fn run_reports_the_same_problems() {
    let out = lobbysim(&bad_dir(), &["run", "nan.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: nan.toml:9: state AAA: p_yes: must be a finite number, got NaN\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn absurd_command_line_values_are_refused() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (args, needle) in [
        (
            &[
                "run",
                "scenarios/example.toml",
                "--ballots",
                "1000000000000",
            ][..],
            "1000000000000 is not in 1..=10000000000",
        ),
        (
            &["run", "scenarios/example.toml", "--ballots", "0"][..],
            "0 is not in 1..=10000000000",
        ),
        (
            &["run", "scenarios/example.toml", "--threads", "0"][..],
            "0 is not in 1..=1024",
        ),
        (
            &["exact", "scenarios/example.toml", "--order", "100000"][..],
            "100000 is not in 1..=400",
        ),
    ] {
        let out = lobbysim(dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn fifty_megabyte_file_is_refused_up_front() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("huge.toml");
    let mut body = String::from("[scenario]\nname = \"huge\"\n# ");
    body.push_str(&"x".repeat(50 * 1024 * 1024));
    body.push('\n');
    std::fs::write(&path, body).unwrap();
    let out = lobbysim(tmp.path(), &["validate", "huge.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "huge.toml: 1 problem(s) found\n  huge.toml: file is 52428828 bytes; lobbysim reads \
         files of at most 16777216 bytes (16 MiB)\n"
    );
}

#[test]
fn non_utf8_bytes_are_reported_with_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = b"[scenario]\nname = \"caf".to_vec();
    bytes.extend_from_slice(&[0xE9, 0xFF]);
    bytes.extend_from_slice(b"\"\n");
    std::fs::write(tmp.path().join("latin1.toml"), &bytes).unwrap();
    let out = lobbysim(tmp.path(), &["validate", "latin1.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "latin1.toml: 1 problem(s) found\n  latin1.toml:2: file is not valid UTF-8 \
         (invalid byte at offset 22)\n"
    );
    // The same in a members CSV names the CSV.
    std::fs::write(
        tmp.path().join("s.toml"),
        "[scenario]\nname = \"s\"\n[simulation]\nballots = 10\nseed = 1\n[members]\nfile = \"m.csv\"\n",
    )
    .unwrap();
    let mut csv = b"iso3,name,p_yes,p_no,p_abstain,p_absent\nAAA,".to_vec();
    csv.extend_from_slice(&[0xC3, 0x28]);
    csv.extend_from_slice(b",0.5,0.2,0.2,0.1\n");
    std::fs::write(tmp.path().join("m.csv"), csv).unwrap();
    let out = lobbysim(tmp.path(), &["validate", "s.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("m.csv:2: file is not valid UTF-8"),
        "{}",
        text(&out.stderr)
    );
}

/// A run whose tallies alone would need absurd memory (the largest possible assembly — every
/// one of the 26³ = 17 576 three-letter codes — on 1024 threads) is refused before any thread
/// starts; the same assembly validates fine.
#[test]
fn absurd_memory_is_refused_up_front() {
    let tmp = tempfile::tempdir().unwrap();
    let mut csv = String::from("iso3,name,p_yes,p_no,p_abstain,p_absent\n");
    for i in 0..26 * 26 * 26 {
        let code: String = [i / 676, (i / 26) % 26, i % 26]
            .iter()
            .map(|&d| (b'A' + d as u8) as char)
            .collect();
        let _ = writeln!(csv, "{code},S{i},0.5,0.2,0.2,0.1");
    }
    std::fs::write(tmp.path().join("m.csv"), csv).unwrap();
    std::fs::write(
        tmp.path().join("big.toml"),
        "[scenario]\nname = \"big\"\n[simulation]\nballots = 10000000000\nseed = 1\n[members]\nfile = \"m.csv\"\n",
    )
    .unwrap();
    let out = lobbysim(tmp.path(), &["run", "big.toml", "--threads", "1024"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("error: this run would need about ")
            && err.contains("(17576 states on 1024 threads)")
            && err.contains("the limit is 8 GiB"),
        "{err}"
    );
    let ok = lobbysim(tmp.path(), &["validate", "big.toml"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
}

/// Fuzzing that runs in CI (cargo-fuzz needs nightly; see `fuzz/`): the scenario parser and
/// validator, the members CSV reader and the roll-call reader on arbitrary strings and on
/// randomly damaged valid files must return `Ok` or `Err` — never panic. The seed is fixed.
mod fuzz {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};
    use std::path::Path;

    fn config(cases: u32) -> Config {
        Config {
            cases,
            rng_seed: RngSeed::Fixed(0xf022),
            failure_persistence: None,
            ..Config::default()
        }
    }

    fn example() -> (String, std::path::PathBuf) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
        (std::fs::read_to_string(&path).unwrap(), path)
    }

    const ROLLCALL: &str = "iso3,country,vote\nAFG,AFGHANISTAN,X\nALB,ALBANIA,Y\nDZA,ALGERIA,A\nRUS,RUSSIAN FEDERATION,N\n";

    /// A damaged copy of `text`: a byte range replaced by `insert` (all at char boundaries).
    fn damage(text: &str, at: usize, len: usize, insert: &str) -> String {
        let mut start = at % (text.len() + 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}{insert}{}", &text[..start], &text[end..])
    }

    /// Snippets that are likely to reach deep into the validator when spliced into a file.
    fn snippet() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z_]{1,12} = -?[0-9]{1,25}(\\.[0-9]*)?(e[0-9]{1,4})?",
            Just("nan".to_string()),
            Just("-inf".to_string()),
            Just("\n[[bloc]]\nname = \"X\"\nmembers = [\"AAA\", \"AAA\"]\nleader = \"AAA\"\n".to_string()),
            Just("\n[[campaign]]\nname = \"Z\"\nactor = \"\"\ndirection = \"yes\"\nstrength = 1e308\n".to_string()),
            Just("[[".to_string()),
            Just("\"".to_string()),
            Just("\u{0}\u{feff}\u{10ffff}".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(config(1000))]

        #[test]
        fn scenario_parser_never_panics_on_strings(text in any::<String>()) {
            let _ = lobbysim::scenario::parse(&text, Path::new("/nonexistent/fuzz.toml"));
        }

        #[test]
        fn scenario_parser_never_panics_on_damaged_files(
            at in any::<usize>(),
            len in 0usize..64,
            insert in snippet(),
        ) {
            let (text, path) = example();
            let damaged = damage(&text, at, len, &insert);
            if let Ok(s) = lobbysim::scenario::parse(&damaged, &path) {
                // Whatever validates must compile and solve (or be refused) without panicking.
                let _ = lobbysim::model::Model::new(&s);
                let _ = lobbysim::exact::solve(
                    &s,
                    lobbysim::model::CompileOptions { without_blocs: true },
                    Some(8),
                );
            }
        }

        #[test]
        fn csv_readers_never_panic_on_strings(text in any::<String>()) {
            let _ = lobbysim::rollcall::parse(&text, Path::new("r.csv"));
            let _ = lobbysim::input::members::parse_members_csv(&text, Path::new("m.csv"));
        }

        #[test]
        fn rollcall_reader_never_panics_on_damaged_files(
            at in any::<usize>(),
            len in 0usize..16,
            insert in prop_oneof![any::<String>(), "[YNAXZ,\"\n ]{0,6}"],
        ) {
            let damaged = damage(ROLLCALL, at, len, &insert);
            if let Ok(r) = lobbysim::rollcall::parse(&damaged, Path::new("r.csv")) {
                prop_assert_eq!(r.tally().iter().sum::<u64>(), r.votes.len() as u64);
            }
        }
    }
}
