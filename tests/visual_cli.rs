//! End-to-end tests of the visual and export commands: `plot`, `report`, `run --plot`,
//! `run --format csv|csv-histogram|md`, `completions`, `man`, `--quiet`, the progress bar and
//! `NO_COLOR`. Each runs the real binary in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_lobbysim");
const NAME: &str = "Example: twelve-state assembly";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml")
}

fn lobbysim(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("lobbysim runs")
}

/// Runs and requires success with empty stderr (so no progress bar either); returns stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = lobbysim(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    assert!(stderr.is_empty(), "{args:?} wrote to stderr: {stderr:?}");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn sim<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--ballots", "20000", "--seed", "5", "--threads", "2"];
    v.extend_from_slice(extra);
    v
}

fn json_forecast(dir: &Path, scenario: &str) -> Value {
    let mut args = vec!["run", scenario];
    args.extend(sim(&["--format", "json"]));
    serde_json::from_str(&ok(dir, &args)).expect("valid JSON")
}

#[test]
fn plot_writes_a_well_formed_labelled_svg() {
    let dir = tempfile::tempdir().unwrap();
    let scen = example();
    let scen = scen.to_str().unwrap();
    let mut args = vec!["plot", scen];
    args.extend(sim(&["-o", "yes.svg"]));
    let stdout = ok(dir.path(), &args);
    assert!(stdout.is_empty());
    let svg = std::fs::read_to_string(dir.path().join("yes.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains(NAME) && t.contains("seed 5") && t.contains("20000 ballots")),
        "{texts:?}"
    );
    for want in [
        "Optimists' forecast: yes ≥ 8",
        "Hypothetical outcome: 7 yes",
    ] {
        assert!(texts.contains(&want), "missing {want:?} in {texts:?}");
    }
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("adoption threshold: yes ≥"))
    );
    assert!(texts.iter().any(|t| t.starts_with("80% interval: ")));
    assert!(texts.iter().any(|t| t.starts_with("95% interval: ")));

    // `-o -` and no `-o` write the same document to stdout.
    let mut args = vec!["plot", scen];
    args.extend(sim(&[]));
    assert_eq!(ok(dir.path(), &args), svg);
}

#[test]
fn run_plot_and_plot_and_report_agree_with_run() {
    let dir = tempfile::tempdir().unwrap();
    let scen = example();
    let scen = scen.to_str().unwrap();
    let json = json_forecast(dir.path(), scen);

    let mut args = vec!["run", scen];
    args.extend(sim(&[
        "--format", "json", "-o", "run.json", "--plot", "run.svg",
    ]));
    ok(dir.path(), &args);
    let run_json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(run_json, json, "--plot must not change the forecast");

    let mut args = vec!["plot", scen];
    args.extend(sim(&["-o", "plot.svg"]));
    ok(dir.path(), &args);
    let a = std::fs::read_to_string(dir.path().join("run.svg")).unwrap();
    let b = std::fs::read_to_string(dir.path().join("plot.svg")).unwrap();
    assert_eq!(a, b, "run --plot and plot differ for the same options");

    let mut args = vec!["report", scen];
    args.extend(sim(&["-o", "report.html"]));
    ok(dir.path(), &args);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let p = json["adoption"]["probability"].as_f64().unwrap();
    assert!(
        html.contains(&format!("P(adopted) = <strong>{p:.4}</strong>")),
        "report's P(adopted) differs from run's {p}"
    );
    let doc = scraper::Html::parse_document(&html);
    let row_sel = scraper::Selector::parse("#states tbody tr").unwrap();
    let td_sel = scraper::Selector::parse("td").unwrap();
    let rows: Vec<Vec<String>> = doc
        .select(&row_sel)
        .map(|r| r.select(&td_sel).map(|c| c.text().collect()).collect())
        .collect();
    let states = json["states"].as_array().unwrap();
    assert_eq!(rows.len(), states.len());
    for (row, st) in rows.iter().zip(states) {
        assert_eq!(row[0], st["iso3"].as_str().unwrap());
        for (cell, key) in row[2..6]
            .iter()
            .zip(["p_yes", "p_no", "p_abstain", "p_absent"])
        {
            assert_eq!(
                *cell,
                format!("{:.3}", st[key].as_f64().unwrap()),
                "{row:?}"
            );
        }
    }
}

#[test]
fn report_is_self_contained_html_with_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let scen = example();
    let mut args = vec!["report", scen.to_str().unwrap()];
    args.extend(sim(&["-o", "report.html"]));
    ok(dir.path(), &args);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let text_of = |s: &str| -> String {
        doc.select(&sel(s))
            .next()
            .unwrap_or_else(|| panic!("no {s}"))
            .text()
            .collect()
    };
    assert!(text_of("title").contains(NAME));
    assert!(text_of("h1").contains(NAME));
    // Nothing is fetched: no scripts, external stylesheets, images, frames or fonts.
    for s in [
        "script", "link", "img", "iframe", "object", "embed", "[src]", "[href]",
    ] {
        assert_eq!(doc.select(&sel(s)).count(), 0, "found {s}");
    }
    assert!(!html.contains("@import") && !html.contains("url("));
    // The chart is inline SVG with the markers.
    let svg_text = text_of("#chart svg");
    assert!(svg_text.contains("Optimists' forecast: yes ≥ 8"));
    assert!(svg_text.contains("Hypothetical outcome: 7 yes"));
    let refs = text_of("#references");
    assert!(refs.contains("Optimists' forecast") && refs.contains("yes >= 8"));
    assert!(refs.contains("Hypothetical outcome") && refs.contains("percentile"));
    assert_eq!(doc.select(&sel("#swing tbody tr")).count(), 10);
    assert_eq!(doc.select(&sel("#states tbody tr")).count(), 12);
    assert!(text_of("#states h2").contains("All member states (12)"));
    assert!(text_of("#states").contains("Krakozhia"));
}

#[derive(Debug, serde::Deserialize)]
struct StateRow {
    iso3: String,
    name: String,
    p_yes: f64,
    p_no: f64,
    p_abstain: f64,
    p_absent: f64,
}

#[derive(Debug, serde::Deserialize)]
struct HistRow {
    outcome: String,
    count: usize,
    ballots: u64,
}

#[test]
fn csv_round_trips_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let scen = example();
    let scen = scen.to_str().unwrap();
    let json = json_forecast(dir.path(), scen);

    let mut args = vec!["run", scen];
    args.extend(sim(&["--format", "csv"]));
    let text = ok(dir.path(), &args);
    let rows: Vec<StateRow> = csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("CSV parses");
    let states = json["states"].as_array().unwrap();
    assert_eq!(rows.len(), states.len());
    for (r, s) in rows.iter().zip(states) {
        assert_eq!(r.iso3, s["iso3"].as_str().unwrap());
        assert_eq!(r.name, s["name"].as_str().unwrap());
        // Shortest round-trip floats: the values come back bit for bit.
        assert_eq!(r.p_yes, s["p_yes"].as_f64().unwrap());
        assert_eq!(r.p_no, s["p_no"].as_f64().unwrap());
        assert_eq!(r.p_abstain, s["p_abstain"].as_f64().unwrap());
        assert_eq!(r.p_absent, s["p_absent"].as_f64().unwrap());
    }

    let mut args = vec!["run", scen];
    args.extend(sim(&["--format", "csv-histogram", "-o", "hist.csv"]));
    ok(dir.path(), &args);
    let rows: Vec<HistRow> = csv::Reader::from_path(dir.path().join("hist.csv"))
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("CSV parses");
    assert_eq!(rows.len(), 4 * 13);
    for o in ["yes", "no", "abstain", "absent"] {
        let json_hist: Vec<u64> = json["counts"][o]["histogram"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let csv_hist: Vec<u64> = rows
            .iter()
            .filter(|r| r.outcome == o)
            .enumerate()
            .map(|(k, r)| {
                assert_eq!(r.count, k);
                r.ballots
            })
            .collect();
        assert_eq!(csv_hist, json_hist, "{o}");
        assert_eq!(csv_hist.iter().sum::<u64>(), 20_000);
    }
}

#[test]
fn markdown_summary_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let scen = example();
    let mut args = vec!["run", scen.to_str().unwrap()];
    args.extend(sim(&["--format", "md"]));
    let md = ok(dir.path(), &args);
    let md = md.replace(
        &format!("lobbysim {}", env!("CARGO_PKG_VERSION")),
        "lobbysim [version]",
    );
    insta::assert_snapshot!("example_markdown", md);
    // `markdown` is an alias.
    let mut args = vec!["run", scen.to_str().unwrap()];
    args.extend(sim(&["--format", "markdown"]));
    assert_eq!(
        ok(dir.path(), &args).replace(
            &format!("lobbysim {}", env!("CARGO_PKG_VERSION")),
            "lobbysim [version]"
        ),
        md
    );
}

#[test]
fn no_progress_output_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let scen = example();
    let scen = scen.to_str().unwrap();
    // 60 chunks: long enough for the bar to draw if it were enabled.
    for quiet in [&[][..], &["--quiet"][..]] {
        let mut args = vec!["run", scen, "--ballots", "245760", "--format", "json"];
        args.extend_from_slice(quiet);
        let out = lobbysim(dir.path(), &args);
        assert!(out.status.success());
        assert!(
            out.stderr.is_empty(),
            "{:?}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Runs `cmd` under `script(1)` so that it gets a pseudo-terminal; `None` if `script` is not
/// available. Returns what the terminal showed.
fn in_pty(dir: &Path, cmd: &str, no_color: bool) -> Option<String> {
    let mut c = Command::new("script");
    c.current_dir(dir)
        .args(["-qefc", cmd, "/dev/null"])
        .env("TERM", "xterm-256color");
    if no_color {
        c.env("NO_COLOR", "1");
    } else {
        c.env_remove("NO_COLOR");
    }
    let out = c.output().ok()?;
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn progress_on_a_terminal_does_not_change_results() {
    let dir = tempfile::tempdir().unwrap();
    let scen = example();
    let scen = scen.to_str().unwrap();
    let args = format!("{BIN} run '{scen}' --ballots 409600 --seed 9 --format json");
    let Some(term) = in_pty(dir.path(), &format!("{args} -o tty.json"), false) else {
        eprintln!("SKIPPED: script(1) is not available to provide a terminal");
        return;
    };
    assert!(term.contains("ballots"), "no progress bar drawn: {term:?}");
    let quiet = in_pty(dir.path(), &format!("{args} -o quiet.json --quiet"), false).unwrap();
    assert!(!quiet.contains("ballots"), "--quiet drew a bar: {quiet:?}");
    ok(
        dir.path(),
        &[
            "run",
            scen,
            "--ballots",
            "409600",
            "--seed",
            "9",
            "--format",
            "json",
            "-o",
            "pipe.json",
        ],
    );
    let read = |f: &str| std::fs::read(dir.path().join(f)).unwrap();
    assert_eq!(read("tty.json"), read("pipe.json"));
    assert_eq!(read("quiet.json"), read("pipe.json"));
}

#[test]
fn no_color_is_respected_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let scen = example();
    let cmd = format!(
        "{BIN} run '{}' --ballots 409600 --seed 9",
        scen.to_str().unwrap()
    );
    let Some(color) = in_pty(dir.path(), &cmd, false) else {
        eprintln!("SKIPPED: script(1) is not available to provide a terminal");
        return;
    };
    assert!(
        color.contains("\x1b["),
        "expected ANSI styling on a terminal"
    );
    let plain = in_pty(dir.path(), &cmd, true).unwrap();
    // The progress bar still moves the cursor, but draws no colour (SGR) sequences.
    let sgr = regex_free_sgr_count(&plain);
    assert_eq!(sgr, 0, "colour escape codes with NO_COLOR set: {plain:?}");
    assert!(plain.contains("P(adopted)"));
}

/// Number of ANSI SGR (colour/style) sequences `ESC [ … m` in `s`.
fn regex_free_sgr_count(s: &str) -> usize {
    let b = s.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == 0x1b && b[i + 1] == b'[' {
            let mut j = i + 2;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b';') {
                j += 1;
            }
            if j < b.len() && b[j] == b'm' {
                n += 1;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    n
}

#[test]
fn completions_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "_lobbysim()"),
        ("zsh", "#compdef lobbysim"),
        ("fish", "complete -c lobbysim"),
        ("elvish", "lobbysim"),
        ("powershell", "lobbysim"),
    ] {
        let out = ok(dir.path(), &["completions", shell]);
        assert!(out.contains(marker), "{shell}: no {marker:?}");
        assert!(out.contains("report") && out.contains("plot"), "{shell}");
    }
    let out = lobbysim(dir.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'tcsh'"));
}

#[test]
fn man_page_is_roff_with_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let man = ok(dir.path(), &["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH lobbysim"),
        "{man}"
    );
    assert!(man.contains(".TH lobbysim 1"));
    assert!(man.contains(".SH NAME") && man.contains(".SH SUBCOMMANDS"));
    for cmd in ["plot", "report", "completions"] {
        assert!(man.contains(&format!("lobbysim\\-{cmd}")), "{cmd}");
    }
    // The page carries the subcommand pages it refers to, one section each, with their
    // options.
    let count = |s: &str| man.matches(s).count();
    assert_eq!(count(".TH "), 1, "one page");
    for cmd in [
        "run", "plot", "report", "sweep", "merge", "exact", "explain",
    ] {
        let title = format!(".SH \"LOBBYSIM\\-{}\"", cmd.to_uppercase());
        assert_eq!(count(&title), 1, "{title}");
    }
    assert!(man.contains("csv\\-histogram"), "run's formats are listed");
}

#[test]
fn help_has_examples() {
    let dir = tempfile::tempdir().unwrap();
    let top = ok(dir.path(), &["--help"]);
    assert!(top.contains("Examples:") && top.contains("lobbysim plot scenarios/example.toml"));
    assert!(top.contains("NO_COLOR"));
    for cmd in ["plot", "report", "completions"] {
        let h = ok(dir.path(), &[cmd, "--help"]);
        assert!(h.contains("Examples:"), "{cmd} --help has no examples");
    }
    let run = ok(dir.path(), &["run", "--help"]);
    assert!(run.contains("--plot <FILE>") && run.contains("csv-histogram") && run.contains("md"));
}

#[test]
fn bad_input_gives_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = lobbysim(dir.path(), &["plot", "missing.toml", "-o", "x.svg"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing.toml"), "{err}");
    assert!(!dir.path().join("x.svg").exists());

    let scen = example();
    let out = lobbysim(
        dir.path(),
        &[
            "report",
            scen.to_str().unwrap(),
            "--ballots",
            "5000",
            "-o",
            "no/such/dir/r.html",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not write no/such/dir/r.html"), "{err}");

    let out = lobbysim(
        dir.path(),
        &["plot", scen.to_str().unwrap(), "--ballots", "0"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--ballots"));
}

/// Writes `ev.toml` into `dir`: the example scenario plus one `[[evidence]]` entry observing
/// `observed` (TOML inline table of the four counts), with its members file alongside.
fn example_with_evidence(dir: &Path, label: &str, observed: &str) -> String {
    let text = std::fs::read_to_string(example()).unwrap();
    std::fs::copy(
        example().with_file_name("example-members.csv"),
        dir.join("example-members.csv"),
    )
    .unwrap();
    let text = format!(
        "{text}\n[[evidence]]\nlabel = {label:?}\nobserved = {{ {observed} }}\nshift = 0.0\n"
    );
    std::fs::write(dir.join("ev.toml"), text).unwrap();
    "ev.toml".to_string()
}

/// Removes the text from the first `start` up to (not including) the next `next`.
fn cut(s: &str, start: &str, next: &str) -> String {
    let a = s.find(start).unwrap_or_else(|| panic!("no {start:?}"));
    let b = a + s[a..].find(next).unwrap_or_else(|| panic!("no {next:?}"));
    format!("{}{}", &s[..a], &s[b..])
}

/// Evidence in `--format md`: a snapshot (with the low-ESS warning and a label that needs
/// escaping), and the section is purely additive — without it the document is exactly the
/// one for the same scenario without evidence (same seed, so the same ballots).
#[test]
fn markdown_shows_the_conditioned_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ev = example_with_evidence(
        d,
        "Earlier vote | near-unanimous",
        "yes = 11, no = 0, abstain = 0, absent = 1",
    );
    let mut args = vec!["run", ev.as_str()];
    args.extend(sim(&["--format", "md"]));
    let md = ok(d, &args);
    let md = md.replace(
        &format!("lobbysim {}", env!("CARGO_PKG_VERSION")),
        "lobbysim [version]",
    );
    insta::assert_snapshot!("example_evidence_markdown", md);

    let mut args = vec!["run", ev.as_str()];
    args.extend(sim(&["--format", "json"]));
    let json: Value = serde_json::from_str(&ok(d, &args)).unwrap();
    let c = &json["conditioned"];
    let ess = c["effective_sample_size"].as_f64().unwrap();
    assert!(
        ess < 1000.0,
        "the snapshot should show the warning: ESS {ess}"
    );
    assert!(md.contains(&format!(
        "effective sample size **{ess:.0}** of 20000 ballots"
    )));
    assert!(md.contains("> **Warning:** effective sample size"), "{md}");
    assert!(
        md.contains("Evidence: Earlier vote \\| near-unanimous."),
        "{md}"
    );
    let [q05, q50, q95] = [0, 1, 2].map(|k| c["yes_quantiles"][k].as_u64().unwrap());
    let y = &json["counts"]["yes"];
    for row in [
        format!(
            "| mean yes | {:.2} | {:.2} |",
            y["mean"].as_f64().unwrap(),
            c["yes_mean"].as_f64().unwrap()
        ),
        format!("| median yes | {} | {q50} |", y["quantiles"]["p50"]),
        format!(
            "| 90% interval of yes (5%–95%) | {}–{} | {q05}–{q95} |",
            y["quantiles"]["p05"], y["quantiles"]["p95"]
        ),
        format!(
            "| P(adopted) | {:.4} | {:.4} |",
            json["adoption"]["probability"].as_f64().unwrap(),
            c["adoption_probability"].as_f64().unwrap()
        ),
        format!(
            "| P(yes >= 8) (Optimists' forecast) | {:.4} | {:.4} |",
            json["references"][0]["probability"].as_f64().unwrap(),
            c["references"][0][1].as_f64().unwrap()
        ),
    ] {
        assert!(md.contains(&row), "missing {row:?} in\n{md}");
    }

    let scen = example();
    let mut args = vec!["run", scen.to_str().unwrap()];
    args.extend(sim(&["--format", "md"]));
    let plain = ok(d, &args).replace(
        &format!("lobbysim {}", env!("CARGO_PKG_VERSION")),
        "lobbysim [version]",
    );
    assert!(!plain.contains("Conditioned"));
    let without = cut(&md, "\n### Conditioned on evidence", "\n### Swing states");
    assert_eq!(without, plain);
}

/// Evidence in the HTML report: a `#evidence` section with the evidence, the effective sample
/// size, the prior and conditioned figures (checked against the JSON), and the warning only
/// when the effective sample size is low; without evidence there is no such section and the
/// rest of the report is unchanged.
#[test]
fn report_shows_the_conditioned_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (observed, low) in [
        ("yes = 8, no = 1, abstain = 2, absent = 1", false),
        ("yes = 11, no = 0, abstain = 0, absent = 1", true),
    ] {
        let ev = example_with_evidence(d, "Earlier <vote>", observed);
        let mut args = vec!["report", ev.as_str()];
        args.extend(sim(&["-o", "ev.html"]));
        ok(d, &args);
        let html = std::fs::read_to_string(d.join("ev.html")).unwrap();
        let json = json_forecast(d, &ev);
        let c = &json["conditioned"];
        let doc = scraper::Html::parse_document(&html);
        assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
        let sel = |s: &str| scraper::Selector::parse(s).unwrap();
        let section: String = doc
            .select(&sel("#evidence"))
            .next()
            .expect("an #evidence section")
            .text()
            .collect();
        assert!(section.starts_with("Conditioned on evidence"), "{section}");
        assert!(section.contains("Evidence: Earlier <vote>."), "{section}");
        let ess = c["effective_sample_size"].as_f64().unwrap();
        assert_eq!(ess < 1000.0, low, "ESS {ess}");
        assert!(
            section.contains(&format!("effective sample size {ess:.0} of 20000 ballots")),
            "{section}"
        );
        assert_eq!(
            doc.select(&sel("#evidence .warning")).count(),
            usize::from(low)
        );
        if low {
            assert!(
                section.contains("Warning: effective sample size"),
                "{section}"
            );
        }
        let rows: Vec<Vec<String>> = doc
            .select(&sel("#evidence tbody tr"))
            .map(|tr| {
                tr.select(&sel("td"))
                    .map(|td| td.text().collect())
                    .collect()
            })
            .collect();
        let y = &json["counts"]["yes"];
        let want = [
            [
                "mean yes".to_string(),
                format!("{:.2}", y["mean"].as_f64().unwrap()),
                format!("{:.2}", c["yes_mean"].as_f64().unwrap()),
            ],
            [
                "median yes".into(),
                y["quantiles"]["p50"].to_string(),
                c["yes_quantiles"][1].to_string(),
            ],
            [
                "90% interval of yes (5%–95%)".into(),
                format!("{}–{}", y["quantiles"]["p05"], y["quantiles"]["p95"]),
                format!("{}–{}", c["yes_quantiles"][0], c["yes_quantiles"][2]),
            ],
            [
                "P(adopted)".into(),
                format!("{:.4}", json["adoption"]["probability"].as_f64().unwrap()),
                format!("{:.4}", c["adoption_probability"].as_f64().unwrap()),
            ],
            [
                "P(yes >= 8) (Optimists' forecast)".into(),
                format!(
                    "{:.4}",
                    json["references"][0]["probability"].as_f64().unwrap()
                ),
                format!("{:.4}", c["references"][0][1].as_f64().unwrap()),
            ],
        ];
        assert_eq!(rows, want.map(|r| r.to_vec()).to_vec());

        // Purely additive: the same report without the section and with the other file's
        // SHA-256 is the report of the scenario without evidence.
        let scen = example();
        let mut args = vec!["report", scen.to_str().unwrap()];
        args.extend(sim(&["-o", "plain.html"]));
        ok(d, &args);
        let plain = std::fs::read_to_string(d.join("plain.html")).unwrap();
        assert!(!plain.contains("id=\"evidence\""));
        let sha = |j: &Value| j["scenario"]["sha256"].as_str().unwrap().to_string();
        let without = cut(&html, "<section id=\"evidence\">", "<section id=\"swing\">").replace(
            &sha(&json),
            &sha(&json_forecast(d, example().to_str().unwrap())),
        );
        assert_eq!(without, plain);
    }
}
