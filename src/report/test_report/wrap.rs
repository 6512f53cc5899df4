//! Line breaking for CJK and Latin text: wrapped paragraphs and cells, shrinking what nearly fits.
use super::pen::Pen;

/// Smallest size a table cell's text is shrunk to before it is wrapped instead.
const SHRINK: f32 = 0.85;

/// The size and lines of a cell: one line at `size`, or at a size shrunk down to 85 %, or
/// wrapped at `size`.
pub fn fit_cell(font: &Pen, text: &str, size: f32, width: f32) -> (f32, Vec<String>) {
    if !text.contains('\n') {
        let w = font.width(text, size);
        if w <= width {
            return (size, vec![text.to_string()]);
        }
        if w * SHRINK <= width {
            return (
                font.fit_size(text, width, size, size * SHRINK),
                vec![text.to_string()],
            );
        }
    }
    (size, wrap(font, text, size, width))
}

/// Whether a line may break before `c` (ideographs and full-width punctuation break anywhere).
fn is_wide(c: char) -> bool {
    ('\u{2E80}'..='\u{9FFF}').contains(&c)
        || ('\u{F900}'..='\u{FAFF}').contains(&c)
        || ('\u{FF00}'..='\u{FFEF}').contains(&c)
        || ('\u{20000}'..='\u{2FFFF}').contains(&c)
}

/// Characters that must not start a line.
fn no_line_start(c: char) -> bool {
    "，。、；：？！）》」』】,.;:?!)]}%℃·".contains(c)
}

/// Characters that must not end a line.
fn no_line_end(c: char) -> bool {
    "（《「『【([{“‘".contains(c)
}

/// `text` broken into lines no wider than `width` at `size`: at `\n`, at spaces, around
/// ideographs and after `-` `/` `,`, and inside a word only when the word alone is too wide.
pub fn wrap(font: &Pen, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        if font.width(para, size) <= width {
            out.push(para.to_string());
            continue;
        }
        let chars: Vec<char> = para.chars().collect();
        let widths: Vec<f32> = chars
            .iter()
            .map(|c| font.width(c.encode_utf8(&mut [0; 4]), size))
            .collect();
        let mut start = 0;
        while start < chars.len() {
            // Skip spaces at the start of a line.
            while start < chars.len() && chars[start] == ' ' {
                start += 1;
            }
            if start >= chars.len() {
                break;
            }
            let mut used = 0.0;
            let mut end = start;
            let mut brk = None; // last index a line may end before
            while end < chars.len() && used + widths[end] <= width {
                used += widths[end];
                end += 1;
                if end < chars.len() {
                    let (prev, next) = (chars[end - 1], chars[end]);
                    let allowed = !no_line_end(prev)
                        && (next == ' '
                            || prev == ' '
                            || (is_wide(prev) || is_wide(next)) && !no_line_start(next)
                            || matches!(prev, '、' | '，' | ';' | '；')
                            // Not inside numbers: 2026-11-04, 1,1,2-, 3/4.
                            || matches!(prev, '-' | '/' | ',') && !next.is_ascii_digit());
                    if allowed {
                        brk = Some(end);
                    }
                }
            }
            let cut = if end >= chars.len() {
                end
            } else {
                match brk {
                    Some(b) if b > start => b,
                    // Not even one character fits: take it anyway, so the loop ends.
                    _ => end.max(start + 1),
                }
            };
            let line: String = chars[start..cut].iter().collect();
            out.push(line.trim_end().to_string());
            start = cut;
        }
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}
