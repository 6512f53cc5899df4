//! Times as people type them: RFC 3339, or a local `2026-11-28 09:30` / `2026/11/28 9:30` in the lab's zone.
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SubsecRound, TimeZone, Utc};
use chrono_tz::Tz;

/// The current time at the precision both databases keep (microseconds), so what a write answers
/// is what later reads show.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Parses a time; one without an offset is read in `tz`. Finer than microseconds is dropped
/// (PostgreSQL keeps no more), so a stored time reads back as it was accepted.
pub fn parse(text: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc).trunc_subsecs(6));
    }
    let normalised = t.replace('/', "-").replace('T', " ");
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(&normalised, fmt) {
            return tz
                .from_local_datetime(&naive)
                .earliest()
                .map(|d| d.with_timezone(&Utc))
                .ok_or_else(|| format!("'{text}' does not exist in time zone {tz}"));
        }
    }
    Err(format!(
        "'{text}' is not a time (write 2026-11-28 09:30, 2026/11/28 9:30 or RFC 3339)"
    ))
}

/// Parses a time that must not lie in the future (5 minutes of clock skew allowed) nor before 1990.
pub fn parse_past(text: &str, tz: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = parse(text, tz)?;
    if t > now + Duration::minutes(5) {
        return Err(format!("'{text}' is in the future"));
    }
    if t < Utc
        .with_ymd_and_hms(1990, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(t)
    {
        return Err(format!("'{text}' is before 1990"));
    }
    Ok(t)
}

/// Parses a calendar date `2026-12-31` (or with slashes).
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(&text.trim().replace('/', "-"), "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date (write 2026-12-31)"))
}

/// A time shown in the lab's zone, to the minute.
pub fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SH: Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn local_forms_are_read_in_the_lab_zone() {
        let a = parse("2026-11-28 09:30", SH).unwrap();
        let b = parse("2026/11/28 9:30", SH).unwrap();
        let c = parse("2026-11-28T01:30:00Z", SH).unwrap();
        assert_eq!(a, c);
        assert_eq!(b, c);
        assert_eq!(local(c, SH), "2026-11-28 09:30");
        assert!(parse("28.11.2026", SH).is_err());
        assert!(parse("2026-13-01 00:00", SH).is_err());
        let fine = parse("2026-11-28T01:30:00.123456789Z", SH).unwrap();
        assert_eq!(fine.to_rfc3339(), "2026-11-28T01:30:00.123456+00:00");
    }

    #[test]
    fn future_times_are_refused() {
        let now = parse("2026-11-28 12:00", SH).unwrap();
        assert!(parse_past("2026-11-28 12:04", SH, now).is_ok());
        assert!(parse_past("2026-11-29 12:00", SH, now).is_err());
        assert!(parse_past("1980-01-01 00:00", SH, now).is_err());
    }
}
