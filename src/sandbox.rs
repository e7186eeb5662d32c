//! Where `pyq check-code` runs a block: an environment reduced to an
//! allow-list, resource limits, its own session, and on Linux its own user,
//! PID, mount and network namespaces, so that everything a block starts
//! ends with it and a block cannot reach the network or pyq's secrets.
//! docs/check-code.md ("Trust") says what this does and does not stop.
//!
//! On Linux a block runs under a tiny init, pyq itself re-executed as
//! `pyq __block-init SPEC PYTHON ARGS...` ([`init_main`]):
//!
//! ```text
//! pyq (worker thread)            setsid, parent-death signal SIGKILL
//!  └─ init A  (pyq __block-init) unshare(user, pid, mount, net), uid/gid map
//!      └─ init B  (PID 1)        parent-death signal, fresh /proc, reaps
//!          └─ python block.py    rlimits; its children, detached or not
//! ```
//!
//! When B ends the kernel kills every process in its PID namespace, so no
//! child of a block outlives it: B ends when python ends, when A dies
//! (parent-death signal), and A dies when pyq dies (parent-death signal) or
//! kills A's process group (timeout, Ctrl-C). A reports python's exit status
//! as its own (re-raising a fatal signal), so pyq sees python's status.
//! Where namespaces are not available (kernel settings, some containers)
//! python runs directly in its own session, with the parent-death signal
//! and the limits, but children that start a new session can outlive it.
//! Other Unix systems: setsid and rlimits in the child before `exec`.
//! Windows: the environment, the time limit (python itself is killed) and
//! the output bound.
//!
//! All of pyq's `unsafe` for processes is in this module, in `sys`.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::Path;
use std::process::Command;
#[cfg(target_os = "linux")]
use std::process::Stdio;

/// The hidden first argument that makes pyq a block's init.
pub const INIT_COMMAND: &str = "__block-init";

/// A resource a block's processes are limited in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    CpuTime,
    Memory,
    FileSize,
    OpenFiles,
    Processes,
}

impl Resource {
    pub const ALL: [Self; 5] = [
        Self::CpuTime,
        Self::Memory,
        Self::FileSize,
        Self::OpenFiles,
        Self::Processes,
    ];

    /// The name in `--limit NAME=VALUE` and in `[check-code.limits]`.
    pub fn key(self) -> &'static str {
        match self {
            Self::CpuTime => "cpu-time",
            Self::Memory => "memory",
            Self::FileSize => "file-size",
            Self::OpenFiles => "open-files",
            Self::Processes => "processes",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The default, documented in docs/limits.md (`None`: unlimited).
    pub fn default_limit(self) -> Option<u64> {
        match self {
            Self::CpuTime => Some(60),
            Self::Memory => Some(512 << 20),
            Self::FileSize => Some(64 << 20),
            Self::OpenFiles => Some(256),
            Self::Processes => Some(128),
        }
    }

    fn is_bytes(self) -> bool {
        matches!(self, Self::Memory | Self::FileSize)
    }

    /// What a value looks like, for messages.
    pub fn example(self) -> &'static str {
        match self {
            Self::CpuTime => "a whole number of seconds, e.g. `cpu-time=60`",
            Self::Memory => "a size such as `512MiB` or `2GiB`",
            Self::FileSize => "a size such as `64MiB`",
            Self::OpenFiles => "a whole number, e.g. `open-files=256`",
            Self::Processes => "a whole number, e.g. `processes=128`",
        }
    }

    /// Parses a value: a whole number (seconds, bytes or a count), a size
    /// with a unit (`KiB`, `MiB`, `GiB`, also `K`, `M`, `G`) for the byte
    /// limits, or `unlimited`.
    pub fn parse_value(self, text: &str) -> Result<Option<u64>, String> {
        let text = text.trim();
        if text == "unlimited" {
            return Ok(None);
        }
        let digits = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(digits);
        let number: u64 = number.parse().map_err(|_| {
            format!(
                "`{text}` is not a limit for `{}`: write {} or `unlimited`",
                self.key(),
                self.example()
            )
        })?;
        let scale: u64 = match (self.is_bytes(), unit.trim()) {
            (_, "") => 1,
            (true, "K" | "KiB" | "k") => 1 << 10,
            (true, "M" | "MiB") => 1 << 20,
            (true, "G" | "GiB") => 1 << 30,
            (false, "s") if self == Self::CpuTime => 1,
            _ => {
                return Err(format!(
                    "`{text}` is not a limit for `{}`: write {} or `unlimited`",
                    self.key(),
                    self.example()
                ));
            }
        };
        match number.checked_mul(scale) {
            Some(0) => Err(format!(
                "`{}` must be at least 1, or `unlimited`",
                self.key()
            )),
            Some(n) => Ok(Some(n)),
            None => Err(format!("`{text}` is too large for `{}`", self.key())),
        }
    }

    /// "the 512 MiB memory limit", "the limit of 256 open files".
    pub fn describe(self, limit: u64) -> String {
        match self {
            Self::CpuTime => format!("the {limit} s CPU time limit"),
            Self::Memory => format!("the {} memory limit", size(limit)),
            Self::FileSize => format!("the {} file size limit", size(limit)),
            Self::OpenFiles => format!("the limit of {limit} open files"),
            Self::Processes => format!("the limit of {limit} processes"),
        }
    }
}

/// `512 MiB`, `1 GiB`, `1536 KiB`, `100 bytes`.
pub fn size(bytes: u64) -> String {
    for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

/// The limit of each resource (`None`: unlimited).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits([Option<u64>; 5]);

impl Default for Limits {
    fn default() -> Self {
        Self(Resource::ALL.map(Resource::default_limit))
    }
}

impl Limits {
    pub fn get(&self, r: Resource) -> Option<u64> {
        self.0[r as usize]
    }

    pub fn set(&mut self, r: Resource, limit: Option<u64>) {
        self.0[r as usize] = limit;
    }

    /// `cpu-time=60,memory=536870912,...` for the init's command line.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    fn encode(&self) -> String {
        Resource::ALL
            .iter()
            .map(|&r| match self.get(r) {
                Some(n) => format!("{}={n}", r.key()),
                None => format!("{}=unlimited", r.key()),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    fn decode(text: &str) -> Option<Self> {
        let mut limits = Self([None; 5]);
        // Words without `=` are flags (`namespaces`, `no-network`).
        for part in text.split(',').filter(|p| p.contains('=')) {
            let (key, value) = part.split_once('=')?;
            let r = Resource::from_key(key)?;
            limits.set(r, r.parse_value(value).ok()?);
        }
        Some(limits)
    }
}

impl fmt::Display for Limits {
    /// `CPU 60 s, memory 1 GiB, ...` for the start line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show =
            |r: Resource, f: &dyn Fn(u64) -> String| self.get(r).map_or("unlimited".to_owned(), f);
        write!(
            f,
            "CPU {}, memory {}, file size {}, {} open files, {} processes",
            show(Resource::CpuTime, &|n| format!("{n} s")),
            show(Resource::Memory, &size),
            show(Resource::FileSize, &size),
            show(Resource::OpenFiles, &|n| n.to_string()),
            show(Resource::Processes, &|n| n.to_string()),
        )
    }
}

/// The variables a block gets from pyq's environment, besides the ones
/// named with `--pass-env`: the executable search path, the locale, the
/// time zone, and on Windows what the interpreter and the C runtime need.
const ALLOWED: &[&str] = &[
    "PATH",
    "LANG",
    "LANGUAGE",
    "TZ",
    #[cfg(windows)]
    "SYSTEMROOT",
    #[cfg(windows)]
    "SYSTEMDRIVE",
    #[cfg(windows)]
    "WINDIR",
    #[cfg(windows)]
    "COMSPEC",
    #[cfg(windows)]
    "PATHEXT",
    #[cfg(windows)]
    "NUMBER_OF_PROCESSORS",
    #[cfg(windows)]
    "PROCESSOR_ARCHITECTURE",
];

/// Whether a variable of pyq's environment is handed to blocks on its own.
fn allowed(name: &str) -> bool {
    ALLOWED.iter().any(|a| name.eq_ignore_ascii_case(a)) || name.starts_with("LC_")
}

/// How blocks run.
#[derive(Clone, Debug)]
pub struct Sandbox {
    pub limits: Limits,
    /// `--allow-network`.
    pub allow_network: bool,
    /// Variables named with `--pass-env`, as found in pyq's environment.
    pub pass_env: Vec<(OsString, OsString)>,
    /// Linux: namespaces work here (probed once by [`Sandbox::probe`]).
    pub namespaces: bool,
}

impl Sandbox {
    /// A sandbox with these settings; on Linux, checks once whether user
    /// namespaces are available. Returns a notice when isolation is weaker
    /// than documented on this machine.
    pub fn new(limits: Limits, allow_network: bool, pass_env: &[String]) -> (Self, Option<String>) {
        let pass_env = pass_env
            .iter()
            .filter_map(|name| std::env::var_os(name).map(|v| (OsString::from(name), v)))
            .collect();
        let mut sandbox = Self {
            limits,
            allow_network,
            pass_env,
            namespaces: false,
        };
        let notice = sandbox.probe();
        (sandbox, notice)
    }

    #[cfg(target_os = "linux")]
    fn probe(&mut self) -> Option<String> {
        let spec = if self.allow_network {
            "--probe"
        } else {
            "--probe,no-network"
        };
        let status = Command::new("/proc/self/exe")
            .args([INIT_COMMAND, spec, "-", "-"])
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        match status {
            Ok(out) if out.status.success() => {
                self.namespaces = true;
                None
            }
            Ok(out) => Some(format!(
                "pyq: notice: Linux namespaces are not available here ({}), so blocks run in their own session only: processes a block detaches can outlive it, {}the process limit is not applied (it would count all of this user's processes); see docs/check-code.md#trust",
                String::from_utf8_lossy(&out.stderr)
                    .trim()
                    .trim_start_matches("pyq: cannot isolate the block: "),
                if self.allow_network {
                    ""
                } else {
                    "blocks can reach the network, "
                }
            )),
            Err(e) => Some(format!(
                "pyq: notice: cannot start pyq's block init ({e}), so blocks run in their own session only; see docs/check-code.md#trust"
            )),
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn probe(&mut self) -> Option<String> {
        let what = if cfg!(unix) {
            "run in their own session with resource limits"
        } else {
            "run with a scrubbed environment and a time limit only"
        };
        Some(format!(
            "pyq: notice: on this system blocks {what}: processes a block detaches can outlive it{}; see docs/check-code.md#trust",
            if self.allow_network {
                ""
            } else {
                ", and blocks can reach the network"
            }
        ))
    }

    /// The command that runs `python ARGS...` isolated, in `dir` (the
    /// block's temporary folder, which has `home/` and `tmp/`).
    pub fn command(&self, python: &Path, args: &[&OsStr], dir: &Path) -> Command {
        #[cfg(target_os = "linux")]
        let mut cmd = if self.namespaces {
            let mut spec = self.limits.encode();
            if !self.allow_network {
                spec.push_str(",no-network");
            }
            let mut cmd = Command::new("/proc/self/exe");
            cmd.arg(INIT_COMMAND).arg(spec).arg(python).args(args);
            sys::own_session(&mut cmd, true);
            cmd
        } else {
            // Weaker isolation (the notice said so): the session, the
            // parent-death signal and the limits, but not the process
            // limit, which would count every process of this user.
            let mut cmd = Command::new(python);
            cmd.args(args);
            sys::own_session(&mut cmd, true);
            sys::limit(&mut cmd, self.limits.clone(), false);
            cmd
        };
        #[cfg(all(unix, not(target_os = "linux")))]
        let mut cmd = {
            let mut cmd = Command::new(python);
            cmd.args(args);
            sys::own_session(&mut cmd, false);
            sys::limit(&mut cmd, self.limits.clone(), false);
            cmd
        };
        #[cfg(not(unix))]
        let mut cmd = {
            let mut cmd = Command::new(python);
            cmd.args(args);
            cmd
        };
        cmd.current_dir(dir).env_clear();
        cmd.envs(self.environment(dir));
        cmd
    }

    /// The block's whole environment.
    pub fn environment(&self, dir: &Path) -> Vec<(OsString, OsString)> {
        let mut env: Vec<(OsString, OsString)> = std::env::vars_os()
            .filter(|(k, _)| k.to_str().is_some_and(allowed))
            .collect();
        env.extend(self.pass_env.iter().cloned());
        let home = dir.join("home").into_os_string();
        let tmp = dir.join("tmp").into_os_string();
        let mut fresh = vec![("HOME", home.clone()), ("TMPDIR", tmp.clone())];
        if cfg!(windows) {
            fresh.extend([("USERPROFILE", home), ("TEMP", tmp.clone()), ("TMP", tmp)]);
        }
        for (k, v) in fresh {
            env.retain(|(name, _)| name != k);
            env.push((k.into(), v));
        }
        env
    }
}

/// The values of pyq's environment that must not reach a report, longest
/// first, each with its variable's name: every variable named with
/// `--pass-env`, every variable whose name suggests a secret, and any
/// other value of 16 bytes or more, except the allow-list's and a few
/// well-known non-secret ones. docs/check-code.md#trust.
pub fn redactions(pass_env: &[String]) -> Vec<(String, String)> {
    const SECRET: &[&str] = &[
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "PASS",
        "KEY",
        "CREDENTIAL",
        "AUTH",
        "COOKIE",
        "SESSION",
        "PRIVATE",
        "CERT",
        "SIGNATURE",
    ];
    const PLAIN: &[&str] = &[
        "HOME", "PWD", "OLDPWD", "SHELL", "TERM", "USER", "LOGNAME", "TMPDIR",
    ];
    let mut out: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(name, value)| {
            let upper = name.to_ascii_uppercase();
            let n = value.trim().len();
            (pass_env.contains(name) || SECRET.iter().any(|s| upper.contains(s))) && n >= 3
                || n >= 16 && !allowed(name) && !PLAIN.contains(&name.as_str())
        })
        .map(|(name, value)| (value, name))
        .collect();
    out.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// `text` with every value of `redactions` replaced by `[NAME]`.
pub fn redact(text: &str, redactions: &[(String, String)]) -> String {
    let mut text = text.to_owned();
    for (value, name) in redactions {
        if text.contains(value.as_str()) {
            text = text.replace(value.as_str(), &format!("[{name}]"));
        }
    }
    text
}

/// Ends a block's whole process tree: its process group (or, where there is
/// none, the process itself). Call it before the child is reaped (see
/// [`has_ended`]), so that its id cannot have been reused.
pub fn kill_tree(child: &mut std::process::Child) {
    #[cfg(unix)]
    sys::kill_group(child.id());
    let _ = child.kill();
}

/// Whether `child` has ended; on Unix without reaping it, so that its
/// process group can still be killed by id ([`kill_tree`]) before `wait`.
pub fn has_ended(child: &mut std::process::Child) -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        sys::has_ended(child.id())
    }
    #[cfg(not(unix))]
    {
        child.try_wait().map(|s| s.is_some())
    }
}

/// How a process ended, in the terms the report uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Exit(i32),
    /// Killed by this signal number.
    Signal(i32),
}

impl Ended {
    pub fn of(status: std::process::ExitStatus) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt as _;
            if let Some(sig) = status.signal() {
                return Self::Signal(sig);
            }
        }
        Self::Exit(status.code().unwrap_or(-1))
    }

    /// The resource limit this ending means, if it is a limit's signal.
    pub fn limit_signal(self) -> Option<Resource> {
        match self {
            #[cfg(unix)]
            Self::Signal(sig) if sig == sys::SIGXCPU => Some(Resource::CpuTime),
            #[cfg(unix)]
            Self::Signal(sig) if sig == sys::SIGXFSZ => Some(Resource::FileSize),
            _ => None,
        }
    }

    pub fn signal_name(sig: i32) -> String {
        #[cfg(unix)]
        if let Some(name) = sys::signal_name(sig) {
            return name.to_owned();
        }
        format!("signal {sig}")
    }
}

/// Catches SIGINT and SIGTERM from now on: [`interrupted`] then says which
/// came, and the runner stops every block. pyq ends with a message instead
/// of dying with blocks still running (on Linux they would die with it
/// anyway, through the parent-death signal; elsewhere they would not).
pub fn catch_interrupts() {
    #[cfg(unix)]
    sys::catch_interrupts();
}

/// The signal that asked pyq to stop, if one did.
pub fn interrupted() -> Option<&'static str> {
    #[cfg(unix)]
    {
        sys::interrupted()
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Keeps blocks from reading pyq's own memory and `/proc/PID/environ`
/// (Linux: they run as the same user, and a process of the same user may
/// otherwise read them).
pub fn protect_self() {
    #[cfg(target_os = "linux")]
    sys::not_dumpable();
}

/// `pyq __block-init SPEC PYTHON ARGS...`: the init a block runs under on
/// Linux (see the module's documentation); `SPEC` is the limits and
/// `no-network`, or `--probe` to check that namespaces work. Never returns.
#[allow(clippy::print_stderr)] // its errors go to the block's standard error
pub fn init_main(args: &[OsString]) -> ! {
    #[cfg(target_os = "linux")]
    {
        let code = match init::run(args) {
            Ok(code) => code,
            Err(why) => {
                eprintln!("pyq: cannot isolate the block: {why}");
                125
            }
        };
        std::process::exit(code)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = args;
        eprintln!("pyq: `{INIT_COMMAND}` is internal to `pyq check-code` on Linux");
        std::process::exit(2)
    }
}

#[cfg(target_os = "linux")]
mod init {
    use std::ffi::OsString;
    use std::process::Command;

    use super::{Limits, sys};

    /// The init's work; the exit code for pyq, or why it could not run.
    pub fn run(args: &[OsString]) -> Result<i32, String> {
        let [spec, python, rest @ ..] = args else {
            return Err("usage: pyq __block-init SPEC PYTHON ARGS...".to_owned());
        };
        let spec = spec.to_str().unwrap_or("");
        let no_network = spec.split(',').any(|w| w == "no-network");
        if spec.split(',').any(|w| w == "--probe") {
            sys::unshare_all(no_network).map_err(|e| format!("unshare: {e}"))?;
            return Ok(0);
        }
        let limits = Limits::decode(spec).ok_or_else(|| format!("bad spec `{spec}`"))?;
        let mut python_cmd = Command::new(python);
        python_cmd.args(rest);
        sys::unshare_all(no_network).map_err(|e| format!("unshare: {e}"))?;
        sys::tree(python_cmd, limits)
    }
}

/// The system calls, each `unsafe` block with why it is sound.
#[cfg(unix)]
mod sys {
    use std::io;
    use std::os::unix::process::CommandExt as _;
    use std::process::Command;
    use std::sync::atomic::{AtomicI32, Ordering};

    use super::{Limits, Resource};

    pub const SIGXCPU: i32 = libc::SIGXCPU;
    pub const SIGXFSZ: i32 = libc::SIGXFSZ;

    pub fn signal_name(sig: i32) -> Option<&'static str> {
        Some(match sig {
            libc::SIGKILL => "SIGKILL",
            libc::SIGSEGV => "SIGSEGV",
            libc::SIGABRT => "SIGABRT",
            libc::SIGXCPU => "SIGXCPU",
            libc::SIGXFSZ => "SIGXFSZ",
            libc::SIGBUS => "SIGBUS",
            libc::SIGTERM => "SIGTERM",
            libc::SIGINT => "SIGINT",
            libc::SIGPIPE => "SIGPIPE",
            libc::SIGFPE => "SIGFPE",
            libc::SIGILL => "SIGILL",
            _ => return None,
        })
    }

    fn check(ret: libc::c_int) -> io::Result<()> {
        if ret == -1 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// The child gets its own session (so its own process group, which
    /// pyq kills as a whole, and no terminal whose Ctrl-C would reach it),
    /// and on Linux dies when the thread that started it ends.
    pub fn own_session(cmd: &mut Command, parent_death: bool) {
        // SAFETY: the closure runs in the child between fork and exec; it
        // only calls async-signal-safe functions (getpid, getppid, setsid,
        // prctl) and touches no memory shared with the parent.
        let parent = std::process::id();
        unsafe {
            cmd.pre_exec(move || {
                check(libc::setsid())?;
                #[cfg(target_os = "linux")]
                if parent_death {
                    check(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0))?;
                    // pyq died between fork and prctl: nobody waits for us.
                    if libc::getppid() as u32 != parent {
                        return Err(io::Error::other("pyq has exited"));
                    }
                }
                let _ = (parent, parent_death);
                Ok(())
            });
        }
    }

    /// Sets the resource limits in the child before `exec` (soft and hard;
    /// the CPU limit's hard one a second later, so SIGXCPU comes first),
    /// and no core files. `processes` only when asked: it counts every
    /// process of the user outside a user namespace.
    pub fn limit(cmd: &mut Command, limits: Limits, processes: bool) {
        let mut list: Vec<(LimitResource, libc::rlim_t, libc::rlim_t)> =
            vec![(libc::RLIMIT_CORE, 0, 0)];
        for r in Resource::ALL {
            let Some(n) = limits.get(r) else { continue };
            let n = n as libc::rlim_t;
            match r {
                Resource::CpuTime => list.push((libc::RLIMIT_CPU, n, n.saturating_add(1))),
                Resource::Memory => list.push((libc::RLIMIT_AS, n, n)),
                Resource::FileSize => list.push((libc::RLIMIT_FSIZE, n, n)),
                Resource::OpenFiles => list.push((libc::RLIMIT_NOFILE, n, n)),
                Resource::Processes if processes => list.push((libc::RLIMIT_NPROC, n, n)),
                Resource::Processes => {}
            }
        }
        // SAFETY: runs in the child between fork and exec; `setrlimit` is
        // async-signal-safe and reads only the `rlimit` on this stack. The
        // list was built before the fork; the closure only reads it.
        unsafe {
            cmd.pre_exec(move || {
                for &(resource, soft, hard) in &list {
                    let limit = libc::rlimit {
                        rlim_cur: soft,
                        rlim_max: hard,
                    };
                    // A hard limit above the current one (not root): keep
                    // the current hard limit, lower the soft one.
                    if libc::setrlimit(resource, &limit) == -1 {
                        let mut old = libc::rlimit {
                            rlim_cur: 0,
                            rlim_max: 0,
                        };
                        check(libc::getrlimit(resource, &mut old))?;
                        let limit = libc::rlimit {
                            rlim_cur: soft.min(old.rlim_max),
                            rlim_max: old.rlim_max,
                        };
                        check(libc::setrlimit(resource, &limit))?;
                    }
                }
                Ok(())
            });
        }
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    type LimitResource = libc::__rlimit_resource_t;
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    type LimitResource = libc::c_int;

    pub fn kill_group(pid: u32) {
        if let Ok(pid) = libc::pid_t::try_from(pid) {
            // SAFETY: `kill` has no memory effects. `-pid` names the
            // block's process group, which setsid made equal to its pid;
            // the id is not reused while the group has members or the
            // leader is unreaped.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }

    pub fn has_ended(pid: u32) -> io::Result<bool> {
        let pid = libc::id_t::try_from(pid).map_err(io::Error::other)?;
        // SAFETY: waitid fills the zeroed `siginfo_t` on this stack; with
        // WNOWAIT the child stays a zombie (its id reserved) until `wait`.
        unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            loop {
                let ret = libc::waitid(
                    libc::P_PID,
                    pid,
                    &mut info,
                    libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
                );
                if ret == 0 {
                    return Ok(info.si_signo != 0);
                }
                let err = io::Error::last_os_error();
                if err.kind() != io::ErrorKind::Interrupted {
                    return Err(err);
                }
            }
        }
    }

    static SIGNAL: AtomicI32 = AtomicI32::new(0);

    extern "C" fn on_signal(sig: libc::c_int) {
        // Async-signal-safe: one atomic store.
        SIGNAL.store(sig, Ordering::SeqCst);
    }

    pub fn catch_interrupts() {
        for sig in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: `sigaction` with a zeroed struct plus a handler that
            // only stores to an atomic; the struct lives on this stack for
            // the duration of the call.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
        }
    }

    pub fn interrupted() -> Option<&'static str> {
        match SIGNAL.load(Ordering::SeqCst) {
            0 => None,
            libc::SIGINT => Some("SIGINT"),
            _ => Some("SIGTERM"),
        }
    }

    #[cfg(target_os = "linux")]
    pub fn not_dumpable() {
        // SAFETY: prctl(PR_SET_DUMPABLE) only sets a flag of this process.
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
    }

    /// New user, PID, mount (and network) namespaces for this process's
    /// children, with this user mapped to itself. The caller must be
    /// single-threaded (the init is: it was just exec'd).
    #[cfg(target_os = "linux")]
    pub fn unshare_all(network: bool) -> io::Result<()> {
        let (uid, gid) = {
            // SAFETY: getuid and getgid cannot fail and touch no memory.
            unsafe { (libc::getuid(), libc::getgid()) }
        };
        let mut flags = libc::CLONE_NEWUSER | libc::CLONE_NEWPID | libc::CLONE_NEWNS;
        if network {
            flags |= libc::CLONE_NEWNET;
        }
        // SAFETY: unshare only changes this process's namespaces.
        check(unsafe { libc::unshare(flags) })?;
        std::fs::write("/proc/self/setgroups", "deny")?;
        std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1"))?;
        std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1"))?;
        if network {
            loopback_up();
        }
        Ok(())
    }

    /// Brings the new network namespace's loopback interface up, so blocks
    /// can talk to servers they start themselves; best effort.
    #[cfg(target_os = "linux")]
    fn loopback_up() {
        // SAFETY: a socket used only for two ioctls on a zeroed `ifreq`
        // that lives on this stack, then closed.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
            if fd < 0 {
                return;
            }
            let mut req: libc::ifreq = std::mem::zeroed();
            for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
                *dst = *src as libc::c_char;
            }
            if libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req) == 0 {
                req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
                libc::ioctl(fd, libc::SIOCSIFFLAGS, &req);
            }
            libc::close(fd);
        }
    }

    /// After [`unshare_all`]: forks the PID namespace's init (B), which
    /// starts `python` (with the limits) and reaps until python ends; then
    /// reports python's status as this process's own. Returns an exit code
    /// only when it cannot mirror a signal.
    #[cfg(target_os = "linux")]
    pub fn tree(mut python: Command, limits: Limits) -> Result<i32, String> {
        use std::io::{Read as _, Write as _};
        use std::os::fd::AsRawFd as _;

        let (alive_r, alive_w) = io::pipe().map_err(|e| format!("pipe: {e}"))?;
        let (mut status_r, status_w) = io::pipe().map_err(|e| format!("pipe: {e}"))?;
        // SAFETY: this process is single-threaded (a fresh exec of pyq that
        // started no threads), so the child may run any code.
        let pid = unsafe { libc::fork() };
        if pid == -1 {
            return Err(format!("fork: {}", io::Error::last_os_error()));
        }
        if pid == 0 {
            // B, PID 1 of the new namespace.
            drop(alive_w);
            drop(status_r);
            let mut status_w = status_w;
            // SAFETY: prctl sets a flag of this process; poll reads one
            // `pollfd` on this stack.
            let parent_gone = unsafe {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
                let mut fd = libc::pollfd {
                    fd: alive_r.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                };
                libc::poll(&mut fd, 1, 0) != 0
            };
            if parent_gone {
                // A died before the parent-death signal was set.
                std::process::exit(125);
            }
            fresh_proc();
            limit(&mut python, limits, true);
            let status = match python.spawn() {
                Ok(child) => reap_until(child.id()),
                Err(e) => {
                    let _ = writeln!(io::stderr(), "pyq: cannot run the interpreter: {e}");
                    127 << 8
                }
            };
            let _ = status_w.write_all(&status.to_ne_bytes());
            // Exiting ends the namespace: the kernel kills what is left.
            std::process::exit(0);
        }
        // A.
        drop(alive_r);
        drop(status_w);
        let mut bytes = [0u8; 4];
        let got = status_r.read_exact(&mut bytes);
        let mut ignored = 0;
        // SAFETY: waitpid writes one int on this stack.
        while unsafe { libc::waitpid(pid, &mut ignored, 0) } == -1
            && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted
        {}
        drop(alive_w);
        got.map_err(|_| "the block's init ended without a status".to_owned())?;
        let status = libc::c_int::from_ne_bytes(bytes);
        if libc::WIFSIGNALED(status) {
            let sig = libc::WTERMSIG(status);
            // SAFETY: no core file; default action for `sig`; raise it on
            // this process. No memory of ours is touched.
            unsafe {
                let none = libc::rlimit {
                    rlim_cur: 0,
                    rlim_max: 0,
                };
                libc::setrlimit(libc::RLIMIT_CORE, &none);
                libc::signal(sig, libc::SIG_DFL);
                libc::raise(sig);
            }
            return Ok(128 + sig);
        }
        Ok(libc::WEXITSTATUS(status))
    }

    /// A /proc of the new PID namespace, so that blocks see only their
    /// own processes (and not, say, the environment of the shell that
    /// started pyq); best effort: some containers forbid it.
    #[cfg(target_os = "linux")]
    fn fresh_proc() {
        // SAFETY: mount with static C strings; it changes only this mount
        // namespace, which is the block's own.
        unsafe {
            let none = std::ptr::null();
            if libc::mount(
                c"none".as_ptr(),
                c"/".as_ptr(),
                none,
                libc::MS_REC | libc::MS_PRIVATE,
                none.cast(),
            ) == 0
            {
                libc::mount(
                    c"proc".as_ptr(),
                    c"/proc".as_ptr(),
                    c"proc".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                    none.cast(),
                );
            }
        }
    }

    /// Reaps every child until `pid` ends; its wait status.
    #[cfg(target_os = "linux")]
    fn reap_until(pid: u32) -> libc::c_int {
        loop {
            let mut status = 0;
            // SAFETY: waitpid writes one int on this stack.
            let got = unsafe { libc::waitpid(-1, &mut status, 0) };
            if got == -1 {
                if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return 125 << 8;
            }
            if got as u32 == pid {
                return status;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_values_parse_with_units_and_unlimited() {
        assert_eq!(Resource::Memory.parse_value("512MiB"), Ok(Some(512 << 20)));
        assert_eq!(Resource::Memory.parse_value("2G"), Ok(Some(2 << 30)));
        assert_eq!(Resource::FileSize.parse_value("1000"), Ok(Some(1000)));
        assert_eq!(Resource::CpuTime.parse_value("30s"), Ok(Some(30)));
        assert_eq!(Resource::Processes.parse_value("unlimited"), Ok(None));
        assert!(Resource::OpenFiles.parse_value("64MiB").is_err());
        assert!(Resource::Memory.parse_value("0").is_err());
        assert!(
            Resource::Memory
                .parse_value("99999999999999999999G")
                .is_err()
        );
        assert!(Resource::Memory.parse_value("lots").is_err());
    }

    #[test]
    fn limits_describe_themselves_and_survive_the_init_command_line() {
        assert_eq!(
            Resource::Memory.describe(512 << 20),
            "the 512 MiB memory limit"
        );
        assert_eq!(
            Resource::FileSize.describe(1536),
            "the 1536 bytes file size limit"
        );
        assert_eq!(
            Resource::OpenFiles.describe(50),
            "the limit of 50 open files"
        );
        let mut limits = Limits::default();
        limits.set(Resource::Processes, None);
        let spec = format!("{},no-network", limits.encode());
        assert_eq!(Limits::decode(&spec), Some(limits.clone()));
        assert_eq!(
            limits.to_string(),
            "CPU 60 s, memory 512 MiB, file size 64 MiB, 256 open files, unlimited processes"
        );
    }

    #[test]
    fn redaction_replaces_each_value_by_its_name_longest_first() {
        let redactions = vec![
            ("hunter2-and-more".to_owned(), "LONG".to_owned()),
            ("hunter2".to_owned(), "MY_SECRET_TOKEN".to_owned()),
        ];
        assert_eq!(
            redact("x hunter2-and-more y hunter2", &redactions),
            "x [LONG] y [MY_SECRET_TOKEN]"
        );
        assert_eq!(redact("nothing here", &redactions), "nothing here");
    }

    #[test]
    fn the_block_environment_is_the_allow_list_and_fresh_folders() {
        let sandbox = Sandbox {
            limits: Limits::default(),
            allow_network: false,
            pass_env: vec![("BANK_SETTING".into(), "blue".into())],
            namespaces: false,
        };
        let env = sandbox.environment(Path::new("/x/block"));
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(get("HOME"), Some(Path::new("/x/block").join("home").into()));
        assert_eq!(
            get("TMPDIR"),
            Some(Path::new("/x/block").join("tmp").into())
        );
        assert_eq!(get("BANK_SETTING"), Some("blue".into()));
        for (name, _) in &env {
            let name = name.to_str().expect("utf-8");
            assert!(
                allowed(name)
                    || [
                        "HOME",
                        "TMPDIR",
                        "BANK_SETTING",
                        "USERPROFILE",
                        "TEMP",
                        "TMP"
                    ]
                    .contains(&name),
                "{name}"
            );
        }
    }
}
