//! The partner program (0Pools' partner-liquidity-programs page): its records, the
//! pools it approves, its launch limits and where support reads the runbook, read
//! from `PROGRAM_*` and `SUPPORT_RUNBOOK_URL` and refused at start-up when unusable.

use super::{refuse, ConfigError, ServerArgs};
use quote_core::program::LaunchLimits;
use quote_core::vocab::FundingModel;
use rust_decimal::Decimal;

/// The program as configured.
#[derive(Clone, Debug)]
pub struct ProgramSettings {
    pub program_id: String,
    pub product: String,
    /// `None`: every pool 0Pools lists is approved (the readiness record asks for a review).
    pub approved_pools: Option<Vec<String>>,
    pub funding_model: FundingModel,
    pub support_sla_label: String,
    pub limits: LaunchLimits,
    /// Where support reads the runbook: an http(s) URL, or a path on this server
    /// (`/runbook`, the copy this build ships).
    pub runbook_url: String,
}

impl Default for ProgramSettings {
    fn default() -> Self {
        ProgramSettings {
            program_id: "lp_default".into(),
            product: "stablecoin_checkout".into(),
            approved_pools: None,
            funding_model: FundingModel::Prefunded,
            support_sla_label: "standard".into(),
            limits: LaunchLimits::default(),
            runbook_url: "/runbook".into(),
        }
    }
}

impl ProgramSettings {
    /// Whether the program offers this pool.
    pub fn approves(&self, pool_id: &str) -> bool {
        self.approved_pools.as_ref().is_none_or(|approved| approved.iter().any(|p| p == pool_id))
    }
}

/// A record label or pool id: 1–64 letters, digits, `_`, `-` or `.`.
fn label(setting: &'static str, value: &str) -> Result<String, ConfigError> {
    let value = value.trim();
    if (1..=64).contains(&value.len()) && value.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)) {
        Ok(value.to_owned())
    } else {
        refuse(setting, format!("must be 1–64 letters, digits, '_', '-' or '.', not {value:?}"))
    }
}

/// A positive amount in USDT, at most two decimals (0Pools' precision).
fn limit(setting: &'static str, value: &Option<String>) -> Result<Option<Decimal>, ConfigError> {
    let Some(text) = value.as_deref().map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    match text.parse::<Decimal>() {
        Ok(d) if d > Decimal::ZERO && d.normalize().scale() <= 2 => Ok(Some(d)),
        _ => refuse(setting, format!("must be a positive amount in USDT with at most two decimals, such as 500.00, not {text:?}")),
    }
}

impl ServerArgs {
    /// The partner program's records and limits.
    pub(super) fn program(&self) -> Result<ProgramSettings, ConfigError> {
        let approved_pools = if self.program_approved_pools.iter().all(|p| p.trim().is_empty()) {
            None
        } else {
            let pools = self
                .program_approved_pools
                .iter()
                .filter(|p| !p.trim().is_empty())
                .map(|p| label("PROGRAM_APPROVED_POOLS", p))
                .collect::<Result<Vec<_>, _>>()?;
            Some(pools)
        };
        let funding_model = match FundingModel::parse(self.program_funding_model.trim()) {
            Some(model) => model,
            None => return refuse("PROGRAM_FUNDING_MODEL", "must be prefunded or settlement_cycle"),
        };
        let runbook_url = match self.support_runbook_url.trim() {
            path if path.starts_with('/') && !path.starts_with("//") => path.to_owned(),
            url => super::checks::checked_url("SUPPORT_RUNBOOK_URL", url)?,
        };
        Ok(ProgramSettings {
            program_id: label("PROGRAM_ID", &self.program_id)?,
            product: label("PROGRAM_PRODUCT", &self.program_product)?,
            approved_pools,
            funding_model,
            support_sla_label: label("PROGRAM_SUPPORT_SLA_LABEL", &self.program_support_sla_label)?,
            limits: LaunchLimits {
                first_order_limit: limit("PROGRAM_FIRST_ORDER_LIMIT", &self.program_first_order_limit)?,
                order_limit: limit("PROGRAM_ORDER_LIMIT", &self.program_order_limit)?,
            },
            runbook_url,
        })
    }
}
