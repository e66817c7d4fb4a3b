//! The Lambda functions' environment for the local stack, written by `scripts/dev` as an env
//! file (`.dev.env`) that both a shell (`set -a; . ./.dev.env; set +a`) and
//! `cargo lambda watch --env-file` read.

use std::io;
use std::path::Path;

use ecommerce_connector::domain::Removal;
use ecommerce_connector::infrastructure::providers::shopify::config::ShopifySettings;
use ecommerce_connector::infrastructure::providers::shopify::provider::CustomerData;
use ecommerce_connector::infrastructure::providers::woocommerce::config::WooSettings;
use ecommerce_connector::interfaces::config::AppConfig;

/// The AWS SDK variables the functions need to reach the stack's endpoint, copied from this
/// process's environment. Credentials are copied only with an endpoint override (the local
/// stack's dummy ones), never for a real account.
const SDK: [&str; 3] = [
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "AWS_EC2_METADATA_DISABLED",
];
const SDK_CREDENTIALS: [&str; 2] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

/// Every variable the functions read (README, configuration reference), with the values the
/// local stack runs with, plus the AWS SDK's and `RUST_LOG` from this process.
pub fn variables(
    config: &AppConfig,
    shopify: &ShopifySettings,
    woocommerce: &WooSettings,
) -> Vec<(&'static str, String)> {
    let from_process = |name: &'static str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .map(|v| (name, v))
    };
    let mut vars: Vec<(&'static str, String)> = SDK.into_iter().filter_map(from_process).collect();
    if std::env::var_os("AWS_ENDPOINT_URL").is_some() {
        vars.extend(SDK_CREDENTIALS.into_iter().filter_map(from_process));
    }
    vars.extend(from_process("RUST_LOG"));
    vars.extend([
        ("TABLE_NAME", config.table.clone()),
        ("CATALOG_TABLE_NAME", config.catalog_table.clone()),
        ("SYNC_QUEUE_URL", config.sync_queue_url.clone()),
        ("POLL_QUEUE_URL", config.poll_queue_url.clone()),
        ("ORDERS_QUEUE_URL", config.orders_queue_url.clone()),
        ("KMS_KEY_ID", config.kms_key_id.clone()),
        ("PUBLIC_BASE_URL", config.public_base_url.clone()),
        ("STATE_SECRET", config.state_secret.expose().to_owned()),
        ("PWA_SETTINGS_URL", config.pwa_settings_url.clone()),
        ("BUSINESS_CLAIM", config.business_claim.clone()),
        (
            "HTTP_TIMEOUT_SECS",
            config.http_timeout.as_secs().to_string(),
        ),
        ("BATCH_PAGE_SIZE", config.batch_page_size.to_string()),
        ("PUSH_CONCURRENCY", config.push_concurrency.to_string()),
        (
            "CATALOG_REMOVAL",
            match config.removal {
                Removal::Archive => "archive",
                Removal::Delete => "delete",
            }
            .to_owned(),
        ),
        ("SHOPIFY_CLIENT_ID", shopify.client_id.clone()),
        (
            "SHOPIFY_CLIENT_SECRET",
            shopify.client_secret.expose().to_owned(),
        ),
        ("SHOPIFY_SCOPES", shopify.scopes.join(",")),
        ("SHOPIFY_API_VERSION", shopify.api_version.clone()),
    ]);
    if let Some(base) = &shopify.base_url {
        vars.push(("SHOPIFY_BASE_URL", base.clone()));
    }
    vars.extend([
        ("SHOPIFY_ACK_TAG", shopify.ack_tag.clone()),
        ("SHOPIFY_INVENTORY_REASON", shopify.inventory_reason.clone()),
        ("SHOPIFY_CALLBACK_PATH", shopify.callback_path.clone()),
        (
            "SHOPIFY_CUSTOMER_DATA",
            match shopify.customer_data {
                CustomerData::None => "none",
                CustomerData::Basic => "basic",
                CustomerData::Full => "full",
            }
            .to_owned(),
        ),
        ("SHOPIFY_PUBLICATIONS", shopify.publications.join(",")),
        (
            "SHOPIFY_BULK_MIN_PRODUCTS",
            shopify.bulk.min_products.to_string(),
        ),
        (
            "SHOPIFY_BULK_POLL_MS",
            shopify.bulk.poll_every.as_millis().to_string(),
        ),
        (
            "SHOPIFY_BULK_FOLLOW_SECONDS",
            shopify.bulk.follow_for.as_secs().to_string(),
        ),
        (
            "SHOPIFY_BULK_LINES_PER_STEP",
            shopify.bulk.lines_per_step.to_string(),
        ),
        ("WOOCOMMERCE_ENABLED", "true".to_owned()),
        ("WOOCOMMERCE_APP_NAME", woocommerce.app_name.clone()),
        (
            "WOOCOMMERCE_ALLOW_HTTP_LOOPBACK",
            woocommerce.allow_http_loopback.to_string(),
        ),
    ]);
    vars
}

/// `KEY=value` lines under a comment header. Values outside a plain set of characters (`=`
/// included: the env file reader of `cargo lambda` refuses it bare) are single-quoted; a value
/// that the shell and that reader would not read alike (a quote, a backslash, a line break) is
/// an error.
pub fn render(header: &str, vars: &[(&str, String)]) -> io::Result<String> {
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    for (name, value) in vars {
        if value.contains(['\'', '\\', '\n', '\r']) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{name}: a quote, backslash or line break cannot go in the env file"),
            ));
        }
        let plain = !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-./:,@%+".contains(c));
        if plain {
            out.push_str(&format!("{name}={value}\n"));
        } else {
            out.push_str(&format!("{name}='{value}'\n"));
        }
    }
    Ok(out)
}

/// Writes `text` to `path` whole: a reader sees the previous file or the new one, never a part.
pub fn write(path: &Path, text: &str) -> io::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_stay_bare_and_others_are_quoted() {
        let vars = [
            (
                "A",
                "http://127.0.0.1:4566/000000000000/dev-sync-jobs.fifo".to_owned(),
            ),
            ("B", "info,aws_config=warn".to_owned()),
            ("C", "Connector (dev)".to_owned()),
            ("D", String::new()),
        ];
        let text = render("one\ntwo", &vars).unwrap();
        assert_eq!(
            text,
            "# one\n# two\nA=http://127.0.0.1:4566/000000000000/dev-sync-jobs.fifo\n\
             B='info,aws_config=warn'\nC='Connector (dev)'\nD=''\n"
        );
    }

    #[test]
    fn a_quote_or_backslash_is_refused() {
        assert!(render("", &[("A", "it's".to_owned())]).is_err());
        assert!(render("", &[("A", "a\\nb".to_owned())]).is_err());
    }

    #[test]
    fn the_file_is_replaced_whole() {
        let dir = std::env::temp_dir().join(format!("dev-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".dev.env");
        write(&path, "A=1\n").unwrap();
        write(&path, "A=2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "A=2\n");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
