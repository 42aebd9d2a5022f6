//! What the machine did while a target was measured: the disk's fsync latency, how
//! late a sleeping thread woke, and how busy the cores were.

use crate::timeline;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Two threads beside a measurement. One writes and fdatasyncs a small file beside the
/// databases 20 times a second: the disk's own fsync latency. No durable write is
/// faster, and while the disk stalls every commit in flight waits. The other sleeps a
/// millisecond at a time and notes how late it woke: when the machine gives a plain
/// thread no core for milliseconds (the hypervisor, or every core busy), every answer
/// in flight waits as long.
pub struct MachineProbe {
    stop: Arc<std::sync::atomic::AtomicBool>,
    disk: std::thread::JoinHandle<Vec<f64>>,
    timer: std::thread::JoinHandle<Vec<f64>>,
}

/// What the probes measured, in ms.
pub struct Readings {
    pub fsyncs: Vec<f64>,
    /// Every wake-up more than a millisecond late: how late.
    pub late_wakeups: Vec<f64>,
}

impl Readings {
    pub fn latest_wakeup(&self) -> f64 {
        self.late_wakeups.iter().copied().fold(0.0, f64::max)
    }
}

impl MachineProbe {
    pub fn start(dir: &std::path::Path) -> MachineProbe {
        use std::io::Write;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let path = dir.join("fsync-probe");
        let stopped = Arc::clone(&stop);
        let disk = std::thread::spawn(move || {
            let mut file = std::fs::File::create(&path).expect("the probe's file");
            let mut ms = Vec::new();
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                let since = Instant::now();
                file.write_all(&[0u8; 512]).expect("a write");
                file.sync_data().expect("an fsync");
                ms.push(since.elapsed().as_secs_f64() * 1000.0);
                timeline::note(since, "fsync probe", since.elapsed().as_secs_f64() * 1000.0);
                std::thread::sleep(Duration::from_millis(50));
            }
            ms
        });
        let stopped = Arc::clone(&stop);
        let timer = std::thread::spawn(move || {
            let mut late_wakeups = Vec::new();
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                let since = Instant::now();
                std::thread::sleep(Duration::from_millis(1));
                let late = since.elapsed().as_secs_f64() * 1000.0 - 1.0;
                if late > 1.0 {
                    late_wakeups.push(late);
                    timeline::note(since, "timer lateness", late);
                }
            }
            late_wakeups
        });
        MachineProbe { stop, disk, timer }
    }

    pub fn finish(self) -> Readings {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        Readings { late_wakeups: self.timer.join().expect("the timer thread"), fsyncs: self.disk.join().expect("the disk probe's thread") }
    }
}

/// The whole machine's CPU time while a target is measured (every process: client,
/// servers, sandbox, Postgres), from `/proc/stat`: when it nears 100 %, answers wait
/// for a core, not for the server's own work. Also the hypervisor's *steal*: time our
/// virtual cores were ready to run and the host ran something else instead, which no
/// process here can cause or avoid.
pub struct CpuMeter {
    busy: u64,
    steal: u64,
    total: u64,
}

/// Shares of all cores' time over a measurement, in percent.
#[derive(Clone, Copy)]
pub struct CpuShares {
    pub busy: f64,
    pub stolen: f64,
}

impl CpuMeter {
    pub fn start() -> Option<CpuMeter> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
        // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
        let total: u64 = fields.iter().take(8).sum();
        let idle = fields.get(3)? + fields.get(4)?;
        Some(CpuMeter { busy: total - idle, steal: fields.get(7).copied().unwrap_or(0), total })
    }

    /// Busy and stolen shares of all cores since `start`.
    pub fn shares(&self) -> Option<CpuShares> {
        let now = CpuMeter::start()?;
        let total = now.total.checked_sub(self.total).filter(|t| *t > 0)? as f64;
        Some(CpuShares {
            busy: 100.0 * now.busy.saturating_sub(self.busy) as f64 / total,
            stolen: 100.0 * now.steal.saturating_sub(self.steal) as f64 / total,
        })
    }
}
