//! Times for humans: a NumericDate as a UTC calendar date, a gap as "320
//! days", and the durations the flags take (`20m`, `1h`, `30s`).
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
const DAY: i64 = 86_400;

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

/// Parses a duration: a whole number with an optional unit `s`, `m`,
/// `h`, `d` or `w` (`90`, `90s`, `20m`, `1h`, `7d`).
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let bad = || {
        format!("{text:?} is not a duration (a whole number with an optional unit s, m, h, d, w)")
    };
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: i64 = digits.parse().map_err(|_| bad())?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => return Err(bad()),
    };
    n.checked_mul(scale).ok_or_else(bad)
}

/// Parses a time flag (`--exp`, `--nbf`, `--iat`): `now`, `now+20m`,
/// `now-5m`, `+20m` or `20m` (from now), `-5m` (before now), or `@SECS`,
/// an absolute NumericDate.
pub fn parse_when(text: &str, now: i64) -> Result<i64, String> {
    let rest = text.strip_prefix("now").unwrap_or(text);
    if rest.is_empty() {
        return Ok(now);
    }
    if let Some(abs) = rest.strip_prefix('@') {
        return abs
            .parse()
            .map_err(|_| format!("{text:?}: expected @ and whole seconds since 1970"));
    }
    let (sign, d) = match rest.strip_prefix('-') {
        Some(d) => (-1, d),
        None => (1, rest.strip_prefix('+').unwrap_or(rest)),
    };
    let d = parse_duration(d).map_err(|e| format!("{e}; or now, or @SECS"))?;
    now.checked_add(sign * d)
        .ok_or_else(|| format!("{text:?} is out of range"))
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

    #[test]
    fn durations_and_time_flags() {
        assert_eq!(parse_duration("20m"), Ok(1200));
        assert_eq!(parse_duration("90"), Ok(90));
        assert!(parse_duration("20x").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("99999999999999999w").is_err());
        assert_eq!(parse_when("now", 100), Ok(100));
        assert_eq!(parse_when("20m", 100), Ok(1300));
        assert_eq!(parse_when("now+1m", 100), Ok(160));
        assert_eq!(parse_when("-1m", 100), Ok(40));
        assert_eq!(parse_when("@5", 100), Ok(5));
        assert!(parse_when("tomorrow", 100).is_err());
    }
}
