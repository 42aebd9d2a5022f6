//! From the raw arguments to a [`Config`], or the first setting that cannot be used.

use super::checks::{checked_database_url, checked_origin, checked_url, resolve, trimmed};
use super::{refuse, Config, ConfigError, SandboxArgs, ServerArgs, UpstreamChoice, SANDBOX_DEFAULT_KEY, SANDBOX_DEFAULT_WEBHOOK_SECRET};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

impl ServerArgs {
    /// Checks every setting; the first that cannot be used is the error.
    pub fn validate(&self) -> Result<Config, ConfigError> {
        let upstream = match (&self.upstream_url, self.embedded_sandbox || self.demo) {
            (Some(url), _) => UpstreamChoice::Url(checked_url("ZEROPOOLS_BASE_URL", url)?),
            (None, true) => UpstreamChoice::EmbeddedSandbox,
            (None, false) => return refuse(
                "ZEROPOOLS_BASE_URL",
                "is required. Set it to 0Pools' base URL, or set EMBEDDED_SANDBOX=true (or DEMO_MODE=true) to use the test-mode sandbox",
            ),
        };
        if self.embedded_sandbox && self.upstream_url.is_some() {
            return refuse("EMBEDDED_SANDBOX", "cannot be combined with ZEROPOOLS_BASE_URL: choose one upstream");
        }
        let sandbox = upstream == UpstreamChoice::EmbeddedSandbox;
        // The embedded sandbox's key and webhook secret, when none is given: the
        // documented ones only in demo mode (a demo is a public toy). Otherwise fresh
        // random ones per process (both ends are in this process), so nobody can use
        // the documented secret to forge a webhook or steer the sandbox.
        let (default_key, default_webhook_secret) = if self.demo {
            (SANDBOX_DEFAULT_KEY.to_owned(), SANDBOX_DEFAULT_WEBHOOK_SECRET.to_owned())
        } else {
            (format!("sk_test_{}", random_hex()), format!("whsec_{}", random_hex()))
        };
        let secret_key = resolve(&self.secret_key_file, &self.secret_key, &default_key, sandbox, "ZEROPOOLS_SECRET_KEY")?;
        if sandbox && secret_key.expose_secret().starts_with("sk_live_") {
            return refuse(
                "ZEROPOOLS_SECRET_KEY",
                "is a live key (sk_live_…) but the upstream is the test-mode sandbox: never send a live key to the sandbox",
            );
        }
        if self.demo && secret_key.expose_secret().starts_with("sk_live_") {
            return refuse("DEMO_MODE", "cannot run with a live key (sk_live_…): demo mode lets anyone start a checkout");
        }
        let webhook_secret =
            resolve(&self.webhook_secret_file, &self.webhook_secret, &default_webhook_secret, sandbox, "ZEROPOOLS_WEBHOOK_SECRET")?;
        let partner_api_key = match &self.partner_api_key {
            Some(key) => Some(trimmed("PARTNER_API_KEY", key)?),
            None => None,
        };
        let partner_webhook = match (&self.partner_webhook_url, &self.partner_webhook_secret) {
            (None, None) => None,
            (Some(url), Some(secret)) => {
                let secret = trimmed("PARTNER_WEBHOOK_SECRET", secret)?;
                if let Err(why) = super::webhook_signing_key(&secret) {
                    return refuse("PARTNER_WEBHOOK_SECRET", why);
                }
                Some((checked_url("PARTNER_WEBHOOK_URL", url)?, secret))
            }
            (Some(_), None) => {
                return refuse(
                    "PARTNER_WEBHOOK_SECRET",
                    "is required with PARTNER_WEBHOOK_URL (it signs the webhooks your backend verifies)",
                )
            }
            (None, Some(_)) => return refuse("PARTNER_WEBHOOK_URL", "is required with PARTNER_WEBHOOK_SECRET"),
        };
        let cors_allowed_origins = self
            .cors_allowed_origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .map(checked_origin)
            .collect::<Result<Vec<_>, _>>()?;
        let database_url = checked_database_url(&self.database_url)?;
        let console = self.console()?;
        let program = self.program()?;
        let balance_below = match self.alert_balance_below.trim().parse::<rust_decimal::Decimal>() {
            Ok(d) if !d.is_sign_negative() => d,
            _ => {
                return refuse(
                    "ALERT_BALANCE_BELOW",
                    format!("must be a non-negative decimal such as 1000 or 250.50, not {:?}", self.alert_balance_below),
                )
            }
        };
        let faults = self.sandbox_faults()?;

        let mut settings = super::Settings::new(self.widget_dir.clone(), webhook_secret.clone());
        settings.demo = self.demo;
        let metrics_token = match &self.metrics_token {
            Some(token) => Some(trimmed("METRICS_TOKEN", token)?),
            None => None,
        };
        if let (Some(token), Some(key)) = (&metrics_token, &partner_api_key) {
            if token.expose_secret() == key.expose_secret() {
                return refuse("METRICS_TOKEN", "must not be the partner key: a scraper's token should open only the metrics");
            }
        }
        settings.partner_api_key = partner_api_key;
        settings.metrics_token = metrics_token;
        settings.partner_webhook = partner_webhook;
        settings.console = console;
        settings.program = program;
        settings.alerts.balance_below = balance_below;
        settings.session_ttl = Duration::from_secs(self.session_ttl_secs);
        settings.checkout_ttl = Duration::from_secs(self.checkout_ttl_secs);
        settings.cors_allowed_origins = cors_allowed_origins;
        settings.limits.quotes_per_minute = self.quote_rate_per_minute;
        settings.limits.mints_per_minute = self.mint_rate_per_minute;
        settings.limits.upstream_quotes_per_second = self.upstream_quotes_per_second;
        settings.limits.sse_per_checkout = self.sse_max_per_checkout;
        settings.limits.sse_total = self.sse_max_total;
        settings.trust_forwarded_for = self.trust_forwarded_for;
        settings.preview_window = Duration::from_millis(self.preview_window_ms);
        settings.retention = Duration::from_secs(u64::from(self.retention_days) * 86_400);
        settings.serve.header_read_timeout = Duration::from_secs(self.header_read_timeout_secs);
        settings.serve.max_connections = self.max_connections as usize;
        settings.serve.idle_timeout = Duration::from_secs(self.idle_timeout_secs);
        settings.accept_lease = Duration::from_secs(self.accept_lease_secs);
        // The holder renews its lease while 0Pools answers, but a lease shorter than
        // one call's retries would end whenever a renewal is late (a paused process,
        // a slow database): another replica would then repeat the call.
        let mut client = crate::zeropools::ClientConfig::new(String::new(), secret_key.clone());
        (client.timeout, client.max_attempts) = (Duration::from_secs(self.upstream_timeout_secs), self.upstream_attempts);
        let span = client.worst_case_span();
        if settings.accept_lease < span {
            return refuse(
                "ACCEPT_LEASE_SECS",
                format!(
                    "is {} s, shorter than the {} s one 0Pools call may take with its retries ({} attempts of {} s, and waits of up to 5 s between them): use at least {}",
                    self.accept_lease_secs,
                    span.as_secs_f64().ceil(),
                    self.upstream_attempts,
                    self.upstream_timeout_secs,
                    span.as_secs_f64().ceil()
                ),
            );
        }
        settings.leader_lease = Duration::from_secs(self.leader_lease_secs);
        Ok(Config {
            listen: self.listen,
            database_url,
            upstream,
            secret_key,
            settings,
            reconcile_interval: Duration::from_millis(self.reconcile_interval_ms),
            upstream_timeout: Duration::from_secs(self.upstream_timeout_secs),
            upstream_attempts: self.upstream_attempts,
            sandbox: SandboxArgs {
                quote_window: Duration::from_millis(self.sandbox_quote_window_ms),
                settle_delay: Duration::from_millis(self.sandbox_settle_delay_ms),
                seed: self.sandbox_seed,
                faults,
                webhook_secret,
                starting_balances: self.sandbox_starting_balances()?,
            },
        })
    }

    /// The partner console, when a credential is configured (hash or password file).
    fn console(&self) -> Result<Option<super::ConsoleSettings>, ConfigError> {
        use super::ConsoleCredential;
        let credential = match (&self.console_password_hash, &self.console_password_file) {
            (None, None) => return Ok(None),
            (Some(_), Some(_)) => return refuse("CONSOLE_PASSWORD_FILE", "cannot be combined with CONSOLE_PASSWORD_HASH: choose one"),
            (Some(hash), None) => ConsoleCredential::from_hash(&self.console_user, hash.expose_secret())
                .map_err(|e| ConfigError { setting: "CONSOLE_PASSWORD_HASH", message: e.to_string() })?,
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
                    setting: "CONSOLE_PASSWORD_FILE",
                    message: format!("cannot be read ({}): {e}", path.display()),
                })?;
                ConsoleCredential::from_password(&self.console_user, &SecretString::from(text))
                    .map_err(|e| ConfigError { setting: "CONSOLE_PASSWORD_FILE", message: format!("holds a password that {e}") })?
            }
        };
        if !self.console_dir.join("index.html").is_file() {
            return refuse(
                "CONSOLE_DIR",
                format!(
                    "has no index.html ({}): build the console (trunk build --config console/Trunk.toml) or point CONSOLE_DIR at it",
                    self.console_dir.display()
                ),
            );
        }
        Ok(Some(super::ConsoleSettings {
            credential,
            dir: self.console_dir.clone(),
            session_ttl: Duration::from_secs(self.console_session_ttl_secs),
            cookie_secure: self.console_cookie_secure.unwrap_or(!self.demo),
        }))
    }

    /// The configured sandbox faults, refused (at start-up) if not a valid fault set.
    pub fn sandbox_faults(&self) -> Result<zeropools_sandbox::Faults, ConfigError> {
        let Some(text) = self.sandbox_faults.as_deref().filter(|t| !t.trim().is_empty()) else {
            return Ok(zeropools_sandbox::Faults::default());
        };
        let faults: zeropools_sandbox::Faults = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(e) => return refuse("SANDBOX_FAULTS", format!("is not a valid fault set: {e}")),
        };
        if let Err(e) = faults.validate() {
            return refuse("SANDBOX_FAULTS", e.to_string());
        }
        Ok(faults)
    }

    /// `SANDBOX_STARTING_BALANCES`: `ASSET=amount` pairs, each a non-negative decimal.
    pub fn sandbox_starting_balances(&self) -> Result<Option<Vec<(String, rust_decimal::Decimal)>>, ConfigError> {
        let pairs: Vec<&str> = self.sandbox_starting_balances.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect();
        if pairs.is_empty() {
            return Ok(None);
        }
        pairs
            .into_iter()
            .map(|pair| {
                let parsed = pair.split_once('=').and_then(|(asset, amount)| {
                    let amount = amount.trim().parse::<rust_decimal::Decimal>().ok().filter(|a| !a.is_sign_negative())?;
                    let asset = asset.trim();
                    (!asset.is_empty() && asset.chars().all(|c| c.is_ascii_alphanumeric())).then(|| (asset.to_owned(), amount))
                });
                parsed.ok_or_else(|| ConfigError {
                    setting: "SANDBOX_STARTING_BALANCES",
                    message: format!("must be ASSET=amount pairs such as USDT=25000.00, not {pair:?}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// The standalone sandbox's key and webhook secret (sandbox defaults allowed).
    pub fn sandbox_secrets(&self) -> Result<(SecretString, SecretString), ConfigError> {
        let key = resolve(&self.secret_key_file, &self.secret_key, SANDBOX_DEFAULT_KEY, true, "ZEROPOOLS_SECRET_KEY")?;
        if key.expose_secret().starts_with("sk_live_") {
            return refuse("ZEROPOOLS_SECRET_KEY", "is a live key (sk_live_…): the sandbox only takes test keys");
        }
        Ok((
            key,
            resolve(&self.webhook_secret_file, &self.webhook_secret, SANDBOX_DEFAULT_WEBHOOK_SECRET, true, "ZEROPOOLS_WEBHOOK_SECRET")?,
        ))
    }
}

/// 32 random bytes in hex.
fn random_hex() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cli;
    use clap::Parser;

    fn args(vars: &[&str]) -> Result<Config, ConfigError> {
        let mut argv = vec!["quote-server"];
        argv.extend_from_slice(vars);
        Cli::try_parse_from(argv).expect("parses").server.validate()
    }

    #[test]
    fn refuses_what_it_cannot_use_and_names_the_setting() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "ZEROPOOLS_BASE_URL"),
            (&["--embedded-sandbox", "--secret-key", "sk_live_abcdefghijklmnop"], "ZEROPOOLS_SECRET_KEY"),
            (&["--embedded-sandbox", "--webhook-secret", "short"], "ZEROPOOLS_WEBHOOK_SECRET"),
            (&["--embedded-sandbox", "--webhook-secret", ""], "ZEROPOOLS_WEBHOOK_SECRET"),
            (&["--embedded-sandbox", "--cors-allowed-origins", "*"], "CORS_ALLOWED_ORIGINS"),
            (&["--embedded-sandbox", "--cors-allowed-origins", "https://a.example/path"], "CORS_ALLOWED_ORIGINS"),
            (&["--embedded-sandbox", "--database-url", "postgres://u:p@localhost"], "DATABASE_URL"),
            (&["--embedded-sandbox", "--database-url", "mysql://x"], "DATABASE_URL"),
            (&["--embedded-sandbox", "--partner-api-key", "pk"], "PARTNER_API_KEY"),
            (&["--embedded-sandbox", "--alert-balance-below=-5"], "ALERT_BALANCE_BELOW"),
            (&["--embedded-sandbox", "--alert-balance-below", "lots"], "ALERT_BALANCE_BELOW"),
            (&["--embedded-sandbox", "--console-password-hash", "hunter2-but-longer"], "CONSOLE_PASSWORD_HASH"),
            (&["--embedded-sandbox", "--console-password-file", "/nonexistent/console-password"], "CONSOLE_PASSWORD_FILE"),
            (&["--embedded-sandbox", "--partner-webhook-url", "https://p.example/hook"], "PARTNER_WEBHOOK_SECRET"),
            (&["--embedded-sandbox", "--accept-lease-secs", "30"], "ACCEPT_LEASE_SECS"),
            (&["--embedded-sandbox", "--program-id", "lp prog"], "PROGRAM_ID"),
            (&["--embedded-sandbox", "--program-approved-pools", "EUR-USDT,EUR USDT"], "PROGRAM_APPROVED_POOLS"),
            (&["--embedded-sandbox", "--program-funding-model", "credit"], "PROGRAM_FUNDING_MODEL"),
            (&["--embedded-sandbox", "--program-first-order-limit", "0"], "PROGRAM_FIRST_ORDER_LIMIT"),
            (&["--embedded-sandbox", "--program-first-order-limit", "500.001"], "PROGRAM_FIRST_ORDER_LIMIT"),
            (&["--embedded-sandbox", "--program-order-limit", "lots"], "PROGRAM_ORDER_LIMIT"),
            (&["--embedded-sandbox", "--support-runbook-url", "ftp://docs.example/runbook"], "SUPPORT_RUNBOOK_URL"),
            (&["--embedded-sandbox", "--support-runbook-url", "//docs.example/runbook"], "SUPPORT_RUNBOOK_URL"),
            (&["--embedded-sandbox", "--sandbox-starting-balances", "USDT"], "SANDBOX_STARTING_BALANCES"),
            (&["--embedded-sandbox", "--sandbox-starting-balances", "USDT=-5"], "SANDBOX_STARTING_BALANCES"),
            (
                &[
                    "--embedded-sandbox",
                    "--partner-webhook-url",
                    "https://p.example/hook",
                    "--partner-webhook-secret",
                    "a-long-plain-secret-0123",
                ],
                "PARTNER_WEBHOOK_SECRET",
            ),
            (
                &["--embedded-sandbox", "--partner-webhook-url", "https://p.example/hook", "--partner-webhook-secret", "whsec_c2hvcnQ="],
                "PARTNER_WEBHOOK_SECRET",
            ),
            (&["--upstream-url", "https://api.0pools.example"], "ZEROPOOLS_SECRET_KEY"),
            (&["--upstream-url", "not a url", "--secret-key", "sk_live_abcdefghijklmnop"], "ZEROPOOLS_BASE_URL"),
        ];
        for (argv, setting) in cases {
            match args(argv) {
                Err(e) => assert_eq!(e.setting, *setting, "{argv:?}: {e}"),
                Ok(_) => panic!("{argv:?} should be refused"),
            }
        }
    }

    #[test]
    fn the_program_reads_its_records_pools_and_limits() {
        let config = args(&[
            "--embedded-sandbox",
            "--program-id",
            "lp_partner_01",
            "--program-approved-pools",
            " EUR-USDT , USD-USDC ,",
            "--program-first-order-limit",
            "500.00",
            "--program-funding-model",
            "settlement_cycle",
            "--support-runbook-url",
            "https://docs.example/runbook/",
            "--sandbox-starting-balances",
            "USDT=1200.00,USDC=0",
        ])
        .unwrap();
        let p = &config.settings.program;
        assert_eq!(p.program_id, "lp_partner_01");
        assert_eq!(p.approved_pools.as_deref(), Some(&["EUR-USDT".to_owned(), "USD-USDC".to_owned()][..]));
        assert!(p.approves("USD-USDC") && !p.approves("GBP-USDT"));
        assert_eq!(p.limits.first_order_limit, Some("500.00".parse().unwrap()));
        assert_eq!(p.limits.order_limit, None);
        assert_eq!(p.funding_model, quote_core::vocab::FundingModel::SettlementCycle);
        assert_eq!(p.runbook_url, "https://docs.example/runbook");
        assert_eq!(config.sandbox.starting_balances.as_ref().map(Vec::len), Some(2));
        // Unset: every listed pool, the runbook this build ships.
        let defaults = args(&["--embedded-sandbox"]).unwrap();
        assert!(defaults.settings.program.approved_pools.is_none() && defaults.settings.program.approves("GBP-USDT"));
        assert_eq!(defaults.settings.program.runbook_url, "/runbook");
        assert!(defaults.sandbox.starting_balances.is_none());
    }

    #[test]
    fn accepts_a_sound_configuration_and_never_prints_secrets() {
        let config = args(&[
            "--upstream-url",
            "https://api.0pools.example/",
            "--secret-key",
            "sk_live_abcdefghijklmnop",
            "--webhook-secret",
            "whsec_0123456789abcdef",
            "--partner-api-key",
            "pk_0123456789abcdef",
            "--cors-allowed-origins",
            "https://shop.example,http://localhost:3000",
        ])
        .unwrap();
        assert_eq!(config.upstream, UpstreamChoice::Url("https://api.0pools.example".into()));
        let summary = config.summary().join("\n");
        for secret in ["sk_live_abcdefghijklmnop", "whsec_0123456789abcdef", "pk_0123456789abcdef"] {
            assert!(!summary.contains(secret), "{summary}");
        }
        assert!(summary.contains("live key (redacted)"));
        assert!(summary.contains("mode: production"));
    }

    #[test]
    fn urls_are_logged_without_credentials_and_secrets_trimmed() {
        let config = args(&[
            "--upstream-url",
            "https://user:pass@api.0pools.example/v1?token=abc",
            "--secret-key",
            "sk_live_abcdefghijklmnop",
            "--webhook-secret",
            "whsec_0123456789abcdef",
            "--partner-api-key",
            " pk_0123456789abcdef\n",
            "--database-url",
            "postgres://quotes:db-s3cret@db.internal:5432/quotes",
        ])
        .unwrap();
        let summary = config.summary().join("\n");
        assert!(summary.contains("0Pools: https://api.0pools.example/v1 (credentials or query redacted)"), "{summary}");
        assert!(summary.contains("database: Postgres postgres://db.internal:5432/quotes (credentials or query redacted)"), "{summary}");
        assert!(!summary.contains("pass") && !summary.contains("abc") && !summary.contains("db-s3cret"), "{summary}");
        assert_eq!(config.settings.partner_api_key.as_ref().unwrap().expose_secret(), "pk_0123456789abcdef");
        let live_demo = args(&[
            "--demo",
            "--secret-key",
            "sk_live_abcdefghijklmnop",
            "--upstream-url",
            "https://api.0pools.example",
            "--webhook-secret",
            "whsec_0123456789abcdef",
        ]);
        assert_eq!(live_demo.err().map(|e| e.setting), Some("DEMO_MODE"));
    }

    #[test]
    fn out_of_range_numbers_are_parse_errors_not_panics() {
        for argv in [["--session-ttl-secs", "99999999999999"], ["--quote-rate-per-minute", "0"], ["--retention-days", "-1"]] {
            let mut full = vec!["quote-server", "--embedded-sandbox"];
            full.extend_from_slice(&argv);
            assert!(Cli::try_parse_from(full).is_err(), "{argv:?}");
        }
    }
}
