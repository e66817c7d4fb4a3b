//! Moving items within a business's partition under another sort key (mappings set aside when
//! the business switches stores, and brought back when it returns).

use super::{DynamoStore, Item, s};
use crate::domain::ports::RepositoryError;

impl DynamoStore {
    /// Rewrites each item under `prefix` with the sort key `rename` gives it, then deletes the
    /// originals, 25 per batch. Written before deleted: an interruption leaves a copy, never a
    /// loss, and a repeat finishes the move.
    pub(crate) async fn move_items(
        &self,
        pk: &str,
        prefix: &str,
        rename: impl Fn(&str) -> String,
    ) -> Result<(), RepositoryError> {
        let mut copies = Vec::new();
        let mut originals = Vec::new();
        for mut item in self.items_with_prefix(pk, prefix, None).await? {
            let Some(old_sk) = item.get("SK").and_then(|v| v.as_s().ok()).cloned() else {
                continue;
            };
            item.insert("SK".into(), s(rename(&old_sk)));
            copies.push(item);
            originals.push(Item::from([
                ("PK".to_owned(), s(pk)),
                ("SK".to_owned(), s(old_sk)),
            ]));
        }
        self.put_items(copies).await?;
        self.delete_keys(originals).await
    }
}
