//! Replace's documented examples (kept apart from replace.rs for size): every Replace example of
//! Microsoft's reference, with §9's correction for the phone-stripping one.

use crate::eval::{Example, Expected};

pub static EXAMPLES: &[Example] = &[
    Example {
        expr: r#"Replace([mail], "@contoso.com", , ,"", ,)"#,
        columns: &[("mail", "john.doe@contoso.com")],
        expected: Expected::Text("john.doe"),
        note: "REF: strip a known domain (mode 2)",
    },
    Example {
        expr: r#"Replace([UserID],"<username>", , , , , "<username>@contoso.com")"#,
        columns: &[("UserID", "jsmith")],
        expected: Expected::Text("jsmith@contoso.com"),
        note: "REF: template (mode 1)",
    },
    Example {
        expr: r#"Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>.*)", , "${phoneNumber}", , )"#,
        columns: &[("telephoneNumber", "+1 (999) 888-7777")],
        expected: Expected::Text("(999) 888-7777"),
        note: "REF: keep a named group (mode 5)",
    },
    Example {
        expr: r#"Replace([mobile], , "[()\\s-]+", , "", , )"#,
        columns: &[("mobile", "+1 (999) 888-7777")],
        expected: Expected::Text("+19998887777"),
        note: "§9 correction: the doc says 19998887777, but + is not in the class",
    },
    Example {
        expr: r#"Replace([address], , "(?<streetNumber>^\\d*)", "streetNumber", "888", , )"#,
        columns: &[("address", "545 Tremont Street")],
        expected: Expected::Text("888 Tremont Street"),
        note: "REF: replace only the group's span (mode 4)",
    },
    Example {
        expr: r#"Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )"#,
        columns: &[("userPrincipalName", "jsmith@contoso.com")],
        expected: Expected::Text("jsmith"),
        note: "REF: remove the UPN suffix (mode 4)",
    },
    Example {
        expr: r#"Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>.*)", "phoneNumber", , [mobile], )"#,
        columns: &[("mobile", "+1 (999) 888-7777")],
        expected: Expected::Text("(999) 888-7777"),
        note: "REF: empty source falls back to a group of mobile (mode 3, A7)",
    },
    Example {
        expr: r#"Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>.*)", "phoneNumber", , [mobile], )"#,
        columns: &[("telephoneNumber", "+44 20 7946 0000"), ("mobile", "+1 (999) 888-7777")],
        expected: Expected::Text("+44 20 7946 0000"),
        note: "REF: a source with a value is returned as is (mode 3)",
    },
    Example {
        expr: r#"Replace([username],,"(?<id>.*)@(?<domain>.*)",,"${id}",,)"#,
        columns: &[("username", "jsmith@contoso.com")],
        expected: Expected::Text("jsmith"),
        note: "REF: slots written with no spaces",
    },
    Example {
        expr: r#"Replace([samAccountName], , "[\\/\\\\\\[\\]\\:\\;\\|\\=\\,\\+\\*\\?\\<\\>]", , "", , )"#,
        columns: &[("samAccountName", "j<s>m/i\\t[h]:;|=,+*?")],
        expected: Expected::Text("jsmith"),
        note: "WD-GUIDE sAMAccountName class with \\< and \\> (reference §5)",
    },
    Example {
        expr: r#"Replace([employeeId], , "(.*?)(?<id>.{0,8})$", , "D${id}", , )"#,
        columns: &[("employeeId", "EMP0012345678")],
        expected: Expected::Text("D12345678D"),
        note: "§5: .NET allows an empty match where the last one ended, so the lazy pattern \
               matches once more at the end (Rust's own replace_all would give D12345678)",
    },
    Example {
        expr: r#"Replace([employeeId], , "^\\D*(?<id>\\d+)$", , "D${id}", , )"#,
        columns: &[("employeeId", "EMP0012345678")],
        expected: Expected::Text("D0012345678"),
        note: "REF-style D${id} substitution",
    },
    Example {
        expr: r#"Replace([street], , "^(?<number>\\d+) (?<suffix1>\\w+) (?<suffix2>\\w+)$", , "${suffix1} ${suffix2}", , )"#,
        columns: &[("street", "545 Tremont Street")],
        expected: Expected::Text("Tremont Street"),
        note: "REF substitution form ${suffix1} ${suffix2}",
    },
    Example {
        expr: r#"Replace([mail], "@CONTOSO.com", , , "", , )"#,
        columns: &[("mail", "john.doe@contoso.com")],
        expected: Expected::Text("john.doe@contoso.com"),
        note: "REF: case-sensitive",
    },
];
