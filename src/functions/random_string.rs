//! `RandomString(Length, MinimumNumbers, MinimumSpecialCharacters, MinimumCapital,
//! MinimumLowerCase, CharactersToAvoid?)`: a random password-like string.

use std::borrow::Cow;

use rand::seq::SliceRandom;
use rand::Rng;

use super::prelude::*;
use crate::eval::literal_int;

pub struct RandomString;

static SPEC: Spec = Spec {
    name: "RandomString",
    summary: "Generates a random string meeting minimum counts of character classes.",
    doc: "Length is at most 256 and at least the sum of all four minimums (Microsoft's doc sums \
          only three, leaving out MinimumLowerCase, which reads as an oversight: reference A16). \
          Every minimum is met; the remaining characters are drawn from all four classes. The \
          special characters are the Windows password-complexity set ~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/ \
          . Characters in CharactersToAvoid never appear; a class emptied by it while its \
          minimum is above 0 is an error. These rules are checked when the call is compiled if \
          the arguments are literals, otherwise for each row. Examples check the shape, since \
          the value is random.",
    params: &[
        Param::req("Length", ParamKind::Int, "Total length, at most 256."),
        Param::req("MinimumNumbers", ParamKind::Int, "Minimum count of digits."),
        Param::req("MinimumSpecialCharacters", ParamKind::Int, "Minimum count of specials."),
        Param::req("MinimumCapital", ParamKind::Int, "Minimum count of upper-case letters."),
        Param::req("MinimumLowerCase", ParamKind::Int, "Minimum count of lower-case letters."),
        Param::opt("CharactersToAvoid", ParamKind::Str, "Characters that must not appear."),
    ],
    min_args: 5,
    max_args: Some(6),
    top_level_only: false,
    examples: &[
        Example {
            expr: "Len(RandomString(6,3,0,0,3))",
            columns: &[],
            expected: Expected::Json("6"),
            note: "REF example 1 (e.g. 1a73qt): 6 characters",
        },
        Example {
            expr: r#"Len(RandomString(10,2,2,2,1,"?,"))"#,
            columns: &[],
            expected: Expected::Json("10"),
            note: "REF example 2 (e.g. 1@!2BaRg53): 10 characters",
        },
        Example {
            expr: "RandomString([n],0,0,0,1)",
            columns: &[("n", "300")],
            expected: Expected::Error("at most 256"),
            note: "REF: 256 characters max",
        },
        Example {
            expr: "RandomString([n],3,0,0,3)",
            columns: &[("n", "5")],
            expected: Expected::Error("sum of the minimums"),
            note: "A16: Length must cover all four minimums",
        },
    ],
};

const DIGITS: &str = "0123456789";
const SPECIALS: &str = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const CLASSES: [(&str, &str); 4] = [
    (DIGITS, "MinimumNumbers"),
    (SPECIALS, "MinimumSpecialCharacters"),
    (UPPER, "MinimumCapital"),
    (LOWER, "MinimumLowerCase"),
];
const MAX_LENGTH: i64 = 256;

/// Checks the numbers; `Err` is a user-facing sentence.
fn check(length: i64, mins: [i64; 4], avoid: &str) -> Result<(), String> {
    if !(0..=MAX_LENGTH).contains(&length) {
        return Err(format!("Length can be at most 256 and cannot be negative, got {length}"));
    }
    for (m, (_, name)) in mins.iter().zip(CLASSES) {
        if *m < 0 {
            return Err(format!("{name} cannot be negative, got {m}"));
        }
    }
    let sum: i64 = mins.iter().sum();
    if sum > length {
        return Err(format!(
            "Length {length} is less than the sum of the minimums ({sum}); raise Length or \
             lower a minimum"
        ));
    }
    for (m, (class, name)) in mins.iter().zip(CLASSES) {
        if *m > 0 && class.chars().all(|c| avoid.contains(c)) {
            return Err(format!(
                "{name} is {m} but CharactersToAvoid excludes every such character"
            ));
        }
    }
    if length > sum && CLASSES.iter().all(|(class, _)| class.chars().all(|c| avoid.contains(c))) {
        return Err("CharactersToAvoid excludes every character".to_string());
    }
    Ok(())
}

fn generate(length: usize, mins: [i64; 4], avoid: &str) -> String {
    let mut rng = rand::thread_rng();
    let pools: Vec<Vec<u8>> = CLASSES
        .iter()
        .map(|(class, _)| class.bytes().filter(|b| !avoid.contains(char::from(*b))).collect())
        .collect();
    let mut out: Vec<u8> = Vec::with_capacity(length);
    for (pool, m) in pools.iter().zip(mins) {
        for _ in 0..m {
            out.extend(pool.choose(&mut rng));
        }
    }
    let total: usize = pools.iter().map(Vec::len).sum();
    while out.len() < length && total > 0 {
        let mut i = rng.gen_range(0..total);
        for pool in &pools {
            if i < pool.len() {
                out.push(pool[i]);
                break;
            }
            i -= pool.len();
        }
    }
    out.shuffle(&mut rng);
    // Every byte comes from the ASCII pools above.
    out.into_iter().map(char::from).collect()
}

impl Function for RandomString {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn prepare(&self, args: &[Option<&Node>]) -> Result<Option<Prepared>, PrepareError> {
        let nums: Vec<Option<i64>> =
            (0..5).map(|i| literal_int(args.get(i).copied().flatten())).collect();
        let avoid = match args.get(5).copied().flatten() {
            None => Some(""),
            Some(Node::Str(s)) => Some(&**s),
            Some(_) => None,
        };
        if let ([Some(l), Some(a), Some(b), Some(c), Some(d)], Some(avoid)) =
            (nums.as_slice(), avoid)
        {
            check(*l, [*a, *b, *c, *d], avoid).map_err(PrepareError::call)?;
        }
        Ok(None)
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let length = call.int(0, "Length")?.unwrap_or(0);
        let mut mins = [0i64; 4];
        for (i, (_, name)) in CLASSES.iter().enumerate() {
            mins[i] = call.int(i + 1, name)?.unwrap_or(0);
        }
        let avoid = call.text(5)?;
        if let Err(m) = check(length, mins, &avoid) {
            return fail(format!("RandomString: {m}"));
        }
        Ok(Value::Str(Cow::Owned(generate(length as usize, mins, &avoid))))
    }
}

#[cfg(test)]
mod tests {
    use super::SPECIALS;
    use crate::functions::support::testutil::*;

    fn counts(s: &str) -> [usize; 4] {
        [
            s.chars().filter(char::is_ascii_digit).count(),
            s.chars().filter(|c| SPECIALS.contains(*c)).count(),
            s.chars().filter(char::is_ascii_uppercase).count(),
            s.chars().filter(char::is_ascii_lowercase).count(),
        ]
    }

    #[test]
    fn minimums_are_met() {
        for _ in 0..200 {
            let r = text(r#"RandomString(10,2,2,2,1,"?,")"#, &[]);
            assert_eq!(r.chars().count(), 10, "{r}");
            let c = counts(&r);
            assert!(c[0] >= 2 && c[1] >= 2 && c[2] >= 2 && c[3] >= 1, "{r}: {c:?}");
            assert_eq!(c.iter().sum::<usize>(), 10, "only the four classes: {r}");
            assert!(!r.contains('?') && !r.contains(','), "{r}");
        }
    }

    #[test]
    fn exact_minimums_fill_the_length() {
        let r = text("RandomString(6,3,0,0,3)", &[]);
        assert_eq!(r.len(), 6);
        let c = counts(&r);
        assert!(c[0] >= 3 && c[3] >= 3, "{r}");
        let r = text("RandomString(256,64,64,64,64)", &[]);
        assert_eq!(counts(&r), [64, 64, 64, 64]);
    }

    #[test]
    fn avoided_characters_never_appear() {
        let avoid = "0123456789abcdefghijklmnopqrstuvwxy";
        for _ in 0..50 {
            let r = text(&format!(r#"RandomString(20,0,0,0,1,"{avoid}")"#), &[]);
            assert!(r.chars().all(|c| !avoid.contains(c)), "{r}");
            assert!(r.contains('z'), "z is the only lower-case letter left: {r}");
        }
    }

    #[test]
    fn literal_arguments_are_checked_at_compile_time() {
        assert!(compile_error("RandomString(257,0,0,0,0)").contains("at most 256"));
        assert!(compile_error("RandomString(5,3,0,0,3)").contains("sum of the minimums"));
        assert!(compile_error("RandomString(5,-1,0,0,0)").contains("negative"));
        assert!(compile_error(r#"RandomString(5,1,0,0,0,"0123456789")"#).contains("MinimumNumbers"));
    }

    #[test]
    fn runtime_checks() {
        assert!(error("RandomString([n],1,0,0,0)", &[("n", s("abc"))]).contains("Length"));
        assert!(error("RandomString([n],1,1,0,0)", &[("n", s("1"))]).contains("sum"));
        assert_eq!(text("RandomString([n],0,0,0,0)", &[("n", s("0"))]), "");
    }
}
