//! Renders the HTML report in a real browser (headless Chromium) and checks that it renders
//! and shows what it should: the DOM after rendering contains the expected text, and the
//! screenshot shows the chart's bars (so the inline SVG was drawn).
//!
//! The browser is `$LOBBYSIM_BROWSER` if set, else the first of `chromium`,
//! `chromium-browser`, `google-chrome` on the `PATH` (`.ci/run` installs Debian's `chromium`).
//! Where none is installed, the test prints `SKIPPED: …` and passes.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_lobbysim");
/// The chart's bar colour (`svg::BAR`).
const BAR: [u8; 3] = [66, 107, 160];
const TIMEOUT: Duration = Duration::from_secs(90);

fn find_browser() -> Option<PathBuf> {
    if let Some(b) = std::env::var_os("LOBBYSIM_BROWSER") {
        return Some(PathBuf::from(b));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `url` with `extra` arguments, killing it after [`TIMEOUT`].
fn chromium(browser: &Path, profile: &Path, extra: &[&str], url: &str) -> Output {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1200,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {}: {e}", browser.display()));
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait for browser").is_some() {
            break;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("{} did not finish within {TIMEOUT:?}", browser.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("browser output")
}

/// Width, height and RGBA pixels of a PNG file.
fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).expect("screenshot exists");
    let mut decoder = png::Decoder::new(BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    buf.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    let rgba: Vec<u8> = buf
        .chunks(channels)
        .flat_map(|p| match channels {
            3 => [p[0], p[1], p[2], 255],
            4 => [p[0], p[1], p[2], p[3]],
            _ => [p[0], p[0], p[0], 255],
        })
        .collect();
    (info.width, info.height, rgba)
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(browser) = find_browser() else {
        eprintln!(
            "SKIPPED: no Chromium found (set LOBBYSIM_BROWSER or install Debian's `chromium`); \
             the HTML report was not checked in a browser"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
    let report = dir.path().join("report.html");
    let out = Command::new(BIN)
        .args([
            "report",
            scenario.to_str().unwrap(),
            "--ballots",
            "20000",
            "--seed",
            "5",
        ])
        .arg("-o")
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = format!("file://{}", report.display());

    let dom = chromium(
        &browser,
        &dir.path().join("profile1"),
        &["--dump-dom"],
        &url,
    );
    assert!(
        dom.status.success(),
        "--dump-dom failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    for want in [
        "<h1>Example: twelve-state assembly</h1>",
        "All member states (12)",
        "Krakozhia",
        "Swing states",
        "Optimists' forecast: yes ≥ 8",
        "Hypothetical outcome: 7 yes",
        "P(adopted) = <strong>",
    ] {
        assert!(dom.contains(want), "rendered DOM lacks {want:?}");
    }

    let png = dir.path().join("report.png");
    let shot = chromium(
        &browser,
        &dir.path().join("profile2"),
        &[&format!("--screenshot={}", png.display())],
        &url,
    );
    assert!(
        shot.status.success() && png.is_file(),
        "--screenshot failed: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let (w, h, px) = decode_png(&png);
    assert_eq!((w, h), (1200, 2000));
    let near = |p: &[u8], c: [u8; 3]| p.iter().zip(c).all(|(&a, b)| a.abs_diff(b) <= 6);
    let bar_pixels = px.chunks(4).filter(|p| near(p, BAR)).count();
    let dark_pixels = px
        .chunks(4)
        .filter(|p| p[..3].iter().all(|&v| v < 80))
        .count();
    // The chart's bars cover tens of thousands of pixels; text draws thousands of dark pixels.
    assert!(
        bar_pixels > 5_000,
        "chart bars not drawn: {bar_pixels} bar-coloured pixels"
    );
    assert!(
        dark_pixels > 2_000,
        "little text drawn: {dark_pixels} dark pixels"
    );
}
