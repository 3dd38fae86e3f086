//! Where things are in a TOML scenario file: line numbers of byte offsets and spans, the
//! table and key a line belongs to, for messages that name the line and the field.

/// 1-based line number of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The name of a table header line (`[simulation]` → `simulation`, `[[state]]` → `state`).
fn header_name(line: &str) -> Option<&str> {
    let t = line.trim();
    if !t.starts_with('[') {
        return None;
    }
    let inner = t.trim_start_matches('[');
    let end = inner.find(']')?;
    Some(inner[..end].trim())
}

/// The key a line assigns (`ballots = 3` → `ballots`), if any.
fn key_of(line: &str) -> Option<&str> {
    let t = line.trim();
    if t.starts_with('#') || t.starts_with('[') {
        return None;
    }
    let (k, _) = t.split_once('=')?;
    let k = k.trim().trim_matches('"');
    (!k.is_empty()).then_some(k)
}

/// Best-effort name of the field at byte offset `at`, for TOML syntax and type errors:
/// `[simulation].ballots`, `[[state]].p_yes`, or `` when the offset is outside any key.
pub fn field_at(text: &str, at: usize) -> String {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[start..end];
    if let Some(name) = header_name(line) {
        let open = if line.trim_start().starts_with("[[") {
            "[["
        } else {
            "["
        };
        let close = if open == "[[" { "]]" } else { "]" };
        return format!("{open}{name}{close}");
    }
    let table = text[..start].lines().rev().find_map(|l| {
        header_name(l).map(|name| {
            if l.trim_start().starts_with("[[") {
                format!("[[{name}]]")
            } else {
                format!("[{name}]")
            }
        })
    });
    match (table, key_of(line)) {
        (Some(t), Some(k)) => format!("{t}.{k}"),
        (None, Some(k)) => k.to_string(),
        (Some(t), None) => t,
        (None, None) => String::new(),
    }
}

/// Byte offsets of the starts of the lines of `text` (the first is 0).
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect()
}

/// Line lookups in one scenario text.
pub struct Locator<'a> {
    text: &'a str,
    /// Byte offsets at which lines start (for line numbers in O(log n) per lookup).
    starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    /// Indexes the lines of `text`.
    pub fn new(text: &'a str) -> Locator<'a> {
        Locator {
            text,
            starts: line_starts(text),
        }
    }

    /// 1-based line at which `span` starts.
    pub fn line(&self, span: std::ops::Range<usize>) -> Option<usize> {
        Some(self.starts.partition_point(|&s| s <= span.start))
    }

    /// 1-based line of `key = …` inside the single table `[table]`, if written that way.
    pub fn key_line(&self, table: &str, key: &str) -> Option<usize> {
        let mut inside = false;
        for (i, l) in self.text.lines().enumerate() {
            if let Some(name) = header_name(l) {
                inside = name == table && !l.trim_start().starts_with("[[");
            } else if inside && key_of(l) == Some(key) {
                return Some(i + 1);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_at_names_table_and_key() {
        let t = "[simulation]\nballots = \"x\"\n[[state]]\niso3 = 1\n";
        assert_eq!(field_at(t, t.find("\"x").unwrap()), "[simulation].ballots");
        assert_eq!(field_at(t, t.find("1").unwrap()), "[[state]].iso3");
        assert_eq!(field_at(t, 0), "[simulation]");
        assert_eq!(field_at("# c\nx", 0), "");
        assert_eq!(field_at(t, 10_000), "[[state]]");
        assert_eq!(field_at(t, t.find("state").unwrap()), "[[state]]");
    }

    #[test]
    fn line_of_counts_newlines() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 4), 3);
    }

    #[test]
    fn locator_finds_spans_and_keys() {
        let t = "[members]\nfile = \"m.csv\"\n[[state]]\nfile = 1\n";
        let l = Locator::new(t);
        assert_eq!(l.line(0..1), Some(1));
        assert_eq!(l.line(t.find("[[").unwrap()..t.len()), Some(3));
        assert_eq!(l.key_line("members", "file"), Some(2));
        assert_eq!(l.key_line("state", "file"), None);
    }
}
