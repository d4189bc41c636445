//! `CStr(value)`: a value's text.

use super::prelude::*;

pub struct CStr;

static SPEC: Spec = Spec {
    name: "CStr",
    summary: "Converts a number, boolean or reference to its text.",
    doc: "Renders the value as Entra does: integers and decimals invariantly, booleans as \
          True/False, dates as M/d/yyyy h:mm:ss tt (UTC). Text passes through unchanged. NULL \
          stays NULL (there is nothing to convert, and the target is then left empty rather than \
          set to \"\"). A multi-valued attribute fails: use Join to make one string of it.",
    params: &[Param::req("value", ParamKind::Any, "A number, boolean, date or text.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "CStr([dn])",
            columns: &[("dn", "cn=Joe,dc=contoso,dc=com")],
            expected: Expected::Json(r#""cn=Joe,dc=contoso,dc=com""#),
            note: "REF",
        },
        Example {
            expr: "CStr(42568.75)",
            columns: &[],
            expected: Expected::Json(r#""42568.75""#),
            note: "a decimal becomes text",
        },
        Example {
            expr: "CStr(IsNull([x]))",
            columns: &[],
            expected: Expected::Json(r#""True""#),
            note: "booleans render True/False",
        },
    ],
};

impl Function for CStr {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        match call.value(0)? {
            Value::Null => Ok(Value::Null),
            Value::List(_) => {
                fail("CStr takes a single value, not a multi-valued attribute (use Join)")
            }
            v => Ok(Value::Str(v.into_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn renders() {
        assert_eq!(eval("CStr(-7)", &[]), Ok(s("-7")));
        assert_eq!(eval("CStr(&HFF)", &[]), Ok(s("255")));
        assert_eq!(eval("CStr([x])", &[("x", s("Zoë"))]), Ok(s("Zoë")));
    }

    #[test]
    fn null_empty_and_lists() {
        assert_eq!(eval("CStr([x])", &[]), Ok(Value::Null));
        assert_eq!(eval_keep_empty("CStr([x])", &[("x", s(""))]), Ok(s("")));
        assert!(error("CStr([l])", &[("l", list(&["a"]))]).contains("Join"));
    }
}
