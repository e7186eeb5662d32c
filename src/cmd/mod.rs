//! One module per subcommand: glue between the CLI and the library stages.

pub mod check_code;
pub mod completions;
pub mod diff;
pub mod export;
pub mod lint;
pub mod man;
pub mod preview;
pub mod rules;
pub mod schema;

use std::process::ExitCode;

/// How a command that ran ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Success,
    /// Exit 1: problems in the content.
    Findings,
}

impl Status {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Self::Success => ExitCode::SUCCESS,
            Self::Findings => ExitCode::from(1),
        }
    }
}
