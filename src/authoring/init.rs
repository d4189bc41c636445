//! `hr2scim init`: a commented starter mapping from a real export's headers and sample values.
//! Recognised columns are mapped; the rest are listed as commented custom-extension lines; two
//! test blocks are built from the first rows. The result always passes `check`.

use std::fmt::Write;

/// What a header is recognised as (by normalised name).
struct Known {
    names: &'static [&'static str],
    role: Role,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Id,
    First,
    Last,
    Preferred,
    FullName,
    Email,
    Manager,
    Department,
    Division,
    CostCenter,
    Company,
    Title,
    WorkPhone,
    Mobile,
    Street,
    City,
    Region,
    PostalCode,
    Country,
    Status,
    HireDate,
    EndDate,
    UserId,
    WorkerType,
}

const KNOWN: &[Known] = &[
    Known {
        names: &[
            "workerid",
            "employeeid",
            "employeenumber",
            "empid",
            "personid",
            "personnelnumber",
            "employeeno",
            "id",
        ],
        role: Role::Id,
    },
    Known { names: &["firstname", "givenname", "forename", "legalfirstname"], role: Role::First },
    Known {
        names: &["lastname", "surname", "familyname", "sn", "legallastname"],
        role: Role::Last,
    },
    Known {
        names: &["preferredname", "preferredfirstname", "nickname", "knownas"],
        role: Role::Preferred,
    },
    Known { names: &["fullname", "displayname", "name"], role: Role::FullName },
    Known {
        names: &["email", "mail", "workemail", "emailaddress", "businessemail", "emailuri"],
        role: Role::Email,
    },
    Known {
        names: &[
            "managerid",
            "manager",
            "managerworkerid",
            "manageremployeeid",
            "supervisorid",
            "supervisoreid",
        ],
        role: Role::Manager,
    },
    Known { names: &["department", "dept", "departmentname"], role: Role::Department },
    Known { names: &["division"], role: Role::Division },
    Known { names: &["costcenter", "costcentre", "costcentercode"], role: Role::CostCenter },
    Known {
        names: &["company", "companyname", "organization", "organisation", "legalentity"],
        role: Role::Company,
    },
    Known { names: &["jobtitle", "title", "position", "positiontitle"], role: Role::Title },
    Known {
        names: &[
            "officephone",
            "workphone",
            "phone",
            "telephone",
            "telephonenumber",
            "businessphone",
        ],
        role: Role::WorkPhone,
    },
    Known { names: &["mobile", "mobilephone", "cellphone", "mobilenumber"], role: Role::Mobile },
    Known { names: &["streetaddress", "street", "address", "addressline1"], role: Role::Street },
    Known { names: &["city", "locality", "town"], role: Role::City },
    Known { names: &["state", "region", "province", "county"], role: Role::Region },
    Known { names: &["zipcode", "zip", "postalcode", "postcode"], role: Role::PostalCode },
    Known { names: &["countrycode", "country", "countryiso"], role: Role::Country },
    Known {
        names: &["status", "workerstatus", "employeestatus", "employmentstatus", "active"],
        role: Role::Status,
    },
    Known {
        names: &["hiredate", "startdate", "dateofhire", "originalhiredate"],
        role: Role::HireDate,
    },
    Known {
        names: &["terminationdate", "enddate", "leavedate", "contractenddate"],
        role: Role::EndDate,
    },
    Known {
        names: &["userid", "username", "upn", "userprincipalname", "login", "samaccountname"],
        role: Role::UserId,
    },
    Known {
        names: &["workertype", "employeetype", "employmenttype", "usertype"],
        role: Role::WorkerType,
    },
];

fn normalise(h: &str) -> String {
    h.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn role_of(h: &str) -> Option<Role> {
    known(&normalise(h)).or_else(|| nested_role(h))
}

fn known(normalised: &str) -> Option<Role> {
    KNOWN.iter().find(|k| k.names.contains(&normalised)).map(|k| k.role)
}

/// A column flattened from JSON (`person.legalName.givenName`, `names.0.FirstName`,
/// `workerID.idValue`) is recognised by its last named part, or by the part holding it when the
/// last one is a generic `value`/`idValue`. A value under a manager (`reportsTo`, `manager`,
/// `supervisor`) is the manager's, never the worker's own: its id is the manager reference.
fn nested_role(h: &str) -> Option<Role> {
    let parts: Vec<String> =
        h.split('.').filter(|p| !p.bytes().all(|b| b.is_ascii_digit())).map(normalise).collect();
    let (last, owners) = parts.split_last().filter(|(_, o)| !o.is_empty())?;
    let role = match known(last) {
        Some(r) => Some(r),
        None if matches!(last.as_str(), "value" | "idvalue" | "codevalue") => known(owners.last()?),
        None => None,
    };
    let under_manager = owners
        .iter()
        .any(|o| o.contains("manager") || o.contains("reportsto") || o.contains("supervisor"));
    match (under_manager, role) {
        (true, Some(Role::Id | Role::UserId)) => Some(Role::Manager),
        (true, _) => None,
        (false, r) => r,
    }
}

/// An attribute name safe for a custom extension: letters and digits, starting with a letter.
fn ext_attr_name(h: &str) -> String {
    let mut s: String = h.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if !s.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        s.insert_str(0, "attr");
    }
    s
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Targets mapped straight from one recognised column, in the order they are written: the role,
/// the target, and the expression with `{c}` standing for the column's name.
const DIRECT: &[(Role, &str, &str)] = &[
    (Role::Title, "title", "[{c}]"),
    (Role::WorkerType, "userType", "[{c}]"),
    (Role::Email, "emails[type eq \"work\"].value", "IgnoreFlowIfNullOrEmpty([{c}])"),
    (Role::WorkPhone, "phoneNumbers[type eq \"work\"].value", "IgnoreFlowIfNullOrEmpty([{c}])"),
    (Role::Mobile, "phoneNumbers[type eq \"mobile\"].value", "IgnoreFlowIfNullOrEmpty([{c}])"),
    (Role::Street, "addresses[type eq \"work\"].streetAddress", "[{c}]"),
    (Role::City, "addresses[type eq \"work\"].locality", "[{c}]"),
    (Role::Region, "addresses[type eq \"work\"].region", "[{c}]"),
    (Role::PostalCode, "addresses[type eq \"work\"].postalCode", "[{c}]"),
    (Role::Department, "enterprise:department", "[{c}]"),
    (Role::Division, "enterprise:division", "[{c}]"),
    (Role::CostCenter, "enterprise:costCenter", "[{c}]"),
    (Role::Company, "enterprise:organization", "[{c}]"),
    (Role::Manager, "enterprise:manager.value", "IgnoreFlowIfNullOrEmpty([{c}])"),
    (Role::Country, "addresses[type eq \"work\"].country", "Switch([{c}], [{c}], \"UK\", \"GB\")"),
    (Role::HireDate, "hr:hireDate", "[{c}]"),
    (Role::EndDate, "hr:endDate", "[{c}]"),
];

/// Status values that keep an account enabled (compared lower-cased).
const ACTIVE_STATUSES: &[&str] =
    &["active", "a", "1", "true", "yes", "leave", "onleave", "on leave", "employed"];

/// The mapping being written, and the columns its lines have used so far (the rest are listed
/// as unrecognised at the end).
struct Starter<'h> {
    headers: &'h [String],
    out: String,
    mapped: Vec<String>,
}

impl Starter<'_> {
    /// The first column recognised as `role`.
    fn col(&self, role: Role) -> Option<String> {
        self.headers.iter().find(|h| role_of(h) == Some(role)).cloned()
    }

    /// `target = expr`, marking `cols` as mapped.
    fn line(&mut self, target: &str, expr: String, cols: &[&Option<String>]) {
        let _ = writeln!(self.out, "{target:<40} = {expr}");
        for c in cols.iter().copied().flatten() {
            if !self.mapped.contains(c) {
                self.mapped.push(c.clone());
            }
        }
    }

    fn comment(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }
}

/// The columns the name-based lines read: the given name is `$first` when both a preferred and
/// a legal first name exist.
struct Names {
    first: Option<String>,
    preferred: Option<String>,
    last: Option<String>,
    given: Option<String>,
}

/// Build the starter mapping. `samples` are the first rows (same order as `headers`).
pub fn starter_mapping(source_name: &str, headers: &[String], samples: &[Vec<String>]) -> String {
    let mut m = Starter { headers, out: String::new(), mapped: Vec::new() };
    write_preamble(&mut m, source_name);
    let names = declare_lets(&mut m);
    map_identity(&mut m, &names);
    map_status(&mut m, samples);
    map_names(&mut m, &names);
    map_direct(&mut m);
    list_unmapped(&mut m);
    let mut out = m.out;
    write_tests(&mut out, headers, samples);
    out
}

/// The how-to comment and the custom extension's declaration.
fn write_preamble(m: &mut Starter<'_>, source_name: &str) {
    m.comment(&format!("# Starter mapping generated by `hr2scim init` from {source_name}."));
    m.comment(&format!("# Review every line, then: hr2scim check THIS.map --input {source_name}"));
    m.comment("#                          hr2scim test THIS.map");
    m.comment("");
    m.comment("extension hr = \"urn:ietf:params:scim:schemas:extension:contoso:1.0:User\"");
    m.comment("");
}

/// `let first = Coalesce(preferred, first)` when both exist; the given-name expression.
fn declare_lets(m: &mut Starter<'_>) -> Names {
    let first = m.col(Role::First);
    let preferred = m.col(Role::Preferred);
    let last = m.col(Role::Last);
    let given = match (&preferred, &first) {
        (Some(p), Some(f)) => {
            m.comment(&format!("let first = Coalesce([{p}], [{f}])"));
            Some("$first".to_string())
        }
        (None, Some(f)) => Some(format!("[{f}]")),
        (Some(p), None) => Some(format!("[{p}]")),
        _ => None,
    };
    m.comment("");
    Names { first, preferred, last, given }
}

/// externalId and employeeNumber from the id column; userName from a user id, else built from
/// the names, else the e-mail.
fn map_identity(m: &mut Starter<'_>, n: &Names) {
    let id = m.col(Role::Id);
    match &id {
        Some(i) => {
            m.line("externalId", format!("[{i}]"), &[&id]);
            m.line("enterprise:employeeNumber", format!("[{i}]"), &[&id]);
        }
        None => {
            m.comment("# No employee id column was recognised: Entra matches users by externalId.");
            m.comment("# externalId = [YourIdColumn]");
        }
    }
    let user_id = m.col(Role::UserId);
    if let Some(u) = &user_id {
        m.line("userName", format!("ToLower(Join(\"@\", [{u}], \"contoso.com\"))"), &[&user_id]);
    } else if let (Some(g), Some(l)) = (&n.given, &n.last) {
        m.line(
            "userName",
            format!("ToLower(Join(\"@\", NormalizeDiacritics(StripSpaces(Join(\".\", {g}, [{l}]))), \"contoso.com\"))"),
            &[&n.first, &n.preferred, &n.last],
        );
    } else if let Some(e) = m.col(Role::Email) {
        m.line("userName", format!("[{e}]"), &[]);
    } else {
        m.comment("# userName = ...  (no name or user id column recognised)");
    }
}

/// `active` as a Switch over the status values seen in the samples (at most eight).
fn map_status(m: &mut Starter<'_>, samples: &[Vec<String>]) {
    let status = m.col(Role::Status);
    let Some(s) = &status else {
        m.comment("# No status column recognised; every user is sent enabled. Review this!");
        m.line("active", "\"true\"".to_string(), &[]);
        return;
    };
    let i = m.headers.iter().position(|h| h == s);
    let mut seen: Vec<String> = Vec::new();
    for row in samples {
        if let Some(v) = i.and_then(|i| row.get(i)) {
            if !v.is_empty() && !seen.contains(v) && seen.len() < 8 {
                seen.push(v.clone());
            }
        }
    }
    let pairs: Vec<String> = seen
        .iter()
        .map(|v| {
            let on = ACTIVE_STATUSES.contains(&v.to_lowercase().as_str());
            format!("{}, {}", quote(v), quote(if on { "true" } else { "false" }))
        })
        .collect();
    m.comment(&format!(
        "# Values seen in [{s}]: {}. Anything else disables the account.",
        seen.join(", ")
    ));
    let body = if pairs.is_empty() { "\"Active\", \"true\"".to_string() } else { pairs.join(", ") };
    m.line("active", format!("Switch([{s}], \"false\", {body})"), &[&status]);
}

/// givenName, familyName, and displayName from a full-name column or joined from the names.
fn map_names(m: &mut Starter<'_>, n: &Names) {
    if let Some(g) = &n.given {
        m.line("name.givenName", g.clone(), &[&n.first, &n.preferred]);
    }
    if let Some(l) = &n.last {
        m.line("name.familyName", format!("[{l}]"), &[&n.last]);
    }
    let full = m.col(Role::FullName);
    match (&full, &n.given, &n.last) {
        (Some(f), _, _) => m.line("displayName", format!("[{f}]"), &[&full]),
        (None, Some(g), Some(l)) => m.line("displayName", format!("Join(\" \", {g}, [{l}])"), &[]),
        _ => {}
    }
}

/// Every [`DIRECT`] target whose role has a column.
fn map_direct(m: &mut Starter<'_>) {
    for (role, target, template) in DIRECT {
        let c = m.col(*role);
        if let Some(name) = &c {
            m.line(target, template.replace("{c}", name), &[&c]);
        }
    }
}

/// The columns no line used, as commented extension lines to fill in.
fn list_unmapped(m: &mut Starter<'_>) {
    let rest: Vec<String> = m.headers.iter().filter(|h| !m.mapped.contains(h)).cloned().collect();
    if !rest.is_empty() {
        m.comment("\n# Columns not recognised: map them to a custom extension attribute if Entra needs them.");
        for h in rest {
            m.comment(&format!("# hr:{:<30} = [{h}]", ext_attr_name(&h)));
        }
    }
}

fn write_tests(out: &mut String, headers: &[String], samples: &[Vec<String>]) {
    for (n, row) in samples.iter().take(2).enumerate() {
        let pairs: Vec<String> = headers
            .iter()
            .zip(row)
            .filter(|(_, v)| !v.is_empty())
            .map(|(h, v)| {
                let key = if h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    h.clone()
                } else {
                    quote(h)
                };
                format!("{key}: {}", quote(v))
            })
            .collect();
        let _ = writeln!(out, "\ntest \"row {} of the sample converts\" {{", n + 1);
        let _ = writeln!(out, "  given {{ {} }}", pairs.join(", "));
        let id_col = headers.iter().position(|h| role_of(h) == Some(Role::Id));
        match id_col.and_then(|i| row.get(i)).filter(|v| !v.is_empty()) {
            Some(id) => {
                let _ = writeln!(out, "  expect externalId = {}", quote(id));
            }
            None => {
                let _ = writeln!(out, "  expect rejected \"externalId\"");
            }
        }
        let _ = writeln!(out, "}}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn recognises_json_columns_by_their_last_part_and_managers_by_their_owner() {
        assert_eq!(role_of("person.legalName.givenName"), Some(Role::First));
        assert_eq!(role_of("names.0.LastName"), Some(Role::Last));
        assert_eq!(role_of("workerID.idValue"), Some(Role::Id));
        assert_eq!(role_of("businessCommunication.emails.0.emailUri"), Some(Role::Email));
        assert_eq!(role_of("workAssignments.0.reportsTo.0.workerID.idValue"), Some(Role::Manager));
        assert_eq!(role_of("manager.userId"), Some(Role::Manager));
        assert_eq!(role_of("manager.firstName"), None, "a manager's name is not the worker's");
        assert_eq!(role_of("emails.0.type"), None);
    }

    #[test]
    fn recognises_common_header_spellings() {
        assert_eq!(role_of("Worker ID"), Some(Role::Id));
        assert_eq!(role_of("Employee_Number"), Some(Role::Id));
        assert_eq!(role_of("SURNAME"), Some(Role::Last));
        assert_eq!(role_of("Zip Code"), Some(Role::PostalCode));
        assert_eq!(role_of("Favourite colour"), None);
    }

    #[test]
    fn status_switch_uses_the_values_seen() {
        let headers = h(&["WorkerID", "FirstName", "LastName", "Status", "ShoeSize"]);
        let samples = vec![
            h(&["1", "Ann", "Lee", "Active", "38"]),
            h(&["2", "Bo", "Ng", "Terminated", "44"]),
        ];
        let m = starter_mapping("hr.csv", &headers, &samples);
        assert!(m.contains(r#"active                                   = Switch([Status], "false", "Active", "true", "Terminated", "false")"#), "{m}");
        assert!(m.contains("# hr:ShoeSize"), "{m}");
        assert!(m.contains("expect externalId = \"1\""), "{m}");
    }
}
