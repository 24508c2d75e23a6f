//! Times for humans: a NumericDate as a UTC calendar date, a gap as "320
//! days".
//!
//! > NumericDate: A JSON numeric value representing the number of seconds
//! > from 1970-01-01T00:00:00Z UTC until the specified UTC date/time,
//! > ignoring leap seconds.
//! > — [RFC 7519 §2]
//!
//! Ignoring leap seconds makes every day 86 400 seconds, so the calendar
//! date is plain arithmetic: Howard Hinnant's `civil_from_days`
//! (<https://howardhinnant.github.io/date_algorithms.html>), proleptic
//! Gregorian.
//!
//! # Left out on purpose
//!
//! Time zones (everything is UTC) and dates beyond year ±1 000 000, which
//! are shown as "far in the future" or "far in the past".
//!
//! [RFC 7519 §2]: https://www.rfc-editor.org/rfc/rfc7519#section-2

/// Seconds in a day: every day, since NumericDate ignores leap seconds.
pub const DAY: i64 = 86_400;

/// Beyond this many seconds either side of 1970 we do not print a date
/// (about year ±1 000 000; also keeps the arithmetic far from overflow).
const MAX_SECS: f64 = 3.0e13;

/// (year, month 1-12, day 1-31) of the `z`-th day after 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    // Shift the epoch to 0000-03-01, so that leap days end each 4-, 100-
    // and 400-year cycle ("era" = 400 years = 146 097 days).
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1
    let mp = (5 * doy + 2) / 153; // month from March, [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2026-01-11 11:54:12 UTC`, or a phrase when the value is out of range.
/// Fractions of a second are cut (the date of 1.9 is 1970-01-01 00:00:01).
pub fn date(secs: f64) -> String {
    if secs.is_nan() {
        return "not a number".into();
    }
    if secs > MAX_SECS {
        return "far in the future".into();
    }
    if secs < -MAX_SECS {
        return "far in the past".into();
    }
    let secs = secs.floor() as i64;
    let (days, rem) = (secs.div_euclid(DAY), secs.rem_euclid(DAY));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A gap in seconds as "1 second", "20 minutes", "5 hours", "320 days":
/// the largest unit that fits at least once (hours up to two days).
pub fn gap(secs: f64) -> String {
    let s = secs.abs();
    if !s.is_finite() || s > MAX_SECS {
        return "an unimaginable time".into();
    }
    let s = s.floor() as i64;
    let (n, unit) = match s {
        0..60 => (s, "second"),
        60..3600 => (s / 60, "minute"),
        3600..172_800 => (s / 3600, "hour"),
        _ => (s / DAY, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_known_instants() {
        assert_eq!(date(0.0), "1970-01-01 00:00:00 UTC");
        assert_eq!(date(1768132452.0), "2026-01-11 11:54:12 UTC");
        assert_eq!(date(951_782_400.0), "2000-02-29 00:00:00 UTC");
        assert_eq!(date(-1.0), "1969-12-31 23:59:59 UTC");
        assert_eq!(date(1.9), "1970-01-01 00:00:01 UTC");
        assert_eq!(date(253_402_300_799.0), "9999-12-31 23:59:59 UTC");
    }

    #[test]
    fn absurd_dates_are_phrases_not_panics() {
        assert_eq!(date(f64::INFINITY), "far in the future");
        assert_eq!(date(-1e300), "far in the past");
        assert_eq!(date(f64::NAN), "not a number");
        assert_eq!(gap(f64::INFINITY), "an unimaginable time");
    }

    #[test]
    fn gaps_use_the_largest_unit() {
        assert_eq!(gap(1.0), "1 second");
        assert_eq!(gap(-59.0), "59 seconds");
        assert_eq!(gap(1200.0), "20 minutes");
        assert_eq!(gap(7200.0), "2 hours");
        assert_eq!(gap(320.0 * 86400.0 + 5.0), "320 days");
    }
}
