use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

#[allow(clippy::print_stderr)] // the one place that prints a failure
fn main() -> ExitCode {
    // `pyq check-code` re-executes pyq as the init of each block (Linux).
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == pyq::sandbox::INIT_COMMAND) {
        pyq::sandbox::init_main(&args[2..]);
    }
    pyq::memory::return_large_blocks();
    pyq::memory::exit_after_command();
    // clap prints its own usage errors and exits with 2, as DESIGN.md wants.
    let cli = pyq::cli::Cli::parse();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = pyq::run(&cli, &mut out, &mut std::io::stderr());
    let result = result.and_then(|status| out.flush().map(|()| status).map_err(pyq::Error::Output));
    // Scratch files the command set aside are removed before pyq exits.
    pyq::memory::wait_for_drops();
    match result {
        Ok(status) => status.exit_code(),
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(2)
        }
    }
}
