//! What one site holds (keys, catalogue, orders, webhooks, queued deliveries), its own id
//! sequences, and the helpers records share: SKU and slug uniqueness, meta data updates and
//! the GMT timestamps records carry.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::config::{Fault, Flags, LostResponse, Stats};
use crate::order_model::Order;

/// The first id of the posts table (products, variations and orders share it, as WordPress
/// posts and HPOS placeholder posts do). Every site starts here, so ids collide across sites.
pub(crate) const FIRST_POST_ID: u64 = 101;
/// The first id of a term created through REST: a fresh WooCommerce site already holds the
/// terms WordPress and WooCommerce install (`Uncategorized`, product types, visibility).
pub(crate) const FIRST_TERM_ID: u64 = 16;
/// WooCommerce's default product category, `Uncategorized` (`default_product_cat`): the last
/// term a fresh install creates (after WordPress's own category and the product type and
/// visibility terms).
pub(crate) const DEFAULT_CATEGORY_ID: u64 = 15;

/// The first comment id a site gives: a fresh WordPress install already holds comment 1
/// ("A WordPress Commenter"); order notes are comments.
pub(crate) const FIRST_COMMENT_ID: u64 = 2;

/// A site's auto-increment sequences: the next id of each table.
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    posts: u64,
    terms: u64,
    webhooks: u64,
    keys: u64,
    items: u64,
    meta: u64,
    comments: u64,
}

impl Default for Ids {
    fn default() -> Self {
        Self {
            posts: FIRST_POST_ID,
            terms: FIRST_TERM_ID,
            webhooks: 1,
            keys: 1,
            items: 1,
            meta: 1,
            comments: FIRST_COMMENT_ID,
        }
    }
}

fn next(counter: &mut u64) -> u64 {
    let id = *counter;
    *counter += 1;
    id
}

/// A REST key (`woocommerce_api_keys` row); `nonces` are the OAuth nonces seen in the last
/// 15 minutes, by timestamp (one per second, as WooCommerce stores them).
#[derive(Debug, Clone)]
pub(crate) struct ApiKey {
    pub(crate) id: u64,
    pub(crate) consumer_key: String,
    pub(crate) consumer_secret: String,
    pub(crate) permissions: String,
    pub(crate) nonces: BTreeMap<i64, String>,
}

/// A webhook as WooCommerce keeps it. `failures` counts consecutive failed deliveries (only
/// a success resets it); `pending_delivery` holds until a ping gets exactly 200.
#[derive(Debug, Clone)]
pub(crate) struct Hook {
    pub(crate) name: String,
    pub(crate) topic: String,
    pub(crate) delivery_url: String,
    pub(crate) secret: String,
    pub(crate) status: String,
    pub(crate) failures: u32,
    pub(crate) pending_delivery: bool,
    pub(crate) created: String,
    pub(crate) modified: String,
}

/// A delivery waiting in the Action Scheduler queue: the webhook and the resource id (the
/// payload is read when it runs; `payload` is kept for resources gone by then).
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) hook: u64,
    pub(crate) topic: String,
    pub(crate) arg: Value,
    pub(crate) payload: Value,
}

/// Everything behind the emulator's mutex; variations are keyed by parent product.
#[derive(Default)]
pub(crate) struct Store {
    pub(crate) keys: Vec<ApiKey>,
    pub(crate) products: BTreeMap<u64, Value>,
    pub(crate) variations: BTreeMap<u64, BTreeMap<u64, Value>>,
    pub(crate) categories: BTreeMap<u64, Value>,
    pub(crate) tags: BTreeMap<u64, Value>,
    /// Attachments (the media library), by post id: `{id, file, name, alt, date, parent}`.
    pub(crate) media: BTreeMap<u64, Value>,
    pub(crate) orders: BTreeMap<u64, Order>,
    pub(crate) webhooks: BTreeMap<u64, Hook>,
    pub(crate) pending: Vec<Pending>,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) lost: VecDeque<LostResponse>,
    pub(crate) flags: Flags,
    pub(crate) stats: Stats,
    pub(crate) ids: Ids,
    /// The site's URL, `http://127.0.0.1:PORT` (links in REST answers and payloads).
    pub(crate) base: String,
    /// The PHP workers serving REST requests.
    pub(crate) pool: crate::workers::Pool,
    /// Products and variations by SKU and slug; a save notes its record here.
    pub(crate) lookup: crate::lookup::Lookup,
}

impl Store {
    /// Replaces the switches; the default product category is installed once its flag is on.
    pub(crate) fn set_flags(&mut self, flags: Flags) {
        if flags.default_product_category && !self.categories.contains_key(&DEFAULT_CATEGORY_ID) {
            self.categories.insert(
                DEFAULT_CATEGORY_ID,
                json!({"id": DEFAULT_CATEGORY_ID, "name": "Uncategorized", "slug": "uncategorized", "parent": 0, "description": "", "display": "default", "image_id": 0, "menu_order": 0}),
            );
        }
        self.pool.resize(flags.php_workers);
        self.flags = flags;
    }

    /// The next post id (product, variation, order or attachment).
    pub(crate) fn post_id(&mut self) -> u64 {
        next(&mut self.ids.posts)
    }

    /// The next term id (category or tag).
    pub(crate) fn term_id(&mut self) -> u64 {
        next(&mut self.ids.terms)
    }

    /// The next webhook id.
    pub(crate) fn webhook_id(&mut self) -> u64 {
        next(&mut self.ids.webhooks)
    }

    /// The next key id.
    pub(crate) fn key_id(&mut self) -> u64 {
        next(&mut self.ids.keys)
    }

    /// The next order line item id.
    pub(crate) fn item_id(&mut self) -> u64 {
        next(&mut self.ids.items)
    }

    /// The next comment id (order note).
    pub(crate) fn comment_id(&mut self) -> u64 {
        next(&mut self.ids.comments)
    }

    /// The next meta id.
    pub(crate) fn meta_id(&mut self) -> u64 {
        next(&mut self.ids.meta)
    }

    /// The variation (when `variation` is not 0) or product a line links to, if it exists.
    pub(crate) fn catalogue_item(&self, product: u64, variation: u64) -> Option<&Value> {
        if variation > 0 {
            self.variations.get(&product)?.get(&variation)
        } else {
            self.products.get(&product)
        }
    }

    /// An order as `GET orders/{id}` answers it.
    pub(crate) fn order_json(&self, id: u64) -> Option<Value> {
        self.orders
            .get(&id)
            .map(|o| crate::order_view::order_json(self, o))
    }

    /// Stores a new key and returns it.
    pub(crate) fn add_key(&mut self, ck: &str, cs: &str, permissions: &str) -> ApiKey {
        let key = ApiKey {
            id: self.key_id(),
            consumer_key: ck.into(),
            consumer_secret: cs.into(),
            permissions: permissions.into(),
            nonces: BTreeMap::new(),
        };
        self.keys.push(key.clone());
        key
    }

    /// The product or variation other than `except` already using a non-empty SKU; trashed
    /// ones do not count (`is_existing_sku`: `post_status != 'trash'`).
    pub(crate) fn sku_taken(&self, sku: &str, except: Option<u64>) -> Option<u64> {
        if sku.is_empty() {
            return None;
        }
        self.lookup
            .with_sku(sku)
            .filter(|(_, id)| Some(*id) != except)
            .find(|(parent, id)| {
                let record = match parent {
                    0 => self.products.get(id),
                    _ => self.variations.get(parent).and_then(|v| v.get(id)),
                };
                record.is_some_and(|p| p["sku"].as_str() == Some(sku) && p["status"] != "trash")
            })
            .map(|(_, id)| id)
    }

    /// `wp_unique_post_slug` for products: drafts and pending products keep their slug as
    /// given; otherwise a slug another product uses gets `-2`, `-3`, … appended.
    pub(crate) fn unique_product_slug(&self, slug: &str, status: &str, own: u64) -> String {
        if slug.is_empty() || ["draft", "pending", "auto-draft"].contains(&status) {
            return slug.to_owned();
        }
        let taken = |s: &str| {
            self.lookup.with_slug(s).any(|id| {
                id != own
                    && self
                        .products
                        .get(&id)
                        .is_some_and(|p| p["slug"].as_str() == Some(s))
            })
        };
        if !taken(slug) {
            return slug.to_owned();
        }
        (2..)
            .map(|n| format!("{slug}-{n}"))
            .find(|s| !taken(s))
            .unwrap_or_default()
    }

    /// `WC_Data::update_meta_data` for each `{key, value}` (or `{id, …}`) entry of `input`
    /// on `record["meta_data"]`: an entry naming an id or an existing key replaces it, a
    /// `null` value deletes it, anything else is appended with a new meta id.
    pub(crate) fn update_meta(&mut self, record: &mut Value, input: &Value) {
        if !input.is_array() {
            return;
        }
        if !record["meta_data"].is_array() {
            record["meta_data"] = json!([]);
        }
        if let Some(list) = record["meta_data"].as_array_mut() {
            self.update_meta_list(list, input);
        }
    }

    /// [`Self::update_meta`] on a list of `{id, key, value}` entries.
    pub(crate) fn update_meta_list(&mut self, list: &mut Vec<Value>, input: &Value) {
        let Some(entries) = input.as_array() else {
            return;
        };
        for entry in entries {
            let key = entry["key"].clone();
            let found = match entry["id"].as_u64() {
                Some(id) => list.iter().position(|m| m["id"] == json!(id)),
                None => list.iter().position(|m| m["key"] == key),
            };
            match (found, entry["value"].is_null()) {
                (Some(i), true) => {
                    list.remove(i);
                }
                (Some(i), false) => {
                    list[i]["key"] = key.clone();
                    list[i]["value"] = entry["value"].clone();
                    // Other entries under the same key are dropped, as WooCommerce does.
                    let id = list[i]["id"].clone();
                    list.retain(|m| m["id"] == id || m["key"] != key);
                }
                (None, true) => {}
                (None, false) => {
                    let id = next(&mut self.ids.meta);
                    list.push(json!({"id": id, "key": key, "value": entry["value"]}));
                }
            }
        }
    }
}

/// `sanitize_title`, roughly: lower case, runs of anything but letters and digits become one
/// `-`, no leading or trailing `-`.
pub(crate) fn sanitize_title(text: &str) -> String {
    let mut out = String::new();
    // HTML entities (`&amp;`) are dropped, as `sanitize_title_with_dashes` drops them.
    let mut plain = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        plain.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after
            .find(';')
            .filter(|e| *e > 0 && !after[..*e].contains(char::is_whitespace))
        {
            Some(e) => rest = &after[e + 1..],
            None => {
                plain.push('&');
                rest = after;
            }
        }
    }
    plain.push_str(rest);
    for c in plain.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The current UTC time, truncated to whole seconds as WooCommerce stores it.
pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

/// `YYYY-MM-DDTHH:MM:SS` without offset, the shape of WooCommerce's `*_gmt` fields.
pub(crate) fn gmt(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]"
    ))
    .unwrap_or_default()
}
