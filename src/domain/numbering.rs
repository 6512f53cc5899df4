//! Human numbers (work orders, lab IDs): patterns like `{prefix}-{yyyymm}-{seq:05}`.
//! The pattern without its sequence part names the counter, so numbering restarts each period.
use chrono::{DateTime, Datelike};
use chrono_tz::Tz;

/// A parsed numbering pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: String,
}

/// The default work-order pattern.
pub const WORK_ORDER: &str = "WO-{yyyy}-{seq:05}";
/// The batch pattern.
pub const BATCH: &str = "BAT-{yyyy}-{seq:05}";
/// The default lab-ID pattern of a matrix.
pub const LAB_ID: &str = "{prefix}-{yyyymm}-{seq:05}";

impl Pattern {
    /// Checks that the pattern has exactly one `{seq}` / `{seq:0N}` and only known tokens.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let mut seqs = 0;
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let end = rest[start..]
                .find('}')
                .ok_or_else(|| format!("unclosed '{{' in pattern '{text}'"))?
                + start;
            let token = &rest[start + 1..end];
            match token {
                "prefix" | "yyyy" | "yy" | "mm" | "yyyymm" | "dd" => {}
                t if t == "seq"
                    || t.strip_prefix("seq:0")
                        .is_some_and(|w| w.parse::<u8>().is_ok_and(|w| (1..=12).contains(&w))) =>
                {
                    seqs += 1
                }
                other => return Err(format!("unknown token {{{other}}} in pattern '{text}'")),
            }
            rest = &rest[end + 1..];
        }
        if seqs != 1 {
            return Err(format!(
                "pattern '{text}' needs exactly one {{seq}} or {{seq:0N}}"
            ));
        }
        Ok(Pattern {
            text: text.to_string(),
        })
    }

    fn fill(&self, prefix: &str, at: DateTime<Tz>, seq: Option<u64>) -> String {
        let mut out = String::new();
        let mut rest = self.text.as_str();
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find('}')
                .map(|e| e + start)
                .unwrap_or(rest.len() - 1);
            let token = &rest[start + 1..end];
            match token {
                "prefix" => out.push_str(prefix),
                "yyyy" => out.push_str(&format!("{:04}", at.year())),
                "yy" => out.push_str(&format!("{:02}", at.year() % 100)),
                "mm" => out.push_str(&format!("{:02}", at.month())),
                "dd" => out.push_str(&format!("{:02}", at.day())),
                "yyyymm" => out.push_str(&format!("{:04}{:02}", at.year(), at.month())),
                t => match seq {
                    None => out.push_str("{seq}"),
                    Some(n) => {
                        let width = t
                            .strip_prefix("seq:0")
                            .and_then(|w| w.parse::<usize>().ok())
                            .unwrap_or(0);
                        out.push_str(&format!("{n:0width$}"));
                    }
                },
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The counter this pattern draws from at `at` (the pattern with period and prefix filled in).
    pub fn counter_key(&self, prefix: &str, at: DateTime<Tz>) -> String {
        self.fill(prefix, at, None)
    }

    /// The number for sequence value `seq`.
    pub fn render(&self, prefix: &str, at: DateTime<Tz>, seq: u64) -> String {
        self.fill(prefix, at, Some(seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Tz> {
        chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(2026, 11, 28, 9, 30, 0)
            .unwrap()
    }

    #[test]
    fn default_patterns() {
        let wo = Pattern::parse(WORK_ORDER).unwrap();
        assert_eq!(wo.render("", at(), 12), "WO-2026-00012");
        assert_eq!(wo.counter_key("", at()), "WO-2026-{seq}");
        let lab = Pattern::parse(LAB_ID).unwrap();
        assert_eq!(lab.render("GW", at(), 31), "GW-202611-00031");
        assert_eq!(lab.counter_key("GW", at()), "GW-202611-{seq}");
        assert_eq!(lab.render("SO", at(), 123456), "SO-202611-123456");
    }

    #[test]
    fn bad_patterns_are_refused() {
        assert!(Pattern::parse("WO-{yyyy}").is_err());
        assert!(Pattern::parse("{seq}{seq}").is_err());
        assert!(Pattern::parse("{prefix}-{bogus}-{seq}").is_err());
        assert!(Pattern::parse("{prefix-{seq}").is_err());
        assert!(Pattern::parse("{seq:099}").is_err());
    }
}
