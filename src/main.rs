//! The `lobbysim` command: parses arguments, calls the library, prints.

mod cli;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use cli::{Cli, Command, MergeArgs, RunArgs, SimArgs};
use lobbysim::report::{self, Exporter, Format, text::TextExporter};
use lobbysim::{RunOptions, scenario};

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
    match cli.command {
        Command::Validate { scenario } => validate(&scenario),
        Command::Run(args) => run_forecast(&args),
        Command::Merge(args) => merge(&args),
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

fn run_forecast(args: &RunArgs) -> anyhow::Result<ExitCode> {
    if args.shard.is_some() || args.precision.is_some() {
        return run_sharded_or_adaptive(args);
    }
    let s = scenario::load(&args.scenario)?;
    let f = lobbysim::forecast(&s, &run_options(&args.sim))?;
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

/// `run --shard i/n` (writes a shard file) or `run --precision P`.
fn run_sharded_or_adaptive(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let opts = run_options(&args.sim);
    if let Some(shard) = args.shard {
        let file = lobbysim::shard::run_shard(&s, &opts, shard)?;
        write_output(args.output.as_deref(), &file.to_json()?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let p = args.precision.unwrap_or(f64::NAN);
    let r = lobbysim::shard::forecast_to_precision(&s, &opts, p)?;
    if r.reached {
        eprintln!(
            "precision {p} reached with {} ballots (largest standard error {:.3e})",
            r.forecast.ballots, r.max_se
        );
    } else {
        eprintln!(
            "warning: precision {p} not reached: stopped at the cap of {} ballots \
             (largest standard error {:.3e})",
            r.forecast.ballots, r.max_se
        );
    }
    render(&r.forecast, args.format, args.output.as_deref())
}

fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let files = args
        .shards
        .iter()
        .map(|p| Ok((p.clone(), lobbysim::shard::ShardFile::read(p)?)))
        .collect::<lobbysim::Result<Vec<_>>>()?;
    let merged = lobbysim::shard::merge(&files)?;
    let path = args
        .scenario
        .clone()
        .unwrap_or_else(|| merged.header.scenario_file.clone());
    let s = scenario::load(&path)?;
    render(&merged.forecast(&s)?, args.format, args.output.as_deref())
}

fn render(
    f: &lobbysim::Forecast,
    format: Format,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let to_terminal = output.is_none_or(|p| p == Path::new("-")) && std::io::stdout().is_terminal();
    let exporter: Box<dyn Exporter> = match format {
        Format::Text => Box::new(TextExporter {
            color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
        }),
        other => report::exporter(other),
    };
    write_output(output, &exporter.render(f)?)?;
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
