//! pyq keeps a Python interview question bank (`questions.yaml`) healthy.
//!
//! The data flows one way: read → [`load`] (YAML with spans) → [`model::Bank`]
//! → [`lint`] rules → [`emit`] findings. `main.rs` only maps [`run`]'s result
//! to an exit code.

pub mod check_code;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod error;
pub mod export;
pub mod fix;
pub mod fs;
pub mod hash;
pub mod identity;
pub mod lint;
pub mod load;
pub mod memory;
pub mod model;
pub mod preview;
pub mod render;
pub mod sandbox;
pub mod source;

use std::io::Write;

pub use cmd::Status;
pub use error::Error;

/// Runs the parsed command line, writing results to `out` and notices to `err`.
pub fn run(cli: &cli::Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<Status, Error> {
    match &cli.command {
        cli::Command::Lint(args) => cmd::lint::run(args, &cmd::lint::Env::from_process(), out, err),
        cli::Command::Rules(args) => cmd::rules::run(args, out),
        cli::Command::Export(args) => cmd::export::run(args, out, err),
        cli::Command::Preview(args) => cmd::preview::run(args, out),
        cli::Command::CheckCode(args) => {
            cmd::check_code::run(args, &cmd::lint::Env::from_process(), out, err)
        }
        cli::Command::Diff(args) => cmd::diff::run(args, out),
        cli::Command::Schema => cmd::schema::run(out),
        cli::Command::Completions(args) => cmd::completions::run(args, out),
        cli::Command::Man(args) => cmd::man::run(args, out),
    }
}
