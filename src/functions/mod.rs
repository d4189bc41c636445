//! The built-in functions: one file per function, all behind [`Function`], listed in [`all`].
//! What the built-ins share and is not itself a built-in lives in `support`.

mod support;

mod append;
mod bit_and;
mod c_bool;
mod c_str;
mod cdate;
mod coalesce;
mod convert_from_base64;
mod convert_to_base64;
mod convert_to_utf8_hex;
mod count;
mod date_add;
mod date_diff;
mod date_from_num;
mod default_domain;
mod error;
mod format_date_time;
mod guid;
mod ignore_flow_if_null_or_empty;
mod iif;
mod in_str;
mod is_null;
mod is_null_or_empty;
mod is_present;
mod is_string;
mod item;
mod join;
mod left;
mod len;
mod mid;
mod normalize_diacritics;
mod not;
mod now;
mod num_from_date;
mod p_case;
mod random_string;
mod redact;
mod remove_duplicates;
mod replace;
mod select_unique_value;
mod split;
mod strip_spaces;
mod switch;
mod to_lower;
mod to_upper;
mod trim;
mod word;

pub use crate::eval::{
    literal_int, literal_str, Example, Expected, Function, Param, ParamKind, PrepareError,
    Prepared, Spec,
};
pub use iif::truthy;
pub use normalize_diacritics::normalize_diacritics;
pub use p_case::pcase;
pub use select_unique_value::UniqueRegistry;
pub use strip_spaces::strip_spaces;
pub use support::text::same_or_owned;

/// What every function file imports.
pub(crate) mod prelude {
    pub use crate::eval::{
        fail, Call, EvalResult, Example, Expected, Flow, Function, Node, Param, ParamKind,
        PrepareError, Prepared, Spec, Value,
    };
}

/// The registry: a plain list, in alphabetical order.
pub fn all() -> &'static [&'static dyn Function] {
    static ALL: &[&dyn Function] = &[
        &append::Append,
        &bit_and::BitAnd,
        &c_bool::CBool,
        &cdate::CDate,
        &coalesce::Coalesce,
        &convert_from_base64::ConvertFromBase64,
        &convert_to_base64::ConvertToBase64,
        &convert_to_utf8_hex::ConvertToUtf8Hex,
        &count::Count,
        &c_str::CStr,
        &date_add::DateAdd,
        &date_diff::DateDiff,
        &date_from_num::DateFromNum,
        &default_domain::DefaultDomain,
        &error::Error,
        &format_date_time::FormatDateTime,
        &guid::Guid,
        &ignore_flow_if_null_or_empty::IgnoreFlowIfNullOrEmpty,
        &iif::Iif,
        &in_str::InStr,
        &is_null::IsNull,
        &is_null_or_empty::IsNullOrEmpty,
        &is_present::IsPresent,
        &is_string::IsString,
        &item::Item,
        &join::Join,
        &left::Left,
        &len::Len,
        &mid::Mid,
        &normalize_diacritics::NormalizeDiacritics,
        &not::Not,
        &now::Now,
        &num_from_date::NumFromDate,
        &p_case::PCase,
        &random_string::RandomString,
        &redact::Redact,
        &remove_duplicates::RemoveDuplicates,
        &replace::Replace,
        &select_unique_value::SelectUniqueValue,
        &split::Split,
        &strip_spaces::StripSpaces,
        &switch::Switch,
        &to_lower::ToLower,
        &to_upper::ToUpper,
        &trim::Trim,
        &word::Word,
    ];
    ALL
}

/// Look a function up by name, case-insensitively (reference A1).
pub fn lookup(name: &str) -> Option<&'static dyn Function> {
    all().iter().copied().find(|f| f.spec().name.eq_ignore_ascii_case(name))
}
