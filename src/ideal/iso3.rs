//! ISO 3166-1 alpha-3 codes as the history uses them (one per seat: `RUS` for the USSR in
//! 1991, `SRB` for Serbia and Montenegro, …).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 3166-1 alpha-3 code: three ASCII upper-case letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Iso3([u8; 3]);

impl Iso3 {
    /// The code, if `s` is exactly three ASCII upper-case letters.
    pub fn new(s: &str) -> Option<Iso3> {
        Iso3::from_bytes(s.as_bytes())
    }

    /// As [`Iso3::new`], from bytes.
    pub fn from_bytes(b: &[u8]) -> Option<Iso3> {
        match b {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => {
                Some(Iso3([*a, *b, *c]))
            }
            _ => None,
        }
    }

    /// A dense index of the code in `0..26³` (for lookup tables).
    pub fn slot(&self) -> usize {
        self.0
            .iter()
            .fold(0usize, |acc, &c| acc * 26 + usize::from(c - b'A'))
    }

    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        // The three bytes are ASCII letters (checked by every constructor).
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Iso3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Iso3 {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Iso3 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Iso3, D::Error> {
        let s = String::deserialize(d)?;
        Iso3::new(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected an ISO 3166-1 alpha-3 code (three upper-case letters), got {s:?}"
            ))
        })
    }
}
