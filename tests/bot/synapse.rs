//! A real Synapse homeserver on 127.0.0.1 for the Matrix tests, started
//! once per test run from the virtualenv `.ci/run` creates
//! (`.venv-synapse`, or the Python named by LECTERN_SYNAPSE_PYTHON), with a
//! generated config: SQLite, a registration shared secret, no key servers,
//! cheap bcrypt and every rate limit raised. It stops when the tests end.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Synapse {
    pub url: String,
    port: u16,
    python: PathBuf,
    dir: PathBuf,
    secret: String,
    watchdog: std::sync::Mutex<std::process::Child>,
}

static SYNAPSE: OnceLock<Synapse> = OnceLock::new();
static USERS: AtomicUsize = AtomicUsize::new(0);

fn python() -> PathBuf {
    if let Ok(python) = std::env::var("LECTERN_SYNAPSE_PYTHON") {
        return PathBuf::from(python);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-synapse/bin/python");
    assert!(
        venv.exists(),
        "the Matrix tests need Synapse: run `python3 -m venv .venv-synapse && .venv-synapse/bin/pip install matrix-synapse` \
         (as .ci/run does) or set LECTERN_SYNAPSE_PYTHON"
    );
    venv
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn config(dir: &Path, port: u16, secret: &str) -> String {
    let limit = "{per_second: 1000, burst_count: 1000}";
    format!(
        r#"server_name: "localhost"
public_baseurl: "http://127.0.0.1:{port}/"
pid_file: "{dir}/homeserver.pid"
listeners:
  - port: {port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{dir}/homeserver.db"
log_config: "{dir}/log.yaml"
media_store_path: "{dir}/media"
signing_key_path: "{dir}/signing.key"
registration_shared_secret: "{secret}"
macaroon_secret_key: "lectern-test-macaroon"
form_secret: "lectern-test-form"
report_stats: false
trusted_key_servers: []
suppress_key_server_warning: true
bcrypt_rounds: 4
enable_registration: false
rc_message: {limit}
rc_registration: {limit}
rc_login:
  address: {limit}
  account: {limit}
  failed_attempts: {limit}
rc_joins:
  local: {limit}
  remote: {limit}
rc_joins_per_room: {limit}
rc_invites:
  per_room: {limit}
  per_user: {limit}
  per_issuer: {limit}
rc_admin_redaction: {limit}
rc_3pid_validation: {limit}
rc_key_requests: {limit}
rc_room_creation: {limit}
rc_delayed_event_mgmt: {limit}
rc_reports: {limit}
"#,
        dir = dir.display()
    )
}

const LOG_CONFIG: &str = "version: 1\nformatters:\n  plain:\n    format: '%(asctime)s %(levelname)s %(name)s %(message)s'\nhandlers:\n  file:\n    class: logging.FileHandler\n    filename: synapse.log\n    formatter: plain\nroot:\n  level: WARNING\n  handlers: [file]\ndisable_existing_loggers: false\n";

fn responds(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        "GET /_matrix/client/versions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

/// Runs Synapse in `dir` on `port` and returns once it answers. A
/// watchdog stops it when this test process ends, however it ends; the
/// returned watchdog ends when Synapse does.
fn launch(python: &Path, dir: &Path, port: u16) -> std::process::Child {
    let watchdog = format!(
        "'{python}' -m synapse.app.homeserver -c homeserver.yaml & child=$!; echo $child > synapse.child; \
         while kill -0 {parent} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; kill $child 2>/dev/null",
        python = python.display(),
        parent = std::process::id()
    );
    let watchdog = Command::new("sh")
        .args(["-c", &watchdog])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start synapse");
    let started = Instant::now();
    while !responds(port) {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "synapse did not answer within 90 s; see {}/synapse.log",
            dir.display()
        );
        // Waiting for another process to listen: nothing to await but time.
        std::thread::sleep(Duration::from_millis(100));
    }
    watchdog
}

impl Synapse {
    /// The shared homeserver, started on first use.
    pub fn get() -> &'static Synapse {
        SYNAPSE.get_or_init(Synapse::start)
    }

    /// A homeserver of the caller's own (for drills that stop it).
    pub fn start() -> Synapse {
        let python = python();
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let port = free_port();
        let secret = "lectern-test-secret".to_string();
        std::fs::write(dir.join("homeserver.yaml"), config(&dir, port, &secret)).expect("config");
        std::fs::write(dir.join("log.yaml"), LOG_CONFIG).expect("log config");
        let status = Command::new(&python)
            .args([
                "-m",
                "synapse.app.homeserver",
                "-c",
                "homeserver.yaml",
                "--generate-keys",
            ])
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run synapse");
        assert!(
            status.success(),
            "synapse could not generate its keys in {}",
            dir.display()
        );
        let watchdog = launch(&python, &dir, port);
        Synapse {
            url: format!("http://127.0.0.1:{port}"),
            port,
            python,
            dir,
            secret,
            watchdog: std::sync::Mutex::new(watchdog),
        }
    }

    /// Stops the homeserver (SIGTERM, as an operator stops it) and returns
    /// once it no longer answers.
    pub fn stop(&self) {
        // The watchdog wrote it; Synapse in the foreground writes no pid file.
        let pid = std::fs::read_to_string(self.dir.join("synapse.child")).expect("synapse's pid");
        let status = Command::new("kill")
            .args(["-TERM", pid.trim()])
            .status()
            .expect("kill");
        assert!(status.success(), "synapse (pid {pid}) could not be stopped");
        // The watchdog ends with it.
        let _ = self.watchdog.lock().unwrap().wait();
        assert!(!responds(self.port), "synapse still answers");
    }

    /// Starts the stopped homeserver again, on the same port and data.
    pub fn restart(&self) {
        *self.watchdog.lock().unwrap() = launch(&self.python, &self.dir, self.port);
    }

    /// Registers a new user with a unique name starting with `name`;
    /// returns (user id, localpart, password).
    pub fn register(&self, name: &str) -> (String, String, String) {
        let n = USERS.fetch_add(1, Ordering::SeqCst);
        let localpart = format!("{name}{n}p{}", std::process::id());
        let password = format!("pw-{localpart}");
        let register = self
            .python
            .parent()
            .expect("venv bin")
            .join("register_new_matrix_user");
        let output = Command::new(register)
            .args([
                "-u",
                &localpart,
                "-p",
                &password,
                "--no-admin",
                "-k",
                &self.secret,
                &self.url,
            ])
            .current_dir(&self.dir)
            .output()
            .expect("register a user");
        assert!(
            output.status.success(),
            "registering {localpart} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        (format!("@{localpart}:localhost"), localpart, password)
    }
}
