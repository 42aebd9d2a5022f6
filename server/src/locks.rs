//! Striped async locks: serialise work on one key (a quote id) without a map that
//! grows forever. Two keys may share a stripe; that only costs a little waiting.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use tokio::sync::{Mutex, MutexGuard};

pub struct StripedLocks {
    stripes: Vec<Mutex<()>>,
}

impl StripedLocks {
    pub fn new(stripes: usize) -> Self {
        StripedLocks { stripes: (0..stripes.max(1)).map(|_| Mutex::new(())).collect() }
    }

    pub async fn lock(&self, key: &str) -> MutexGuard<'_, ()> {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        self.stripes[(hasher.finish() % self.stripes.len() as u64) as usize].lock().await
    }
}
