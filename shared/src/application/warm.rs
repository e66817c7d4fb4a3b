//! What a warm function instance keeps between invocations to spare AWS calls: the business
//! ids behind store ids (they never change for a store id), and decrypted credentials per
//! connection version (dropped when the connection changes, and never used past the point
//! where the token needs a refresh).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::domain::ports::{ResolvedRef, StoreRef};
use crate::domain::{BusinessId, Connection, Credentials};

/// Entries kept at most per map; past it the map starts over (a cold start's worth of work).
const MAX_ENTRIES: usize = 20_000;

/// The warm caches of one service instance.
#[derive(Debug, Default)]
pub struct WarmCache {
    refs: Mutex<HashMap<(BusinessId, StoreRef), Option<ResolvedRef>>>,
    credentials: Mutex<HashMap<BusinessId, (String, Credentials)>>,
    drained: Mutex<HashMap<BusinessId, time::OffsetDateTime>>,
}

/// How often a poll also looks in the outbox (a safety net: a later delivery of an order
/// already publishes what an interrupted one left).
const DRAIN_EVERY: time::Duration = time::Duration::hours(1);

/// What identifies one stored state of a connection's credentials: its version and a digest
/// of the ciphertext (a reconnect starts versions over, never with the same ciphertext).
fn stored_as(connection: &Connection) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(&connection.credentials.ciphertext);
    format!("{}:{}", connection.version, hex::encode(digest))
}

fn bounded<K, V>(map: &mut HashMap<K, V>) {
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
}

impl WarmCache {
    /// What is known of `wanted`: found (with its answer, `None` for a store id no mapping
    /// names), and the ids still to read.
    pub fn refs(
        &self,
        business: &BusinessId,
        wanted: &[StoreRef],
    ) -> (Vec<ResolvedRef>, Vec<StoreRef>) {
        let map = self.refs.lock().unwrap_or_else(|e| e.into_inner());
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for r in wanted {
            match map.get(&(business.clone(), r.clone())) {
                Some(Some(hit)) => found.push(hit.clone()),
                Some(None) => {}
                None => missing.push(r.clone()),
            }
        }
        (found, missing)
    }

    /// Remembers what was read for `asked` (a store id not in `found` is known to be unmapped).
    pub fn remember_refs(&self, business: &BusinessId, asked: &[StoreRef], found: &[ResolvedRef]) {
        let mut map = self.refs.lock().unwrap_or_else(|e| e.into_inner());
        bounded(&mut map);
        for r in asked {
            let hit = found.iter().find(|f| f.store == *r).cloned();
            map.insert((business.clone(), r.clone()), hit);
        }
    }

    /// Remembers the references a product push just wrote.
    pub fn prime_refs(&self, business: &BusinessId, refs: Vec<ResolvedRef>) {
        let mut map = self.refs.lock().unwrap_or_else(|e| e.into_inner());
        bounded(&mut map);
        for r in refs {
            map.insert((business.clone(), r.store.clone()), Some(r));
        }
    }

    /// Whether this poll should look in the business's outbox: the first time this instance
    /// polls it, then once an hour. Records the look.
    pub fn drain_due(&self, business: &BusinessId, now: time::OffsetDateTime) -> bool {
        let mut map = self.drained.lock().unwrap_or_else(|e| e.into_inner());
        if map.get(business).is_some_and(|at| now - *at < DRAIN_EVERY) {
            return false;
        }
        bounded(&mut map);
        map.insert(business.clone(), now);
        true
    }

    /// The decrypted credentials of a connection as stored now (its version and ciphertext),
    /// if kept.
    pub fn credentials(&self, connection: &Connection) -> Option<Credentials> {
        let map = self.credentials.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&connection.business_id)
            .filter(|(key, _)| *key == stored_as(connection))
            .map(|(_, c)| c.clone())
    }

    /// Keeps the decrypted credentials of a connection as stored now.
    pub fn keep_credentials(&self, connection: &Connection, credentials: &Credentials) {
        let mut map = self.credentials.lock().unwrap_or_else(|e| e.into_inner());
        bounded(&mut map);
        map.insert(
            connection.business_id.clone(),
            (stored_as(connection), credentials.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_known_unmapped_and_unknown_are_told_apart() {
        let cache = WarmCache::default();
        let b = BusinessId::parse("b1").unwrap();
        let hit = ResolvedRef {
            store: StoreRef::Variant("v1".into()),
            product_id: "p".into(),
            variant_id: Some("p-1".into()),
        };
        let asked = [
            StoreRef::Variant("v1".into()),
            StoreRef::Variant("v2".into()),
        ];
        cache.remember_refs(&b, &asked, std::slice::from_ref(&hit));
        let third = StoreRef::Product("x".into());
        let (found, missing) = cache.refs(&b, &[asked[0].clone(), asked[1].clone(), third.clone()]);
        assert_eq!((found, missing), (vec![hit], vec![third]));
        let other = BusinessId::parse("b2").unwrap();
        assert_eq!(cache.refs(&other, &asked).1.len(), 2, "per business");
    }
}
