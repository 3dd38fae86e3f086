//! Calendar dates of roll calls and the General Assembly session year they fall in.
//!
//! **Period mapping.** A regular session of the General Assembly opens in September (the third
//! Tuesday) and runs until the next one opens; the 1st session opened in 1946, so the session
//! opening in September of year `y` is the `(y − 1945)`th. The model's period is the session
//! year: a vote dated `y-mm-dd` belongs to session `y − 1945` if `mm ≥ 9`, otherwise to
//! `y − 1946`. So 1 Sep 2021 – 31 Aug 2022 is the 76th session, and the emergency special
//! sessions held meanwhile (ES-11, March 2022) count in the regular session of their date.
//! Votes in the first days of September before the new session opens (a handful: e.g.
//! A/RES/74/300–302 on 3 Sep 2020) are thereby counted in the new session year: one period
//! early, which for a random walk over years is immaterial.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date (proleptic Gregorian), ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The date `year-month-day`, if it exists (months 1–12, days within the month, leap
    /// years by the Gregorian rule; years 1000–9999).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1000..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if day == 0 || day > days {
            return None;
        }
        Some(Date {
            year,
            month: month as u8,
            day: day as u8,
        })
    }

    /// Year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Month, 1–12.
    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    /// Day of the month, 1–31.
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// Number of the General Assembly regular session whose year contains this date (see the
    /// module documentation): 76 for 1 Sep 2021 – 31 Aug 2022.
    pub fn session(self) -> i32 {
        if self.month >= 9 {
            self.year - 1945
        } else {
            self.year - 1946
        }
    }

    /// Days since 1970-01-01 (negative before), by the proleptic Gregorian calendar.
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Years from `earlier` to `self` (days / 365.25; negative if `earlier` is later).
    pub fn years_since(self, earlier: Date) -> f64 {
        (self.days() - earlier.days()) as f64 / 365.25
    }

    /// The day before (`None` before the year 1000).
    pub fn previous_day(self) -> Option<Date> {
        if self.day > 1 {
            return Date::new(self.year, self.month(), self.day() - 1);
        }
        let (y, m) = if self.month > 1 {
            (self.year, self.month() - 1)
        } else {
            (self.year - 1, 12)
        };
        (28..=31).rev().find_map(|d| Date::new(y, m, d))
    }

    /// First day of session `session`'s year: 1 September of year `session + 1945`.
    pub fn session_start(session: i32) -> Option<Date> {
        Date::new(session + 1945, 9, 1)
    }

    /// Last day of session `session`'s year: 31 August of year `session + 1946`.
    pub fn session_end(session: i32) -> Option<Date> {
        Date::new(session + 1946, 8, 31)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Why a date string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(String);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected a date YYYY-MM-DD, got {:?}",
            self.0.chars().take(40).collect::<String>()
        )
    }
}

impl std::error::Error for DateError {}

impl FromStr for Date {
    type Err = DateError;

    /// Parses exactly `YYYY-MM-DD` (ASCII digits, zero-padded).
    fn from_str(s: &str) -> Result<Date, DateError> {
        let b = s.as_bytes();
        let err = || DateError(s.to_string());
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let (y, m, d) = (num(0..4), num(5..7), num(8..10));
        match (y, m, d) {
            (Some(y), Some(m), Some(d)) => Date::new(y as i32, m, d).ok_or_else(err),
            _ => Err(err()),
        }
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_iso_dates() {
        let d: Date = "2022-10-12".parse().unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2022, 10, 12));
        assert_eq!(d.to_string(), "2022-10-12");
        assert!("2022-02-29".parse::<Date>().is_err());
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("1900-02-29".parse::<Date>().is_err());
        assert!("2000-02-29".parse::<Date>().is_ok());
        for bad in [
            "2022-1-12",
            "2022/10/12",
            "20221012",
            "2022-13-01",
            "2022-00-10",
            "x",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn sessions_start_in_september() {
        let s = |x: &str| x.parse::<Date>().unwrap().session();
        assert_eq!(s("1991-10-16"), 46);
        assert_eq!(s("2021-08-31"), 75);
        assert_eq!(s("2021-09-01"), 76);
        assert_eq!(s("2022-03-02"), 76);
        assert_eq!(s("2022-10-12"), 77);
        assert_eq!(Date::session_start(76).unwrap().to_string(), "2021-09-01");
        assert_eq!(Date::session_end(76).unwrap().to_string(), "2022-08-31");
        let prev = |x: &str| {
            x.parse::<Date>()
                .unwrap()
                .previous_day()
                .unwrap()
                .to_string()
        };
        assert_eq!(prev("2022-03-24"), "2022-03-23");
        assert_eq!(prev("2022-03-01"), "2022-02-28");
        assert_eq!(prev("2024-03-01"), "2024-02-29");
        assert_eq!(prev("2022-01-01"), "2021-12-31");
        let d = |x: &str| x.parse::<Date>().unwrap();
        assert_eq!(d("1970-01-01").days(), 0);
        assert_eq!(d("2000-03-01").days(), 11_017);
        assert_eq!(d("2022-10-12").days() - d("2022-03-02").days(), 224);
        assert!((d("2022-03-02").years_since(d("2021-03-02")) - 365.0 / 365.25).abs() < 1e-12);
    }
}
