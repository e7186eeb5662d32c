//! Runs the real binary on every case in tests/cmd/ and compares its whole
//! output and exit code. `TRYCMD=overwrite cargo test` updates them; read
//! the diff before committing.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("GITHUB_ACTIONS", "false")
        .case("tests/cmd/*.toml");
}
