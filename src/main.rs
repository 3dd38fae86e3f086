//! The `lobbysim` command: parses arguments, calls the library, prints.

mod cli;
mod output;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use cli::{
    BacktestArgs, CalibrateArgs, Cli, Command, ExactArgs, ExplainArgs, MergeArgs, OptimizeArgs,
    PlotArgs, PriorArgs, ReportArgs, RunArgs, SimArgs, SweepArgs, TuneOutput,
};
use lobbysim::progress::Progress;
use lobbysim::report::Render;
use lobbysim::tune;
use lobbysim::{Forecast, RunOptions, Scenario, scenario};
use output::Format;

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
        Command::Prior(args) => run_prior(&args),
        Command::Backtest(args) => run_backtest(&args),
        Command::Plot(args) => plot(&args, quiet),
        Command::Report(args) => html_report(&args, quiet),
        Command::Completions { shell } => completions(shell),
        Command::Man => man_page(),
        Command::Exact(args) => run_exact(&args),
        Command::Merge(args) => merge(&args),
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

/// Runs the forecast with a progress bar on stderr (hidden when not a terminal or `quiet`).
fn forecast_with_bar(s: &Scenario, sim: &SimArgs, quiet: bool) -> anyhow::Result<Forecast> {
    let opts = run_options(sim);
    let bar = Progress::for_stderr(opts.config(s).ballots, quiet);
    let f = lobbysim::forecast_with_progress(s, &opts, &|n| bar.advance(n));
    bar.finish();
    Ok(f?)
}

fn run_forecast(args: &RunArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    if args.shard.is_some() || args.precision.is_some() {
        return run_sharded_or_adaptive(args);
    }
    let s = scenario::load(&args.scenario)?;
    let opts = run_options(&args.sim);
    // Checked before simulating, so an unsolvable scenario fails fast.
    let exact = args
        .compare_exact
        .then(|| lobbysim::exact::solve(&s, opts.compile(), None))
        .transpose()?;
    let f = forecast_with_bar(&s, &args.sim, quiet)?;
    if let Some(p) = &args.plot {
        output::emit(&f, Format::Svg, Some(p))?;
    }
    output::emit(&f, args.format, args.output.as_deref())?;
    if let Some(e) = exact {
        eprintln!(
            "{}",
            lobbysim::exact::compare(&f.counts.yes.histogram, &e.pmf[0])
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn run_exact(args: &ExactArgs) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let opts = lobbysim::model::CompileOptions {
        without_blocs: args.without_blocs,
    };
    let e = lobbysim::exact::solve(&s, opts, args.order.map(|o| o as usize))?;
    let r = lobbysim::exact::ExactReport::new(&s, &e, args.without_blocs);
    output::emit(&r, args.format, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn run_prior(args: &PriorArgs) -> anyhow::Result<ExitCode> {
    use lobbysim::prior::{self, Settings, Strength};
    let inputs = match &args.scenario {
        Some(path) => scenario::load(path)?.prior().cloned().with_context(|| {
            format!("{} has no [prior] section to estimate from", path.display())
        })?,
        None => {
            let strength = |s: &str, flag: &str| {
                Strength::parse(s).map_err(|m| anyhow::anyhow!("--{flag}: {m}"))
            };
            let settings = Settings {
                strength: strength(&args.strength, "strength")?,
                group_strength: strength(&args.group_strength, "group-strength")?,
            };
            let members = args.members.as_deref().context("--members is required")?;
            prior::Inputs::read(members, &args.rollcall, settings)?
        }
    };
    let est = prior::estimate(&inputs)?;
    eprintln!(
        "prior: {} states, {} roll calls, strength α per group: {}; group strength β = {:.4}{}",
        est.states.len(),
        inputs.rollcalls.len(),
        est.strengths_text(),
        est.group_strength,
        est.selection.map_or(String::new(), |s| format!(
            " (leave-one-roll-call-out log loss {:.4} over {} folds)",
            s.cv_log_loss, s.folds
        ))
    );
    output::write(args.output.as_deref(), &prior::members_csv(&est, &inputs))?;
    Ok(ExitCode::SUCCESS)
}

fn run_backtest(args: &BacktestArgs) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let actual = lobbysim::rollcall::read(&args.actual)?;
    let b = lobbysim::backtest::backtest(&s, s.prior(), &actual, &run_options(&args.sim))?;
    for w in &b.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(p) = &args.plot {
        output::emit(&b, Format::Svg, Some(p))?;
    }
    output::emit(&b, args.format, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn plot(args: &PlotArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let f = forecast_with_bar(&s, &args.sim, quiet)?;
    output::emit(&f, Format::Svg, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn html_report(args: &ReportArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let f = forecast_with_bar(&s, &args.sim, quiet)?;
    output::emit(&f, Format::Html, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "lobbysim", &mut buf);
    output::write(None, &String::from_utf8(buf)?)?;
    Ok(ExitCode::SUCCESS)
}

/// The manual page: `lobbysim(1)`, then the page of every subcommand it lists
/// (`lobbysim-run`, …) as a section of the same page, so that it refers to nothing missing.
fn man_page() -> anyhow::Result<ExitCode> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    cmd.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    let mut page = String::from_utf8(page)?;
    for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
        // Built with the parent, a subcommand is displayed as `lobbysim-run`.
        let name = sub
            .get_display_name()
            .map_or_else(|| format!("lobbysim-{}", sub.get_name()), str::to_string);
        let mut sub_page = Vec::new();
        clap_mangen::Man::new(sub.clone()).render(&mut sub_page)?;
        page.push_str(&as_section(&name, &String::from_utf8(sub_page)?));
    }
    output::write(None, &page)?;
    Ok(ExitCode::SUCCESS)
}

/// A subcommand's manual page as a section `.SH LOBBYSIM-RUN` of the main page: its title
/// line dropped and its sections made subsections.
fn as_section(name: &str, page: &str) -> String {
    let mut out = format!(".SH \"{}\"\n", name.to_uppercase().replace('-', "\\-"));
    for line in page.lines().filter(|l| !l.starts_with(".TH ")) {
        match line.strip_prefix(".SH ") {
            Some(title) => out.push_str(&format!(".SS {title}\n")),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// `run --shard i/n` (writes a shard file) or `run --precision P`.
fn run_sharded_or_adaptive(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let opts = run_options(&args.sim);
    if let Some(shard) = args.shard {
        let file = lobbysim::shard::run_shard(&s, &opts, shard)?;
        output::write(args.output.as_deref(), &file.to_json()?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let p = args.precision.unwrap_or(f64::NAN);
    let r = lobbysim::engine::forecast_to_precision(&s, &opts, p)?;
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
    output::emit(&r.forecast, args.format, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// Refuses `format` unless it is one of `allowed`, the formats of the shards being merged
/// (`this` kind; `other` names the kind that has the format).
fn check_merge_format(
    format: Format,
    allowed: &[Format],
    this: &str,
    other: &str,
    hint: &str,
) -> anyhow::Result<()> {
    if allowed.contains(&format) {
        return Ok(());
    }
    anyhow::bail!(
        "--format {} is only for {other} shards; {this} shards merge to {}{hint}",
        format.name(),
        Format::names(allowed)
    )
}

fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    use lobbysim::shard::{AnyShard, MergedAny};
    let files = args
        .shards
        .iter()
        .map(|p| Ok((p.clone(), AnyShard::read(p)?)))
        .collect::<lobbysim::Result<Vec<_>>>()?;
    let out = args.output.as_deref();
    // `--scenario`, else the path recorded in the shards.
    let load =
        |recorded: &std::path::Path| scenario::load(args.scenario.as_deref().unwrap_or(recorded));
    match lobbysim::shard::merge_any(&files)? {
        MergedAny::Run(merged) => {
            check_merge_format(
                args.format,
                Format::FORECAST,
                "run",
                "sweep",
                " (draw a run's chart with `lobbysim plot`)",
            )?;
            let s = load(&merged.header.scenario_file)?;
            output::emit(&merged.forecast(&s)?, args.format, out)?;
        }
        MergedAny::Sweep(merged) => {
            check_merge_format(args.format, Format::SWEEP, "sweep", "run", "")?;
            let s = load(&merged.header.scenario_file)?;
            output::emit(&merged.sweep(&s)?, args.format, out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_sweep(args: &SweepArgs) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    if let Some(shard) = args.shard {
        let file = lobbysim::shard::sweep_shard(&s, &args.set, &run_options(&args.sim), shard)?;
        output::write(args.output.as_deref(), &file.to_json()?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let axes = args
        .set
        .iter()
        .map(|a| tune::sweep::parse_axis(&s, a))
        .collect::<Result<Vec<_>, _>>()?;
    let r = tune::sweep::sweep(&s, &axes, &run_options(&args.sim))?;
    output::emit(&r, args.format, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
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
    let mut req = tune::optimize::Request::parse(
        &s,
        &args.campaign,
        args.budget,
        &args.objective,
        args.steps,
    )?;
    if let Some(list) = &args.candidates {
        req = req.with_candidates(&s, list)?;
    }
    req.keep_targets = args.keep_targets;
    req.screen = Some(args.screen as usize);
    let r = tune::optimize::optimize(&s, &req, &run_options(&args.sim))?;
    write_tune(&args.out, &r)
}

fn run_explain(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let s = scenario::load(&args.scenario)?;
    let r = tune::explain::explain(&s, &args.iso3, &run_options(&args.sim))?;
    write_tune(&args.out, &r)
}

fn write_tune(out: &TuneOutput, r: &impl Render) -> anyhow::Result<ExitCode> {
    output::emit(r, out.format, out.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
