//! Reading configuration from the environment, once per cold start. A missing required
//! variable or a malformed value is an error naming the variable, never a silent default.

use std::env;
use std::str::FromStr;

/// Why the configuration cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is missing or empty.
    #[error("missing environment variable {0}")]
    Missing(&'static str),
    /// A variable is set to something its reader cannot use. The value is not repeated: it
    /// may be a secret.
    #[error("environment variable {name} is malformed: expected {expected}")]
    Malformed {
        /// The variable.
        name: &'static str,
        /// What it should hold.
        expected: &'static str,
    },
}

/// A non-empty value, if set.
fn value(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A required, non-empty variable.
pub fn required(name: &'static str) -> Result<String, ConfigError> {
    value(name).ok_or(ConfigError::Missing(name))
}

/// An optional variable, `default` when unset or empty.
pub fn optional(name: &str, default: &str) -> String {
    value(name).unwrap_or_else(|| default.to_owned())
}

/// An optional variable that may be absent (`None`) but not empty-and-meaningful.
pub fn maybe(name: &str) -> Option<String> {
    value(name)
}

/// A number, `default` when unset; anything that does not parse is [`ConfigError::Malformed`].
pub fn number<T: FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match value(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| ConfigError::Malformed {
            name,
            expected: "a whole number",
        }),
    }
}

/// `true` or `false` (case-insensitive), `default` when unset.
pub fn flag(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match value(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v == "true" => Ok(true),
        Some(v) if v == "false" => Ok(false),
        Some(_) => Err(ConfigError::Malformed {
            name,
            expected: "true or false",
        }),
    }
}

/// A comma-separated list, trimmed, without empty items.
pub fn list(name: &str, default: &str) -> Vec<String> {
    optional(name, default)
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Each test uses its own variable names: the environment is shared by parallel tests.
    #[test]
    fn malformed_numbers_and_flags_name_the_variable() {
        // SAFETY: no other test reads or writes these names.
        unsafe {
            env::set_var("ENV_TEST_NUMBER_BAD", "12x");
            env::set_var("ENV_TEST_NUMBER_OK", " 7 ");
            env::set_var("ENV_TEST_FLAG_BAD", "yes");
        }
        let err = number::<u32>("ENV_TEST_NUMBER_BAD", 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable ENV_TEST_NUMBER_BAD is malformed: expected a whole number"
        );
        assert_eq!(number::<u32>("ENV_TEST_NUMBER_OK", 1), Ok(7));
        assert_eq!(number::<u32>("ENV_TEST_NUMBER_UNSET", 3), Ok(3));
        assert!(matches!(
            flag("ENV_TEST_FLAG_BAD", false),
            Err(ConfigError::Malformed {
                name: "ENV_TEST_FLAG_BAD",
                ..
            })
        ));
        assert_eq!(flag("ENV_TEST_FLAG_UNSET", true), Ok(true));
        assert_eq!(
            required("ENV_TEST_REQUIRED_UNSET"),
            Err(ConfigError::Missing("ENV_TEST_REQUIRED_UNSET"))
        );
    }
}
