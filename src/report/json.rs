//! JSON exporter (layout in `docs/json-schema.md`).

use super::{Exporter, Forecast};
use crate::error::{Error, Result};

/// Pretty-printed JSON with a trailing newline. Floats are printed in shortest round-trip form,
/// so the bytes are a pure function of the forecast.
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn render(&self, f: &Forecast) -> Result<String> {
        let mut s = serde_json::to_string_pretty(f).map_err(|e| Error::Output {
            what: "JSON report".into(),
            message: e.to_string(),
        })?;
        s.push('\n');
        Ok(s)
    }
}
