//! Creates the tables exactly as `template.yaml` declares them (tests and local runs).

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use super::keys::{GSI1, GSI2};
use super::unavailable;
use crate::domain::ports::RepositoryError;

/// The TTL attribute of logs and OAuth states (epoch seconds).
pub const TTL_ATTRIBUTE: &str = "expiresAt";

fn attr(name: &str) -> Result<AttributeDefinition, RepositoryError> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(unavailable)
}

fn key(hash: &str, range: &str) -> Result<Vec<KeySchemaElement>, RepositoryError> {
    Ok(vec![
        KeySchemaElement::builder()
            .attribute_name(hash)
            .key_type(KeyType::Hash)
            .build()
            .map_err(unavailable)?,
        KeySchemaElement::builder()
            .attribute_name(range)
            .key_type(KeyType::Range)
            .build()
            .map_err(unavailable)?,
    ])
}

fn gsi(name: &str, hash: &str, range: &str) -> Result<GlobalSecondaryIndex, RepositoryError> {
    GlobalSecondaryIndex::builder()
        .index_name(name)
        .set_key_schema(Some(key(hash, range)?))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .map_err(unavailable)
}

/// Creates the connector's table: `PK`/`SK`, on-demand, `GSI1` and sparse `GSI2`, TTL on
/// [`TTL_ATTRIBUTE`].
pub async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    name: &str,
) -> Result<(), RepositoryError> {
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(
            ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"]
                .into_iter()
                .map(attr)
                .collect::<Result<_, _>>()?,
        ))
        .set_key_schema(Some(key("PK", "SK")?))
        .global_secondary_indexes(gsi(GSI1, "GSI1PK", "GSI1SK")?)
        .global_secondary_indexes(gsi(GSI2, "GSI2PK", "GSI2SK")?)
        .send()
        .await
        .map_err(unavailable)?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(TTL_ATTRIBUTE)
                .enabled(true)
                .build()
                .map_err(unavailable)?,
        )
        .send()
        .await
        .map_err(unavailable)?;
    Ok(())
}

/// Creates a catalogue table with the schema the host app uses (`PK`/`SK`, on-demand).
pub async fn create_catalog_table(
    client: &aws_sdk_dynamodb::Client,
    name: &str,
) -> Result<(), RepositoryError> {
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(vec![attr("PK")?, attr("SK")?]))
        .set_key_schema(Some(key("PK", "SK")?))
        .send()
        .await
        .map_err(unavailable)?;
    Ok(())
}
