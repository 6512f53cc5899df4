//! A small flow layout: a cursor going down pages, wrapped paragraphs, tables with a repeated header.
//!
//! Units are points, origin bottom-left (printpdf's). [`Flow`] owns the op lists of the pages
//! laid out so far; the body of every page is the same [`Frame`] (header and footer are drawn
//! afterwards, when the number of pages is known).
pub use super::draw::{fill_rect, grey, line, red, segments, stroke_rect, text_ops, Placed};
use super::pen::Pen;
pub use super::wrap::{fit_cell, wrap};
use crate::report::text::black;
use printpdf::{Color, Op};

/// Line height as a multiple of the font size.
pub const LEADING: f32 = 1.3;
/// Cell padding, horizontal and vertical.
const PAD_X: f32 = 2.0;
const PAD_Y: f32 = 1.6;

/// The body area of every page.
#[derive(Copy, Clone, Debug)]
pub struct Frame {
    pub left: f32,
    pub right: f32,
    pub top: f32,
    pub bottom: f32,
}

#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// How a piece of text is set.
#[derive(Clone, Debug)]
pub struct Style {
    pub size: f32,
    pub bold: bool,
    pub color: Color,
    pub align: Align,
}

impl Style {
    pub fn new(size: f32) -> Style {
        Style {
            size,
            bold: false,
            color: black(),
            align: Align::Left,
        }
    }
    pub fn bold(mut self) -> Style {
        self.bold = true;
        self
    }
    pub fn color(mut self, color: Color) -> Style {
        self.color = color;
        self
    }
    pub fn align(mut self, align: Align) -> Style {
        self.align = align;
        self
    }
}

/// One table column: header text (may contain `\n`), width in points, alignment.
#[derive(Clone, Debug)]
pub struct Column {
    pub header: String,
    pub width: f32,
    pub align: Align,
}

/// One cell's text and emphasis.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    pub text: String,
    pub bold: bool,
    /// Red text (an exceedance).
    pub alert: bool,
    /// A light grey background.
    pub shade: bool,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
}

#[derive(Clone, Debug)]
pub enum Row {
    Cells(Vec<Cell>),
    /// One cell across the whole table. A `group` row names the rows after it: when those go on
    /// on a new page, it is repeated there with `continued` appended.
    Span {
        cell: Cell,
        group: bool,
    },
}

#[derive(Clone, Debug)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub size: f32,
    /// Printed after a repeated group row, e.g. "（续）".
    pub continued: String,
}

/// A row ready to draw: each cell's size and lines.
struct Laid {
    cells: Vec<(f32, Vec<String>)>,
    lines: usize,
    lead: f32,
}

/// The pages laid out so far and the cursor on the last one.
pub struct Flow<'a> {
    pub font: &'a Pen<'a>,
    pub frame: Frame,
    pub pages: Vec<Vec<Op>>,
    /// Top of the free space on the last page.
    pub y: f32,
    /// The next table row draws its top line (first row of a table or of a page).
    rule_top: bool,
}

impl<'a> Flow<'a> {
    pub fn new(font: &'a Pen<'a>, frame: Frame) -> Flow<'a> {
        Flow {
            font,
            frame,
            pages: vec![Vec::new()],
            y: frame.top,
            rule_top: false,
        }
    }

    pub fn width(&self) -> f32 {
        self.frame.right - self.frame.left
    }

    /// The current page's ops.
    pub fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.frame.top;
        self.rule_top = true;
    }

    /// Whether nothing has been placed on the current page yet.
    pub fn at_top(&self) -> bool {
        self.y >= self.frame.top - 0.01
    }

    /// Space left on the current page.
    pub fn room(&self) -> f32 {
        self.y - self.frame.bottom
    }

    /// Starts a new page unless `h` points fit on this one (or this one is still empty).
    pub fn need(&mut self, h: f32) {
        if self.room() < h && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space; none at the top of a page.
    pub fn gap(&mut self, h: f32) {
        if !self.at_top() {
            self.y -= h;
            if self.y < self.frame.bottom {
                self.new_page();
            }
        }
    }

    /// Ops for `text` on one line in `x..x + width` with its baseline at `y`.
    pub fn line_ops(&self, x: f32, width: f32, y: f32, text: &str, style: &Style) -> Vec<Op> {
        let w = self.font.width(text, style.size);
        let x = match style.align {
            Align::Left => x,
            Align::Center => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        };
        self.font
            .text_in(style.color.clone(), x, y, style.size, style.bold, text)
    }

    /// A wrapped paragraph across the body width, indented by `indent`; lines flow onto new pages.
    pub fn paragraph(&mut self, text: &str, style: &Style, indent: f32) {
        let x = self.frame.left + indent;
        let width = self.width() - indent;
        self.paragraph_at(x, width, text, style);
    }

    /// A wrapped paragraph in `x..x + width`.
    pub fn paragraph_at(&mut self, x: f32, width: f32, text: &str, style: &Style) {
        let lead = style.size * LEADING;
        for line in wrap(self.font, text, style.size, width) {
            self.need(lead);
            let base = baseline(self.y, lead, style.size);
            let ops = self.line_ops(x, width, base, &line, style);
            self.ops().extend(ops);
            self.y -= lead;
        }
    }

    /// Draws `table`, breaking across pages with the header row repeated on each.
    pub fn table(&mut self, table: &Table) {
        if table.columns.is_empty() {
            return;
        }
        let cols = &table.columns;
        let header_cells: Vec<Cell> = cols
            .iter()
            .map(|c| Cell {
                text: c.header.clone(),
                bold: true,
                shade: true,
                ..Cell::default()
            })
            .collect();
        // Columns without header texts: no header row.
        let with_header = cols.iter().any(|c| !c.header.is_empty());
        let header = self.lay_cells(cols, &header_cells, table.size);
        let header_h = if with_header {
            self.row_height(&header)
        } else {
            0.0
        };
        let body = self.frame.top - self.frame.bottom;
        let one_line = table.size * LEADING + 2.0 * PAD_Y;
        // The header never ends a page: it keeps at least its first row (or two lines) with it.
        let first_h = table
            .rows
            .first()
            .map_or(0.0, |r| self.row_height(&self.lay_row(cols, r, table.size)));
        // A small table stays on one page; a long one keeps the header with a row or two.
        let all = if table.rows.len() <= 15 {
            self.table_height(table, 15)
        } else {
            f32::INFINITY
        };
        if all <= body * 0.5 {
            self.need(all);
        } else {
            self.need(header_h + first_h.min(2.0 * one_line));
        }
        self.rule_top = true;
        if with_header {
            self.draw_row(cols, &header, &header_cells, false, true);
        }
        let mut group: Option<&Cell> = None;
        for row in &table.rows {
            let (cells, span) = match row {
                Row::Cells(cells) => (cells.as_slice(), false),
                Row::Span { cell, group: g } => {
                    if *g {
                        group = Some(cell);
                    }
                    (std::slice::from_ref(cell), true)
                }
            };
            // A group row keeps the first row of its group with it.
            let keep = if matches!(row, Row::Span { group: true, .. }) {
                one_line
            } else {
                0.0
            };
            let mut rest = self.lay_row(cols, row, table.size);
            let mut fresh = false;
            loop {
                let h = self.row_height(&rest);
                if h + keep <= self.room() + 0.01 || (fresh && h <= self.room() + 0.01) {
                    self.draw_row(cols, &rest, cells, span, false);
                    break;
                }
                let fits = ((self.room() - 2.0 * PAD_Y) / rest.lead).floor().max(0.0) as usize;
                if h > body - header_h - 2.0 * one_line && fits >= 1 {
                    // Taller than a page: what fits here, the rest on the next page.
                    let (now, later) = split_laid(rest, fits);
                    self.draw_row(cols, &now, cells, span, false);
                    rest = later;
                } else if fresh {
                    // Cannot happen with sane sizes; draw rather than loop for ever.
                    self.draw_row(cols, &rest, cells, span, false);
                    break;
                }
                self.new_page();
                if with_header {
                    self.draw_row(cols, &header, &header_cells, false, true);
                }
                if let (Some(g), false) = (group, matches!(row, Row::Span { group: true, .. })) {
                    let cont = Cell {
                        text: format!("{}{}", g.text, table.continued),
                        ..g.clone()
                    };
                    let laid = self.lay_row(
                        cols,
                        &Row::Span {
                            cell: cont.clone(),
                            group: true,
                        },
                        table.size,
                    );
                    self.draw_row(cols, &laid, std::slice::from_ref(&cont), true, false);
                }
                fresh = true;
            }
        }
    }

    /// Height of `table`'s header and its first `rows` rows.
    pub fn table_height(&self, table: &Table, rows: usize) -> f32 {
        let cols = &table.columns;
        let header: f32 = if cols.iter().any(|c| !c.header.is_empty()) {
            let cells: Vec<Cell> = cols.iter().map(|c| Cell::new(c.header.clone())).collect();
            self.row_height(&self.lay_cells(cols, &cells, table.size))
        } else {
            0.0
        };
        header
            + table
                .rows
                .iter()
                .take(rows)
                .map(|r| self.row_height(&self.lay_row(cols, r, table.size)))
                .sum::<f32>()
    }

    fn row_height(&self, laid: &Laid) -> f32 {
        laid.lines as f32 * laid.lead + 2.0 * PAD_Y
    }

    fn lay_row(&self, columns: &[Column], row: &Row, size: f32) -> Laid {
        match row {
            Row::Cells(cells) => self.lay_cells(columns, cells, size),
            Row::Span { cell, .. } => {
                let width: f32 = columns.iter().map(|c| c.width).sum();
                let lines = wrap(self.font, &cell.text, size, width - 2.0 * PAD_X);
                Laid {
                    lines: lines.len().max(1),
                    cells: vec![(size, lines)],
                    lead: size * LEADING,
                }
            }
        }
    }

    fn lay_cells(&self, columns: &[Column], cells: &[Cell], size: f32) -> Laid {
        let mut laid = Vec::with_capacity(columns.len());
        for (i, col) in columns.iter().enumerate() {
            let text = cells.get(i).map_or("", |c| c.text.as_str());
            laid.push(fit_cell(self.font, text, size, col.width - 2.0 * PAD_X));
        }
        Laid {
            lines: laid.iter().map(|(_, l)| l.len()).max().unwrap_or(1).max(1),
            cells: laid,
            lead: size * LEADING,
        }
    }

    /// Draws one laid-out row at the cursor (shading, text, grid) and moves the cursor below it.
    fn draw_row(
        &mut self,
        columns: &[Column],
        laid: &Laid,
        cells: &[Cell],
        span: bool,
        header: bool,
    ) {
        let h = self.row_height(laid);
        let top = self.y;
        let bottom = top - h;
        let left = self.frame.left;
        let total: f32 = columns.iter().map(|c| c.width).sum();
        let mut ops = Vec::new();
        // Cell boxes: (x, width, align).
        let boxes: Vec<(f32, f32, Align)> = if span {
            vec![(left, total, Align::Left)]
        } else {
            let mut x = left;
            columns
                .iter()
                .map(|c| {
                    let b = (x, c.width, if header { Align::Center } else { c.align });
                    x += c.width;
                    b
                })
                .collect()
        };
        let mut texts = Vec::new();
        for (i, (x, w, align)) in boxes.iter().enumerate() {
            let cell = cells.get(i).cloned().unwrap_or_default();
            if cell.shade {
                ops.extend(fill_rect(
                    *x,
                    bottom,
                    *w,
                    h,
                    grey(if header { 0.88 } else { 0.93 }),
                ));
            }
            let Some((size, lines)) = laid.cells.get(i) else {
                continue;
            };
            let bold = cell.bold || cell.alert;
            let color = if cell.alert { red() } else { black() };
            // Lines are centred vertically in the row.
            let used = lines.len() as f32 * laid.lead;
            let mut y = top - PAD_Y - (h - 2.0 * PAD_Y - used) / 2.0;
            for text in lines {
                let tw = self.font.width(text, *size);
                let inner = w - 2.0 * PAD_X;
                let tx = match align {
                    Align::Left => x + PAD_X,
                    Align::Center => x + PAD_X + (inner - tw) / 2.0,
                    Align::Right => x + PAD_X + inner - tw,
                };
                texts.push(Placed {
                    x: tx,
                    y: baseline(y, laid.lead, *size),
                    size: *size,
                    bold,
                    color: color.clone(),
                    text: text.clone(),
                });
                y -= laid.lead;
            }
        }
        ops.extend(text_ops(self.font, &texts));
        // Grid: the row's bottom and its vertical lines (its top is the row above's bottom,
        // or drawn here for the first row on a page).
        let mut segs = vec![(left, bottom, left + total, bottom)];
        if self.rule_top {
            segs.push((left, top, left + total, top));
            self.rule_top = false;
        }
        let mut xs = vec![left, left + total];
        xs.extend(boxes.iter().skip(1).map(|b| b.0));
        segs.extend(xs.into_iter().map(|x| (x, top, x, bottom)));
        ops.extend(segments(&segs, 0.4));
        self.ops().extend(ops);
        self.y = bottom;
    }
}

/// The baseline of text of `size` centred in a line box of height `lead` whose top is at `top`
/// (CJK faces' ideographs run from about 0.88 em above the baseline to 0.12 em below).
pub fn baseline(top: f32, lead: f32, size: f32) -> f32 {
    top - lead / 2.0 - 0.38 * size
}

/// Splits a laid row after `n` lines.
fn split_laid(laid: Laid, n: usize) -> (Laid, Laid) {
    let mut now = Vec::new();
    let mut later = Vec::new();
    for (size, lines) in laid.cells {
        let cut = n.min(lines.len());
        now.push((size, lines[..cut].to_vec()));
        later.push((size, lines[cut..].to_vec()));
    }
    let rest = laid.lines.saturating_sub(n).max(1);
    (
        Laid {
            cells: now,
            lines: n.max(1),
            lead: laid.lead,
        },
        Laid {
            cells: later,
            lines: rest,
            lead: laid.lead,
        },
    )
}
