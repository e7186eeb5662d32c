//! The one integration-test binary: CLI cases (trycmd) and repository
//! guards (docs in step with the code).

mod cli;
mod completions;
mod docs;
mod export;
mod fuzz;
mod hostile;
mod man;
mod properties;
mod xss;
