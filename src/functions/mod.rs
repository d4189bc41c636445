//! The built-in functions: one file per function, all behind [`Function`], listed in [`all`].

mod examples;
mod function;

mod append;
mod case;
mod coalesce;
mod iif;
mod join;
mod switch;
mod to_lower;

pub use examples::{example_env, run_example};
pub use function::{
    literal_int, literal_str, same_or_owned, Example, Expected, Function, Param, ParamKind,
    PrepareError, Prepared, Spec,
};
pub use iif::truthy;

/// What every function file imports.
pub(crate) mod prelude {
    pub use super::function::{
        Example, Expected, Function, Param, ParamKind, PrepareError, Prepared, Spec,
    };
    pub use crate::eval::{fail, Call, EvalResult, Flow, Node, Value};
}

/// The registry: a plain list, in alphabetical order.
pub fn all() -> &'static [&'static dyn Function] {
    static ALL: &[&dyn Function] = &[
        &append::Append,
        &coalesce::Coalesce,
        &iif::Iif,
        &join::Join,
        &switch::Switch,
        &to_lower::ToLower,
    ];
    ALL
}

/// Look a function up by name, case-insensitively (reference A1).
pub fn lookup(name: &str) -> Option<&'static dyn Function> {
    all().iter().copied().find(|f| f.spec().name.eq_ignore_ascii_case(name))
}
