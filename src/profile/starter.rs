//! The commented starter profile `hr2scim init --profile` writes: every section, the keys a
//! daily Entra sync needs filled in (`<...>`, which `run` refuses until they are replaced), and
//! the others commented out at their defaults.

/// The starter profile's text.
pub const STARTER: &str = r#"# hr2scim run profile: `hr2scim run hr2scim.toml` does the whole day (reconcile earlier
# outcomes with the provisioning logs, convert, guard, send, confirm, report).
# Relative paths are read from this file's directory. A profile never holds a secret: it names
# the environment variable or the file that does. Flags given to `hr2scim run` override it.
# Exit codes: 0 done, 2 partial (rejects or failures), 3 stopped by a guard (nothing sent),
# 1 anything else.

mapping = "<mapping file, e.g. hr.map>"
input = "<HR export, e.g. /srv/hr/export.csv>"
out = "out"                      # batches, rejects.csv, summary.json, the journal
# quiet = false                  # no progress bar and no human summary
# report = "html"               # out/report.html for the approvers ("none": no report)
# keep-runs = 30                 # each run's report, rejects, summary in out/runs/<UTC start>/
# json = false                   # the upload summary as JSON on standard output
# dry-run = false                # everything but sending; the state is not written

[read]
# delimiter = ";"                # default: detected among , ; tab |
# encoding = "windows-1252"      # default: UTF-8 (UTF-16 with a BOM is detected)
# header-row = 1
# sheet = "Staff"                # spreadsheets: a name or a position from 1

[convert]
# default-domain = "contoso.com" # for DefaultDomain()
# existing = ["userName=existing-upns.txt"]   # values SelectUniqueValue must avoid
# empty-cells = "null"           # or "empty"
# jobs = 2

[target]
kind = "entra"                   # or "scim" (then `url` instead of `endpoint`)
# The Provisioning API Endpoint exactly as the Entra portal shows it:
endpoint = "https://graph.microsoft.com/v1.0/servicePrincipals/<service principal id>/synchronization/jobs/<job id>/bulkUpload"
tenant-id = "<directory (tenant) id>"
client-id = "<application (client) id>"
# rate = "40/5s"                 # Entra's documented limit
# timeout = "60s"
# max-retries = 6

[auth]
# client-secret: the secret is in AZURE_CLIENT_SECRET (or the file `client-secret-file` names);
# certificate: `certificate` names a PEM with the key and the certificate;
# token-file: `token-file` names a file holding a bearer token;
# managed-identity: the Azure managed identity of the machine or container.
mode = "client-secret"
# client-secret-file = "/run/secrets/hr2scim-client-secret"

[sync]
state = "hr.state"               # what was sent and Entra's outcome, per user
leavers = "disable"              # users gone from the export are sent active: false ("ignore": report only)
max-leavers = "5%"               # more leavers than this stops the run before anything is sent (exit 3)
# resend-pending-after = "24h"
# wait-for-logs = false          # poll the provisioning logs for this run's users after sending
# wait-timeout = "30m"

[quota]
# daily-quota = 2000             # 6000 with Entra ID Governance
# dir = "quota"                  # the tenant's call log; in a container, on a mounted volume
"#;
