//! `pyq preview` as a server: what it serves and refuses, a port in use,
//! bursts of requests and clients that hang up, rebuilds, and Ctrl-C. All
//! traffic is to 127.0.0.1, bounded in count and time.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

const BANK: &str = include_str!("../fixtures/valid.yaml");

/// A running `pyq preview --port 0` on a copy of the fixture bank.
struct Preview {
    child: Child,
    stdout: BufReader<ChildStdout>,
    addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl Preview {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("questions.yaml"), BANK).expect("bank");
        let mut child = Command::new(env!("CARGO_BIN_EXE_pyq"))
            .args(["preview", "--port", "0", "--no-config"])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run pyq preview");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("the first line");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        assert!(url.starts_with("http://127.0.0.1:"), "{line}");
        let addr = url["http://".len()..]
            .trim_end_matches('/')
            .parse()
            .expect("address");
        let mut summary = String::new();
        stdout.read_line(&mut summary).expect("the summary");
        assert_eq!(summary, "questions.yaml: no problems\n");
        Self {
            child,
            stdout,
            addr,
            dir,
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.addr.port())
    }

    /// One request; the status code and the body.
    fn request(&self, method: &str, path: &str, host: &str) -> (u16, String) {
        let mut s = TcpStream::connect(self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "{method} {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).expect("a response");
        let status = response[9..12].parse().expect("a status code");
        let body = response
            .split_once("\r\n\r\n")
            .map_or(String::new(), |(_, b)| b.to_owned());
        (status, body)
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.request("GET", path, &self.host())
    }

    /// Sends SIGINT, as Ctrl-C does; the exit code and the rest of stdout.
    fn interrupt(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-INT", &pid])
                .status()
                .unwrap()
                .success()
        );
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "still running after Ctrl-C"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        (status.code(), rest)
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serves_the_page_and_nothing_else() {
    let p = Preview::start();
    let (status, page) = p.get("/");
    assert_eq!(status, 200);
    assert_eq!(page.matches("<article class=\"pyq-q\"").count(), 3);
    assert!(page.contains("new EventSource(\"/events\")"));
    assert_eq!(p.get("/?utm=x").0, 200);
    for path in [
        "/questions.yaml",
        "/../questions.yaml",
        "/%2e%2e/questions.yaml",
        "/..%2fquestions.yaml",
        "//etc/passwd",
        "/exports/",
        "/index.html",
    ] {
        let (status, body) = p.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("version: 1"), "{path}");
    }
    assert_eq!(p.get("/favicon.ico").0, 204);
    assert_eq!(p.request("POST", "/", &p.host()).0, 405);
    assert_eq!(p.request("HEAD", "/", &p.host()), (200, String::new()));
    // A page on another site that points its name at 127.0.0.1 is refused.
    assert_eq!(
        p.request("GET", "/", &format!("evil.example:{}", p.addr.port()))
            .0,
        403
    );
    assert_eq!(
        p.request("GET", "/", &format!("localhost:{}", p.addr.port()))
            .0,
        200
    );
    let mut s = TcpStream::connect(p.addr).unwrap();
    s.write_all(b"GET http://127.0.0.1/ HTTP/1.1\r\n\r\n")
        .unwrap();
    let mut r = String::new();
    s.read_to_string(&mut r).unwrap();
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
    let (code, rest) = p.interrupt();
    assert_eq!(code, Some(0));
    assert_eq!(rest, "pyq preview: stopped\n");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("questions.yaml"), BANK).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pyq"))
        .args(["preview", "--port", &port, "--no-config"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("port {port} on 127.0.0.1 is already in use")),
        "{stderr}"
    );
    assert!(stderr.contains("--port N"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bursts_and_hang_ups_leave_it_serving() {
    let p = Preview::start();
    let addr = p.addr;
    let host = p.host();
    // Clients that connect and say nothing (each holds a thread until the
    // 5 s read timeout), and clients that hang up mid-request or
    // mid-response.
    let idle: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(addr).unwrap()).collect();
    for i in 0..100 {
        let mut s = TcpStream::connect(addr).unwrap();
        if i % 2 == 0 {
            let _ = s.write_all(b"GET / HTTP/1.1\r\nHo");
        } else {
            let _ = write!(s, "GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");
            let mut first = [0u8; 64];
            let _ = s.read(&mut first);
        }
        drop(s); // hang up
    }
    // A burst: 400 requests, 40 at a time.
    let start = Instant::now();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..40)
            .map(|_| {
                scope.spawn(|| {
                    (0..10)
                        .map(|_| {
                            let mut s = TcpStream::connect(addr).unwrap();
                            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                            write!(s, "GET / HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
                            let mut r = Vec::new();
                            s.read_to_end(&mut r).unwrap();
                            String::from_utf8_lossy(&r[9..12]).parse::<u16>().unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert_eq!(statuses.len(), 400);
    // With 20 idle clients and 40 at a time, the 64-connection cap can turn
    // a few away (503); most are served, and none fails.
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert!(statuses.iter().filter(|s| **s == 200).count() >= 300);
    assert!(start.elapsed() < Duration::from_secs(60));
    drop(idle);
    // Still serving, and stops cleanly.
    let (status, page) = p.get("/");
    assert_eq!(status, 200);
    assert!(page.contains("<article"));
    let (code, _) = p.interrupt();
    assert_eq!(code, Some(0));
}

#[test]
fn a_save_is_announced_and_errors_show_over_the_last_good_cards() {
    let mut p = Preview::start();
    let mut events = TcpStream::connect(p.addr).unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(events, "GET /events HTTP/1.1\r\nHost: {}\r\n\r\n", p.host()).unwrap();
    let mut events = BufReader::new(events);
    let next_build = |events: &mut BufReader<TcpStream>| -> String {
        let mut line = String::new();
        loop {
            line.clear();
            assert!(events.read_line(&mut line).unwrap() > 0, "the stream ended");
            if let Some(n) = line.strip_prefix("data: ") {
                return n.trim().to_owned();
            }
        }
    };
    assert_eq!(next_build(&mut events), "1");
    // A save that breaks the bank.
    let saved = Instant::now();
    std::fs::write(
        p.dir.path().join("questions.yaml"),
        BANK.replace("difficulty: senior", "difficulty: hard"),
    )
    .unwrap();
    assert_eq!(next_build(&mut events), "2");
    assert!(
        saved.elapsed() < Duration::from_secs(2),
        "{:?}",
        saved.elapsed()
    );
    let mut summary = String::new();
    p.stdout.read_line(&mut summary).unwrap();
    assert_eq!(summary, "questions.yaml: 1 error, 0 warnings\n");
    let (_, page) = p.get("/");
    assert!(page.contains("id=\"pyq-findings\""));
    assert!(
        page.contains(
            "questions.yaml:29:17: error[PYQ005] invalid-value: unknown difficulty `hard`"
        ),
        "{page}"
    );
    assert!(page.contains("The cards below are from the last version of the bank without errors."));
    assert_eq!(page.matches("<article class=\"pyq-q\"").count(), 3);
    // Fixed again: the banner goes.
    std::fs::write(
        p.dir.path().join("questions.yaml"),
        BANK.replace("Why is", "So why is"),
    )
    .unwrap();
    assert_eq!(next_build(&mut events), "3");
    let (_, page) = p.get("/");
    assert!(!page.contains("id=\"pyq-findings\""));
    assert!(page.contains("So why is"));
    let (code, _) = p.interrupt();
    assert_eq!(code, Some(0));
}

#[test]
fn a_bank_broken_from_the_start_shows_its_findings_and_no_cards() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("questions.yaml"),
        "version: 1\nquestions: [\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pyq"))
        .args(["preview", "--port", "0", "--no-config"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(s, "GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut page = String::new();
    s.read_to_string(&mut page).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(page.contains("error[PYQ001] yaml-syntax"), "{page}");
    assert!(page.contains("No cards yet"));
    assert!(!page.contains("<article"));
}
