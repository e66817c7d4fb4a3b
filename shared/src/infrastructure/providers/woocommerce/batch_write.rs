//! Writing many resources through one batch endpoint: 100 items a request (WooCommerce's
//! limit), creates and updates in the same request, every request handed to the client at
//! once (its adaptive limit decides how many are really in flight), each item's result read
//! on its own. A create refused as a duplicate (same SKU) adopts the one named; a request of
//! creates whose answer was lost is not repeated blindly: what it may have made is looked up
//! (by SKU, one request for the lot; by slug or attributes otherwise) and updated, and a create
//! not found fails for now, to be pushed again later.

use std::collections::BTreeMap;

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use super::identity::{Finder, same_variation};
use super::provider::{BATCH, WooCommerceProvider, duplicate, item_result};
use crate::domain::ports::{ProviderError, StoreSession};

/// Rounds of one write at most: the first, an adoption (a duplicate, or what a lost create
/// made), and that once more after a lost answer.
const ROUNDS: usize = 4;

/// One resource to create (no `id`) or update.
pub(super) struct Write<'a> {
    /// The store's id, when known.
    pub(super) id: Option<u64>,
    /// The batch item, without `id`.
    pub(super) body: Value,
    /// How to find it again.
    pub(super) finder: Finder<'a>,
    /// Its SKU, if it has one.
    pub(super) sku: Option<String>,
}

/// What the store answered for one write.
#[derive(Debug)]
pub(super) struct Written {
    /// The resource's id.
    pub(super) id: u64,
    /// The saved resource as the store answered it.
    pub(super) answer: Value,
    /// Made by this write's first create (nothing of it was at the store before).
    pub(super) created: bool,
}

impl WooCommerceProvider {
    /// One batch request of `chunk`'s writes: updates for those with an id, creates for the
    /// others. The answers in the order of `chunk`.
    async fn send_chunk(
        &self,
        session: &StoreSession,
        path: &str,
        writes: &[Write<'_>],
        chunk: &[usize],
    ) -> Result<Vec<Value>, ProviderError> {
        let (mut create, mut update) = (Vec::new(), Vec::new());
        for i in chunk {
            let w = &writes[*i];
            match w.id {
                Some(id) => {
                    let mut item = w.body.clone();
                    item["id"] = json!(id);
                    update.push(item);
                }
                None => create.push(w.body.clone()),
            }
        }
        let (creates, updates) = (create.len(), update.len());
        let mut body = json!({});
        if creates > 0 {
            body["create"] = json!(create);
        }
        if updates > 0 {
            body["update"] = json!(update);
        }
        // Creates are not safe to repeat: a lost answer comes back here, to look for what
        // they made; updates are.
        let answer = self
            .call_with(session, Method::POST, path, &[], Some(&body), creates == 0)
            .await?
            .body;
        let section = |name: &str, sent: usize| -> Result<Vec<Value>, ProviderError> {
            let items = answer
                .get(name)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if items.len() != sent {
                return Err(ProviderError::Protocol(format!(
                    "batch answered {} {name} items for {sent}",
                    items.len()
                )));
            }
            Ok(items)
        };
        let mut created = section("create", creates)?.into_iter();
        let mut updated = section("update", updates)?.into_iter();
        Ok(chunk
            .iter()
            .filter_map(|i| match writes[*i].id {
                Some(_) => updated.next(),
                None => created.next(),
            })
            .collect())
    }

    /// Creates or updates every write through `path`'s batch endpoint. One result per write,
    /// in order; a failed item fails only itself, a failed request only its items.
    pub(super) async fn upsert_many(
        &self,
        session: &StoreSession,
        path: &str,
        mut writes: Vec<Write<'_>>,
    ) -> Vec<Result<Written, ProviderError>> {
        let mut results: Vec<Option<Result<Written, ProviderError>>> =
            writes.iter().map(|_| None).collect();
        // Writes that were creates in the first round: an adoption is not a fresh create.
        let fresh: Vec<bool> = writes.iter().map(|w| w.id.is_none()).collect();
        let mut adopted = vec![false; writes.len()];
        let mut pending: Vec<usize> = (0..writes.len()).collect();
        for round in 0..ROUNDS {
            if pending.is_empty() {
                break;
            }
            let last = round + 1 == ROUNDS;
            let chunks: Vec<&[usize]> = pending.chunks(BATCH).collect();
            let answers = join_all(
                chunks
                    .iter()
                    .map(|chunk| self.send_chunk(session, path, &writes, chunk)),
            )
            .await;
            let (mut next, mut lost) = (Vec::new(), Vec::new());
            for (chunk, answer) in chunks.iter().zip(answers) {
                let items = match answer {
                    Ok(items) => items,
                    Err(ProviderError::Unavailable(reason))
                        if !last && chunk.iter().any(|i| writes[*i].id.is_none()) =>
                    {
                        tracing::info!(path, reason, "a batch of creates lost its answer");
                        for i in *chunk {
                            match writes[*i].id {
                                None => lost.push(*i),
                                // Updates are safe to send again.
                                Some(_) => next.push(*i),
                            }
                        }
                        continue;
                    }
                    Err(e) => {
                        for i in *chunk {
                            results[*i] = Some(Err(e.clone()));
                        }
                        continue;
                    }
                };
                for (i, item) in chunk.iter().zip(items) {
                    match item_result(&item) {
                        Ok(id) => {
                            results[*i] = Some(Ok(Written {
                                id,
                                answer: item,
                                created: fresh[*i] && !adopted[*i],
                            }))
                        }
                        // Same SKU or name already there: adopt it and update it.
                        Err((code, _, Some(existing)))
                            if duplicate(&code) && writes[*i].id.is_none() && !last =>
                        {
                            writes[*i].id = Some(existing);
                            adopted[*i] = true;
                            next.push(*i);
                        }
                        Err((code, message, _)) => {
                            results[*i] =
                                Some(Err(ProviderError::Rejected(format!("{code}: {message}"))))
                        }
                    }
                }
            }
            let found = self.locate(session, &writes, &lost).await;
            for (i, found) in lost.into_iter().zip(found) {
                match found {
                    Ok(Some(id)) => {
                        tracing::info!(path, "a create whose answer was lost is adopted");
                        writes[i].id = Some(id);
                        adopted[i] = true;
                        next.push(i);
                    }
                    // Not there (yet): not sent again blindly; pushed again later.
                    Ok(None) => {
                        results[i] = Some(Err(ProviderError::Unavailable(
                            "a create's answer was lost and it is not at the store".into(),
                        )))
                    }
                    Err(e) => results[i] = Some(Err(e)),
                }
            }
            next.sort_unstable();
            pending = next;
        }
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(ProviderError::Unavailable("batch item unanswered".into())))
            })
            .collect()
    }

    /// Looks up what the lost creates `lost` may have made: products with an SKU by one SKU
    /// list per 100, a parent's variations by one listing, anything else by its finder.
    async fn locate(
        &self,
        session: &StoreSession,
        writes: &[Write<'_>],
        lost: &[usize],
    ) -> Vec<Result<Option<u64>, ProviderError>> {
        let by_sku: Vec<usize> = lost
            .iter()
            .copied()
            .filter(|i| {
                matches!(writes[*i].finder, Finder::Product { .. }) && writes[*i].sku.is_some()
            })
            .collect();
        let mut skus: BTreeMap<String, u64> = BTreeMap::new();
        let mut failure = None;
        for chunk in by_sku.chunks(BATCH) {
            let list = chunk
                .iter()
                .filter_map(|i| writes[*i].sku.clone())
                .collect::<Vec<_>>()
                .join(",");
            let query = [("sku", list), ("per_page", "100".into())];
            match self
                .send(session, Method::GET, "products", &query, None)
                .await
            {
                Ok(listed) => {
                    for p in listed.as_array().into_iter().flatten() {
                        // Products only: a variation under another parent is not ours to adopt.
                        if p.get("parent_id").and_then(Value::as_u64).unwrap_or(0) != 0 {
                            continue;
                        }
                        if let (Some(sku), Some(id)) = (
                            p.get("sku").and_then(Value::as_str),
                            p.get("id").and_then(Value::as_u64),
                        ) {
                            skus.insert(sku.to_owned(), id);
                        }
                    }
                }
                Err(e) => failure = Some(e),
            }
        }
        let mut parents: BTreeMap<u64, Result<Vec<Value>, ProviderError>> = BTreeMap::new();
        for i in lost {
            if let Finder::Variation { parent, .. } = writes[*i].finder {
                if let std::collections::btree_map::Entry::Vacant(entry) = parents.entry(parent) {
                    entry.insert(self.variations(session, parent).await);
                }
            }
        }
        let mut out = Vec::with_capacity(lost.len());
        for i in lost {
            let w = &writes[*i];
            out.push(match &w.finder {
                Finder::Product { .. } if by_sku.contains(i) => match &failure {
                    Some(e) => Err(e.clone()),
                    None => Ok(w.sku.as_ref().and_then(|s| skus.get(s).copied())),
                },
                Finder::Variation {
                    parent,
                    options,
                    variant,
                } => match parents.get(parent) {
                    Some(Ok(listed)) => Ok(listed
                        .iter()
                        .find(|v| same_variation(v, options, variant))
                        .and_then(|v| v.get("id").and_then(Value::as_u64))),
                    Some(Err(e)) => Err(e.clone()),
                    None => Ok(None),
                },
                finder => self.find(session, finder).await,
            });
        }
        out
    }
}
