//! The `lobbysim` command: parses arguments, calls the library, prints.

mod cli;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use cli::{Cli, Command, PlotArgs, ReportArgs, RunArgs, SimArgs};
use lobbysim::progress::Progress;
use lobbysim::report::{self, Exporter, Format, text::TextExporter};
use lobbysim::{Forecast, RunOptions, Scenario, scenario};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Validate { scenario } => validate(&scenario),
        Command::Run(args) => run_forecast(&args, quiet),
        Command::Plot(args) => plot(&args, quiet),
        Command::Report(args) => html_report(&args, quiet),
        Command::Completions { shell } => completions(shell),
        Command::Man => man_page(),
    }
}

fn validate(path: &Path) -> anyhow::Result<ExitCode> {
    match scenario::load(path) {
        Ok(s) => {
            println!(
                "{}: ok — {:?}, {} states, {} blocs, {} campaigns, {} references",
                path.display(),
                s.meta.name,
                s.states.len(),
                s.blocs.len(),
                s.campaigns.len(),
                s.references.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(lobbysim::Error::Invalid(problems)) => {
            eprintln!("{}: {} problem(s) found", path.display(), problems.len());
            for p in &problems {
                eprintln!("  {p}");
            }
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

fn run_options(sim: &SimArgs) -> RunOptions {
    RunOptions {
        ballots: sim.ballots,
        seed: sim.seed,
        threads: sim.threads.map(|t| t as usize),
        without_blocs: sim.without_blocs,
    }
}

/// Runs the forecast with a progress bar on stderr (hidden when not a terminal or `quiet`).
fn forecast_with_bar(s: &Scenario, sim: &SimArgs, quiet: bool) -> anyhow::Result<Forecast> {
    let opts = run_options(sim);
    let bar = Progress::for_stderr(opts.config(s).ballots, quiet);
    let f = lobbysim::forecast_with_progress(s, &opts, &|n| bar.advance(n));
    bar.finish();
    Ok(f?)
}

fn run_forecast(args: &RunArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let f = forecast_with_bar(&s, &args.sim, quiet)?;
    if let Some(p) = &args.plot {
        write_output(Some(p), &report::svg::yes_distribution(&f)?)?;
    }
    let to_terminal = args.output.as_deref().is_none_or(|p| p == Path::new("-"))
        && std::io::stdout().is_terminal();
    let exporter: Box<dyn Exporter> = match args.format {
        Format::Text => Box::new(TextExporter {
            color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
        }),
        other => report::exporter(other),
    };
    write_output(args.output.as_deref(), &exporter.render(&f)?)?;
    Ok(ExitCode::SUCCESS)
}

fn plot(args: &PlotArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let f = forecast_with_bar(&s, &args.sim, quiet)?;
    write_output(
        args.output.as_deref(),
        &report::svg::SvgExporter.render(&f)?,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn html_report(args: &ReportArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let f = forecast_with_bar(&s, &args.sim, quiet)?;
    write_output(
        args.output.as_deref(),
        &report::html::HtmlExporter.render(&f)?,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "lobbysim", &mut buf);
    write_output(None, &String::from_utf8(buf)?)?;
    Ok(ExitCode::SUCCESS)
}

fn man_page() -> anyhow::Result<ExitCode> {
    let cmd = <Cli as clap::CommandFactory>::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buf)?;
    write_output(None, &String::from_utf8(buf)?)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes to the file, or to stdout for `None` or `-`.
fn write_output(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) if p != Path::new("-") => {
            std::fs::write(p, text).with_context(|| format!("could not write {}", p.display()))
        }
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}
