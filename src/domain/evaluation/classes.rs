//! Water quality classes per indicator (GB/T 14848-2017 groundwater, GB 3838-2002 surface water).
use super::units::convert;
use super::{
    groundwater, join_notes, limit_number, not_judged, surface, Context, Input, LimitRow, Measured,
    Outcome, Verdict, GB3838, GBT14848,
};
use rust_decimal::Decimal;

/// Which class standard: they differ in what lies past the class V limit and which rows apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scheme {
    /// GB/T 14848-2017: class V is "> class IV", so nothing lies past it.
    Groundwater,
    /// GB 3838-2002: class V is a limit of its own; past it is 劣Ⅴ类 (class 6).
    Surface,
}

impl Scheme {
    fn code(self) -> &'static str {
        match self {
            Scheme::Groundwater => GBT14848,
            Scheme::Surface => GB3838,
        }
    }

    /// The class of a value that meets no class's limit.
    fn beyond(self) -> u8 {
        match self {
            Scheme::Groundwater => 5,
            Scheme::Surface => 6,
        }
    }
}

/// "Ⅲ类" / "Class III"; 6 → "劣Ⅴ类" / "Worse than Class V".
pub(super) fn class_labels(class: u8) -> (String, String) {
    const ZH: [&str; 5] = ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ"];
    const EN: [&str; 5] = ["I", "II", "III", "IV", "V"];
    let i = usize::from(class.saturating_sub(1));
    match (ZH.get(i), EN.get(i)) {
        (Some(zh), Some(en)) if class >= 1 => (format!("{zh}类"), format!("Class {en}")),
        _ => ("劣Ⅴ类".to_string(), "Worse than Class V".to_string()),
    }
}

/// What a class row asks of a result.
enum Criterion<'a> {
    /// Bounds in `unit`: (limit, inclusive); either may be open.
    Bounds {
        unit: &'a str,
        lower: Option<(Decimal, bool)>,
        upper: Option<(Decimal, bool)>,
    },
    /// A text such as 无, 有 or 不得检出.
    Text(&'a str),
}

struct ClassRow<'a> {
    class: u8,
    criterion: Criterion<'a>,
}

/// The class a `category` names, `class_I`…`class_V` → 1–5.
fn class_of(category: &str) -> Option<u8> {
    match category.trim() {
        "class_I" => Some(1),
        "class_II" => Some(2),
        "class_III" => Some(3),
        "class_IV" => Some(4),
        "class_V" => Some(5),
        _ => None,
    }
}

/// A row's criterion: its bounds (a bare `value` counts as an inclusive upper limit; a bound
/// without its inclusiveness is inclusive), else its text. `None`: not a class row, or empty.
fn parse(row: &LimitRow) -> Result<Option<ClassRow<'_>>, String> {
    let Some(class) = class_of(&row.category) else {
        return Ok(None);
    };
    let lower = limit_number(row.lower.as_deref(), "lower")?;
    let upper = match limit_number(row.upper.as_deref(), "upper")? {
        Some(u) => Some(u),
        None => limit_number(row.value.as_deref(), "value")?,
    };
    let criterion = if lower.is_some() || upper.is_some() {
        Criterion::Bounds {
            unit: &row.unit,
            lower: lower.map(|l| (l, row.lower_inclusive.unwrap_or(true))),
            upper: upper.map(|u| (u, row.upper_inclusive.unwrap_or(true))),
        }
    } else {
        match row.text.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => Criterion::Text(t),
            _ => return Ok(None),
        }
    };
    Ok(Some(ClassRow { class, criterion }))
}

/// Whether `x` lies within the bounds.
fn within(x: Decimal, lower: Option<(Decimal, bool)>, upper: Option<(Decimal, bool)>) -> bool {
    let above = lower.is_none_or(|(l, inc)| if inc { x >= l } else { x > l });
    let below = upper.is_none_or(|(u, inc)| if inc { x <= u } else { x < u });
    above && below
}

/// The best class (I first: equal limits → the better class, 从优不从劣) one of whose rows
/// `meets`; `None` when no class's row does.
fn best_class(
    rows: &[ClassRow<'_>],
    meets: impl Fn(&Criterion<'_>) -> Result<bool, String>,
) -> Result<Option<u8>, String> {
    for class in 1..=5 {
        for row in rows.iter().filter(|r| r.class == class) {
            if meets(&row.criterion)? {
                return Ok(Some(class));
            }
        }
    }
    Ok(None)
}

enum Judged {
    Class(u8),
    /// A non-detect no worse than this class.
    AtBest(u8),
}

/// Judges one result by the class limits of `scheme`.
pub(super) fn evaluate(
    scheme: Scheme,
    input: &Input<'_>,
    limits: &[LimitRow],
    ctx: &Context,
) -> Verdict {
    let standard = scheme.code();
    let class_rows = limits.iter().filter(|r| r.kind == "class_limit");
    let rows: Vec<&LimitRow> = match scheme {
        Scheme::Groundwater => class_rows.collect(),
        Scheme::Surface => match surface::applicable(class_rows.collect(), ctx) {
            Ok(rows) => rows,
            Err(why) => return not_judged(standard, Vec::new(), Vec::new(), why),
        },
    };
    let used: Vec<LimitRow> = rows.iter().map(|r| (*r).clone()).collect();
    let mut parsed = Vec::new();
    for row in &rows {
        match parse(row) {
            Ok(Some(r)) => parsed.push(r),
            Ok(None) => {}
            Err(why) => return not_judged(standard, used, Vec::new(), why),
        }
    }
    let numeric = parsed
        .iter()
        .any(|r| matches!(r.criterion, Criterion::Bounds { .. }));
    if parsed.is_empty() || (scheme == Scheme::Surface && !numeric) {
        let text = rows.iter().find_map(|r| r.text.as_deref());
        let why = match text {
            Some(t) => format!("no numeric class limit ({t}): not classed"),
            None => "no class limit applies".to_string(),
        };
        return not_judged(standard, used, Vec::new(), why);
    }
    let judged = match &input.measured {
        Measured::Value(v) => by_value(scheme, &parsed, *v, input.unit),
        Measured::NotDetected { limit } => by_non_detect(scheme, &parsed, *limit, input.unit),
        Measured::Text(t) => by_text(&parsed, t),
    };
    let mut notes = Vec::new();
    let (outcome, class, classifiable, exceeds, (label_zh, label_en)) = match judged {
        Ok(Judged::Class(c)) => {
            if scheme == Scheme::Groundwater {
                notes.extend(groundwater::note(input.analyte, c));
            }
            (Outcome::Class, c, true, c > 3, class_labels(c))
        }
        Ok(Judged::AtBest(c)) => {
            notes.push(
                "检出限高于Ⅰ类限值，不参与分类 / detection limit above the class I limit: \
                 not classifiable"
                    .to_string(),
            );
            let (zh, en) = class_labels(c);
            (
                Outcome::AtBest,
                c,
                false,
                false,
                (format!("≤{zh}"), format!("≤ {en}")),
            )
        }
        Err(why) => return not_judged(standard, used, notes, why),
    };
    Verdict {
        standard: standard.to_string(),
        outcome,
        class: Some(class),
        exceeds,
        classifiable,
        label_zh,
        label_en,
        limits: used,
        note: join_notes(notes),
    }
}

/// A number: the best class whose bounds hold it; none → class V (GB/T 14848) or 劣Ⅴ类.
fn by_value(
    scheme: Scheme,
    rows: &[ClassRow<'_>],
    v: Decimal,
    unit: &str,
) -> Result<Judged, String> {
    if !rows
        .iter()
        .any(|r| matches!(r.criterion, Criterion::Bounds { .. }))
    {
        return Err("numeric result, but the class limits are text only".to_string());
    }
    let class = best_class(rows, |c| match c {
        Criterion::Bounds {
            unit: to,
            lower,
            upper,
        } => Ok(within(convert(v, unit, to)?, *lower, *upper)),
        Criterion::Text(_) => Ok(false),
    })?;
    Ok(Judged::Class(class.unwrap_or(scheme.beyond())))
}

/// A non-detect lies anywhere from zero to its detection limit. It is class I when it meets
/// class I: text 不得检出, or an upper limit the detection limit meets. Otherwise it is no worse
/// than the class the detection limit itself would be. A minimum or a range (DO, pH) cannot
/// judge a non-detect.
fn by_non_detect(
    scheme: Scheme,
    rows: &[ClassRow<'_>],
    dl: Decimal,
    unit: &str,
) -> Result<Judged, String> {
    let mut class_one = false;
    for row in rows.iter().filter(|r| r.class == 1) {
        class_one |= match &row.criterion {
            Criterion::Bounds { lower: Some(_), .. } => {
                return Err("non-detect: not comparable with a minimum or a range limit".into());
            }
            Criterion::Bounds {
                unit: to,
                lower: None,
                upper,
            } => within(convert(dl, unit, to)?, None, *upper),
            Criterion::Text(t) => *t == "不得检出",
        };
    }
    if class_one {
        return Ok(Judged::Class(1));
    }
    if !rows
        .iter()
        .any(|r| matches!(r.criterion, Criterion::Bounds { .. }))
    {
        return Err("non-detect: not comparable with text class limits".to_string());
    }
    match by_value(scheme, rows, dl, unit)? {
        Judged::Class(c) | Judged::AtBest(c) => Ok(Judged::AtBest(c)),
    }
}

/// A text result (无/有): the best class whose text it is.
fn by_text(rows: &[ClassRow<'_>], t: &str) -> Result<Judged, String> {
    if !rows
        .iter()
        .any(|r| matches!(r.criterion, Criterion::Text(_)))
    {
        return Err(format!(
            "text result '{t}': not comparable with numeric class limits"
        ));
    }
    let t = t.trim();
    match best_class(rows, |c| Ok(matches!(c, Criterion::Text(x) if *x == t)))? {
        Some(class) => Ok(Judged::Class(class)),
        None => Err(format!("text result '{t}' matches no class limit")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_rows::d;
    use super::{class_labels, within};

    #[test]
    fn labels() {
        let cases = [
            (1, "Ⅰ类", "Class I"),
            (2, "Ⅱ类", "Class II"),
            (3, "Ⅲ类", "Class III"),
            (4, "Ⅳ类", "Class IV"),
            (5, "Ⅴ类", "Class V"),
            (6, "劣Ⅴ类", "Worse than Class V"),
        ];
        for (class, zh, en) in cases {
            assert_eq!(class_labels(class), (zh.to_string(), en.to_string()));
        }
    }

    #[test]
    fn bounds() {
        let b = |x: &str, inc| Some((d(x), inc));
        let cases = [
            ("6.5", b("6.5", true), b("8.5", true), true),
            ("8.5", b("6.5", true), b("8.5", true), true),
            ("6.5", b("5.5", true), b("6.5", false), false),
            ("5.5", b("5.5", true), b("6.5", false), true),
            ("9.0", b("8.5", false), b("9.0", true), true),
            ("8.5", b("8.5", false), b("9.0", true), false),
            ("0.50", None, b("0.5", true), true),
            ("0.5", b("0.5", false), None, false),
            ("0.5001", b("0.5", false), None, true),
            ("7.5", b("7.5", true), None, true),
            ("-1", None, None, true),
        ];
        for (x, lower, upper, holds) in cases {
            assert_eq!(within(d(x), lower, upper), holds, "{x} {lower:?} {upper:?}");
        }
    }
}
