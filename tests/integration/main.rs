//! The one integration-test binary: CLI cases (trycmd) and repository
//! guards (docs in step with the code).

mod check_code;
mod cli;
mod completions;
mod docs;
mod export;
mod fuzz;
mod hostile;
mod lint_errors;
mod man;
mod preview;
mod properties;
mod xss;

/// Runs the pyq under test with `args`; asserts it succeeds and returns its
/// standard output.
fn pyq_stdout(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pyq"))
        .args(args)
        .output()
        .expect("run pyq");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}
