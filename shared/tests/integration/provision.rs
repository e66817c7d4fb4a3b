use aws_sdk_sqs::types::QueueAttributeName;
use ecommerce_connector::infrastructure::provision::MAX_RECEIVES;

use crate::support::stack;

#[tokio::test]
async fn job_queues_are_fifo_with_fifo_dead_letter_queues_after_five_receives() {
    let s = stack().await;
    for url in [
        &s.resources.sync_queue_url,
        &s.resources.poll_queue_url,
        &s.resources.orders_queue_url,
    ] {
        let attrs = s
            .clients
            .sqs
            .get_queue_attributes()
            .queue_url(url.as_str())
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap();
        assert_eq!(
            attrs
                .get(&QueueAttributeName::FifoQueue)
                .map(String::as_str),
            Some("true"),
            "{url}"
        );
        let redrive: serde_json::Value =
            serde_json::from_str(&attrs[&QueueAttributeName::RedrivePolicy]).unwrap();
        assert_eq!(
            redrive["maxReceiveCount"]
                .as_u64()
                .or_else(|| redrive["maxReceiveCount"]
                    .as_str()
                    .and_then(|s| s.parse().ok())),
            Some(u64::from(MAX_RECEIVES))
        );
        assert!(
            redrive["deadLetterTargetArn"]
                .as_str()
                .unwrap()
                .ends_with("-dlq.fifo")
        );
    }
    let table = s
        .clients
        .dynamodb
        .describe_table()
        .table_name(&s.resources.table)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let mut indexes: Vec<String> = table
        .global_secondary_indexes()
        .iter()
        .filter_map(|i| i.index_name.clone())
        .collect();
    indexes.sort();
    assert_eq!(indexes, vec!["GSI1", "GSI2"]);
}
