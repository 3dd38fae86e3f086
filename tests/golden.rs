//! Golden runs: the JSON output of fixed commands, checked in under `tests/golden/`, must be
//! reproduced byte for byte — except `engine.version`, the one field allowed to differ.
//!
//! Any change to the random stream, the model or the report layout changes these bytes. That
//! must be deliberate: re-bless with
//!
//! ```text
//! LOBBYSIM_BLESS=1 cargo test --release --test golden
//! ```
//!
//! and record the change in `CHANGELOG.md` (what changed and why outputs differ).
//!
//! To add a scenario (e.g. the real one), add one [`Golden`] entry to [`GOLDEN`] and bless.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One checked-in output.
struct Golden {
    /// File name under `tests/golden/` (without `.json`).
    name: &'static str,
    /// Arguments of `lobbysim` (paths relative to the crate root).
    args: &'static [&'static str],
    /// Whether the command simulates: then it is run on 1 and 3 threads, and both outputs
    /// must equal the golden file.
    simulates: bool,
}

const GOLDEN: &[Golden] = &[
    Golden {
        name: "example-run",
        args: &[
            "run",
            "scenarios/example.toml",
            "--seed",
            "20221012",
            "--ballots",
            "50000",
            "--format",
            "json",
        ],
        simulates: true,
    },
    Golden {
        name: "example-run-without-blocs",
        args: &[
            "run",
            "scenarios/example.toml",
            "--without-blocs",
            "--seed",
            "7",
            "--ballots",
            "20000",
            "--format",
            "json",
        ],
        simulates: true,
    },
    Golden {
        name: "example-exact-without-blocs",
        args: &[
            "exact",
            "scenarios/example.toml",
            "--without-blocs",
            "--format",
            "json",
        ],
        simulates: false,
    },
];

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn golden_path(name: &str) -> PathBuf {
    crate_root()
        .join("tests/golden")
        .join(format!("{name}.json"))
}

fn run(args: &[&str], threads: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lobbysim"));
    cmd.current_dir(crate_root()).args(args);
    if let Some(t) = threads {
        cmd.args(["--threads", t]);
    }
    let out = cmd.output().expect("run lobbysim");
    assert!(
        out.status.success(),
        "lobbysim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The text with the value of `engine.version` (the first `"version"` key: `engine` is the
/// first object of every report) replaced by a placeholder.
fn without_version(text: &str) -> String {
    let key = "\"version\": \"";
    match text.find(key) {
        Some(at) => {
            let start = at + key.len();
            let end = start + text[start..].find('"').unwrap_or(0);
            format!("{}<version>{}", &text[..start], &text[end..])
        }
        None => text.to_string(),
    }
}

/// First differing line, for a readable failure.
fn first_difference(want: &str, got: &str) -> String {
    for (i, (a, b)) in want.lines().zip(got.lines()).enumerate() {
        if a != b {
            return format!("line {}:\n  golden:  {a}\n  current: {b}", i + 1);
        }
    }
    format!(
        "lengths differ: golden {} lines, current {} lines",
        want.lines().count(),
        got.lines().count()
    )
}

#[test]
fn outputs_match_golden_files() {
    let bless = std::env::var_os("LOBBYSIM_BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for g in GOLDEN {
        let path = golden_path(g.name);
        let threads: &[Option<&str>] = if g.simulates {
            &[Some("1"), Some("3")]
        } else {
            &[None]
        };
        let outputs: Vec<String> = threads.iter().map(|t| run(g.args, *t)).collect();
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &outputs[0]).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; create it with LOBBYSIM_BLESS=1 cargo test --release --test golden",
                path.display()
            )
        });
        for (t, got) in threads.iter().zip(&outputs) {
            let (w, c) = (without_version(&want), without_version(got));
            if w != c {
                failures.push(format!(
                    "{} (threads {:?}) differs from {}: {}",
                    g.name,
                    t,
                    path.display(),
                    first_difference(&w, &c)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nIf the change is deliberate, re-bless (LOBBYSIM_BLESS=1 cargo test --release --test \
         golden) and add a CHANGELOG entry.",
        failures.join("\n")
    );
}

#[test]
fn version_is_the_only_field_ignored() {
    let a = "{\n  \"engine\": {\n    \"version\": \"0.1.0\",\n    \"rng\": \"chacha8\"\n  }\n}\n";
    let b = a.replace("0.1.0", "9.9.9");
    assert_eq!(without_version(a), without_version(&b));
    let c = a.replace("chacha8", "chacha12");
    assert_ne!(without_version(a), without_version(&c));
}
