//! The `lobbysim` command: parses arguments, calls the library, prints.

mod cli;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use cli::{
    CalibrateArgs, Cli, Command, ExplainArgs, OptimizeArgs, RunArgs, SimArgs, SweepArgs, TuneOutput,
};
use lobbysim::report::{self, Exporter, Format, text::TextExporter};
use lobbysim::tune::{self, Render};
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
        Command::Sweep(args) => run_sweep(&args),
        Command::Calibrate(args) => run_calibrate(&args),
        Command::Optimize(args) => run_optimize(&args),
        Command::Explain(args) => run_explain(&args),
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

fn run_sweep(args: &SweepArgs) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let axes = args
        .set
        .iter()
        .map(|a| tune::sweep::parse_axis(&s, a))
        .collect::<Result<Vec<_>, _>>()?;
    let r = tune::sweep::sweep(&s, &axes, &run_options(&args.sim))?;
    write_tune(&args.out, &r)
}

fn run_calibrate(args: &CalibrateArgs) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let fit = args
        .fit
        .iter()
        .map(|p| tune::ParamPath::parse(&s, p, "--fit"))
        .collect::<Result<Vec<_>, _>>()?;
    tune::calibrate::check_not_circular(&s, &args.against)?;
    let rollcalls = args
        .against
        .iter()
        .map(|p| lobbysim::rollcall::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let opts = tune::calibrate::CalibrateOptions {
        run: RunOptions {
            ballots: args.ballots,
            seed: args.seed,
            threads: args.threads.map(|t| t as usize),
            without_blocs: false,
        },
    };
    let r = tune::calibrate::calibrate(&s, &rollcalls, &fit, &opts)?;
    write_tune(&args.out, &r)
}

fn run_optimize(args: &OptimizeArgs) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let req = tune::optimize::Request::parse(
        &s,
        &args.campaign,
        args.budget,
        &args.objective,
        args.steps,
        args.candidates.as_deref(),
        args.keep_targets,
    )?;
    let r = tune::optimize::optimize(&s, &req, &run_options(&args.sim))?;
    write_tune(&args.out, &r)
}

fn run_explain(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let r = tune::explain::explain(&s, &args.iso3, &run_options(&args.sim))?;
    write_tune(&args.out, &r)
}

fn write_tune(out: &TuneOutput, r: &impl Render) -> anyhow::Result<ExitCode> {
    write_output(out.output.as_deref(), &r.render(out.format)?)?;
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
