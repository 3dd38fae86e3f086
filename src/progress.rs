//! A progress bar on standard error for long runs (ballots done, rate, ETA), drawn with
//! `indicatif`.
//!
//! It is advanced once per simulated chunk ([`crate::simulate::CHUNK_BALLOTS`] ballots) through
//! the hook of [`crate::simulate::simulate_chunks_with_progress`], so it never touches the
//! random stream or the tallies: results are the same with or without it. It is hidden when
//! standard error is not a terminal (pipes, files, CI logs, tests) or when the user asks for
//! quiet, and it is cleared when the run ends.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether a progress bar should be drawn: not when quiet, and only on a terminal.
pub fn should_show(quiet: bool, stderr_is_terminal: bool) -> bool {
    !quiet && stderr_is_terminal
}

/// Whether colour is allowed given the value of the `NO_COLOR` environment variable: any
/// non-empty value turns colour off (<https://no-color.org>).
pub fn color_allowed(no_color: Option<&std::ffi::OsStr>) -> bool {
    no_color.is_none_or(|v| v.is_empty())
}

/// Progress of a simulation run, counted in ballots.
pub struct Progress {
    bar: ProgressBar,
}

const TEMPLATE_COLOR: &str =
    "{spinner:.green} {bar:40.cyan/blue} {human_pos}/{human_len} ballots · {per_sec:0} · ETA {eta}";
const TEMPLATE_PLAIN: &str =
    "{spinner} {bar:40} {human_pos}/{human_len} ballots · {per_sec:0} · ETA {eta}";

impl Progress {
    /// A bar for a run of `total` ballots, drawn on standard error if `visible` (at most 10
    /// redraws a second), coloured if `color`; an invisible bar costs one atomic add per chunk.
    pub fn new(total: u64, visible: bool, color: bool) -> Progress {
        if !visible {
            return Progress {
                bar: ProgressBar::hidden(),
            };
        }
        let bar =
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(10));
        let template = if color {
            TEMPLATE_COLOR
        } else {
            TEMPLATE_PLAIN
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("█▉▊▋▌▍▎▏ "));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar }
    }

    /// The bar the command line uses: visible on a terminal unless `quiet`, coloured unless
    /// `NO_COLOR` is set.
    pub fn for_stderr(total: u64, quiet: bool) -> Progress {
        let visible = should_show(quiet, std::io::stderr().is_terminal());
        let color = color_allowed(std::env::var_os("NO_COLOR").as_deref());
        Progress::new(total, visible, color)
    }

    /// Records `ballots` more simulated ballots (callable from any thread).
    pub fn advance(&self, ballots: u64) {
        self.bar.inc(ballots);
    }

    /// Ballots recorded so far.
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// Whether the bar is drawn.
    pub fn is_visible(&self) -> bool {
        !self.bar.is_hidden()
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn shown_only_on_a_terminal_and_not_quiet() {
        assert!(should_show(false, true));
        assert!(!should_show(true, true));
        assert!(!should_show(false, false));
        assert!(!should_show(true, false));
    }

    #[test]
    fn no_color_follows_the_convention() {
        assert!(color_allowed(None));
        assert!(color_allowed(Some(OsStr::new(""))));
        assert!(!color_allowed(Some(OsStr::new("1"))));
    }

    #[test]
    fn hidden_bar_counts_ballots() {
        let p = Progress::new(10_000, false, false);
        assert!(!p.is_visible());
        p.advance(4096);
        p.advance(4096);
        p.advance(1808);
        assert_eq!(p.position(), 10_000);
        p.finish();
    }

    #[test]
    fn progress_hook_sees_every_ballot_and_changes_nothing() {
        let s = crate::scenario::test_support::example();
        // Three chunks, the last one partial, on two threads.
        let opts = crate::RunOptions {
            ballots: Some(10_000),
            seed: Some(3),
            threads: Some(2),
            without_blocs: false,
        };
        let bar = Progress::new(10_000, false, false);
        let with = crate::forecast_with_progress(&s, &opts, &|n| bar.advance(n)).unwrap();
        assert_eq!(bar.position(), 10_000);
        assert_eq!(with, crate::forecast(&s, &opts).unwrap());
    }
}
