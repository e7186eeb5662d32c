//! `pyq preview`: bind 127.0.0.1, build the page, serve it on a thread and
//! follow the files on this one (their modification times, every 200 ms)
//! until Ctrl-C.

use std::io::{IsTerminal as _, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::cli::PreviewArgs;
use crate::cmd::Status;
use crate::cmd::lint::Env;
use crate::config;
use crate::emit::{self, HumanOptions};
use crate::error::Error;
use crate::preview::Builder;
use crate::preview::server::{self, Shared};

/// How often the files are looked at.
const POLL: Duration = Duration::from_millis(200);
/// How long a change must hold before it is built (a save in progress).
const SETTLE: Duration = Duration::from_millis(50);

/// Set by Ctrl-C (SIGINT) or SIGTERM.
static STOP: AtomicBool = AtomicBool::new(false);

pub fn run(args: &PreviewArgs, out: &mut dyn Write) -> Result<Status, Error> {
    // A broken config stops the start, as for `export`; later, its problems
    // show on the page.
    let config = config::for_command(&args.config, &args.file, |source, problems| {
        let env = Env::from_process();
        let human = HumanOptions {
            color: std::io::stderr().is_terminal() && !env.no_color,
            width: env.width(),
        };
        emit::human::emit(problems, source, human, &mut std::io::stderr())
    })?;
    // A bank that cannot be read at all is a failure, not a page.
    crate::cmd::lint::read(&args.file)?;
    let listener = bind(args.port)?;
    let addr = listener.local_addr().map_err(|source| Error::Serve {
        port: args.port,
        source,
    })?;
    let mut builder = Builder::new(&args.file, &config);
    let first = builder.build();
    let shared = Arc::new(Shared::new(addr, 1, first.numbered(1)));
    writeln!(
        out,
        "pyq preview: serving {} at http://{addr}/ (Ctrl-C stops)",
        args.file.display()
    )?;
    writeln!(out, "{}", first.summary)?;
    out.flush()?;
    stop_on_signals();
    std::thread::scope(|s| {
        s.spawn(|| server::serve(&listener, &shared));
        let result = follow(&mut builder, &shared, first.page, out);
        shared.stop();
        result
    })?;
    writeln!(out, "pyq preview: stopped")?;
    Ok(Status::Success)
}

/// Binds 127.0.0.1 only: the preview is for this machine.
fn bind(port: u16) -> Result<TcpListener, Error> {
    TcpListener::bind(("127.0.0.1", port)).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            Error::PortInUse { port }
        } else {
            Error::Serve { port, source }
        }
    })
}

/// Rebuilds when a watched file changed and has then stayed the same for a
/// moment (an editor's save is finished), until a stop signal.
/// A page that did not change (a file touched, a comment edited) is not
/// published again, so open tabs do not reload for nothing.
fn follow(
    builder: &mut Builder,
    shared: &Shared,
    mut page: String,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut generation = 1;
    let mut built = builder.stamps();
    while !STOP.load(Ordering::SeqCst) {
        std::thread::sleep(POLL);
        let now = builder.stamps();
        if now == built {
            continue;
        }
        std::thread::sleep(SETTLE);
        if builder.stamps() == now {
            built = now;
            let build = builder.build();
            if build.page != page {
                generation += 1;
                shared.publish(generation, build.numbered(generation));
                page = build.page;
            }
            writeln!(out, "{}", build.summary)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Ctrl-C and SIGTERM end the preview through [`STOP`] (where pyq can set a
/// handler; elsewhere they end the process, which leaves nothing behind
/// either: the preview writes no file).
fn stop_on_signals() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" fn on_signal(_: libc::c_int) {
            STOP.store(true, Ordering::SeqCst);
        }
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: the handler only stores to an atomic, which is
        // async-signal-safe.
        unsafe {
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
        }
    }
}
