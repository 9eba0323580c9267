//! `scoredyn`: the native command line. Results go to stdout (CSV or JSON), progress
//! and errors to stderr; the exit code is 0 on success, 2 for bad input, 1 otherwise.
//! Every command is parsed and checked completely before any work starts.

mod cmd;
mod common;
mod progress;
mod sweep;

use clap::{Parser, Subcommand};
use scoredyn::{Error, ErrorKind};

#[derive(Parser)]
#[command(
    name = "scoredyn",
    version,
    about = "scoredyn: score-based generative modeling of dynamical systems",
    arg_required_else_help = true,
    after_help = "simulate writes CSV `t,x0,x1,...` (stdout without --out). train, sample, eval, \
invariants, likelihood, response, response-compare and systems --json print JSON on stdout (sample without --out: CSV on \
stdout, JSON on stderr); train and sweep show progress on stderr; sweep appends one JSON line per cell to --out; report writes DIR/README.md and SVG figures. Data CSVs may have a leading `t` \
column, which is ignored. `scoredyn COMMAND --help` lists a command's options and defaults."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Systems(cmd::systems::Systems),
    Simulate(cmd::simulate::Simulate),
    Invariants(cmd::invariants::Invariants),
    Train(cmd::train::Train),
    Sample(cmd::sample::Sample),
    Likelihood(cmd::likelihood::Likelihood),
    Response(cmd::response::ResponseCmd),
    ResponseCompare(cmd::response_compare::ResponseCompare),
    Eval(cmd::eval::Eval),
    Sweep(cmd::sweep::Sweep),
    Report(cmd::report::Report),
}

fn main() {
    // clap exits with 2 on a usage error and 0 for --help / --version.
    let cli = Cli::parse();
    let result: Result<(), Error> = match cli.command {
        Command::Systems(c) => c.run(),
        Command::Simulate(c) => c.run(),
        Command::Invariants(c) => c.run(),
        Command::Train(c) => c.run(),
        Command::Sample(c) => c.run(),
        Command::Likelihood(c) => c.run(),
        Command::Response(c) => c.run(),
        Command::ResponseCompare(c) => c.run(),
        Command::Eval(c) => c.run(),
        Command::Sweep(c) => c.run(),
        Command::Report(c) => c.run(),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(if e.kind == ErrorKind::Invalid { 2 } else { 1 });
    }
}
