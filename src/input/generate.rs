//! Deterministic, seedable generator of realistic HR exports in the bundled 21-column layout.
//!
//! Same seed, same bytes, on every platform: it uses its own SplitMix64 rather than a library
//! RNG whose stream could change between versions. The data is shaped like real exports: names
//! with diacritics and apostrophes, addresses with commas (so quoted), gaps in optional columns,
//! and one management tree (row 1 is the root, every other manager is an earlier row).

use chrono::{Days, NaiveDate};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use unicode_normalization::UnicodeNormalization;

/// The bundled layout, in column order.
#[rustfmt::skip]
pub const HEADERS: [&str; 21] = [
    "WorkerID", "FirstName", "PreferredName", "LastName", "Email", "Status", "WorkerType",
    "JobTitle", "Department", "Division", "CostCenter", "Company", "ManagerID", "HireDate",
    "TerminationDate", "StreetAddress", "City", "PostalCode", "CountryCode", "OfficePhone",
    "MobilePhone",
];

#[rustfmt::skip]
const FIRST: &[&str] = &[
    "José", "Zoë", "Łukasz", "Søren", "Amélie", "Björn", "Chloé", "Dmitri", "Emma", "François",
    "Ingrid", "Jürgen", "Kenji", "Liam", "María", "Noah", "Olivia", "Priya", "Ravi", "Siobhán",
    "Tomás", "Wei", "Yusuf", "Ayşe", "Mateus", "Nora", "Oskar", "Élodie", "Hana", "Lars", "Mia",
    "Seán", "Ángel", "Grace", "Omar", "Fatima", "Anna-Lena", "Jean-Luc", "Kwame", "Lucía",
];
#[rustfmt::skip]
const LAST: &[&str] = &[
    "O'Brien", "Núñez", "Müller", "Smith", "García", "Nguyen", "Kowalski", "Jensen", "D'Angelo",
    "Dubois", "Schröder", "Rossi", "Tanaka", "Patel", "Okafor", "Andersson", "Novák",
    "Fernández", "MacDonald", "van der Berg", "Łukaszewicz", "Øvergaard", "Çelik", "Brown",
    "Wilson", "Silva", "Kim", "Haddad", "O'Connor", "Côté", "Żak", "Hansen", "López", "Ødegård",
];
#[rustfmt::skip]
const NICK: &[(&str, &str)] = &[
    ("Łukasz", "Luke"), ("Dmitri", "Dima"), ("Olivia", "Liv"), ("Jürgen", "Jürg"),
    ("Siobhán", "Shiv"), ("Anna-Lena", "Anna"), ("José", "Pepe"), ("Fatima", "Tima"),
];
/// (Department, Division, cost-centre prefix, job titles).
#[rustfmt::skip]
const DEPARTMENTS: &[(&str, &str, &str, &[&str])] = &[
    ("Engineering", "Technology", "ENG",
     &["Software Engineer", "Senior Software Engineer", "Engineering Manager", "QA Analyst"]),
    ("IT", "Technology", "ITS", &["Systems Administrator", "Service Desk Analyst", "IT Manager"]),
    ("Sales", "Commercial", "SLS",
     &["Account Executive", "Sales Representative", "Sales Director"]),
    ("Marketing", "Commercial", "MKT",
     &["Marketing Coordinator", "Content Strategist", "Head of Marketing"]),
    ("Finance", "Corporate", "FIN", &["Accountant", "Financial Analyst", "Controller"]),
    ("Human Resources", "Corporate", "HRS",
     &["HR Business Partner", "Recruiter", "Payroll Specialist"]),
    ("Operations", "Operations", "OPS",
     &["Warehouse Associate", "Logistics Planner", "Operations Manager"]),
    ("Customer Support", "Operations", "CSP", &["Support Specialist", "Support Team Lead"]),
];
/// (City, CountryCode, Company, phone prefix, postal-code pattern where '9' is a random digit,
/// a local street).
#[rustfmt::skip]
const PLACES: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("Berlin", "DE", "Contoso GmbH", "+49 30", "10999", "Friedrichstraße"),
    ("München", "DE", "Contoso GmbH", "+49 89", "80999", "Leopoldstraße"),
    ("Paris", "FR", "Contoso SAS", "+33 1", "75099", "rue de l'Église"),
    ("London", "GB", "Contoso Ltd", "+44 20", "SW1A 1AA", "Baker Street"),
    ("Boston", "US", "Contoso Inc.", "+1 617", "02199", "Main St"),
    ("Madrid", "ES", "Contoso Iberia S.L.", "+34 91", "28099", "Calle de Alcalá"),
    ("Kraków", "PL", "Contoso Polska Sp. z o.o.", "+48 12", "30-099", "ul. Floriańska"),
    ("København", "DK", "Contoso ApS", "+45 33", "1099", "Nørregade"),
    ("Dublin", "IE", "Contoso Ireland Ltd", "+353 1", "D02 X285", "Grand Canal Quay"),
    ("São Paulo", "BR", "Contoso Brasil Ltda.", "+55 11", "01310-999", "Av. Paulista"),
];
const UNITS: &[&str] = &["Suite 400", "Flat 3", "Bât. B", "2. tv", "Apt 12", "Floor 5"];

/// SplitMix64: tiny, fast, and fixed forever (fixtures depend on its exact stream).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }
    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Yields header-less records of the bundled layout; see [`HEADERS`].
pub struct Records {
    rng: SplitMix64,
    next: usize,
    rows: usize,
    emails: HashMap<u64, u32>,
}

/// `rows` records generated from `seed`.
pub fn records(rows: usize, seed: u64) -> Records {
    Records { rng: SplitMix64(seed), next: 0, rows, emails: HashMap::new() }
}

/// Writes a header and `rows` records as RFC 4180 CSV (quotes only where needed, `\n` line ends).
pub fn generate_csv<W: Write>(rows: usize, seed: u64, out: W) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    w.write_record(HEADERS)?;
    for rec in records(rows, seed) {
        w.write_record(&rec)?;
    }
    w.flush()
}

/// The WorkerID of the 0-based record `i`.
pub fn worker_id(i: usize) -> String {
    (100_001 + i).to_string()
}

impl Iterator for Records {
    type Item = [String; 21];

    fn next(&mut self) -> Option<[String; 21]> {
        if self.next >= self.rows {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let r = &mut self.rng;
        let first = *r.pick(FIRST);
        let last = *r.pick(LAST);
        let preferred = if r.percent(20) {
            String::new()
        } else if r.percent(15) {
            NICK.iter().find(|(f, _)| *f == first).map_or(first, |(_, n)| *n).to_string()
        } else {
            first.to_string()
        };
        let email_wanted = !r.percent(5);
        let status = match r.below(100) {
            _ if i == 0 => "Active",
            0..=84 => "Active",
            85..=89 => "Leave",
            _ => "Inactive",
        };
        let worker_type = if i > 0 && r.percent(15) { "Contractor" } else { "Employee" };
        let (dept, division, cc, titles) = *r.pick(DEPARTMENTS);
        let title = if i == 0 { "Chief Executive Officer" } else { *r.pick(titles) };
        let cost_center = format!("{cc}-{}", 100 + r.below(40));
        let (city, country, company, phone, postal, local_street) = *r.pick(PLACES);
        // Squaring a uniform draw favours early rows, giving a few busy managers near the top.
        let manager = if i == 0 {
            String::new()
        } else {
            let u = (r.next() >> 11) as f64 / (1u64 << 53) as f64;
            worker_id(((u * u) * i as f64) as usize)
        };
        let epoch = NaiveDate::from_ymd_opt(1998, 1, 1).unwrap_or_default();
        let hire = epoch + Days::new(r.below(10_000) as u64);
        let termination = if status == "Inactive" {
            let end = hire + Days::new(30 + r.below(3_000) as u64);
            end.min(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or(end))
                .format("%Y-%m-%d")
                .to_string()
        } else {
            String::new()
        };
        let mut street = format!("{} {local_street}", 1 + r.below(180));
        if r.percent(40) {
            street = format!("{}, {street}", r.pick(UNITS));
        }
        let postal: String = postal
            .chars()
            .map(|c| if c == '9' { char::from(b'0' + r.below(10) as u8) } else { c })
            .collect();
        let office = if r.percent(70) {
            format!("{phone} {}", 5_550_000 + r.below(10_000))
        } else {
            String::new()
        };
        let mobile = if r.percent(90) {
            format!("{} 7{:08}", phone.split(' ').next().unwrap_or("+1"), r.below(100_000_000))
        } else {
            String::new()
        };
        let email = if email_wanted { self.email(first, last) } else { String::new() };
        Some([
            worker_id(i),
            first.to_string(),
            preferred,
            last.to_string(),
            email,
            status.to_string(),
            worker_type.to_string(),
            title.to_string(),
            dept.to_string(),
            division.to_string(),
            cost_center,
            company.to_string(),
            manager,
            hire.format("%Y-%m-%d").to_string(),
            termination,
            street,
            city.to_string(),
            postal,
            country.to_string(),
            office,
            mobile,
        ])
    }
}

impl Records {
    /// first.last@contoso.example in ASCII, with 2, 3, ... appended for namesakes.
    fn email(&mut self, first: &str, last: &str) -> String {
        let local = format!("{}.{}", ascii(first), ascii(last));
        let mut h = DefaultHasher::new();
        local.hash(&mut h);
        let seen = self.emails.entry(h.finish()).or_insert(0);
        *seen += 1;
        match *seen {
            1 => format!("{local}@contoso.example"),
            n => format!("{local}{n}@contoso.example"),
        }
    }
}

/// Folds a name to what mail systems accept: "Łukaszewicz" → "lukaszewicz", "O'Brien" → "obrien".
fn ascii(name: &str) -> String {
    let mut out = String::new();
    for c in name.nfd() {
        match c {
            'ł' | 'Ł' => out.push('l'),
            'ø' | 'Ø' => out.push('o'),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            '-' => out.push('-'),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut c = Vec::new();
        generate_csv(200, 7, &mut a).unwrap();
        generate_csv(200, 7, &mut b).unwrap();
        generate_csv(200, 8, &mut c).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn managers_form_one_tree_rooted_at_row_one() {
        let recs: Vec<_> = records(500, 3).collect();
        assert_eq!(recs[0][12], "");
        for (i, r) in recs.iter().enumerate().skip(1) {
            let m: usize = r[12].parse::<usize>().unwrap() - 100_001;
            assert!(m < i, "row {i} has manager row {m}");
        }
    }

    #[test]
    fn shape_matches_real_exports() {
        let recs: Vec<_> = records(5_000, 11).collect();
        let share = |f: &dyn Fn(&[String; 21]) -> bool| {
            recs.iter().filter(|r| f(r)).count() as f64 / recs.len() as f64
        };
        let empty_pref = share(&|r| r[2].is_empty());
        let empty_mail = share(&|r| r[4].is_empty());
        assert!((0.17..0.23).contains(&empty_pref), "{empty_pref}");
        assert!((0.03..0.07).contains(&empty_mail), "{empty_mail}");
        assert!(share(&|r| r[15].contains(',')) > 0.3);
        assert!(share(&|r| r[3].contains('\'')) > 0.02);
        for r in &recs {
            assert_eq!(r[5] == "Inactive", !r[14].is_empty(), "{r:?}");
            if !r[14].is_empty() {
                assert!(r[14] > r[13], "{r:?}");
            }
            assert!(r[4].is_ascii());
        }
        let mut mails: Vec<_> = recs.iter().map(|r| &r[4]).filter(|m| !m.is_empty()).collect();
        let n = mails.len();
        mails.sort();
        mails.dedup();
        assert_eq!(mails.len(), n, "emails are unique");
        assert_eq!(ascii("Łukaszewicz"), "lukaszewicz");
        assert_eq!(ascii("O'Brien"), "obrien");
    }
}
