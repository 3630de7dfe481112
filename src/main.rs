//! The `kfuncdoc` binary: parse the command line, run, map the outcome to
//! an exit status (0 clean, 1 findings at deny level, 2 could not run; a
//! closed output pipe counts as success).

use clap::Parser;
use kfuncdoc::cli::{Cli, Command, Format};
use kfuncdoc::diag::{paint, terminal};
use kfuncdoc::{EXIT_FAILURE, EXIT_OK, Error, progress};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Output(io) if io.kind() == io::ErrorKind::BrokenPipe)
}

/// Whether the command's standard output is a report with findings (to
/// colour), not a payload (a catalog, pages, a script) to pass untouched.
fn reports_findings(cli: &Cli) -> bool {
    cli.format == Format::Human
        && matches!(
            cli.command,
            Command::Check(_) | Command::Diff(_) | Command::Build(_) | Command::Policy(_)
        )
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let stderr = io::stderr();
    let (no_color, term) = (std::env::var_os("NO_COLOR"), std::env::var_os("TERM"));
    let color = |tty: bool| paint::enabled(cli.color, tty, no_color.as_deref(), term.as_deref());
    let out_color = reports_findings(&cli) && color(stdout.is_terminal());
    let err_color = color(stderr.is_terminal());
    progress::enable(progress::should_show(
        cli.quiet,
        cli.format == Format::Json,
        stderr.is_terminal(),
        progress::in_ci(std::env::var_os("CI").as_deref()),
    ));
    let mut out: Box<dyn Write> = if out_color {
        Box::new(paint::Painter::new(BufWriter::new(stdout.lock())))
    } else {
        Box::new(BufWriter::new(stdout.lock()))
    };
    // Not locked for the whole run: the progress bar draws on stderr
    // from other threads.
    let mut err: Box<dyn Write> = if err_color {
        Box::new(paint::Painter::new(io::stderr()))
    } else {
        Box::new(io::stderr())
    };
    let result = kfuncdoc::run(&cli, &mut out, &mut err)
        .and_then(|o| out.flush().map(|_| o).map_err(Error::Output));
    let code = match result {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(EXIT_OK),
        Err(e) => {
            // Every error's message is whole (it names its file and
            // cause), so the source chain is not printed again.
            let _ = writeln!(err, "{}", terminal::error_text(&e));
            ExitCode::from(EXIT_FAILURE)
        }
    };
    let _ = err.flush();
    code
}
