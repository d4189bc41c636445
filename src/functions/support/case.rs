//! Case conversion shared by ToLower and ToUpper, with the Turkic dotted/dotless i rules.

use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Lower,
    Upper,
}

fn is_turkic(culture: Option<&str>) -> bool {
    culture.is_some_and(|c| {
        let lang = c.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        lang == "tr" || lang == "az"
    })
}

/// Converts case, returning the input unchanged (still borrowed) when nothing changes.
pub fn convert_case<'r>(
    s: std::borrow::Cow<'r, str>,
    culture: Option<&str>,
    case: Case,
) -> Cow<'r, str> {
    let unchanged = match case {
        Case::Lower => !s.chars().any(|c| c.is_uppercase()),
        Case::Upper => !s.chars().any(|c| c.is_lowercase()),
    };
    if unchanged {
        return s;
    }
    let turkic = is_turkic(culture);
    // ASCII text converts in place: no second string (the usual userName case).
    if !turkic && s.is_ascii() {
        let mut out = s.into_owned();
        match case {
            Case::Lower => out.make_ascii_lowercase(),
            Case::Upper => out.make_ascii_uppercase(),
        }
        return Cow::Owned(out);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match (case, turkic, c) {
            (Case::Lower, true, 'I') => out.push('ı'),
            (Case::Lower, true, 'İ') => out.push('i'),
            (Case::Upper, true, 'i') => out.push('İ'),
            (Case::Upper, true, 'ı') => out.push('I'),
            // Invariant culture maps İ to i̇ in Unicode; .NET's invariant ToLower gives plain i̇
            // too, so keep Rust's mapping for the rest.
            (Case::Lower, _, c) => out.extend(c.to_lowercase()),
            (Case::Upper, _, c) => out.extend(c.to_uppercase()),
        }
    }
    Cow::Owned(out)
}

/// ToLower's and ToUpper's evaluation: NULL stays NULL, slot 1 is the optional culture.
pub fn eval_case<'p: 'r, 'r>(
    call: &mut crate::eval::Call<'_, 'p, 'r>,
    case: Case,
) -> crate::eval::EvalResult<'r> {
    super::unary::map_text(call, |call, s| {
        let culture = call.arg(1)?.map(|c| c.into_text());
        Ok(convert_case(s, culture.as_deref(), case))
    })
}
