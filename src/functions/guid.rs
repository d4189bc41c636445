//! `Guid()`: a new random GUID in .NET's lower-case "D" form.

use std::borrow::Cow;

use super::prelude::*;

pub struct Guid;

static SPEC: Spec = Spec {
    name: "Guid",
    summary: "Returns a new random GUID.",
    doc: "A version-4 UUID written as .NET's Guid.ToString() does: 36 characters, lower-case hex, \
          hyphenated (00aa00aa-bb11-cc22-dd33-44ee44ee44ee). A new value for every row. Examples \
          below check its shape, since its value is random.",
    params: &[],
    min_args: 0,
    max_args: Some(0),
    top_level_only: false,
    examples: &[
        Example {
            expr: "Len(Guid())",
            columns: &[],
            expected: Expected::Json("36"),
            note: "REF sample 00aa00aa-bb11-cc22-dd33-44ee44ee44ee: 36 characters",
        },
        Example {
            expr: "Mid(Guid(), 9, 1)",
            columns: &[],
            expected: Expected::Text("-"),
            note: "the first hyphen follows 8 hex digits",
        },
    ],
};

impl Function for Guid {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, _call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        Ok(Value::Str(Cow::Owned(uuid::Uuid::new_v4().hyphenated().to_string())))
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::support::testutil::*;

    #[test]
    fn lower_case_d_form() {
        let g = text("Guid()", &[]);
        let groups: Vec<usize> = g.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert!(g.chars().all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)));
        assert_eq!(&g[14..15], "4", "version 4");
    }

    #[test]
    fn new_every_time() {
        assert_ne!(text("Guid()", &[]), text("Guid()", &[]));
    }

    #[test]
    fn takes_no_arguments() {
        assert!(compile_error("Guid(1)").contains("takes no arguments"));
    }
}
