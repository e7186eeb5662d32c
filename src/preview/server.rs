//! The preview's HTTP server: std's `TcpListener` on 127.0.0.1, a thread
//! per connection, one request per connection.
//!
//! It serves three paths and nothing else: `/` (the page), `/events` (a
//! Server-Sent Events stream of build numbers, for the page's reload script)
//! and `/favicon.ico` (204, so browsers do not log a 404). Every other path
//! is a 404, whatever it names: the server never touches the file system.
//! `GET` and `HEAD` only. The `Host` header must name this server
//! (`127.0.0.1:PORT` or `localhost:PORT`), so a web page that rebinds its
//! own domain to 127.0.0.1 cannot read the preview.
//!
//! Bounds, so that a burst of requests or stuck clients cannot take it down:
//! at most [`MAX_CONNECTIONS`] connections at once (more are answered 503
//! and closed) of which at most [`MAX_STREAMS`] event streams; a request head
//! of at most 8 KiB that must arrive within 5 s; writes time out after 10 s;
//! a client that hangs up only ends its own thread.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 64;
/// Event streams open at once (each holds a connection).
pub const MAX_STREAMS: usize = 32;
const MAX_HEAD: usize = 8 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(5);
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an idle event stream sends a comment (finds clients gone).
const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// What the threads share: the current page and its build number.
pub struct Shared {
    page: Mutex<(u64, Arc<String>)>,
    changed: Condvar,
    stopping: AtomicBool,
    connections: AtomicUsize,
    streams: AtomicUsize,
    addr: SocketAddr,
}

impl Shared {
    pub fn new(addr: SocketAddr, generation: u64, page: String) -> Self {
        Self {
            page: Mutex::new((generation, Arc::new(page))),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            streams: AtomicUsize::new(0),
            addr,
        }
    }

    /// Publishes a new build; open pages reload.
    pub fn publish(&self, generation: u64, page: String) {
        *lock(&self.page) = (generation, Arc::new(page));
        self.changed.notify_all();
    }

    /// Ends [`serve`] and every event stream.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.changed.notify_all();
        // Wakes the accept loop, which then sees `stopping`.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }

    fn current(&self) -> (u64, Arc<String>) {
        let page = lock(&self.page);
        (page.0, Arc::clone(&page.1))
    }
}

/// A poisoned lock still holds a whole page (it is replaced, never edited).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Accepts connections until [`Shared::stop`].
pub fn serve(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else {
            // Out of file descriptors, say: let some connections finish.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
            let _ = respond(
                &stream,
                "503 Service Unavailable",
                "text/plain",
                b"busy\n",
                false,
            );
            continue;
        }
        let guard = Counted(Arc::clone(shared));
        let spawned = std::thread::Builder::new()
            .name("pyq-preview".to_owned())
            .spawn(move || {
                let guard = guard;
                let _ = handle(&stream, &guard.0);
                let _ = stream.shutdown(Shutdown::Both);
            });
        // No thread to be had: the connection is dropped (and counted out).
        drop(spawned);
    }
}

/// One connection in the count, until dropped.
struct Counted(Arc<Shared>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

fn handle(stream: &TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let _ = stream.set_nodelay(true);
    let Some(head) = read_head(stream)? else {
        return respond(
            stream,
            "431 Request Header Fields Too Large",
            "text/plain",
            b"request too large\n",
            false,
        );
    };
    let Some(request) = Request::parse(&head) else {
        return respond(
            stream,
            "400 Bad Request",
            "text/plain",
            b"bad request\n",
            false,
        );
    };
    let port = shared.addr.port();
    if !request
        .host
        .is_some_and(|h| h == format!("127.0.0.1:{port}") || h == format!("localhost:{port}"))
    {
        return respond(
            stream,
            "403 Forbidden",
            "text/plain",
            b"unknown host\n",
            false,
        );
    }
    let head_only = match request.method {
        "GET" => false,
        "HEAD" => true,
        _ => {
            return respond(
                stream,
                "405 Method Not Allowed",
                "text/plain",
                b"GET or HEAD\n",
                false,
            );
        }
    };
    let path = request.target.split(['?', '#']).next().unwrap_or("");
    match path {
        "/" => {
            let (_, page) = shared.current();
            respond(
                stream,
                "200 OK",
                "text/html; charset=utf-8",
                page.as_bytes(),
                head_only,
            )
        }
        "/events" if !head_only => events(stream, shared),
        "/favicon.ico" => respond(stream, "204 No Content", "text/plain", b"", true),
        _ => respond(
            stream,
            "404 Not Found",
            "text/plain",
            b"not found\n",
            head_only,
        ),
    }
}

/// The request head (up to the blank line), or `None` when it is too long.
/// A client that sends nothing in time or hangs up is an error.
fn read_head(mut stream: &TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            head.truncate(end);
            return Ok(Some(head));
        }
        if head.len() > MAX_HEAD {
            return Ok(None);
        }
    }
}

struct Request<'h> {
    method: &'h str,
    target: &'h str,
    host: Option<&'h str>,
}

impl<'h> Request<'h> {
    fn parse(head: &'h [u8]) -> Option<Self> {
        let text = std::str::from_utf8(head).ok()?;
        let mut lines = text.split("\r\n");
        let mut parts = lines.next()?.split(' ');
        let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !version.starts_with("HTTP/1.") || !target.starts_with('/') {
            return None;
        }
        let host = lines.find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("host").then(|| value.trim())
        });
        Some(Self {
            method,
            target,
            host,
        })
    }
}

/// The page may run its own inline script and style and talk back to this
/// server; nothing else.
const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                   connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn respond(
    mut stream: &TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: {CSP}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// `/events`: the current build number at once, then each new one, until
/// the client goes or the server stops.
fn events(mut stream: &TcpStream, shared: &Shared) -> io::Result<()> {
    if shared.streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
        shared.streams.fetch_sub(1, Ordering::SeqCst);
        return respond(
            stream,
            "503 Service Unavailable",
            "text/plain",
            b"too many open pages\n",
            false,
        );
    }
    let result = (|| {
        stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
              X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nretry: 500\n\n",
        )?;
        let mut sent = None;
        let mut page = lock(&shared.page);
        loop {
            if shared.stopping.load(Ordering::SeqCst) {
                return Ok(());
            }
            let generation = page.0;
            let message = if sent == Some(generation) {
                let (next, timeout) = shared
                    .changed
                    .wait_timeout(page, KEEP_ALIVE)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                page = next;
                if !timeout.timed_out() {
                    continue;
                }
                ": keep-alive\n\n".to_owned()
            } else {
                sent = Some(generation);
                format!("event: build\ndata: {generation}\n\n")
            };
            // Never write while holding the lock: a slow client would stall
            // every other thread.
            drop(page);
            stream.write_all(message.as_bytes())?;
            stream.flush()?;
            page = lock(&shared.page);
        }
    })();
    shared.streams.fetch_sub(1, Ordering::SeqCst);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_and_odd_ones_do_not() {
        let r =
            Request::parse(b"GET /?x=1 HTTP/1.1\r\nhOsT:  127.0.0.1:80 \r\nAccept: */*").unwrap();
        assert_eq!(
            (r.method, r.target, r.host),
            ("GET", "/?x=1", Some("127.0.0.1:80"))
        );
        for bad in [
            &b"GET / HTTP/1.1 extra"[..],
            b"GET http://x/ HTTP/1.1",
            b"GET / SPDY/3",
            b"GET",
            b"\xff / HTTP/1.1",
        ] {
            assert!(Request::parse(bad).is_none(), "{bad:?}");
        }
    }
}
