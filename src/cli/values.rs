//! The clap faces of the core's option enums: each mirrors one core enum variant for variant
//! (same names, same help), so the core stays free of clap and `--help` stays what it was.

/// Declares a clap `ValueEnum` that mirrors a core enum, with conversions both ways (the core
/// default is the clap default, so it is written once).
macro_rules! mirror {
    ($(#[$meta:meta])* $name:ident => $core:path { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl From<$name> for $core {
            fn from(v: $name) -> Self {
                match v {
                    $($name::$variant => <$core>::$variant),+
                }
            }
        }

        impl From<$core> for $name {
            fn from(v: $core) -> Self {
                match v {
                    $(<$core>::$variant => $name::$variant),+
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                <$core>::default().into()
            }
        }
    };
}

mirror! {
    /// How the users are written.
    OutputFormatArg => crate::pipeline::OutputFormat {
        /// `bulk-00001.json`, ...: SCIM BulkRequests for Entra's bulkUpload.
        Bulk,
        /// One SCIM User per line (`users.ndjson`, or standard output with `--stdout`).
        Ndjson,
    }
}

mirror! {
    /// What an input holds.
    InputFormatArg => crate::input::InputFormat {
        /// By the file name (.json, .ndjson, .jsonl), on standard input by the first character
        /// (`[` or `{` is JSON); otherwise CSV or a spreadsheet by content.
        Auto,
        /// CSV or TSV text (a spreadsheet is still recognised by its content).
        Csv,
        /// One JSON document: an array of records, or an object with them at --records.
        Json,
        /// One JSON record a line (NDJSON, JSON Lines).
        Ndjson,
    }
}

mirror! {
    /// How empty strings produced by expressions are treated.
    EmptyStringsArg => crate::pipeline::EmptyStrings {
        /// Leave the attribute out of the document (the default: Entra would clear it).
        Omit,
        /// Send `""`.
        Send,
    }
}

mirror! {
    /// What to do with rows sharing an externalId (or a userName).
    OnDuplicateArg => crate::scim::OnDuplicate {
        /// Reject every row of the duplicate, naming the other lines (the data conflicts).
        Reject,
        /// Keep the first row in input order, reject the others.
        First,
        /// Keep the last row in input order, reject the others.
        Last,
    }
}

mirror! {
    /// How manager problems are reported.
    ManagerCheckArg => crate::scim::ManagerCheck { Warn, Reject, Off }
}

mirror! {
    /// What to do with ids that are in the state but not in today's export.
    LeaverPolicyArg => crate::state::LeaverPolicy {
        /// Only report them.
        Ignore,
        /// Send `{"externalId": ..., "active": false}` for each.
        Disable,
    }
}

mirror! {
    /// Where batches go.
    TargetKindArg => crate::upload::TargetKind {
        /// Microsoft Entra API-driven inbound provisioning (Graph bulkUpload).
        Entra,
        /// Any SCIM 2.0 server (uses /Bulk when it advertises it, else /Users).
        Scim,
    }
}

mirror! {
    /// Which certificate thumbprint header the client assertion carries.
    X5tArg => crate::upload::X5t {
        /// `x5t`: base64url SHA-1 thumbprint (classic RS256 assertions).
        Sha1,
        /// `x5t#S256`: base64url SHA-256 thumbprint.
        Sha256,
    }
}

mirror! {
    /// Output format of `hr2scim logs`.
    LogsFormatArg => crate::upload::LogsFormat { Table, Json }
}

mirror! {
    /// What an empty cell is.
    EmptyCellsArg => crate::eval::EmptyCells { Null, Empty }
}

/// `--report`: whether a run writes `report.html` into its output directory.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportArg {
    /// DIR/report.html: counts, rejects by reason, warnings, leavers (self-contained, 0600).
    #[default]
    Html,
    /// No report.
    None,
}
