//! A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` into a fresh
//! temporary directory, a server on a free loopback port, and a new database per
//! caller. The cluster is stopped and its directory removed when the process that
//! started it exits, however it exits: a small shell guardian waits on a pipe from
//! this process, and end-of-file (our exit) is its signal to stop and clean up.

use anyhow::{bail, Context};
use sqlx::Connection;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A running throwaway cluster.
pub struct ThrowawayPostgres {
    port: u16,
    /// Held open for the life of the process: closing it stops the cluster.
    _guardian: Mutex<(Child, ChildStdin)>,
    databases: AtomicU32,
}

/// How much durability the cluster keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `fsync` off: for functional tests, where a crash of the machine does not matter.
    Relaxed,
    /// Postgres' defaults (fsync, synchronous commit): for benchmarks.
    Full,
}

static SHARED: OnceLock<Result<ThrowawayPostgres, String>> = OnceLock::new();

impl ThrowawayPostgres {
    /// One relaxed cluster per process, started on first use.
    pub fn shared() -> anyhow::Result<&'static ThrowawayPostgres> {
        SHARED
            .get_or_init(|| ThrowawayPostgres::start(Durability::Relaxed).map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    pub fn start(durability: Durability) -> anyhow::Result<ThrowawayPostgres> {
        let bin = bin_dir()?;
        let unique = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos();
        let dir = std::env::temp_dir().join(format!("qw-postgres-{}-{unique}", std::process::id()));
        std::fs::create_dir(&dir)?;
        // Postgres refuses to run as root: then the cluster belongs to `postgres`.
        let as_postgres = std::fs::metadata("/proc/self")?.uid() == 0;
        if as_postgres {
            let (uid, gid) = postgres_ids()?;
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))?;
        }
        let data = dir.join("data");
        let initdb = command(as_postgres, &bin.join("initdb"))
            .args(["-D"])
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "--locale=C", "--encoding=UTF8", "--no-sync"])
            .stdout(Stdio::null())
            .output()
            .context("running initdb")?;
        if !initdb.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&initdb.stderr));
        }
        let port = free_port()?;
        let mut settings = vec!["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=500", "-c", "shared_buffers=64MB"];
        match durability {
            Durability::Relaxed => settings.extend(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
            // Room to keep WAL segments for reuse (see `recycle_wal`), as a write-heavy
            // production database is tuned to.
            Durability::Full => settings.extend(["-c", "min_wal_size=1GB"]),
        }
        let script = r#"dir="$1"; port="$2"; bin="$3"; shift 3
"$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" "$@" >"$dir/server.log" 2>&1 &
pg=$!
read _ignored
kill -INT "$pg" 2>/dev/null
wait "$pg"
rm -rf "$dir""#;
        let mut guardian = command(as_postgres, Path::new("/bin/sh"))
            .args(["-c", script, "qw-postgres"])
            .arg(&dir)
            .arg(port.to_string())
            .arg(&bin)
            .args(&settings)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting postgres")?;
        let stdin = guardian.stdin.take().context("the guardian's stdin")?;
        let cluster = ThrowawayPostgres { port, _guardian: Mutex::new((guardian, stdin)), databases: AtomicU32::new(0) };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Command::new(bin.join("pg_isready")).args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()]).status()?;
            if ready.success() {
                return Ok(cluster);
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                bail!("postgres did not become ready on port {port}: {log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The URL of a database on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Makes the cluster's WAL look like that of a database that has been running:
    /// writes at least `megabytes` of WAL and checkpoints, so the segments it filled are kept
    /// for reuse. A fresh cluster has none to reuse: every 16 MB of WAL, a commit then
    /// creates and zero-fills a new segment while every commit in flight waits (15–25 ms
    /// on the bench machine, measured) — a cost of the cluster's youth, not of the
    /// server, which a benchmark should not charge to the server.
    pub async fn recycle_wal(&self, megabytes: u32) -> anyhow::Result<()> {
        let mut admin = sqlx::PgConnection::connect(&self.url("postgres")).await?;
        // At least 1 KB of WAL per row (400 gave 49 segments, about 780 MB, measured).
        let rows = u64::from(megabytes) * 1024;
        sqlx::raw_sql(&format!(
            "CREATE TABLE qw_wal_warmup AS SELECT g, repeat('x', 900) AS filler FROM generate_series(1, {rows}) AS g; DROP TABLE qw_wal_warmup; CHECKPOINT"
        ))
        .execute(&mut admin)
        .await?;
        admin.close().await?;
        Ok(())
    }

    /// Creates a fresh, empty database and returns its URL.
    pub async fn new_database(&self) -> anyhow::Result<String> {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("qw_{}_{n}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&self.url("postgres")).await?;
        sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
        admin.close().await?;
        Ok(self.url(&name))
    }
}

fn command(as_postgres: bool, program: &Path) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// `PG_BIN_DIR`, else the newest Debian install, else the directory of `initdb` on PATH.
fn bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).filter(|p| p.join("initdb").exists()).collect())
        .unwrap_or_default();
    debian.sort_by_key(|p| p.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok()));
    if let Some(newest) = debian.pop() {
        return Ok(newest);
    }
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .find(|dir| dir.join("initdb").exists())
        .and_then(|dir| std::fs::canonicalize(dir.join("initdb")).ok())
        .and_then(|initdb| initdb.parent().map(Path::to_path_buf));
    found.context("no PostgreSQL server found: run scripts/setup.sh (installs Debian's postgresql) or set PG_BIN_DIR")
}

fn postgres_ids() -> anyhow::Result<(u32, u32)> {
    let id = |flag: &str| -> anyhow::Result<u32> {
        let out = Command::new("id").args([flag, "postgres"]).output()?;
        if !out.status.success() {
            bail!("running as root needs a `postgres` user to own the throwaway cluster");
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
    };
    Ok((id("-u")?, id("-g")?))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
