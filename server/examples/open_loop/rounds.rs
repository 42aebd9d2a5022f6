//! The top rate again, in rounds with the targets interleaved (see the crate's note):
//! each round's added p99, how many rounds were within the target, and the p99 of every
//! round's requests pooled.

use crate::workload::Target;
use crate::{measure, percentile, row, sorted, ADDED_TARGET_MS};
use std::collections::BTreeMap;
use std::path::Path;

/// Every request of every round, and each round's p99, per target and endpoint.
#[derive(Default)]
struct Rounds {
    pooled: BTreeMap<(Target, &'static str), (Vec<f64>, usize)>,
    p99s: Vec<BTreeMap<(Target, &'static str), f64>>,
    /// The disk probe's slowest fsync during each round's measurement of a target, and
    /// the latest wake-up of the sleeping thread.
    disk_max: BTreeMap<Target, Vec<f64>>,
    latest_wakeup: BTreeMap<Target, Vec<f64>>,
    /// The share of all cores' time the host took (steal) during each round's measurement.
    stolen: BTreeMap<Target, Vec<f64>>,
}

impl Rounds {
    /// What `target` added to the sandbox's p99 of `endpoint`, pooled and per round.
    fn added(&self, target: Target, endpoint: &str) -> (Option<f64>, Vec<f64>) {
        let p99 = |t: Target| {
            self.pooled.iter().find(|((pt, e), _)| *pt == t && *e == endpoint).map(|(_, (ms, _))| percentile(&sorted(ms), 0.99))
        };
        let pooled = p99(target).zip(p99(Target::Sandbox)).map(|(s, b)| s - b);
        let each = self
            .p99s
            .iter()
            .filter_map(|round| {
                let of = |t: Target| round.iter().find(|((rt, e), _)| *rt == t && *e == endpoint).map(|(_, p)| *p);
                Some(of(target)? - of(Target::Sandbox)?)
            })
            .collect();
        (pooled, each)
    }
}

pub async fn run(targets: &[&(Target, Vec<String>)], rate: u32, seconds: u32, rounds: u32, dir: &Path) {
    println!(
        "== {rate}/s again: {rounds} rounds, every target measured {seconds} s in turn in each round; every request of the rounds pooled"
    );
    let mut all = Rounds::default();
    for _ in 0..rounds {
        let mut p99s = BTreeMap::new();
        for (target, base) in targets.iter().map(|t| (t.0, &t.1)) {
            let m = measure(target, base, rate, seconds, dir).await;
            all.disk_max.entry(target).or_default().push(m.machine.fsyncs.iter().copied().fold(0.0, f64::max));
            all.latest_wakeup.entry(target).or_default().push(m.machine.latest_wakeup());
            all.stolen.entry(target).or_default().push(m.cpu.map_or(f64::NAN, |c| c.stolen));
            for (name, e) in m.results {
                p99s.insert((target, name), percentile(&sorted(&e.ms), 0.99));
                let pooled = all.pooled.entry((target, name)).or_default();
                pooled.0.extend(e.ms);
                pooled.1 += e.errors;
            }
        }
        all.p99s.push(p99s);
    }
    println!(
        "{:>6}  {:<22} {:<14} {:>6} {:>6} {:>9} {:>9} {:>9}",
        "rate", "target", "endpoint", "n", "errors", "p50 ms", "p99 ms", "max ms"
    );
    for ((target, name), (ms, errors)) in &all.pooled {
        row(&rate.to_string(), target.name(), name, ms, *errors);
    }
    println!();
    println!("the server's added latency at p99, {rate}/s, over the {rounds} rounds: every request pooled; each round's, in order");
    let list = |values: &[f64], sign: &str| values.iter().map(|v| format!("{sign}{v:.1}")).collect::<Vec<_>>().join(" ");
    for target in targets.iter().map(|t| t.0).filter(|t| t.is_server()) {
        for (endpoint, limit) in ADDED_TARGET_MS {
            let (pooled, each) = all.added(target, endpoint);
            let Some(pooled) = pooled else { continue };
            let within = each.iter().filter(|added| **added <= limit).count();
            println!(
                "  {:<20} {endpoint:<11} pooled +{pooled:>6.2} ms; rounds {}; within +{limit} ms in {within} of {}",
                target.name(),
                list(&each, "+"),
                each.len()
            );
        }
        println!("  {:<20} {:<11} disk probe's slowest fsync in each round, ms: {}", target.name(), "", list(&all.disk_max[&target], ""));
        println!(
            "  {:<20} {:<11} latest wake-up of a sleeping thread in each round, ms: {}",
            target.name(),
            "",
            list(&all.latest_wakeup[&target], "")
        );
        println!(
            "  {:<20} {:<11} share of the cores the host took (steal) in each round, %: {}",
            target.name(),
            "",
            list(&all.stolen[&target], "")
        );
    }
}
