use aws_sdk_sqs::types::MessageSystemAttributeName;
use ecommerce_connector::application::schedule::{schedule_polls, window_of};
use ecommerce_connector::domain::ConnectionStatus;
use ecommerce_connector::domain::Job;
use ecommerce_connector::domain::ports::ConnectionRepository;
use ecommerce_connector::infrastructure::sqs::SqsJobQueue;
use ecommerce_connector::infrastructure::system::FixedClock;
use time::Duration;

use crate::support::{T0, connection, drain, stack};

#[tokio::test]
async fn one_poll_job_per_active_connection_and_a_repeated_tick_adds_none() {
    let s = stack().await;
    for i in 0..13 {
        s.store
            .save(&connection(
                &format!("b{i:02}"),
                &format!("s{i}.myshopify.com"),
                ConnectionStatus::Active,
            ))
            .await
            .unwrap();
    }
    s.store
        .save(&connection(
            "off",
            "off.myshopify.com",
            ConnectionStatus::Uninstalled,
        ))
        .await
        .unwrap();
    let q = SqsJobQueue::new(
        s.clients.sqs.clone(),
        &s.resources.sync_queue_url,
        &s.resources.poll_queue_url,
    );
    let every = Duration::minutes(15);
    let clock = FixedClock(T0 + Duration::minutes(3));
    assert_eq!(
        schedule_polls(&s.store, &q, &clock, every).await.unwrap(),
        13
    );
    // The schedule fires twice for one tick: SQS drops the copies (same dedup ids).
    schedule_polls(&s.store, &q, &FixedClock(T0 + Duration::minutes(4)), every)
        .await
        .unwrap();

    let messages = drain(&s.clients, &s.resources.poll_queue_url).await;
    assert_eq!(messages.len(), 13);
    let window = window_of(clock.0, every);
    for m in &messages {
        let job: Job = serde_json::from_str(m.body().unwrap()).unwrap();
        let Job::Poll {
            business_id,
            window: w,
        } = job
        else {
            panic!("not a poll job")
        };
        assert_eq!(w, window);
        let attrs = m.attributes().unwrap();
        assert_eq!(
            attrs[&MessageSystemAttributeName::MessageGroupId],
            business_id.as_str()
        );
        assert!(
            attrs[&MessageSystemAttributeName::MessageDeduplicationId]
                .starts_with(&format!("ecommerce-poll-{business_id}"))
        );
    }
    assert!(
        drain(&s.clients, &s.resources.sync_queue_url)
            .await
            .is_empty()
    );
}
