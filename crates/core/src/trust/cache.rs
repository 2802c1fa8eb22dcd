//! The DNS answers of sender checks, kept for their time to live and bounded: mail-auth asks
//! through [`ResolverCache`], one cache per record type, shared by every check in the process.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

use mail_auth::ResolverCache;

/// Entries kept per record type; past it, expired ones go first, then the soonest to expire.
const MAX_ENTRIES: usize = 4096;

/// A bounded cache of answers with their expiry.
pub(crate) struct Answers<K, V> {
    entries: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K, V> Default for Answers<K, V> {
    fn default() -> Self {
        Answers {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq + Clone, V: Clone> Answers<K, V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (V, Instant)>> {
        // A check that panicked while holding it left nothing half-written worth refusing.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Entries now held (tests).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().len()
    }
}

impl<K: Hash + Eq + Clone, V: Clone> ResolverCache<K, V> for Answers<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut entries = self.lock();
        match entries.get(name) {
            Some((value, until)) if *until > Instant::now() => Some(value.clone()),
            Some(_) => {
                entries.remove(name);
                None
            }
            None => None,
        }
    }

    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().remove(name).map(|(value, _)| value)
    }

    fn insert(&self, key: K, value: V, valid_until: Instant) {
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            let now = Instant::now();
            entries.retain(|_, (_, until)| *until > now);
            if entries.len() >= MAX_ENTRIES {
                if let Some(soonest) = entries
                    .iter()
                    .min_by_key(|(_, (_, until))| *until)
                    .map(|(k, _)| k.clone())
                {
                    entries.remove(&soonest);
                }
            }
        }
        entries.insert(key, (value, valid_until));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn answers_expire_and_the_cache_stays_bounded() {
        let cache: Answers<Box<str>, u32> = Answers::default();
        let later = Instant::now() + Duration::from_secs(60);
        cache.insert("a.test".into(), 1, later);
        cache.insert("gone.test".into(), 2, Instant::now());
        assert_eq!(cache.get("a.test"), Some(1));
        assert_eq!(cache.get("gone.test"), None);
        for i in 0..MAX_ENTRIES + 10 {
            cache.insert(
                format!("{i}.test").into(),
                3,
                later + Duration::from_secs(i as u64),
            );
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        // The soonest to expire went first: the newest ones are all there.
        assert_eq!(
            cache.get(format!("{}.test", MAX_ENTRIES + 9).as_str()),
            Some(3)
        );
    }
}
