//! Child processes of the test control plane: spawning so that they cannot outlive the test
//! process, stopping them as a process group, and picking free loopback ports.

use std::fs::File;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// A spawn request for the spawner thread, with the channel that receives the result.
type SpawnJob = (Command, mpsc::Sender<io::Result<Child>>);

/// The channel to the one thread that forks every control-plane process.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits, not the process.
/// Test threads and tokio workers come and go, so children are forked from a thread that only
/// ends with the process: then the signal means exactly "the test process died".
fn spawner() -> &'static Mutex<mpsc::Sender<SpawnJob>> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnJob>>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnJob>();
        let started = thread::Builder::new()
            .name("cluster-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    // The requester may have given up; nothing to do then.
                    let _ = reply.send(cmd.spawn());
                }
            });
        if let Err(e) = started {
            eprintln!("cluster: cannot start the spawner thread: {e}");
        }
        Mutex::new(tx)
    })
}

/// A running control-plane process, killed with its whole process group by [`stop`](Self::stop)
/// or on drop.
pub struct ManagedProcess {
    name: String,
    log: PathBuf,
    child: Mutex<Option<Child>>,
    /// Kept open only so the child (etcd) sees EOF on stdin when this process goes away.
    _stdin: Option<ChildStdin>,
}

impl ManagedProcess {
    /// Starts `program args` in its own process group with stdout and stderr appended to `log`.
    ///
    /// The child receives SIGKILL if the test process dies (PR_SET_PDEATHSIG), and its stdin is
    /// a pipe whose write end only this process holds, for children that exit on EOF.
    pub fn spawn(name: &str, program: &Path, args: &[String], log: &Path) -> Result<Self, String> {
        let out = File::create(log).map_err(|e| format!("create {}: {e}", log.display()))?;
        let err = out
            .try_clone()
            .map_err(|e| format!("dup log handle {}: {e}", log.display()))?;
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let parent = std::process::id();
        // SAFETY: the closure runs between fork and exec and only makes async-signal-safe
        // system calls (prctl, getppid); it allocates nothing on the success path.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // The parent may have died before prctl took effect.
                if libc::getppid() as u32 != parent {
                    return Err(io::Error::other("parent exited during spawn"));
                }
                Ok(())
            });
        }
        let (tx, rx) = mpsc::channel();
        spawner()
            .lock()
            .map_err(|_| "cluster spawner lock poisoned".to_string())?
            .send((cmd, tx))
            .map_err(|_| "cluster spawner thread is gone".to_string())?;
        let mut child = rx
            .recv()
            .map_err(|_| "cluster spawner thread is gone".to_string())?
            .map_err(|e| format!("start {name} ({}): {e}", program.display()))?;
        let stdin = child.stdin.take();
        Ok(ManagedProcess {
            name: name.to_string(),
            log: log.to_path_buf(),
            child: Mutex::new(Some(child)),
            _stdin: stdin,
        })
    }

    /// The process id while the process is running (not yet stopped).
    pub fn pid(&self) -> Option<u32> {
        self.child.lock().ok()?.as_ref().map(Child::id)
    }

    /// Returns an error with the end of the log if the process has already exited.
    pub fn check_running(&self) -> Result<(), String> {
        let mut guard = self.child.lock().map_err(|_| "process lock poisoned")?;
        let Some(child) = guard.as_mut() else {
            return Err(format!("{} was stopped", self.name));
        };
        match child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!(
                "{} exited ({status}); end of its log:\n{}",
                self.name,
                self.log_tail()
            )),
            Err(e) => Err(format!("wait for {}: {e}", self.name)),
        }
    }

    /// The error lines (klog `E`/`F`) and the last lines of the process's log, for error
    /// messages: a fatal flag error is often followed by many lines of shutdown noise.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let errors: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| {
                let mut chars = l.chars();
                matches!(chars.next(), Some('E' | 'F'))
                    && chars.next().is_some_and(|c| c.is_ascii_digit())
            })
            .take(20)
            .collect();
        let tail = &lines[lines.len().saturating_sub(20)..];
        format!(
            "{} (log {}):\n{}\n...\n{}",
            self.name,
            self.log.display(),
            errors.join("\n"),
            tail.join("\n")
        )
    }

    /// Kills the process group (SIGKILL: the data is thrown away, so there is nothing to
    /// flush) and reaps the child. Safe to call more than once.
    pub fn stop(&self) {
        let Ok(mut guard) = self.child.lock() else {
            return;
        };
        if let Some(mut child) = guard.take() {
            if let Ok(pid) = libc::pid_t::try_from(child.id()) {
                // SAFETY: plain kill(2) on the group this child leads (process_group(0)).
                unsafe {
                    libc::kill(-pid, libc::SIGKILL);
                }
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for ManagedProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Picks `n` distinct free TCP ports on 127.0.0.1.
///
/// All listeners are held until every port is chosen, so the ports differ from each other;
/// another process could still take one before our child binds it, which the caller handles
/// by retrying the start.
pub fn free_ports(n: usize) -> Result<Vec<u16>, String> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<io::Result<Vec<_>>>()
        .map_err(|e| format!("bind a free port: {e}"))?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect::<io::Result<Vec<_>>>()
        .map_err(|e| format!("read a free port: {e}"))
}

/// Waits until something accepts TCP connections on `127.0.0.1:port`, or `process` exits, or
/// `timeout` passes.
pub fn wait_for_port(port: u16, process: &ManagedProcess, timeout: Duration) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + timeout;
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        process.check_running()?;
        if Instant::now() >= deadline {
            return Err(format!(
                "{} did not listen on {addr} within {timeout:?}; end of its log:\n{}",
                process.name,
                process.log_tail()
            ));
        }
        thread::sleep(Duration::from_millis(50));
    }
}
