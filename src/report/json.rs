//! JSON output: pretty-printed with a trailing newline. Floats are printed in shortest
//! round-trip form, so the bytes are a pure function of the result. The layout of a forecast
//! is documented in `docs/json-schema.md`, that of the tuning results in `docs/tuning.md`.

use serde::Serialize;

use crate::error::{Error, Result};

/// `value` as pretty-printed JSON with a trailing newline; `what` names it in errors.
pub fn pretty<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| Error::Output {
        what: format!("JSON {what}"),
        message: e.to_string(),
    })?;
    s.push('\n');
    Ok(s)
}
