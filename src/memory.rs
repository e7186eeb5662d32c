//! How pyq asks the allocator to behave. A large bank is read, linted and
//! exported in phases that each build big temporary buffers on several
//! threads; without this, memory freed by one phase stays resident beside
//! the next.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, mpsc};

/// Keeps glibc's malloc giving large freed blocks back to the system.
///
/// glibc serves each block of 128 KiB or more from its own mapping, which
/// goes back to the system when the block is freed. But freeing such a
/// block also raises that threshold to the block's size (up to 32 MiB), so
/// that later blocks of that size come from malloc's heaps instead (one per
/// thread), where they stay resident after they are freed. For the
/// 100,000-question bench bank that kept 15 MB (lint) to 80 MB (export
/// over a previous package) of freed memory resident at the peak. Setting
/// the threshold, even to its default, turns the adjustment off.
///
/// Call it first thing in `main`. Returns whether the allocator took the
/// setting (always false on other platforms, where it does nothing).
pub fn return_large_blocks() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only sets one of malloc's parameters, under
        // malloc's own lock; it reads and writes no memory of ours.
        (unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024) }) == 1
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Set by `main`: the process exits as soon as its command returns.
static EXITING: AtomicBool = AtomicBool::new(false);

/// Tells [`discard`] that the process ends with the command: `main` calls
/// it, so a library user (or a test) still frees what it is given.
pub fn exit_after_command() {
    EXITING.store(true, Ordering::Relaxed);
}

/// Frees `value`, unless the process is about to exit ([`exit_after_command`]):
/// then the system takes the memory back at once, and freeing a big
/// bank's values one by one first (every question's strings, the source,
/// a 15 MB package) would only make the command slower, as a compiler's
/// "disable free" does.
pub fn discard<T>(value: T) {
    if EXITING.load(Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}

/// The thread that [`drop_aside`] hands values to, once started.
type Aside = (mpsc::Sender<Box<dyn Send>>, std::thread::JoinHandle<()>);
static ASIDE: Mutex<Option<Aside>> = Mutex::new(None);

/// Frees `value` on a thread of its own while the command goes on, when
/// the process exits after the command ([`exit_after_command`]); else
/// here. For what must really be undone but need not hold the command up:
/// a scratch file (removing a large one frees its cached pages, which is
/// milliseconds), a large map. `main` waits for them with
/// [`wait_for_drops`] before it exits.
pub fn drop_aside<T: Send + 'static>(value: T) {
    if !EXITING.load(Ordering::Relaxed) {
        drop(value);
        return;
    }
    let mut aside = ASIDE.lock().unwrap_or_else(PoisonError::into_inner);
    if aside.is_none() {
        let (tx, rx) = mpsc::channel::<Box<dyn Send>>();
        let spawned = std::thread::Builder::new()
            .name("pyq-drop".into())
            .spawn(move || rx.into_iter().for_each(drop));
        match spawned {
            Ok(thread) => *aside = Some((tx, thread)),
            Err(_) => return drop(value),
        }
    }
    if let Some((tx, _)) = aside.as_ref()
        && let Err(mpsc::SendError(value)) = tx.send(Box::new(value))
    {
        drop(value);
    }
}

/// Waits until everything given to [`drop_aside`] is dropped.
pub fn wait_for_drops() {
    let aside = ASIDE.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some((tx, thread)) = aside {
        drop(tx);
        let _ = thread.join();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_library_user_gets_its_values_freed() {
        struct Flag<'a>(&'a std::cell::Cell<bool>);
        impl Drop for Flag<'_> {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let dropped = std::cell::Cell::new(false);
        // Only `main` says the process exits after the command.
        super::discard(Flag(&dropped));
        assert!(dropped.get());
    }

    #[test]
    fn glibc_takes_the_setting() {
        let glibc = cfg!(all(target_os = "linux", target_env = "gnu"));
        assert_eq!(super::return_large_blocks(), glibc);
        // Again (from another thread, while others allocate): harmless.
        assert_eq!(super::return_large_blocks(), glibc);
    }
}
