//! Tests of the cross-row checks: duplicates, unknown and self managers, manager cycles.

use super::*;

/// (line, externalId, userName, manager)
fn run(
    on_dup: OnDuplicate,
    mgr: ManagerCheck,
    rows: &[(u64, &str, &str, Option<&str>)],
) -> CrossRowReport {
    let mut c = CrossRowChecks::new(on_dup, mgr);
    for &(line, id, name, m) in rows {
        c.push(line, id, name, m);
    }
    c.finish()
}

fn rejected_lines(r: &CrossRowReport) -> Vec<u64> {
    r.rejects.iter().map(|x| x.0).collect()
}

#[test]
fn duplicate_external_ids_reject_every_row_naming_the_others() {
    let rows =
        [(2, "E1", "a", None), (3, "E2", "b", None), (4, "E1", "c", None), (5, "E1", "d", None)];
    let r = run(OnDuplicate::Reject, ManagerCheck::Off, &rows);
    assert_eq!(rejected_lines(&r), [2, 4, 5]);
    assert_eq!(
        r.rejected(2).unwrap(),
        ["duplicate externalId \"E1\": also on line(s) 4, 5; fix the source or choose one with --on-duplicate first|last"]
    );
    assert!(r.rejected(4).unwrap()[0].contains("also on line(s) 2, 5"));
    assert!(r.rejected(3).is_none());
}

#[test]
fn on_duplicate_first_and_last_keep_one_row() {
    let rows = [(2, "E1", "a", None), (3, "E1", "b", None), (4, "E1", "c", None)];
    let r = run(OnDuplicate::First, ManagerCheck::Off, &rows);
    assert_eq!(rejected_lines(&r), [3, 4]);
    assert_eq!(r.rejected(3).unwrap(), ["duplicate externalId \"E1\": line 2 is kept instead"]);
    let r = run(OnDuplicate::Last, ManagerCheck::Off, &rows);
    assert_eq!(rejected_lines(&r), [2, 3]);
    assert!(r.rejected(2).unwrap()[0].contains("line 4 is kept"));
}

#[test]
fn duplicate_user_names_are_case_insensitive() {
    let rows = [
        (2, "E1", "Jane@X.com", None),
        (3, "E2", "jane@x.COM", None),
        (4, "E3", "bob@x.com", None),
        // Not ASCII: compared by Unicode lower case.
        (5, "E4", "Élodie@x.com", None),
        (6, "E5", "élodie@X.COM", None),
        (7, "E6", "elodie@x.com", None),
    ];
    let r = run(OnDuplicate::Reject, ManagerCheck::Off, &rows);
    assert_eq!(rejected_lines(&r), [2, 3, 5, 6]);
    assert!(r.rejected(3).unwrap()[0]
        .starts_with("duplicate userName \"jane@x.com\": also on line(s) 2"));
    let r = run(OnDuplicate::Last, ManagerCheck::Off, &rows);
    assert_eq!(rejected_lines(&r), [2, 5]);
}

#[test]
fn a_duplicated_id_is_not_also_reported_as_a_duplicate_user_name() {
    let rows = [(2, "E1", "same", None), (3, "E1", "same", None)];
    let r = run(OnDuplicate::First, ManagerCheck::Off, &rows);
    assert_eq!(
        r.rejects,
        [(3, vec!["duplicate externalId \"E1\": line 2 is kept instead".to_string()])]
    );
}

#[test]
fn unknown_managers_warn_by_default_and_reject_on_request() {
    let rows = [
        (2, "E1", "a", None),
        (3, "E2", "b", Some("E1")),
        (4, "E3", "c", Some("E9")),
        (5, "E4", "d", Some("")),
    ];
    let r = run(OnDuplicate::Reject, ManagerCheck::Warn, &rows);
    assert!(r.rejects.is_empty());
    assert_eq!(
        r.warnings,
        [(4, "manager \"E9\" is not written: no row of this file has that externalId".to_string())]
    );
    let r = run(OnDuplicate::Reject, ManagerCheck::Reject, &rows);
    assert_eq!(rejected_lines(&r), [4]);
    let r = run(OnDuplicate::Reject, ManagerCheck::Off, &rows);
    assert!(r.rejects.is_empty() && r.warnings.is_empty());
}

#[test]
fn a_manager_whose_row_is_rejected_is_reported() {
    let rows = [(2, "M", "m1", None), (3, "M", "m2", None), (4, "E1", "a", Some("M"))];
    let r = run(OnDuplicate::Reject, ManagerCheck::Warn, &rows);
    assert_eq!(
        r.warnings,
        [(
            4,
            "manager \"M\" is not written: its row is rejected, so Entra cannot link it"
                .to_string()
        )]
    );
}

#[test]
fn cycles_of_length_one_two_and_three() {
    let rows = [
        (2, "S", "s", Some("S")),
        (3, "A", "a", Some("B")),
        (4, "B", "b", Some("A")),
        (5, "X", "x", Some("Y")),
        (6, "Y", "y", Some("Z")),
        (7, "Z", "z", Some("X")),
        (8, "T", "t", Some("X")),
    ];
    let r = run(OnDuplicate::Reject, ManagerCheck::Reject, &rows);
    assert_eq!(rejected_lines(&r), [2, 3, 4, 5, 6, 7], "T reports to a cycle but is not in it");
    assert_eq!(r.rejected(2).unwrap(), ["manager \"S\" is the user itself"]);
    assert_eq!(r.rejected(3).unwrap(), ["manager cycle: A → B → A (lines 3, 4)"]);
    assert_eq!(r.rejected(4).unwrap(), ["manager cycle: A → B → A (lines 3, 4)"]);
    assert_eq!(r.rejected(7).unwrap(), ["manager cycle: X → Y → Z → X (lines 5, 6, 7)"]);
    let w = run(OnDuplicate::Reject, ManagerCheck::Warn, &rows);
    assert!(w.rejects.is_empty());
    assert_eq!(w.warnings.len(), 6);
}

#[test]
fn a_thousand_row_chain_is_fine_until_it_closes() {
    let ids: Vec<String> = (0..1000).map(|i| format!("E{i}")).collect();
    let names: Vec<String> = (0..1000).map(|i| format!("u{i}")).collect();
    let chain = |closed: bool| {
        let mut c = CrossRowChecks::new(OnDuplicate::Reject, ManagerCheck::Reject);
        for i in 0..1000 {
            let m = if i + 1 < 1000 {
                Some(ids[i + 1].as_str())
            } else if closed {
                Some("E0")
            } else {
                None
            };
            c.push(i as u64 + 2, &ids[i], &names[i], m);
        }
        c.finish()
    };
    let open = chain(false);
    assert!(open.rejects.is_empty() && open.warnings.is_empty());
    let closed = chain(true);
    assert_eq!(closed.rejects.len(), 1000);
    let why = &closed.rejected(500).unwrap()[0];
    assert!(why.starts_with("manager cycle: E0 → E1 → E2"), "{}", &why[..40]);
    // A long cycle names its first members only, so 1000 reasons stay small.
    assert!(why.contains("E9 → … → E0 (lines 2, 3,"), "{why}");
    assert!(why.ends_with("and 990 more)"), "{why}");
    assert!(why.len() < 200, "{why}");
}

#[test]
fn manager_checks_skip_rows_already_rejected() {
    let rows = [(2, "E1", "dup", Some("E1")), (3, "E2", "dup", None)];
    let r = run(OnDuplicate::Reject, ManagerCheck::Reject, &rows);
    assert_eq!(r.rejects.len(), 2);
    // Line 2 is rejected for its userName; its self-manager is not reported on top.
    assert_eq!(r.rejected(2).unwrap().len(), 1);
    assert!(r.rejected(2).unwrap()[0].starts_with("duplicate userName"));
}

#[test]
fn a_value_shared_by_many_rows_names_a_few_lines_and_counts_the_rest() {
    let mut c = CrossRowChecks::new(OnDuplicate::Reject, ManagerCheck::Off);
    for i in 0..5000u64 {
        c.push(i + 2, &format!("E{i}"), "same@x.example", None);
    }
    let r = c.finish();
    assert_eq!(r.rejects.len(), 5000);
    let why = &r.rejected(2).unwrap()[0];
    assert!(why.contains("also on line(s) 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 4989 more"), "{why}");
    let why = &r.rejected(5).unwrap()[0];
    assert!(why.contains("also on line(s) 2, 3, 4, 6,"), "a row does not name itself: {why}");
}

/// The per-row cost the module documentation states (and DESIGN.md repeats): 8-byte ids,
/// 35-byte userNames, a manager on every row. Growth doubles vectors, so the bound is checked
/// at a size between two doublings as well as right after one.
#[test]
fn per_row_cost_is_what_the_docs_say() {
    for n in [100_000u32, 140_000] {
        let mut c = CrossRowChecks::new(OnDuplicate::Reject, ManagerCheck::Warn);
        for i in 0..n {
            let id = format!("{:08}", 10_000_000 + i);
            let manager = format!("{:08}", 10_000_000 + i / 8);
            let name = format!("first.lastname.{id}@contoso.com");
            assert_eq!(name.len(), 35);
            c.push(u64::from(i) + 2, &id, &name, Some(&manager));
        }
        let per_row = c.heap_bytes() as f64 / f64::from(n);
        // Bytes: 16 row + 8 id + 35 name, ~16 per interned string, 4 + 4 first rows, growth slack.
        eprintln!("{per_row:.0} bytes per row at {n} rows");
        assert!(per_row < 150.0, "{per_row:.0} bytes per row at {n} rows");
        assert!(
            per_row > 85.0,
            "{per_row:.0} bytes per row at {n} rows: heap_bytes misses something"
        );
    }
}

#[test]
fn key_hashes_are_those_of_the_keys_push_interns() {
    for name in
        ["jane@x.com", "Jane.Doe@Contoso.COM", "ZOË@x.com", "Zoë@x.com", &"A".repeat(65), ""]
    {
        let h = KeyHashes::of("E1", name, Some("M1"));
        let lower: String = name.chars().flat_map(char::to_lowercase).collect();
        let expected = KeyHashes::of("E1", &lower, Some("M1"));
        assert_eq!(h, expected, "{name}");
        assert_ne!(h, KeyHashes::of("E1", name, None), "{name}");
    }
    // Interning under a precomputed hash finds the same duplicates as interning plainly (debug
    // builds also check each hash inside the interner).
    let rows = [("E1", "Jane@X.com", None), ("E2", "jane@x.com", Some("E1")), ("E1", "ZOË", None)];
    let (mut a, mut b) = (CrossRowChecks::default(), CrossRowChecks::default());
    for (line, (id, name, m)) in rows.iter().enumerate() {
        a.push(line as u64 + 2, id, name, *m);
        b.push_hashed(line as u64 + 2, id, name, *m, &KeyHashes::of(id, name, *m));
    }
    assert_eq!(format!("{:?}", a.finish()), format!("{:?}", b.finish()));
}
