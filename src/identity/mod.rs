//! Note identity, which `lint` and every exporter share: how a question's
//! `id` becomes an Anki note GUID ([`guid`], [`object_id`]), and the lock
//! that records what a bank has published ([`lock`]).
//!
//! It sits below both: lint reads the lock to catch a published question
//! that vanished, the Anki and CSV exporters stamp the same GUIDs, and
//! `export` writes the lock. Nothing here knows about output formats.

mod guid;
pub mod lock;

pub use guid::{guid, object_id};
