use aws_sdk_sqs::types::MessageSystemAttributeName;
use ecommerce_connector::domain::Job;
use ecommerce_connector::domain::ports::JobQueue;
use ecommerce_connector::infrastructure::sqs::SqsJobQueue;

use crate::support::{biz, drain, stack};

fn attr(m: &aws_sdk_sqs::types::Message, name: MessageSystemAttributeName) -> String {
    m.attributes()
        .and_then(|a| a.get(&name))
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn jobs_go_to_their_queue_grouped_by_business_with_explicit_dedup_ids() {
    let s = stack().await;
    let q = SqsJobQueue::new(
        s.clients.sqs.clone(),
        &s.resources.sync_queue_url,
        &s.resources.poll_queue_url,
    );
    let product = Job::SyncProduct {
        business_id: biz("biz-q"),
        product_id: "p1".into(),
    };
    let poll = Job::Poll {
        business_id: biz("biz-q"),
        window: 7,
    };
    q.send(&product, "change-1").await.unwrap();
    q.send(&poll, "ignored").await.unwrap();
    // The same poll window again is collapsed by FIFO deduplication.
    q.send(&poll, "other").await.unwrap();

    let sync = drain(&s.clients, &s.resources.sync_queue_url).await;
    assert_eq!(sync.len(), 1);
    assert_eq!(
        serde_json::from_str::<Job>(sync[0].body().unwrap()).unwrap(),
        product
    );
    assert_eq!(
        attr(&sync[0], MessageSystemAttributeName::MessageGroupId),
        "biz-q"
    );
    assert_eq!(
        attr(&sync[0], MessageSystemAttributeName::MessageDeduplicationId),
        "product-biz-q-p1-change-1"
    );

    let polls = drain(&s.clients, &s.resources.poll_queue_url).await;
    assert_eq!(polls.len(), 1);
    assert_eq!(
        attr(
            &polls[0],
            MessageSystemAttributeName::MessageDeduplicationId
        ),
        "ecommerce-poll-biz-q-7"
    );
}

#[tokio::test]
async fn send_all_batches_by_ten_and_routes_each_job() {
    let s = stack().await;
    let q = SqsJobQueue::new(
        s.clients.sqs.clone(),
        &s.resources.sync_queue_url,
        &s.resources.poll_queue_url,
    );
    let mut jobs: Vec<Job> = (0..23)
        .map(|i| Job::Poll {
            business_id: biz(&format!("b{i}")),
            window: 1,
        })
        .collect();
    jobs.push(Job::SyncCollection {
        business_id: biz("b0"),
        collection_id: "c".into(),
    });
    assert_eq!(q.send_all(&jobs, "n").await.unwrap(), 24);
    let polls = drain(&s.clients, &s.resources.poll_queue_url).await;
    assert_eq!(polls.len(), 23);
    let mut groups: Vec<String> = polls
        .iter()
        .map(|m| attr(m, MessageSystemAttributeName::MessageGroupId))
        .collect();
    groups.sort();
    groups.dedup();
    assert_eq!(groups.len(), 23, "one group per business");
    assert_eq!(
        drain(&s.clients, &s.resources.sync_queue_url).await.len(),
        1
    );
}

#[tokio::test]
async fn a_retry_waits_in_its_own_group_and_a_deferred_job_stays_hidden() {
    let s = stack().await;
    let q = SqsJobQueue::new(
        s.clients.sqs.clone(),
        &s.resources.sync_queue_url,
        &s.resources.poll_queue_url,
    );
    let retry = Job::RetryItems {
        business_id: biz("biz-r"),
        run_id: "run".into(),
        collections: false,
        ids: vec!["p1".into()],
        attempt: 1,
        not_before: 0,
    };
    q.send(&retry, "run").await.unwrap();
    let received = s
        .clients
        .sqs
        .receive_message()
        .queue_url(&s.resources.sync_queue_url)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .visibility_timeout(1)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(received.len(), 1);
    assert_eq!(
        attr(&received[0], MessageSystemAttributeName::MessageGroupId),
        "biz-r-retry"
    );
    q.defer(
        &retry,
        received[0].receipt_handle().unwrap(),
        std::time::Duration::from_secs(30),
    )
    .await
    .unwrap();
    // Past its 1 s receive timeout, it is still hidden by the deferral.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(
        drain(&s.clients, &s.resources.sync_queue_url)
            .await
            .is_empty()
    );
}
