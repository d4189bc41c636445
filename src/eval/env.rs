//! Per-run settings every evaluation sees: the clock, the tenant's default domain, and the
//! readings chosen where Entra's documentation leaves a choice.

use chrono::{DateTime, Utc};

/// What an empty cell means. Entra's HR connectors drop empty attributes, so an empty cell is
/// NULL by default; `--empty-cells empty` keeps it as `""` (which, for example, Coalesce returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmptyCells {
    #[default]
    Null,
    Empty,
}

#[derive(Debug, Clone)]
pub struct Env {
    /// What `Now()` returns; fixed for the whole run so every row sees the same instant.
    pub now: DateTime<Utc>,
    /// What `DefaultDomain()` returns; `None` makes it fail.
    pub default_domain: Option<String>,
    /// Evaluate IIF conditions over NULL/empty attributes normally instead of failing (ref. A3).
    pub lenient_iif: bool,
    pub empty_cells: EmptyCells,
}

impl Default for Env {
    fn default() -> Self {
        Env { now: Utc::now(), default_domain: None, lenient_iif: false, empty_cells: EmptyCells::Null }
    }
}
