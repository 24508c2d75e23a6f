//! The durations and times the flags take (`20m`, `1h`, `30s`, `now+20m`,
//! `@SECS`). Dates and gaps for humans are the library's
//! (`barejwt::explain::date`, `barejwt::explain::gap`).

use barejwt::explain::DAY;

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
