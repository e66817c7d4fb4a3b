//! Replays every fuzz corpus file (`fuzz/corpus/<target>/*`) through the same calls as its
//! fuzz target, without sanitizers or nightly: a parser that panics on an input the fuzzer
//! once kept fails CI here. Errors are fine; only a panic (or a failed property) is not.

use std::path::{Path, PathBuf};
use std::time::Instant;

// The fuzz targets' own functions, word for word (the fuzz crate is not a dependency).
include!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fuzz/src/harness.rs"
));

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 6] = [
    ("shopify_webhook", shopify_webhook),
    ("woocommerce_webhook", woocommerce_webhook),
    ("shopify_oauth_callback", shopify_oauth_callback),
    ("woocommerce_key_delivery", woocommerce_key_delivery),
    ("state_token", state_token),
    ("log_cursor", log_cursor),
];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_input_replays_without_a_panic() {
    let started = Instant::now();
    let mut failures = Vec::new();
    for (target, run) in TARGETS {
        let inputs = files(&corpus_dir().join(target));
        assert!(!inputs.is_empty(), "{target} has no corpus");
        for path in &inputs {
            let data = std::fs::read(path).expect("a readable corpus file");
            if std::panic::catch_unwind(|| run(&data)).is_err() {
                failures.push(path.display().to_string());
            }
        }
        eprintln!("{target}: {} inputs replayed", inputs.len());
    }
    eprintln!("replayed in {:?}", started.elapsed());
    assert!(failures.is_empty(), "panicked on {failures:#?}");
}

#[test]
fn every_target_has_a_corpus_and_no_stray_directory() {
    let mut dirs: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("fuzz/corpus")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    dirs.sort();
    let mut expected: Vec<String> = TARGETS.iter().map(|(t, _)| t.to_string()).collect();
    expected.sort();
    assert_eq!(dirs, expected);
}

#[test]
fn the_seeds_pass_their_checks() {
    // The harness signs with fixed secrets; the seeds are signed with them, so the success
    // paths are part of every replay (and a fuzz run starts from them).
    let read = |target: &str, name: &str| {
        std::fs::read(corpus_dir().join(target).join(name)).expect("a seed")
    };
    let shopify = delivery(&read("shopify_webhook", "seed-orders-create"));
    assert!(
        shopify::webhooks::verify(&shopify, &Secret::new(WEBHOOK_SECRET)).is_ok(),
        "seed-orders-create is signed with the harness's app secret"
    );
    let woo = delivery(&read("woocommerce_webhook", "seed-order-created"));
    assert!(woocommerce::webhooks::verify(&woo, Some(&woo_credentials())).is_ok());
    let callback = read("shopify_oauth_callback", "seed-docs-callback");
    let (query, _) = split_at(&callback, b"\n");
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query).into_owned().collect();
    let now = OffsetDateTime::from_unix_timestamp(OAUTH_NOW).expect("an instant");
    assert!(shopify::oauth::verify_callback(&pairs, &Secret::new(OAUTH_SECRET), now).is_ok());
    let token = read("state_token", "seed-signed");
    let token = std::str::from_utf8(&token).expect("UTF-8");
    assert!(state_token::verify(&Secret::new(STATE_SECRET), token).is_some());
}
