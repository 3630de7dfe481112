//! The `kfuncdoc` binary: parse the command line, run, map the outcome to
//! an exit status (0 clean, 1 findings at deny level, 2 could not run; a
//! closed output pipe counts as success).

use clap::Parser;
use kfuncdoc::cli::Cli;
use kfuncdoc::diag::terminal;
use kfuncdoc::{EXIT_FAILURE, EXIT_OK, Error};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Output(io) if io.kind() == io::ErrorKind::BrokenPipe)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut out = BufWriter::new(stdout.lock());
    let mut err = stderr.lock();
    let result = kfuncdoc::run(&cli, &mut out, &mut err)
        .and_then(|o| out.flush().map(|_| o).map_err(Error::Output));
    match result {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(EXIT_OK),
        Err(e) => {
            // Every error's message is whole (it names its file and
            // cause), so the source chain is not printed again.
            let _ = writeln!(err, "kfuncdoc: error: {}", terminal::error_text(&e));
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
