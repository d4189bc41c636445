//! `DefaultDomain()`: the tenant's default verified domain, from the run's settings.

use std::borrow::Cow;

use super::prelude::*;

pub struct DefaultDomain;

static SPEC: Spec = Spec {
    name: "DefaultDomain",
    summary: "Returns the tenant's default verified domain.",
    doc: "hr2scim cannot ask the tenant, so the domain comes from --default-domain. Without it \
          the evaluation fails, as Entra's does for a tenant with no default domain.",
    params: &[],
    min_args: 0,
    max_args: Some(0),
    top_level_only: false,
    examples: &[Example {
        expr: r#"Join("@", [mailNickname], DefaultDomain())"#,
        columns: &[("mailNickname", "jdoe")],
        expected: Expected::Text("jdoe@contoso.com"),
        note: "REF-LIVE (the examples run with --default-domain contoso.com)",
    }],
};

impl Function for DefaultDomain {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        match call.env().default_domain.as_deref() {
            Some(d) if !d.is_empty() => Ok(Value::Str(Cow::Borrowed(d))),
            _ => fail(
                "DefaultDomain() has no domain to return: pass the tenant's default verified \
                 domain with --default-domain (for example --default-domain contoso.com)",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::{Env, Flow};
    use crate::functions::support::examples::example_env;
    use crate::functions::support::testutil::*;

    #[test]
    fn reads_the_env() {
        let env = Env { default_domain: Some("fabrikam.onmicrosoft.com".into()), ..example_env() };
        assert_eq!(eval_in(&env, "DefaultDomain()", &[]), Ok(s("fabrikam.onmicrosoft.com")));
    }

    #[test]
    fn missing_domain_fails_with_a_hint() {
        let env = Env { default_domain: None, ..example_env() };
        match eval_in(&env, "DefaultDomain()", &[]) {
            Err(Flow::Error(m)) => assert!(m.contains("--default-domain"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn takes_no_arguments() {
        assert!(compile_error(r#"DefaultDomain("x")"#).contains("takes no arguments"));
    }
}
