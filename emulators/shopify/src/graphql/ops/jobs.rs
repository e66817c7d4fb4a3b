//! Asynchronous jobs of `collectionAddProductsV2` / `collectionRemoveProducts`: the membership
//! change lands when the job completes, which `job(id:)` reports as `done: true` after
//! [`crate::EmulatorConfig::job_polls_until_done`] polls answered `done: false`.

use serde_json::{Value, json};

use super::gid;
use crate::state::{Job, Shop};

/// Applies a job's change; a product deleted since it was queued is not added.
fn apply(shop: &mut Shop, job: &Job) {
    let exists = |id: &str| shop.products.values().any(|p| p.id == id);
    let live: Vec<bool> = job.product_ids.iter().map(|p| exists(p)).collect();
    let Some(collection) = shop.collections.get_mut(&job.collection) else {
        return;
    };
    for (p, live) in job.product_ids.iter().zip(live) {
        if job.add && live && !collection.products.contains(p) {
            collection.products.push(p.clone());
        } else if !job.add {
            collection.products.retain(|x| x != p);
        }
    }
}

/// Queues a membership change and answers its `Job`; with `polls_until_done` 0 it completes
/// at once.
pub(super) fn start(
    shop: &mut Shop,
    polls_until_done: u32,
    collection: u64,
    add: bool,
    product_ids: Vec<String>,
) -> Value {
    let id = gid("Job", shop.id());
    let mut job = Job {
        id: id.clone(),
        collection,
        add,
        product_ids,
        polls: 0,
        done: false,
    };
    if polls_until_done == 0 {
        apply(shop, &job);
        job.done = true;
    }
    let answer = json!({"id": id, "done": job.done});
    shop.jobs.insert(id, job);
    answer
}

/// One `job(id:)` poll: the job's `{id, done}`, completing it (and applying its change) once
/// it has been polled `polls_until_done` times; `None` for an unknown id.
pub(super) fn poll(shop: &mut Shop, polls_until_done: u32, id: &str) -> Option<Value> {
    let mut job = shop.jobs.get(id)?.clone();
    if !job.done {
        job.polls += 1;
        if job.polls > polls_until_done {
            apply(shop, &job);
            job.done = true;
        }
    }
    let answer = json!({"id": job.id, "done": job.done});
    shop.jobs.insert(id.to_owned(), job);
    Some(answer)
}
