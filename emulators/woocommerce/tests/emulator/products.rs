//! Product fields as the v3 controllers accept, validate and store them: images sideloaded
//! into the media library, prices, weight and dimensions, statuses, stock and tax.

use reqwest::Method;
use serde_json::{Value, json};

use crate::Site;

async fn create(site: &Site, body: Value) -> crate::Answer {
    site.send(Method::POST, "products", Some(body)).await
}

#[tokio::test]
async fn images_are_sideloaded_featured_first_and_a_src_uploads_again() {
    let site = Site::start().await;
    let body = json!({"name": "Tee", "images": [
        {"src": "https://cdn.example.com/img/tee.jpg", "alt": "Front", "name": "Tee front"},
        {"src": "https://cdn.example.com/img/tee-back.png"},
    ]});
    let tee = create(&site, body).await;
    assert_eq!(tee.status, 201, "{}", tee.json);
    let images = tee.json["images"].as_array().unwrap().clone();
    assert_eq!(images.len(), 2);
    // Attachments are posts uploaded before the product is saved: their ids come first.
    assert_eq!(
        (images[0]["id"].clone(), images[1]["id"].clone()),
        (json!(101), json!(102))
    );
    assert_eq!(tee.json["id"], 103);
    let base = site.woo.base_url();
    let src = images[0]["src"].as_str().unwrap();
    assert!(
        src.starts_with(&format!("{base}/wp-content/uploads/")) && src.ends_with("/tee.jpg"),
        "{src}"
    );
    assert_eq!(
        (images[0]["name"].clone(), images[0]["alt"].clone()),
        (json!("Tee front"), json!("Front"))
    );
    assert_eq!(
        images[1]["name"], "tee-back.png",
        "the title is the file name"
    );
    assert!(
        images[0].get("position").is_none(),
        "v3 images have no position"
    );
    for key in [
        "date_created",
        "date_created_gmt",
        "date_modified",
        "date_modified_gmt",
    ] {
        assert!(images[0][key].is_string(), "{key}");
    }

    // The same src again is a new upload (no attachment is matched by URL); ids keep them.
    let pid = tee.json["id"].as_u64().unwrap();
    let again = json!({"images": [{"src": "https://cdn.example.com/img/tee.jpg"}, {"id": images[1]["id"]}]});
    let updated = site
        .send(Method::PUT, &format!("products/{pid}"), Some(again))
        .await
        .json;
    let new_first = &updated["images"][0];
    assert_ne!(new_first["id"], images[0]["id"]);
    assert!(new_first["src"].as_str().unwrap().ends_with("/tee-1.jpg"));
    assert_eq!(updated["images"][1]["id"], images[1]["id"]);
    assert_eq!(site.woo.snapshot()["media"].as_array().unwrap().len(), 3);
    let by_id = json!({"images": [{"id": images[0]["id"]}]});
    let kept = site
        .send(Method::PUT, &format!("products/{pid}"), Some(by_id))
        .await
        .json;
    assert_eq!(kept["images"][0]["src"], images[0]["src"]);
    let cleared = site
        .send(
            Method::PUT,
            &format!("products/{pid}"),
            Some(json!({"images": []})),
        )
        .await;
    assert_eq!(cleared.json["images"], json!([]), "no placeholder in v3");
}

#[tokio::test]
async fn an_unreachable_image_fails_the_whole_request() {
    let site = Site::start().await;
    let body = json!({"name": "Mug", "sku": "MUG", "images": [
        {"src": "https://cdn.example.com/mug.jpg"},
        {"src": "https://cdn.example.invalid/mug.jpg"},
    ]});
    let refused = create(&site, body.clone()).await;
    assert_eq!(
        refused.error(),
        (400, "woocommerce_product_image_upload_error")
    );
    assert_eq!(
        refused.json["message"],
        "Error getting remote image https://cdn.example.invalid/mug.jpg. Error: cURL error 6: Could not resolve host: cdn.example.invalid"
    );
    let snap = site.woo.snapshot();
    assert!(
        snap["products"].as_array().unwrap().is_empty(),
        "nothing saved"
    );
    assert!(
        snap["media"].as_array().unwrap().is_empty(),
        "the create's uploads are deleted"
    );
    let batch = site
        .send(
            Method::POST,
            "products/batch",
            Some(json!({"create": [body]})),
        )
        .await;
    assert_eq!(batch.json["create"][0]["id"], 0);
    assert_eq!(
        batch.json["create"][0]["error"]["code"],
        "woocommerce_product_image_upload_error"
    );
    // An id that is no attachment, and a file that is no image.
    let bad_id = create(&site, json!({"name": "X", "images": [{"id": 999}]})).await;
    assert_eq!(
        bad_id.error(),
        (400, "woocommerce_product_invalid_image_id")
    );
    assert_eq!(bad_id.json["message"], "#999 is an invalid image ID.");
    let pdf = create(
        &site,
        json!({"name": "X", "images": [{"src": "https://cdn.example.com/a.pdf"}]}),
    )
    .await;
    assert_eq!(
        pdf.json["message"],
        "Invalid image: Sorry, you are not allowed to upload this file type."
    );
}

#[tokio::test]
async fn a_variation_takes_one_image_by_src_or_id() {
    let site = Site::start().await;
    let tee = json!({"name": "Tee", "type": "variable", "attributes": [{"name": "Size", "variation": true, "options": ["S", "M"]}]});
    let pid = create(&site, tee).await.json["id"].as_u64().unwrap();
    let path = format!("products/{pid}/variations");
    let body = json!({"regular_price": "10", "attributes": [{"name": "size", "option": "M"}], "image": {"src": "https://cdn.example.com/m.webp"}});
    let v = site.send(Method::POST, &path, Some(body)).await.json;
    assert!(v["image"]["src"].as_str().unwrap().ends_with("/m.webp"));
    assert_eq!(
        v["attributes"],
        json!([{"id": 0, "name": "Size", "slug": "size", "option": "M"}])
    );
    let bad = json!({"image": {"src": "http://img.invalid/x.jpg"}});
    let vid = v["id"].as_u64().unwrap();
    let refused = site
        .send(Method::PUT, &format!("{path}/{vid}"), Some(bad))
        .await;
    assert_eq!(
        refused.error(),
        (400, "woocommerce_variation_image_upload_error")
    );
    let parent = site
        .send(Method::GET, &format!("products/{pid}"), None)
        .await
        .json;
    assert_eq!(parent["variations"], json!([vid]));
    assert_eq!(
        parent["price"], "10",
        "the lowest price of its published variations"
    );
}

#[tokio::test]
async fn a_sale_price_not_below_the_regular_price_is_cleared() {
    let site = Site::start().await;
    let on_sale = create(
        &site,
        json!({"name": "A", "regular_price": "20", "sale_price": "15"}),
    )
    .await
    .json;
    assert_eq!(
        (on_sale["price"].clone(), on_sale["on_sale"].clone()),
        (json!("15"), json!(true))
    );
    let id = on_sale["id"].as_u64().unwrap();
    // Equal (compared as numbers), above, or without a regular price: cleared, `price` regular.
    for (regular, sale) in [("20", "20.00"), ("20", "25"), ("", "5")] {
        let body = json!({"regular_price": regular, "sale_price": sale});
        let p = site
            .send(Method::PUT, &format!("products/{id}"), Some(body))
            .await
            .json;
        assert_eq!(p["sale_price"], "", "{regular} / {sale}");
        assert_eq!(
            (p["price"].clone(), p["on_sale"].clone()),
            (json!(regular), json!(false))
        );
    }
    let body = json!({"regular_price": "20", "sale_price": "15"});
    site.send(Method::PUT, &format!("products/{id}"), Some(body))
        .await;
    let cleared = site
        .send(
            Method::PUT,
            &format!("products/{id}"),
            Some(json!({"sale_price": ""})),
        )
        .await
        .json;
    assert_eq!(
        (cleared["sale_price"].clone(), cleared["price"].clone()),
        (json!(""), json!("20"))
    );
    // `price` is read-only: sending it changes nothing; decimals are kept as given.
    let p = site
        .send(
            Method::PUT,
            &format!("products/{id}"),
            Some(json!({"price": "1", "regular_price": "12,50"})),
        )
        .await
        .json;
    assert_eq!(
        (p["regular_price"].clone(), p["price"].clone()),
        (json!("1250"), json!("1250"))
    );
}

#[tokio::test]
async fn weight_must_be_a_string_unless_sent_in_a_batch() {
    let site = Site::start().await;
    let refused = create(&site, json!({"name": "A", "weight": 1.5})).await;
    assert_eq!(refused.error(), (400, "rest_invalid_param"));
    assert_eq!(
        refused.json["data"]["params"]["weight"],
        "weight is not of type string."
    );
    assert_eq!(
        refused.json["data"]["details"]["weight"]["data"]["param"],
        "weight"
    );
    let dims = create(&site, json!({"name": "A", "dimensions": {"length": 10}})).await;
    assert_eq!(
        dims.json["data"]["params"]["dimensions"],
        "dimensions[length] is not of type string."
    );
    let ok = create(
        &site,
        json!({"name": "A", "weight": "1.5", "dimensions": {"length": "10", "width": "5"}}),
    )
    .await
    .json;
    assert_eq!(
        (ok["weight"].clone(), ok["dimensions"].clone()),
        (
            json!("1.5"),
            json!({"length": "10", "width": "5", "height": ""})
        )
    );
    // Batch items are not validated against the schema: `set_weight` formats the number.
    let batch = json!({"create": [{"name": "B", "weight": 1.5, "status": "archived"}]});
    let made = site
        .send(Method::POST, "products/batch", Some(batch))
        .await
        .json;
    assert_eq!(made["create"][0]["weight"], "1.5");
    assert_eq!(
        made["create"][0]["status"], "draft",
        "an unregistered status becomes draft"
    );
    let virt = create(&site, json!({"name": "V", "virtual": true, "weight": "2"}))
        .await
        .json;
    assert_eq!(virt["weight"], "", "virtual products hold no weight");
}

#[tokio::test]
async fn statuses_and_enums_are_checked_on_single_requests() {
    let site = Site::start().await;
    for status in ["publish", "draft", "pending", "private"] {
        let p = create(&site, json!({"name": status, "status": status})).await;
        assert_eq!((p.status, p.json["status"].as_str()), (201, Some(status)));
    }
    let refused = create(&site, json!({"name": "X", "status": "archived"})).await;
    assert_eq!(refused.error(), (400, "rest_invalid_param"));
    assert_eq!(
        refused.json["data"]["params"]["status"],
        "status is not one of draft, pending, private, publish, future, auto-draft, and trash."
    );
    let vis = create(
        &site,
        json!({"name": "X", "catalog_visibility": "nowhere", "tax_status": "free"}),
    )
    .await;
    assert_eq!(
        vis.json["message"],
        "Invalid parameter(s): catalog_visibility, tax_status"
    );
    let p = create(&site, json!({"name": "X", "catalog_visibility": "hidden", "tax_status": "shipping", "tax_class": "Reduced rate"})).await.json;
    assert_eq!(
        (
            p["catalog_visibility"].clone(),
            p["tax_status"].clone(),
            p["tax_class"].clone()
        ),
        (json!("hidden"), json!("shipping"), json!("reduced-rate"))
    );
    // In a batch the setters answer instead.
    let batch = json!({"create": [{"name": "Y", "tax_status": "free"}, {"name": "Z", "tax_class": "luxury"}]});
    let made = site
        .send(Method::POST, "products/batch", Some(batch))
        .await
        .json;
    assert_eq!(
        made["create"][0]["error"]["code"],
        "product_invalid_tax_status"
    );
    assert_eq!(
        made["create"][1]["tax_class"], "",
        "an unknown tax class is the standard one"
    );
}

#[tokio::test]
async fn managed_stock_derives_the_stock_status() {
    let site = Site::start().await;
    let cases = [
        (
            json!({"manage_stock": true, "stock_quantity": 3, "stock_status": "outofstock"}),
            "instock",
        ),
        (
            json!({"manage_stock": true, "stock_quantity": 0, "stock_status": "instock"}),
            "outofstock",
        ),
        (
            json!({"manage_stock": true, "stock_quantity": 0, "backorders": "notify"}),
            "onbackorder",
        ),
        (
            json!({"manage_stock": false, "stock_quantity": 5, "stock_status": "onbackorder", "backorders": "yes"}),
            "onbackorder",
        ),
    ];
    for (body, status) in cases {
        let mut body = body.clone();
        body["name"] = json!("S");
        let p = create(&site, body.clone()).await.json;
        assert_eq!(p["stock_status"], status, "{body}");
        if body["manage_stock"] == json!(false) {
            assert_eq!(
                (p["stock_quantity"].clone(), p["backorders"].clone()),
                (Value::Null, json!("no"))
            );
        }
    }
    let p = create(
        &site,
        json!({"name": "B", "manage_stock": true, "stock_quantity": -2, "backorders": "yes"}),
    )
    .await
    .json;
    assert_eq!(
        (p["backorders_allowed"].clone(), p["backordered"].clone()),
        (json!(true), json!(true))
    );
    let refused = create(
        &site,
        json!({"name": "X", "stock_status": "soon", "backorders": "maybe"}),
    )
    .await;
    assert_eq!(
        refused.json["message"],
        "Invalid parameter(s): stock_status, backorders"
    );
    // A sale through an order lowers the quantity and the status follows.
    site.send(Method::POST, "products", Some(json!({"name": "Last", "sku": "LAST", "regular_price": "5", "manage_stock": true, "stock_quantity": 1}))).await;
    site.woo
        .insert_order("a@example.com", &[("LAST", "Last", 1, "5.00")]);
    let last = site.send(Method::GET, "products?sku=LAST", None).await.json;
    assert_eq!(
        (
            last[0]["stock_quantity"].clone(),
            last[0]["stock_status"].clone()
        ),
        (json!(0), json!("outofstock"))
    );
}

#[tokio::test]
async fn the_state_shows_products_as_rest_reads_them() {
    let site = Site::start().await;
    let body = json!({"name": "Tops & Tees", "regular_price": "9", "tags": [{"name": "Cotton"}], "images": [{"src": "https://cdn.example.com/t.jpg"}]});
    let made = create(&site, body).await.json;
    assert_eq!(
        made["name"], "Tops &amp; Tees",
        "saved through wp_filter_post_kses"
    );
    let id = made["id"].as_u64().unwrap();
    let read = site
        .send(Method::GET, &format!("products/{id}"), None)
        .await
        .json;
    assert_eq!(read, made);
    assert_eq!(site.woo.snapshot()["products"][0], read);
    assert_eq!(site.woo.snapshot()["tags"][0]["name"], "Cotton");
}
