//! `kfuncdoc man` and `kfuncdoc completions`: the man pages and shell
//! completion scripts, generated from the clap definition of the command
//! line ([`crate::cli::Cli`]) so that they always say what `--help` says.

use crate::Outcome;
use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::{Error, Result};
use clap::CommandFactory;
use std::io::Write;
use std::path::PathBuf;

/// The command line as the man pages describe it: the package version
/// only (not the commit), so that the pages are the same for every build
/// of a release.
fn command() -> clap::Command {
    Cli::command()
        .version(crate::version::PACKAGE)
        .long_version(None::<&str>)
        .disable_help_subcommand(true)
}

/// Every man page: file name (`kfuncdoc-policy-sync.1`) and text, the
/// command's first, then its subcommands' in the order of `--help`.
pub fn pages() -> Result<Vec<(String, Vec<u8>)>> {
    fn walk(cmd: clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
        // Every page says which release it documents (clap_mangen would
        // give a subcommand's page its bare name).
        let man = clap_mangen::Man::new(cmd.clone())
            .source(format!("kfuncdoc {}", crate::version::PACKAGE))
            .manual("kfuncdoc manual");
        let mut text = Vec::new();
        man.render(&mut text).map_err(Error::Output)?;
        out.push((man.get_filename(), text));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub.clone(), out)?;
        }
        Ok(())
    }
    let mut cmd = command();
    cmd.build();
    let mut out = Vec::new();
    walk(cmd, &mut out)?;
    Ok(out)
}

/// `kfuncdoc man --out DIR`: writes every page (atomically) and lists the
/// files written.
pub fn man(args: &ManArgs, out: &mut dyn Write) -> Result<Outcome> {
    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, e))?;
    let mut list = String::new();
    for (name, text) in pages()? {
        let path: PathBuf = args.out.join(&name);
        crate::files::write_atomic(&path, &text)?;
        list.push_str(&crate::diag::terminal::escape(&path.display().to_string()));
        list.push('\n');
    }
    out.write_all(list.as_bytes()).map_err(Error::Output)?;
    Ok(Outcome::Clean)
}

/// The finding codes for `explain CODE` in fish, whose generator
/// completes the values of options but not of positional arguments.
fn fish_codes() -> String {
    let quote = |s: &str| s.replace('\\', "\\\\").replace('\'', "\\'");
    let mut s = String::from("# The finding codes of `explain`.\n");
    for c in crate::diag::Code::ALL {
        s.push_str(&format!(
            "complete -c kfuncdoc -n \"__fish_kfuncdoc_using_subcommand explain\" -f -a '{}' -d '{}'\n",
            quote(c.name()),
            quote(c.description())
        ));
    }
    s
}

/// `kfuncdoc completions SHELL`: the script on `out`.
pub fn completions(args: &CompletionsArgs, out: &mut dyn Write) -> Result<Outcome> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "kfuncdoc", &mut script);
    if args.shell == clap_complete::Shell::Fish {
        script.extend_from_slice(fish_codes().as_bytes());
    }
    out.write_all(&script).map_err(Error::Output)?;
    Ok(Outcome::Clean)
}
