//! `schema check`: a compiled mapping against the job's schema, as diagnostics in the mapping
//! checker's style (stable codes, spans on the mapping's targets, did-you-mean against the job
//! schema's attribute names). What the mapping sends is compared with what the API source
//! defines and what the job's enabled object mapping and scoping filter read.

use super::names::{job_kind, source_name};
use super::reads::{scope_reads, source_reads};
use super::select::JobView;
use crate::check::Program;
use crate::diagnostics::{did_you_mean, Diagnostic};

/// How a [`Use`] names the scoping filter among its readers.
const SCOPING_FILTER: &str = "the scoping filter";

/// One name the job reads, and who reads it.
struct Use {
    name: String,
    readers: Vec<String>,
    /// The matching attributes among the readers.
    matching: Vec<String>,
}

/// Every source name the job's user flow reads: attribute mappings, then the scoping filter.
fn job_uses(job: &JobView) -> Vec<Use> {
    let mut uses: Vec<Use> = Vec::new();
    let mut add = |name: String, reader: String, matching: bool| {
        let matching = if matching { vec![reader.clone()] } else { Vec::new() };
        if let Some(u) = uses.iter_mut().find(|u| u.name == name) {
            if !u.readers.contains(&reader) {
                u.readers.push(reader);
            }
            u.matching.extend(matching);
        } else {
            uses.push(Use { name, readers: vec![reader], matching });
        }
    };
    for m in job.mapping.attribute_mappings.items() {
        let Some(src) = m.source.get() else { continue };
        for n in source_reads(src).names {
            add(n, format!("'{}'", m.target_attribute_name), m.matching().is_some());
        }
    }
    for n in scope_reads(job.mapping) {
        add(n, SCOPING_FILTER.to_string(), false);
    }
    uses
}

/// Whether a value sent as `sent` (job type words) fits an attribute declared `declared`.
fn fits(sent: &str, declared: &str) -> bool {
    let declared = declared.to_ascii_lowercase();
    match sent {
        // A Reference is the referenced user's id, Binary is base64 text: both travel as strings.
        "String" => matches!(declared.as_str(), "string" | "reference" | "binary"),
        _ => declared.eq_ignore_ascii_case(sent),
    }
}

/// Diagnostics for `program` against the job's user flow. `each_unsent` reports every name the
/// job reads and the mapping never sends (W072) on its own, as `--verbose` and JSON want.
pub fn check_against_job(program: &Program, job: &JobView, each_unsent: bool) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let uses = job_uses(job);
    let attr_names: Vec<&str> = job.source_attributes().iter().map(|a| a.name.as_str()).collect();
    let mut sent: Vec<String> = Vec::new();
    for t in &program.targets {
        let name = source_name(&t.resolved);
        if sent.contains(&name) {
            continue;
        }
        sent.push(name.clone());
        let Some(attr) = job.source_attribute(&name) else {
            let mut d = Diagnostic::error(
                "E070",
                format!("'{name}' is not an attribute of the job's API source"),
            )
            .label(t.span.clone(), "sent by this target");
            d = if let Some(s) = attr_names.iter().find(|a| a.eq_ignore_ascii_case(&name)) {
                d.help(format!("the job schema spells it '{s}': its names are case-sensitive"))
            } else if let Some(s) = did_you_mean(&name, attr_names.iter().copied()) {
                d.help(format!("did you mean '{s}'? (a name the job schema defines)"))
            } else {
                d.help(
                    "Entra does not process attributes its API source lacks: add it with \
                     `hr2scim schema push MAPPING` (or the portal's Edit attribute list for API)",
                )
            };
            diags.push(d);
            continue;
        };
        let kind = job_kind(t.resolved.ty);
        if !fits(kind, attr.kind()) {
            diags.push(
                Diagnostic::warning(
                    "W070",
                    format!(
                        "'{name}' is sent as {kind} but the job's API source declares it {}",
                        attr.kind()
                    ),
                )
                .label(t.span.clone(), format!("a {kind} value"))
                .help("change the attribute's type in the job (Edit attribute list for API) or the mapping's extension type"),
            );
        }
        if !uses.iter().any(|u| u.name == name) {
            diags.push(
                Diagnostic::warning(
                    "W071",
                    format!("'{name}' is sent but no mapping of the job reads it"),
                )
                .label(t.span.clone(), "Entra drops this value")
                .help(format!(
                    "map it in the job: `hr2scim schema push MAPPING --map {name}=TARGET`, or in the portal"
                )),
            );
        }
    }
    for u in uses.iter().filter(|u| job.source_attribute(&u.name).is_none()) {
        // The job's own expression names an attribute its API source lacks: it is always NULL,
        // whatever the mapping sends (the portal accepts such names without a word).
        let mut d = Diagnostic::warning(
            "W073",
            format!(
                "the job reads '{}' (for {}), which its API source does not define",
                u.name,
                u.readers.join(", ")
            ),
        );
        d = if let Some(s) = attr_names.iter().find(|a| a.eq_ignore_ascii_case(&u.name)) {
            d.help(format!("the API source spells it '{s}': names are case-sensitive; correct the job's mapping"))
        } else if let Some(s) = did_you_mean(&u.name, attr_names.iter().copied()) {
            d.help(format!("did you mean '{s}'? correct the job's mapping in the portal"))
        } else {
            d.help("add it to the job's API source (Edit attribute list for API), or correct the job's mapping")
        };
        diags.push(d);
    }
    let mut unsent = Vec::new();
    for u in uses.iter().filter(|u| !sent.contains(&u.name)) {
        if u.matching.is_empty() && job.source_attribute(&u.name).is_none() {
            continue; // W073 said it better: sending it would not help.
        }
        if u.matching.is_empty() {
            unsent.push(u);
            continue;
        }
        diags.push(
            Diagnostic::error(
                "E071",
                format!(
                    "the job matches users on {}, read from '{}', which this mapping never sends",
                    u.matching.join(", "),
                    u.name
                ),
            )
            .help("every user needs a value in a matching attribute, or Entra cannot find (or create) its account"),
        );
    }
    if each_unsent {
        diags.extend(unsent.iter().map(|u| unsent_one(u)));
    } else {
        diags.extend(unsent_summary(job, &sent, &unsent));
    }
    diags
}

/// W072 for one name the job reads and the mapping never sends (`--verbose`, JSON).
fn unsent_one(u: &Use) -> Diagnostic {
    Diagnostic::warning(
        "W072",
        format!(
            "the job reads '{}' (for {}), which this mapping never sends",
            u.name,
            u.readers.join(", ")
        ),
    )
    .help("that attribute stays empty in the directory; send it, or remove the job's mapping")
}

/// W072 as a person needs it: the scoping filter's unsent names one by one (they put users out
/// of scope), then one warning naming the directory attributes that stay empty. A job mapping
/// with a default value, or that also reads a name the mapping sends, still writes something,
/// so its unsent names are only counted.
fn unsent_summary(job: &JobView, sent: &[String], unsent: &[&Use]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for u in unsent.iter().filter(|u| u.readers.iter().any(|r| r == SCOPING_FILTER)) {
        diags.push(
            Diagnostic::warning(
                "W072",
                format!(
                    "the job's scoping filter reads '{}', which this mapping never sends",
                    u.name
                ),
            )
            .help(
                "its clauses on that attribute see no value, so users may be out of scope (an \
                 existing account is then disabled): send it, or change the scoping filter",
            ),
        );
    }
    let mut empty_targets: Vec<&str> = Vec::new();
    let mut behind: Vec<&String> = Vec::new();
    for m in job.mapping.attribute_mappings.items() {
        let Some(src) = m.source.get() else { continue };
        let reads = source_reads(src).names;
        if reads.is_empty()
            || m.default_value.str().is_some()
            || reads.iter().any(|n| sent.contains(n))
        {
            continue;
        }
        let names: Vec<&String> =
            unsent.iter().map(|u| &u.name).filter(|n| reads.contains(n)).collect();
        if names.is_empty() {
            continue; // only names the API source lacks: W073
        }
        empty_targets.push(&m.target_attribute_name);
        for n in names {
            if !behind.contains(&n) {
                behind.push(n);
            }
        }
    }
    let others = unsent
        .iter()
        .filter(|u| !behind.contains(&&u.name) && u.readers.iter().any(|r| r != SCOPING_FILTER))
        .count();
    let more = match others {
        0 => String::new(),
        n => format!(
            "; {n} more unsent attribute(s) feed job mappings that have a default value or \
             another source"
        ),
    };
    if !empty_targets.is_empty() {
        diags.push(
            Diagnostic::warning(
                "W072",
                format!(
                    "the job reads {} attribute(s) this mapping never sends, so {} directory \
                     attribute(s) stay empty: {}",
                    behind.len(),
                    empty_targets.len(),
                    empty_targets.join(", ")
                ),
            )
            .help(format!(
                "send them, or remove those job mappings{more}; `--verbose` (or `--format json`) \
                 lists each unsent attribute with the job mappings that read it"
            )),
        );
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_and_binary_attributes_take_strings() {
        assert!(fits("String", "reference"));
        assert!(fits("String", "String"));
        assert!(fits("Boolean", "boolean"));
        assert!(!fits("Boolean", "String"));
        assert!(!fits("String", "DateTime"));
        assert!(!fits("DateTime", "String"));
    }
}
