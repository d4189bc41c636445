//! The built-in functions: one file per function, all behind [`Function`], listed in [`all`].

mod examples;
mod function;

mod append;
mod case;
mod cdate;
mod coalesce;
mod date_add;
mod date_diff;
mod date_from_num;
mod date_parse;
mod dates;
mod format_date_time;
mod iif;
mod join;
mod net_format;
mod net_parse;
mod net_regex;
mod now;
mod num_from_date;
mod replace;
mod replace_examples;
mod select_unique_value;
mod switch;
#[cfg(test)]
mod test_eval;
mod to_lower;

pub use examples::{example_env, run_example};
pub use function::{
    literal_int, literal_str, same_or_owned, Example, Expected, Function, Param, ParamKind,
    PrepareError, Prepared, Spec,
};
pub use iif::truthy;
pub use select_unique_value::UniqueRegistry;

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
        &cdate::CDate,
        &coalesce::Coalesce,
        &date_add::DateAdd,
        &date_diff::DateDiff,
        &date_from_num::DateFromNum,
        &format_date_time::FormatDateTime,
        &iif::Iif,
        &join::Join,
        &now::Now,
        &num_from_date::NumFromDate,
        &replace::Replace,
        &select_unique_value::SelectUniqueValue,
        &switch::Switch,
        &to_lower::ToLower,
    ];
    ALL
}

/// Look a function up by name, case-insensitively (reference A1).
pub fn lookup(name: &str) -> Option<&'static dyn Function> {
    all().iter().copied().find(|f| f.spec().name.eq_ignore_ascii_case(name))
}
