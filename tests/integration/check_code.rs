//! `pyq check-code` runs code anyone can propose in a pull request: these
//! tests give blocks hostile things to do (read pyq's environment, leave
//! processes behind, reach the network, flood their output, exhaust a
//! resource) and check that pyq contains each. They need `python3`; the
//! process, network and limit tests are Linux-only (they read /proc).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A bank with one question per block, each block as given (indented into
/// the answer), written to `dir/questions.yaml`.
fn bank(dir: &Path, blocks: &[&str]) -> PathBuf {
    let mut text = String::from(
        "version: 1\ndeck:\n  name: Sandbox\n  anki_deck_id: 31\n  anki_model_id: 32\ntopics:\n  t: Topic\nquestions:\n",
    );
    for (i, block) in blocks.iter().enumerate() {
        let (info, code) = block
            .split_once('\n')
            .expect("an info string, then the code");
        text.push_str(&format!(
            "  - number: {n}\n    id: q{n}\n    topic: t\n    difficulty: junior\n    question: Block {n}?\n    answer: |\n      ```{info}\n",
            n = i + 1
        ));
        for line in code.lines() {
            text.push_str("      ");
            text.push_str(line);
            text.push('\n');
        }
        text.push_str("      ```\n");
    }
    let path = dir.join("questions.yaml");
    std::fs::write(&path, text).expect("write the bank");
    path
}

/// The interpreter itself, not a wrapper such as pyenv's `python3` shim
/// (which adds variables of its own to the environment).
fn python() -> &'static str {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| {
        let out = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("python3 runs");
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_owned()
    })
}

/// `pyq check-code --python PYTHON` in `dir`; more arguments follow.
fn pyq(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pyq"));
    cmd.args(["check-code", "--python", python()]);
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "false")
        .stdin(Stdio::null());
    cmd
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("pyq-check-code-test-")
        .tempdir()
        .expect("temporary folder")
}

const SECRET_BLOCKS: [&str; 3] = [
    // Fails today with the secret in its message.
    "python\nimport os\nassert \"MY_SECRET_TOKEN\" not in os.environ, os.environ[\"MY_SECRET_TOKEN\"]\n",
    // Only the allow-list, with HOME and TMPDIR in the block's own folder.
    "python\nimport os, tempfile\nhere = os.path.realpath(os.getcwd())\nextra = {k for k in os.environ if k not in {'PATH', 'HOME', 'TMPDIR', 'LANG', 'LANGUAGE', 'TZ'} and not k.startswith('LC_')}\nassert not extra, extra\nassert os.path.realpath(os.environ['HOME']) == os.path.join(here, 'home'), os.environ['HOME']\nassert os.path.realpath(tempfile.gettempdir()) == os.path.join(here, 'tmp'), tempfile.gettempdir()\nassert os.listdir(os.environ['HOME']) == []\n",
    // A block that dumps whatever environment it can reach into the report.
    "python\nimport os\nraise SystemExit(repr(dict(os.environ)))\n",
];

/// A variable set in pyq's environment is absent in the block, and its value
/// reaches no report format.
#[test]
fn blocks_see_a_scrubbed_environment_and_reports_never_show_pyqs() {
    let dir = tempdir();
    bank(dir.path(), &SECRET_BLOCKS);
    for format in ["human", "concise", "json", "github"] {
        let out = pyq(dir.path())
            .args(["--timeout", "20", "--format", format])
            .env("MY_SECRET_TOKEN", "hunter2")
            .env("LC_ALL", "C.UTF-8")
            .output()
            .expect("run pyq");
        let all = text(&out);
        assert_eq!(out.status.code(), Some(1), "{all}");
        assert!(all.contains("2 passed, 1 failed, 0 skipped"), "{all}");
        assert!(!all.contains("hunter2"), "{format}: {all}");
        assert!(!all.contains("MY_SECRET_TOKEN"), "{format}: {all}");
    }
}

/// `--pass-env NAME` and `pass-env = [...]` hand a variable to the blocks;
/// its value is still never printed in the report.
#[test]
fn pass_env_hands_named_variables_to_blocks_and_redacts_them() {
    let dir = tempdir();
    bank(
        dir.path(),
        &[
            "python\nimport os\nassert os.environ['BANK_SETTING'] == 'blue'\nassert 'OTHER_SETTING' not in os.environ\n",
            "python\nimport os\nassert os.environ['MY_SECRET_TOKEN'] == 'hunter2'\nraise SystemExit('leaked: ' + os.environ['MY_SECRET_TOKEN'])\n",
        ],
    );
    let run = |extra: &[&str]| {
        let out = pyq(dir.path())
            .args(["--timeout", "20", "--format", "concise"])
            .args(extra)
            .env("BANK_SETTING", "blue")
            .env("OTHER_SETTING", "red")
            .env("MY_SECRET_TOKEN", "hunter2")
            .output()
            .expect("run pyq");
        text(&out)
    };
    let all = run(&[
        "--pass-env",
        "BANK_SETTING",
        "--pass-env",
        "MY_SECRET_TOKEN",
    ]);
    assert!(all.contains("1 passed, 1 failed, 0 skipped"), "{all}");
    assert!(all.contains("leaked: [MY_SECRET_TOKEN]"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");
    std::fs::write(
        dir.path().join("pyq.toml"),
        "[check-code]\npass-env = [\"BANK_SETTING\", \"MY_SECRET_TOKEN\"]\n",
    )
    .expect("write pyq.toml");
    let all = run(&[]);
    assert!(all.contains("1 passed, 1 failed, 0 skipped"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");
}

/// A block that writes 1 GiB to standard error: pyq keeps a bounded part,
/// says how much it left out, and its own memory stays small.
#[test]
fn a_flood_of_output_is_bounded_in_memory_and_in_the_report() {
    let dir = tempdir();
    let path = bank(
        dir.path(),
        &[
            "python\nimport sys\nchunk = 'x' * (1 << 20)\nfor _ in range(1024):\n    sys.stderr.write(chunk)\nsys.stderr.write('\\nlast words\\n')\nraise SystemExit(3)\n",
        ],
    );
    let (out, peak) = crate::hostile::run_measured(&[
        "check-code".as_ref(),
        "--python".as_ref(),
        python().as_ref(),
        "--timeout".as_ref(),
        "60".as_ref(),
        "--format".as_ref(),
        "human".as_ref(),
        path.as_os_str(),
    ]);
    let all = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        &all[..all.len().min(2000)]
    );
    assert!(all.len() < 64 * 1024, "the report is {} bytes", all.len());
    assert!(all.contains("last words"), "{all}");
    assert!(
        all.contains("bytes of its standard error left out"),
        "{all}"
    );
    assert!(peak < 64 * 1024 * 1024, "pyq's peak was {peak} bytes");
}

/// Processes whose command line holds `marker`, from /proc.
#[cfg(target_os = "linux")]
fn processes_with(marker: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        // Zombies have an empty command line.
        if std::fs::read(entry.path().join("cmdline"))
            .is_ok_and(|c| c.windows(marker.len()).any(|w| w == marker.as_bytes()))
        {
            pids.push(pid);
        }
    }
    pids
}

/// Waits until `cond` holds, up to `limit`.
fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

/// A block that leaves three sleepers behind, each with `marker` in its
/// command line: one in the block's session, one in a new session, one
/// double-forked into a new session. Then it writes `started` and sleeps.
#[cfg(target_os = "linux")]
fn detaching_block(marker: &str, started: &Path) -> String {
    format!(
        "python\nimport os, subprocess, sys, time\nsleeper = [sys.executable, '-c', 'import time; time.sleep(120)', '{marker}']\nsubprocess.Popen(sleeper)\nsubprocess.Popen(sleeper, start_new_session=True)\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        os.execv(sys.executable, sleeper)\n    os._exit(0)\nos.wait()\nopen({started:?}, 'w').close()\ntime.sleep(120)\n"
    )
}

/// Kills what a failed run left behind, so a failing test does not leak.
#[cfg(target_os = "linux")]
fn kill_leftovers(marker: &str) -> Vec<u32> {
    let left = processes_with(marker);
    for pid in &left {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    left
}

#[cfg(target_os = "linux")]
fn marker(name: &str) -> String {
    format!("pyq-test-{name}-{}", std::process::id())
}

/// On a timeout the block's whole process tree ends, detached children too.
#[cfg(target_os = "linux")]
#[test]
fn a_timeout_ends_every_process_the_block_started() {
    let dir = tempdir();
    let marker = marker("timeout");
    let started = dir.path().join("started");
    bank(dir.path(), &[&detaching_block(&marker, &started)]);
    let out = pyq(dir.path())
        .args(["--timeout", "4", "--format", "concise"])
        .output()
        .expect("run pyq");
    let all = text(&out);
    let gone = wait_until(Duration::from_secs(5), || {
        processes_with(&marker).is_empty()
    });
    let left = kill_leftovers(&marker);
    assert!(started.exists(), "the block never got going: {all}");
    assert!(all.contains("did not finish within 4 s"), "{all}");
    assert!(gone, "left running after the timeout: {left:?}\n{all}");
}

/// Starts pyq on a detaching block, waits for the sleepers, then `signal`s
/// pyq (not its process group, as a supervisor would). pyq's temporary
/// folder is one of the test's own (a `kill -9` leaves the block's folder
/// behind, which must not pile up in the system's); what is left in it
/// comes back too.
#[cfg(target_os = "linux")]
fn interrupt(name: &str, signal: &str) -> (Output, Vec<u32>, bool, Vec<PathBuf>) {
    let dir = tempdir();
    let marker = marker(name);
    let started = dir.path().join("started");
    let temp = dir.path().join("temp");
    std::fs::create_dir(&temp).expect("a temporary folder for pyq");
    bank(dir.path(), &[&detaching_block(&marker, &started)]);
    let child = pyq(dir.path())
        .env("TMPDIR", &temp)
        .args(["--timeout", "100", "--format", "concise"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pyq");
    let running = wait_until(Duration::from_secs(20), || {
        started.exists() && processes_with(&marker).len() >= 3
    });
    let _ = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    let out = child.wait_with_output().expect("pyq ends");
    let gone = wait_until(Duration::from_secs(5), || {
        processes_with(&marker).is_empty()
    });
    let left = kill_leftovers(&marker);
    assert!(running, "the block never got going: {}", text(&out));
    let files = std::fs::read_dir(&temp)
        .expect("pyq's temporary folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    (out, left, gone, files)
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_of_pyq_ends_every_block_process_with_a_clear_message() {
    for (signal, name) in [("-INT", "SIGINT"), ("-TERM", "SIGTERM")] {
        let (out, left, gone, files) = interrupt(&format!("int{}", &signal[1..]), signal);
        let all = text(&out);
        assert!(gone, "{name}: left running: {left:?}\n{all}");
        assert!(files.is_empty(), "{name}: left behind: {files:?}\n{all}");
        assert_eq!(out.status.code(), Some(2), "{name}: {all}");
        assert!(
            all.contains(&format!("pyq was interrupted ({name})")),
            "{name}: {all}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn killing_pyq_ends_every_block_process() {
    let (out, left, gone, _) = interrupt("kill", "-KILL");
    assert!(gone, "left running: {left:?}\n{}", text(&out));
}

/// Network is off by default (a server on this machine's loopback is out
/// of reach), on with `--allow-network`.
#[cfg(target_os = "linux")]
#[test]
fn blocks_cannot_reach_the_network_unless_allowed() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = listener.local_addr().expect("address").port();
    let accepted = std::thread::spawn(move || {
        listener.set_nonblocking(false).expect("blocking");
        let _ = listener.accept();
    });
    let dir = tempdir();
    bank(
        dir.path(),
        &[&format!(
            "python\nimport socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=5).close()\n"
        )],
    );
    let run = |extra: &[&str]| {
        pyq(dir.path())
            .args(["--timeout", "20", "--format", "concise"])
            .args(extra)
            .output()
            .expect("run pyq")
    };
    let out = run(&[]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("0 passed, 1 failed"), "{all}");
    assert!(all.contains("Error"), "{all}");
    let out = run(&["--allow-network"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    accepted.join().expect("the server thread");
}

/// Runs one block under `limits`; returns the report.
#[cfg(target_os = "linux")]
fn hit(block: &str, limits: &[&str]) -> String {
    let dir = tempdir();
    bank(dir.path(), &[block]);
    let mut cmd = pyq(dir.path());
    cmd.args(["--timeout", "30", "--format", "concise"]);
    for limit in limits {
        cmd.args(["--limit", limit]);
    }
    let out = cmd.output().expect("run pyq");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    all
}

#[cfg(target_os = "linux")]
#[test]
fn each_limit_gives_a_clear_finding() {
    let all = hit("python\nwhile True:\n    pass\n", &["cpu-time=1"]);
    assert!(
        all.contains("code block 1 of question 1 (`q1`) exceeded the 1 s CPU time limit"),
        "{all}"
    );
    let all = hit("python\nx = bytearray(1 << 30)\n", &["memory=256MiB"]);
    assert!(
        all.contains("code block 1 of question 1 (`q1`) exceeded the 256 MiB memory limit"),
        "{all}"
    );
    let all = hit(
        "python\nwith open('big', 'wb') as f:\n    f.write(b'x' * (2 << 20))\n",
        &["file-size=1MiB"],
    );
    assert!(
        all.contains("code block 1 of question 1 (`q1`) exceeded the 1 MiB file size limit"),
        "{all}"
    );
    let all = hit(
        "python\nfiles = [open('f%d' % i, 'w') for i in range(100)]\n",
        &["open-files=50"],
    );
    assert!(
        all.contains("code block 1 of question 1 (`q1`) exceeded the limit of 50 open files"),
        "{all}"
    );
    // A child process that writes past the limit dies of SIGXFSZ.
    let all = hit(
        "python\nimport subprocess\nsubprocess.run(['dd', 'if=/dev/zero', 'of=big', 'bs=1M', 'count=4'], check=True, stderr=subprocess.DEVNULL)\n",
        &["file-size=1MiB"],
    );
    assert!(all.contains("SIGXFSZ"), "{all}");
}

/// Runs a bank with a small block (5 processes) and a greedy one (40) under
/// `processes=16`, as the current user or, with `as_nobody`, as `nobody`
/// (this test runs as root); returns the concise report.
#[cfg(target_os = "linux")]
fn forks(as_nobody: bool) -> Option<String> {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempdir();
    let open = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(dir.path(), open.clone()).expect("chmod");
    let block = |n: usize| {
        format!(
            "python\nimport os, time\nfor _ in range({n}):\n    if os.fork() == 0:\n        time.sleep(3)\n        os._exit(0)\n"
        )
    };
    bank(dir.path(), &[&block(5), &block(40)]);
    let mut cmd = if as_nobody {
        // pyq and python must be readable by nobody: a copy of pyq, and
        // the system's python3 (pyenv's live under /root).
        let python = Path::new("/usr/bin/python3");
        if !python.exists() || Command::new("setpriv").arg("--help").output().is_err() {
            return None;
        }
        let pyq = dir.path().join("pyq");
        std::fs::copy(env!("CARGO_BIN_EXE_pyq"), &pyq).expect("copy pyq");
        std::fs::set_permissions(&pyq, open).expect("chmod");
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(pyq)
            .args(["check-code", "--python"])
            .arg(python)
            .current_dir(dir.path())
            .env("GITHUB_ACTIONS", "false")
            .stdin(Stdio::null());
        cmd
    } else {
        pyq(dir.path())
    };
    let out = cmd
        .args([
            "--timeout",
            "30",
            "--format",
            "concise",
            "--limit",
            "processes=16",
        ])
        .output()
        .expect("run pyq");
    Some(text(&out))
}

/// The process limit counts the block's own processes (its user namespace),
/// not every process of the user. The kernel does not apply it to root
/// (real user id 0, also when mapped into a user namespace): documented in
/// docs/limits.md, and checked here so the docs stay true.
#[cfg(target_os = "linux")]
#[test]
fn the_process_limit_counts_the_blocks_processes_and_root_is_exempt() {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let expected_limited = "code block 1 of question 2 (`q2`) exceeded the limit of 16 processes";
    if root {
        let all = forks(false).expect("runs");
        assert!(all.contains("2 passed, 0 failed"), "root: {all}");
        match forks(true) {
            Some(all) => {
                assert!(all.contains(expected_limited), "nobody: {all}");
                assert!(all.contains("1 passed, 1 failed"), "nobody: {all}");
            }
            None => eprintln!("no setpriv or /usr/bin/python3: the unprivileged case is not run"),
        }
    } else {
        let all = forks(false).expect("runs");
        assert!(all.contains(expected_limited), "{all}");
        assert!(all.contains("1 passed, 1 failed"), "{all}");
    }
}

/// Where user namespaces are not available, pyq says so and still scrubs
/// the environment, applies the limits and kills the block's session on a
/// timeout. Simulated with `unshare`: a user namespace that may not create
/// more of them.
#[cfg(target_os = "linux")]
#[test]
fn without_namespaces_pyq_says_so_and_still_contains_the_session() {
    let nested = Command::new("unshare")
        .args([
            "-Ur",
            "sh",
            "-c",
            "echo 0 > /proc/sys/user/max_user_namespaces",
        ])
        .output();
    if !nested.is_ok_and(|o| o.status.success()) {
        eprintln!("unshare -Ur is not available here: the fallback is not tested");
        return;
    }
    let dir = tempdir();
    let marker = marker("fallback");
    let started = dir.path().join("started");
    bank(
        dir.path(),
        &[
            SECRET_BLOCKS[0],
            "python\nx = bytearray(1 << 30)\n",
            &format!(
                "python\nimport subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)', '{marker}'])\nopen({started:?}, 'w').close()\ntime.sleep(120)\n"
            ),
        ],
    );
    let out = Command::new("unshare")
        .args([
            "-Ur",
            "sh",
            "-c",
            "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$@\"",
            "sh",
        ])
        .arg(env!("CARGO_BIN_EXE_pyq"))
        .args([
            "check-code",
            "--python",
            python(),
            "--timeout",
            "4",
            "--format",
            "concise",
        ])
        .args(["--limit", "memory=256MiB"])
        .current_dir(dir.path())
        .env("MY_SECRET_TOKEN", "hunter2")
        .env("GITHUB_ACTIONS", "false")
        .stdin(Stdio::null())
        .output()
        .expect("run pyq");
    let all = text(&out);
    let gone = wait_until(Duration::from_secs(5), || {
        processes_with(&marker).is_empty()
    });
    let left = kill_leftovers(&marker);
    assert!(
        all.contains("pyq: notice: Linux namespaces are not available here"),
        "{all}"
    );
    assert!(!all.contains("hunter2"), "{all}");
    assert!(all.contains("exceeded the 256 MiB memory limit"), "{all}");
    assert!(all.contains("did not finish within 4 s"), "{all}");
    assert!(all.contains("1 passed, 2 failed"), "{all}");
    assert!(started.exists() && gone, "left running: {left:?}\n{all}");
}
