//! How pyq asks the allocator to behave. A large bank is read, linted and
//! exported in phases that each build big temporary buffers on several
//! threads; without this, memory freed by one phase stays resident beside
//! the next.

use std::sync::atomic::{AtomicBool, Ordering};

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
