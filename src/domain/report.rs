//! A test report's content (the snapshot taken at draft time and printed) and its life cycle.
use super::evaluation::{Summary, Verdict};
use serde::{Deserialize, Serialize};

/// A report: `draft → issued → superseded`; a draft nobody will issue may be `discarded`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Issued,
    Superseded,
    Discarded,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Issued => "issued",
            ReportStatus::Superseded => "superseded",
            ReportStatus::Discarded => "discarded",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        [
            ReportStatus::Draft,
            ReportStatus::Issued,
            ReportStatus::Superseded,
            ReportStatus::Discarded,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// The state after `event`, or why it cannot happen.
    pub fn transition(self, event: ReportEvent) -> Result<ReportStatus, String> {
        use ReportEvent as E;
        use ReportStatus as S;
        match (self, event) {
            (S::Draft, E::Issue) => Ok(S::Issued),
            (S::Draft, E::Discard) => Ok(S::Discarded),
            (S::Issued, E::Supersede) => Ok(S::Superseded),
            (S::Draft, _) => Err("the report is a draft: it has not been issued".into()),
            (S::Issued, _) => Err("the report has been issued and never changes".into()),
            (S::Superseded, _) => Err("the report has been superseded by an amendment".into()),
            (S::Discarded, _) => Err("the draft has been discarded".into()),
        }
    }
}

impl std::fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happens to a report.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReportEvent {
    Issue,
    Discard,
    Supersede,
}

/// The report number of revision `revision` of the report first issued as `original`:
/// the original keeps its number, amendments are `<original>-R<n>`.
pub fn revision_number(original: &str, revision: i32) -> String {
    if revision == 0 {
        original.to_string()
    } else {
        format!("{original}-R{revision}")
    }
}

/// Everything a report prints about the lab's work, taken from the database when the draft is
/// prepared and kept with the report (so the limits and values it was judged by stay as they
/// were). Dates are local dates of the lab (`YYYY-MM-DD`), times local `YYYY-MM-DD HH:MM`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportContent {
    pub lab: LabInfo,
    pub client: ClientInfo,
    pub project: ProjectInfo,
    pub work_order_number: String,
    /// True when the report covers chosen samples, not the whole work order.
    pub interim: bool,
    pub points: Vec<PointInfo>,
    pub samples: Vec<SampleInfo>,
    /// Every method used, in the order first used.
    pub methods: Vec<MethodInfo>,
    pub qc: Vec<QcLine>,
    pub deviations: Vec<Deviation>,
    /// 编制: the draft's preparer.
    pub prepared: SignLine,
    /// 审核: the reviewers who verified the batches of the reported results.
    pub reviewed: Vec<SignLine>,
    /// Earliest and latest dates over the reported samples (sampling, receipt, analysis).
    pub sampled: DateSpan,
    pub received: DateSpan,
    pub analysed: DateSpan,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabInfo {
    pub name_zh: String,
    pub name_en: String,
    pub address: String,
    pub phone: String,
    pub cma_number: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientInfo {
    pub name: String,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectInfo {
    pub code: String,
    pub name: String,
    /// GB 36600 land class: `first_class` / `second_class`.
    pub land_use: Option<String>,
    /// GB 15618 farmland type: `paddy` / `orchard` / `other`.
    pub farmland_type: Option<String>,
    pub standards: Vec<StandardInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StandardInfo {
    /// URL-safe code, e.g. `GBT14848-2017`.
    pub code: String,
    /// Official designation and title, e.g. `GB/T 14848-2017 地下水质量标准`.
    pub title: String,
    pub title_en: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointInfo {
    pub code: String,
    pub kind: String,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MethodInfo {
    /// Standard code, e.g. `HJ 491-2019`.
    pub code: String,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleInfo {
    pub lab_id: String,
    pub client_sample_id: String,
    pub matrix_zh: String,
    pub matrix_en: String,
    pub point_code: Option<String>,
    pub collected_at: String,
    pub collected_by: String,
    /// Depth in metres, e.g. `0–0.2`; empty for water.
    pub depth: Option<String>,
    /// The description from the field data (colour, texture, odour …), one line.
    pub description: String,
    pub received_at: Option<String>,
    /// Condition on receipt in one line: intact or not, temperature, the receipt note.
    pub condition: String,
    pub analysed: DateSpan,
    pub results: Vec<ResultLine>,
    /// One line per standard the sample was judged against.
    pub summaries: Vec<Summary>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultLine {
    pub analyte_code: String,
    pub analyte_zh: String,
    pub analyte_en: String,
    pub cas: Option<String>,
    pub method_code: String,
    pub unit: String,
    /// The MDL the result was entered under (exact text).
    pub mdl: Option<String>,
    /// The printed result: GB/T 8170-rounded value, `0.01L`, `ND` or a text option.
    pub reported: String,
    /// The exact final value (unrounded), when numeric.
    pub final_value: Option<String>,
    pub below_mdl: bool,
    pub analysed_at: String,
    /// One verdict per standard of the project that has limits for this analyte.
    pub verdicts: Vec<Verdict>,
}

/// QC of the batches behind the report, per kind: `blank`, `duplicate`, `spike`, `lcs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QcLine {
    pub kind: String,
    /// Evaluations made.
    pub count: u32,
    /// Evaluations judged against an acceptance rule.
    pub judged: u32,
    pub passed: u32,
}

/// A deviation printed on the report: a holding time exceeded, an accepted QC failure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    /// `holding_time_exceeded` or `qc_failure_accepted`.
    pub kind: String,
    /// The samples concerned (lab ids); empty when it concerns a batch as a whole.
    pub samples: Vec<String>,
    pub analyte_zh: String,
    pub analyte_en: String,
    /// The reason given (accepted QC failures) or the facts (deadline and analysis time).
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignLine {
    pub name: String,
    /// Local date of the signature.
    pub date: String,
}

/// A range of local dates; equal ends print as one date.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DateSpan {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl DateSpan {
    /// Widens the span to include `date` (`YYYY-MM-DD` compares as text).
    pub fn include(&mut self, date: &str) {
        if self.from.as_deref().is_none_or(|f| date < f) {
            self.from = Some(date.to_string());
        }
        if self.to.as_deref().is_none_or(|t| date > t) {
            self.to = Some(date.to_string());
        }
    }

    /// `2026-11-02`, `2026-11-02 – 2026-11-05` or empty.
    pub fn display(&self) -> String {
        match (&self.from, &self.to) {
            (Some(f), Some(t)) if f != t => format!("{f} – {t}"),
            (Some(f), _) | (None, Some(f)) => f.clone(),
            (None, None) => String::new(),
        }
    }
}

/// What only issuing adds: printed on an issued report, absent from a draft preview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssueInfo {
    pub number: String,
    pub revision: i32,
    /// 批准: the issuing signatory.
    pub approved: SignLine,
    /// Local date of issue.
    pub issued_on: String,
    /// What the QR code encodes: `<public url>/verify/<number>?code=<code>`.
    pub verify_url: String,
    /// For an amendment: the report it replaces and why.
    pub replaces: Option<Replaces>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replaces {
    pub number: String,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_paths() {
        use ReportEvent as E;
        use ReportStatus as S;
        assert_eq!(S::Draft.transition(E::Issue), Ok(S::Issued));
        assert_eq!(S::Draft.transition(E::Discard), Ok(S::Discarded));
        assert_eq!(S::Issued.transition(E::Supersede), Ok(S::Superseded));
        assert!(S::Issued.transition(E::Issue).is_err());
        assert!(S::Issued.transition(E::Discard).is_err());
        assert!(S::Superseded.transition(E::Supersede).is_err());
        assert!(S::Draft.transition(E::Supersede).is_err());
        for s in [S::Draft, S::Issued, S::Superseded, S::Discarded] {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn amendment_numbers() {
        assert_eq!(revision_number("EGR-2026-000123", 0), "EGR-2026-000123");
        assert_eq!(revision_number("EGR-2026-000123", 2), "EGR-2026-000123-R2");
    }

    #[test]
    fn date_spans() {
        let mut s = DateSpan::default();
        assert_eq!(s.display(), "");
        s.include("2026-11-03");
        assert_eq!(s.display(), "2026-11-03");
        s.include("2026-11-01");
        s.include("2026-11-02");
        assert_eq!(s.display(), "2026-11-01 – 2026-11-03");
    }
}
