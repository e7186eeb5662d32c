//! `pyq completions SHELL`: a completion script generated from the clap
//! definition (`cli.rs`), so it always knows every command and option.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::cmd::Status;
use crate::error::Error;

pub fn run(args: &CompletionsArgs, out: &mut dyn Write) -> Result<Status, Error> {
    let mut script = Vec::new();
    clap_complete::aot::generate(args.shell, &mut Cli::command(), "pyq", &mut script);
    out.write_all(&script)?;
    Ok(Status::Success)
}
