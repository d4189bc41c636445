//! `hr2scim completions SHELL` and `hr2scim man`: shell completions and manual pages generated
//! from the clap definitions, so they can never disagree with `--help`.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, CommandFactory, ValueEnum};

use super::{exit, Cli};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Install, e.g.:
  hr2scim completions bash > ~/.local/share/bash-completion/completions/hr2scim
  hr2scim completions zsh  > \"${fpath[1]}/_hr2scim\"
  hr2scim completions fish > ~/.config/fish/completions/hr2scim.fish
  hr2scim completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: ShellArg,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Install, e.g.:
  hr2scim man --out ~/.local/share/man/man1     # then: man hr2scim-run
  hr2scim man | man -l -")]
pub struct ManArgs {
    /// Write a page per command into DIR (hr2scim.1, hr2scim-run.1, ...) instead of the main
    /// page on standard output.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> i32 {
    use clap_complete::Shell;
    let shell = match args.shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Powershell => Shell::PowerShell,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "hr2scim", &mut out);
    write_stdout(&out)
}

pub fn man(args: ManArgs) -> i32 {
    let cmd = Cli::command();
    match &args.out {
        Some(dir) => {
            let written =
                std::fs::create_dir_all(dir).and_then(|_| clap_mangen::generate_to(cmd, dir));
            match written {
                Ok(()) => {
                    eprintln!("wrote the manual pages into {}", dir.display());
                    exit::OK
                }
                Err(e) => {
                    eprintln!("error: cannot write the manual pages into {}: {e}", dir.display());
                    exit::FATAL
                }
            }
        }
        None => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(cmd).render(&mut out) {
                Ok(()) => write_stdout(&out),
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::FATAL
                }
            }
        }
    }
}

/// A closed pipe (`| head`) is not worth a panic.
fn write_stdout(bytes: &[u8]) -> i32 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        Ok(()) => exit::OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            exit::FATAL
        }
    }
}
