//! `QW_TIMELINE`: every request's send time and latency, and the probes' readings, to
//! see when the slow answers came (together, at a background pass, or spread out)
//! and what the machine did meanwhile.

use std::sync::{LazyLock, Mutex};
use tokio::time::Instant;

/// When the run started.
static T0: LazyLock<Instant> = LazyLock::new(Instant::now);
/// (seconds since the start, what, ms) for every request and probe reading.
static TIMELINE: Mutex<Vec<(f64, &'static str, f64)>> = Mutex::new(Vec::new());

/// Starts the clock.
pub fn start() {
    let _ = *T0;
}

/// Notes `what`, begun at `since`, that took `ms`.
pub fn note(since: Instant, what: &'static str, ms: f64) {
    TIMELINE.lock().unwrap().push(((since - *T0).as_secs_f64(), what, ms));
}

/// Writes the timeline to the file `QW_TIMELINE` names, if any.
pub fn write_if_asked() -> std::io::Result<()> {
    if let Ok(path) = std::env::var("QW_TIMELINE") {
        let lines: Vec<String> = TIMELINE.lock().unwrap().iter().map(|(t, n, ms)| format!("{t:.4}\t{n}\t{ms:.2}")).collect();
        std::fs::write(path, lines.join("\n"))?;
    }
    Ok(())
}
