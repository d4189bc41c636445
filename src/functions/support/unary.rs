//! The bodies that one-argument built-ins share: "NULL in, NULL out, otherwise map the text"
//! and "a test of the value, as a Bool".

use std::borrow::Cow;

use crate::eval::{Call, EvalResult, Flow, Value};

/// NULL stays NULL (without reading any other slot); any other value of slot 0 is taken as
/// text and mapped by `f`, which may read the later slots through `call`.
pub fn map_text<'p: 'r, 'r>(
    call: &mut Call<'_, 'p, 'r>,
    f: impl FnOnce(&mut Call<'_, 'p, 'r>, Cow<'r, str>) -> Result<Cow<'r, str>, Flow>,
) -> EvalResult<'r> {
    let v = call.value(0)?;
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(Value::Str(f(call, v.into_text())?))
}

/// `test` applied to slot 0's value.
pub fn test_value<'p: 'r, 'r>(
    call: &mut Call<'_, 'p, 'r>,
    test: fn(&Value<'r>) -> bool,
) -> EvalResult<'r> {
    Ok(Value::Bool(test(&call.value(0)?)))
}
