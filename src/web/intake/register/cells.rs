//! The service's errors back into the table: `samples[3].collected_at` names a cell of the
//! fourth sample sent, which is a row of the table (blank rows are not sent).
use super::{CellError, RegisterPage, CELLS};
use crate::domain::field_data;
use crate::error::AppError;
use crate::web::admin::form::place;
use crate::web::i18n::Tr;
use crate::web::FormErrors;

/// The cell a service path names: `samples[3].packages[0]` → (3, `packages`), `samples[0].field.ph`
/// → (0, `field.ph`).
fn cell_of(path: &str) -> Option<(usize, String)> {
    let rest = path.strip_prefix("samples[")?;
    let (n, rest) = rest.split_once(']')?;
    let n = n.parse().ok()?;
    let rest = rest.strip_prefix('.')?;
    let cell = match rest.split('[').next().unwrap_or(rest) {
        "analyses" => "packages",
        c => c,
    };
    Some((n, cell.to_string()))
}

fn cell_label(tr: Tr, cell: &str) -> String {
    match cell.strip_prefix("field.") {
        Some(item) => field_data::item(item)
            .map(|it| tr.pick(it.label_zh, it.label_en).to_string())
            .unwrap_or_else(|| cell.to_string()),
        None => tr.t(&format!("reg.{cell}")).to_string(),
    }
}

/// Puts the service's errors into the cells of the rows they name (messages kept whole); the
/// order's own fields go beside them; anything else above the table.
pub(super) fn place_errors(page: &mut RegisterPage, e: &AppError, sent: &[usize]) {
    let tr = page.layout.tr;
    let mut rest = Vec::new();
    for fe in e.fields() {
        let Some((n, cell)) = cell_of(&fe.field) else {
            rest.push(fe.clone());
            continue;
        };
        let known = CELLS.contains(&cell.as_str())
            || cell
                .strip_prefix("field.")
                .is_some_and(|f| page.columns.iter().any(|c| c.name == f));
        let Some(row) = sent.get(n).and_then(|r| page.rows.get_mut(*r)) else {
            rest.push(fe.clone());
            continue;
        };
        let label = cell_label(tr, &cell);
        let text = tr
            .t("reg.cell_error")
            .replace("{row}", &(row.i + 1).to_string())
            .replace("{label}", &label)
            .replace("{message}", &fe.message);
        if known {
            let slot = row.errors.entry(cell.clone()).or_default();
            if !slot.is_empty() {
                slot.push_str("; ");
            }
            slot.push_str(&fe.message);
            page.cell_errors.push(CellError {
                anchor: format!("s{}-{}", row.i, cell.replace("field.", "f-")),
                text,
            });
        } else {
            page.cell_errors.push(CellError {
                anchor: format!("s{}-client_sample_id", row.i),
                text,
            });
        }
    }
    let others = if rest.is_empty() && !matches!(e, AppError::Invalid(_)) {
        FormErrors::from_error(e)
    } else {
        FormErrors::from_error(&AppError::Invalid(rest))
    };
    page.errors = place(others, &["due_date", "note"]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_paths_name_cells() {
        assert_eq!(
            cell_of("samples[3].collected_at"),
            Some((3, "collected_at".into()))
        );
        assert_eq!(
            cell_of("samples[0].packages[1]"),
            Some((0, "packages".into()))
        );
        assert_eq!(cell_of("samples[2].analyses"), Some((2, "packages".into())));
        assert_eq!(cell_of("samples[1].field.ph"), Some((1, "field.ph".into())));
        assert_eq!(cell_of("samples"), None);
        assert_eq!(cell_of("due_date"), None);
    }
}
