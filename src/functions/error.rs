//! `Error(message)`: fails the evaluation with the given message.

use super::prelude::*;

pub struct Error;

static SPEC: Spec = Spec {
    name: "Error",
    summary: "Fails the evaluation with a custom message.",
    doc: "An extra from Entra cloud sync, not in the provisioning reference. The row is rejected \
          with this message (shown in rejects.csv). Usually placed in a branch of IIF or Switch, \
          which evaluate only the branch they take, so the error fires only for the rows that \
          reach it.",
    params: &[Param::req("message", ParamKind::Str, "Why the row is rejected.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"Switch([WorkerType], Error("unknown worker type"), "Employee", "E", "Contractor", "C")"#,
            columns: &[("WorkerType", "Intern")],
            expected: Expected::Error("unknown worker type"),
            note: "the branch taken fails",
        },
        Example {
            expr: r#"Switch([WorkerType], Error("unknown worker type"), "Employee", "E", "Contractor", "C")"#,
            columns: &[("WorkerType", "Employee")],
            expected: Expected::Text("E"),
            note: "a branch not taken is never evaluated",
        },
    ],
};

impl Function for Error {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let msg = call.text(0)?;
        if msg.trim().is_empty() {
            return fail("Error() was called (with no message)");
        }
        fail(msg.into_owned())
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::support::testutil::*;

    #[test]
    fn fails_with_the_message() {
        assert_eq!(error(r#"Error("Zoë: no manager")"#, &[]), "Zoë: no manager");
        assert_eq!(error(r#"Error(Join(" ", "bad", [x]))"#, &[("x", s("row"))]), "bad row");
        assert!(error("Error([x])", &[]).contains("no message"));
    }
}
