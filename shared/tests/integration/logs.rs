use ecommerce_connector::domain::ports::{RepositoryError, SyncLogRepository};
use ecommerce_connector::domain::{SyncKind, SyncLogEntry, SyncStatus};
use time::Duration;

use crate::support::{T0, biz, stack};

fn entry(i: u64) -> SyncLogEntry {
    let at = T0 + Duration::seconds(i as i64);
    let id = ulid::Ulid::from_parts(at.unix_timestamp() as u64 * 1000, u128::from(i)).to_string();
    SyncLogEntry {
        id,
        kind: SyncKind::Products,
        status: SyncStatus::Success,
        succeeded: i as u32,
        failed: 0,
        skipped: 0,
        message: format!("entry {i}"),
        at,
    }
}

#[tokio::test]
async fn pages_return_every_entry_exactly_once_newest_first() {
    let s = stack().await;
    let b = biz("biz-log");
    for i in 0..25 {
        s.store.append(&b, &entry(i)).await.unwrap();
    }
    s.store
        .append(&biz("someone-else"), &entry(99))
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut sizes = Vec::new();
    loop {
        let page = s.store.page(&b, 10, cursor.as_deref()).await.unwrap();
        sizes.push(page.entries.len());
        seen.extend(page.entries.into_iter().map(|e| e.succeeded));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(sizes, vec![10, 10, 5]);
    assert_eq!(seen, (0..25).rev().collect::<Vec<u32>>());

    // Exactly a page's worth left: the page is full and carries no cursor.
    let exact = s.store.page(&b, 25, None).await.unwrap();
    assert_eq!(exact.entries.len(), 25);
    assert_eq!(exact.next_cursor, None);
}

#[tokio::test]
async fn malformed_or_foreign_cursors_are_client_errors() {
    let s = stack().await;
    let b = biz("biz-log2");
    s.store.append(&b, &entry(1)).await.unwrap();
    let active_cursor = ecommerce_connector::infrastructure::cursor::encode("active", "biz-log2");
    let forged = ecommerce_connector::infrastructure::cursor::encode("log", "../../etc");
    for bad in [
        "%%%",
        "bm90LWEtY3Vyc29y",
        active_cursor.as_str(),
        forged.as_str(),
        &"A".repeat(600),
    ] {
        let err = s.store.page(&b, 10, Some(bad)).await.unwrap_err();
        assert!(
            matches!(err, RepositoryError::InvalidCursor),
            "{bad}: {err:?}"
        );
    }
}

#[tokio::test]
async fn entries_expire_by_ttl_after_the_retention() {
    let s = stack().await;
    let store = s
        .store
        .clone()
        .with_log_retention(std::time::Duration::from_secs(3600));
    let b = biz("biz-ttl");
    let e = entry(3);
    store.append(&b, &e).await.unwrap();
    let item = s
        .clients
        .dynamodb
        .get_item()
        .table_name(&s.resources.table)
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S("BIZ#biz-ttl".into()),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("LOG#{}", e.id)),
        )
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let ttl = item.get("expiresAt").and_then(|v| v.as_n().ok()).cloned();
    assert_eq!(
        ttl,
        Some((e.at + Duration::hours(1)).unix_timestamp().to_string())
    );
}
