//! Product categories and tags (the terms controller): list (`search` in name or slug,
//! `slug`, `include`, `exclude`, `parent`, `hide_empty`, `orderby` name by default), create
//! (`wp_insert_term`'s duplicate rules: `term_exists` with the existing term's `resource_id`),
//! read, update (`wp_update_term`), delete (only with `force`) and batches. Term ids come from
//! the site's terms table, not its posts; tags are not hierarchical.

use axum::response::Response;
use serde_json::{Value, json};

use crate::answers::{batch, created, found, item_error, paged, rest_error, saved};
use crate::coerce::{absint, isset, normalize_entities, php_string, term_name};
use crate::media;
use crate::permissions::{Action, Kind};
use crate::rest::Call;
use crate::state::{DEFAULT_CATEGORY_ID, Store, sanitize_title};
use crate::terms_view::{collection, term_json};

/// Which taxonomy a route serves.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Taxonomy {
    Category,
    Tag,
}

impl Taxonomy {
    pub(crate) fn of(kind: Kind) -> Self {
        if kind == Kind::Tag {
            Self::Tag
        } else {
            Self::Category
        }
    }

    pub(crate) fn terms(self, s: &Store) -> &std::collections::BTreeMap<u64, Value> {
        match self {
            Self::Category => &s.categories,
            Self::Tag => &s.tags,
        }
    }

    fn terms_mut(self, s: &mut Store) -> &mut std::collections::BTreeMap<u64, Value> {
        match self {
            Self::Category => &mut s.categories,
            Self::Tag => &mut s.tags,
        }
    }

    fn base(self) -> &'static str {
        match self {
            Self::Category => "products/categories",
            Self::Tag => "products/tags",
        }
    }
}

fn invalid() -> Value {
    item_error(
        0,
        "woocommerce_rest_term_invalid",
        "Resource does not exist.",
        json!({}),
    )
}

/// `products/categories` and `products/tags` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let tax = Taxonomy::of(call.route.kind);
    let id = call.route.ids.first().copied().unwrap_or(0);
    let input = call.input;
    let s = &mut *call.store;
    // The permission callback answers an unknown term first (`check_permissions`).
    let single = matches!(
        call.route.action,
        Action::Read | Action::Edit | Action::Delete
    );
    if single && !tax.terms(s).contains_key(&id) {
        return rest_error(
            404,
            "woocommerce_rest_term_invalid",
            "Resource does not exist.",
            json!({}),
        );
    }
    match call.route.action {
        Action::List => {
            let items = collection(s, tax, call.query);
            paged(items, call.query, &call.app.base, call.path)
        }
        Action::Create => created(create(s, tax, input), &call.app.base, tax.base()),
        Action::Batch => batch(
            s,
            input,
            |s, id, item| match id {
                None => create(s, tax, item),
                Some(id) if !tax.terms(s).contains_key(&id) => invalid(),
                Some(id) => update(s, tax, id, item),
            },
            |s, id| delete(s, tax, id).unwrap_or_else(|e| e),
        ),
        Action::Read => found(term_json(s, tax, id)),
        Action::Edit => saved(update(s, tax, id, input)),
        Action::Delete => {
            if !crate::params::force(call.query, input) {
                return rest_error(
                    501,
                    "woocommerce_rest_trash_not_supported",
                    "Resource does not support trashing.",
                    json!({}),
                );
            }
            match delete(s, tax, id) {
                Ok(term) => found(term),
                Err(e) => saved(e),
            }
        }
    }
}

/// `wp_unique_term_slug`: a taken slug gets its parent's slug appended, then `-2`, `-3`….
fn unique_slug(s: &Store, tax: Taxonomy, slug: &str, parent: u64, own: u64) -> String {
    let taken = |x: &str| {
        tax.terms(s)
            .iter()
            .any(|(id, t)| *id != own && t["slug"] == json!(x))
    };
    if !taken(slug) {
        return slug.to_owned();
    }
    let mut base = slug.to_owned();
    if let Some(p) = tax.terms(s).get(&parent) {
        base = format!("{slug}-{}", p["slug"].as_str().unwrap_or_default());
        if !taken(&base) {
            return base;
        }
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|x| !taken(x))
        .unwrap_or_default()
}

/// `wp_insert_term` through the terms controller's `create_item`; the new term's answer, or
/// the error as a batch item.
pub(crate) fn create(s: &mut Store, tax: Taxonomy, input: &Value) -> Value {
    let fail = |code: &str, message: &str, data: Value| item_error(0, code, message, data);
    if isset(input, "parent") && tax == Taxonomy::Tag {
        return fail(
            "woocommerce_rest_taxonomy_not_hierarchical",
            "Can not set resource parent, taxonomy is not hierarchical.",
            json!({}),
        );
    }
    let name = term_name(&php_string(&input["name"]));
    if name.is_empty() {
        return fail(
            "empty_term_name",
            "A name is required for this term.",
            json!({}),
        );
    }
    let parent = absint(&input["parent"]);
    if parent > 0 && !tax.terms(s).contains_key(&parent) {
        return fail("missing_parent", "Parent term does not exist.", json!({}));
    }
    let given = php_string(&input["slug"]);
    let slug_provided = !given.is_empty();
    let slug = if slug_provided {
        sanitize_title(&given)
    } else {
        sanitize_title(&name)
    };
    let terms = tax.terms(s);
    let parent_of = |t: &Value| t["parent"].as_u64().unwrap_or(0);
    let name_match = terms.values().find(|t| {
        parent_of(t) == parent
            && t["name"].as_str().unwrap_or_default().to_lowercase() == name.to_lowercase()
    });
    if let Some(matched) = name_match {
        let slug_match = terms.values().find(|t| t["slug"] == json!(slug));
        if !slug_provided || matched["slug"] == json!(slug) || slug_match.is_some() {
            let existing = match tax {
                Taxonomy::Tag => Some(matched),
                Taxonomy::Category => {
                    let siblings: Vec<&Value> =
                        terms.values().filter(|t| parent_of(t) == parent).collect();
                    if (!slug_provided || matched["slug"] == json!(slug))
                        && siblings.iter().any(|t| t["name"] == json!(name))
                    {
                        Some(matched)
                    } else {
                        slug_match.filter(|_| siblings.iter().any(|t| t["slug"] == json!(slug)))
                    }
                }
            };
            if let Some(existing) = existing {
                let message = match tax {
                    Taxonomy::Tag => {
                        "A term with the name provided already exists in this taxonomy."
                    }
                    Taxonomy::Category => {
                        "A term with the name provided already exists with this parent."
                    }
                };
                return fail(
                    "term_exists",
                    message,
                    json!({"resource_id": existing["id"]}),
                );
            }
        }
    }
    let id = s.term_id();
    let slug = unique_slug(s, tax, &slug, parent, id);
    let description = normalize_entities(&php_string(&input["description"]));
    let mut term = json!({"id": id, "name": name, "slug": slug, "description": description});
    if tax == Taxonomy::Category {
        term["parent"] = json!(parent);
        term["display"] = json!("default");
        term["image_id"] = json!(0);
        term["menu_order"] = json!(0);
    }
    tax.terms_mut(s).insert(id, term);
    if let Err(e) = meta_fields(s, tax, id, input) {
        tax.terms_mut(s).remove(&id);
        return e;
    }
    term_json(s, tax, id)
}

/// `update_term_meta_fields` of categories: `display`, `menu_order`, and `image` (`{id}` or
/// `{src}`, an upload error answered with the upload's own code).
fn meta_fields(s: &mut Store, tax: Taxonomy, id: u64, input: &Value) -> Result<(), Value> {
    if tax != Taxonomy::Category {
        return Ok(());
    }
    if let Some(t) = s.categories.get_mut(&id) {
        if isset(input, "display") {
            t["display"] = json!(php_string(&input["display"]));
        }
        if isset(input, "menu_order") {
            t["menu_order"] = json!(crate::coerce::intval(&input["menu_order"]));
        }
    }
    if !isset(input, "image") {
        return Ok(());
    }
    let image = &input["image"];
    let image_id = match (absint(&image["id"]), image["src"].as_str()) {
        (0, Some(src)) if !src.is_empty() => media::upload(s, src, 0)
            .map_err(|(code, message)| item_error(id, code, &message, json!({})))?,
        (given, _) => given,
    };
    let valid = image_id > 0 && media::is_image(s, image_id);
    if valid {
        media::annotate(s, image_id, image);
    }
    if let Some(t) = s.categories.get_mut(&id) {
        t["image_id"] = json!(if valid { image_id } else { 0 });
    }
    Ok(())
}

/// `wp_update_term` through `update_item`: name, description, slug (a slug another term
/// uses under the same parent is `duplicate_term_slug`), parent, then the meta fields.
pub(crate) fn update(s: &mut Store, tax: Taxonomy, id: u64, input: &Value) -> Value {
    let fail = |code: &str, message: &str| item_error(id, code, message, json!({}));
    if isset(input, "parent") && tax == Taxonomy::Tag {
        return fail(
            "woocommerce_rest_taxonomy_not_hierarchical",
            "Can not set resource parent, taxonomy is not hierarchical.",
        );
    }
    let mut term = tax.terms(s).get(&id).cloned().unwrap_or_default();
    if isset(input, "name") {
        let name = term_name(&php_string(&input["name"]));
        if name.is_empty() {
            return fail("empty_term_name", "A name is required for this term.");
        }
        term["name"] = json!(name);
    }
    if isset(input, "description") {
        term["description"] = json!(normalize_entities(&php_string(&input["description"])));
    }
    if isset(input, "parent") {
        let parent = absint(&input["parent"]);
        if parent > 0 && !tax.terms(s).contains_key(&parent) {
            return fail("missing_parent", "Parent term does not exist.");
        }
        term["parent"] = json!(parent);
    }
    let given = php_string(&input["slug"]);
    let empty_slug = input.get("slug").is_some() && given.is_empty();
    let slug = match (given.is_empty(), empty_slug) {
        (false, _) => sanitize_title(&given),
        (true, true) => sanitize_title(term["name"].as_str().unwrap_or_default()),
        (true, false) => term["slug"].as_str().unwrap_or_default().to_owned(),
    };
    let parent = term["parent"].as_u64().unwrap_or(0);
    let duplicate = tax
        .terms(s)
        .values()
        .find(|t| t["slug"] == json!(slug) && t["id"] != json!(id));
    term["slug"] = match duplicate {
        Some(d) if !empty_slug && d["parent"].as_u64().unwrap_or(0) == parent => {
            return fail(
                "duplicate_term_slug",
                &format!("The slug &#8220;{slug}&#8221; is already in use by another term."),
            );
        }
        Some(_) => json!(unique_slug(s, tax, &slug, parent, id)),
        None => json!(slug),
    };
    tax.terms_mut(s).insert(id, term);
    if let Err(e) = meta_fields(s, tax, id, input) {
        return e;
    }
    term_json(s, tax, id)
}

/// `delete_item` with `force`: the default category cannot go (500); the term leaves every
/// product, its children move up to its parent; the answer is the term as it was.
fn delete(s: &mut Store, tax: Taxonomy, id: u64) -> Result<Value, Value> {
    if !tax.terms(s).contains_key(&id) {
        return Err(json!({"id": id}));
    }
    if tax == Taxonomy::Category && id == DEFAULT_CATEGORY_ID && s.flags.default_product_category {
        let mut e = item_error(
            id,
            "woocommerce_rest_cannot_delete",
            "Default product category cannot be deleted.",
            json!({}),
        );
        e["error"]["data"]["status"] = json!(500);
        return Err(e);
    }
    let answer = term_json(s, tax, id);
    let parent = tax
        .terms_mut(s)
        .remove(&id)
        .map_or(0, |t| absint(&t["parent"]));
    for t in tax.terms_mut(s).values_mut() {
        if t["parent"] == json!(id) {
            t["parent"] = json!(parent);
        }
    }
    let key = match tax {
        Taxonomy::Category => "category_ids",
        Taxonomy::Tag => "tag_ids",
    };
    for p in s.products.values_mut() {
        if let Some(ids) = p[key].as_array_mut() {
            ids.retain(|x| x != &json!(id));
        }
    }
    Ok(answer)
}
