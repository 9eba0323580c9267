//! CSV in and out. Header optional; a leading column named `t` is a time stamp
//! and is dropped for modeling. Errors name the line and column.
//!
//! Read as spreadsheets write them: a leading byte-order mark is skipped, CRLF and CR
//! line ends are fine, and a field wholly in double quotes is read without them. Fields are
//! separated by commas only; a file separated by semicolons (decimal-comma locales) is
//! refused with a message saying so, never read as one column.

use crate::Error;
use crate::dataset::{Dataset, MAX_ABS, MAX_DIM};
use std::fmt::Write;

/// Parses a data table.
pub fn parse(text: &str) -> Result<Dataset, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Classic-Mac files end their lines with CR alone.
    let text: std::borrow::Cow<str> = if text.contains('\r') && !text.contains('\n') {
        text.replace('\r', "\n").into()
    } else {
        text.into()
    };
    // Text decoded leniently (a browser's File.text()) carries what was not UTF-8 as U+FFFD.
    if let Some(no) = text.lines().position(|l| l.contains(['\0', '\u{fffd}'])) {
        return Err(Error::invalid(format!(
            "line {}: not UTF-8 text (a binary file, or UTF-16 text: save it as UTF-8)",
            no + 1
        )));
    }
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let Some((first_no, first)) = lines.next() else {
        return Err(Error::invalid("the CSV file is empty"));
    };
    // Counted before anything is collected: a 100 MB line must not become 50 M fields.
    let ncols = first.matches(',').count() + 1;
    if ncols > MAX_DIM + 1 {
        return Err(Error::invalid(format!(
            "line {first_no}: {ncols} columns; scoredyn models at most {MAX_DIM} coordinates"
        )));
    }
    let first_fields = fields(first, ncols);
    if first_fields.len() == 1 && first.contains(';') {
        return Err(Error::invalid(format!(
            "line {first_no}: fields are separated by ';', not ','; save the file as \
             comma-separated with '.' as the decimal point"
        )));
    }
    let is_header = first_fields.iter().any(|f| f.parse::<f64>().is_err());
    let (names, drop_t, mut rows, ncols) = if is_header {
        let drop_t = first_fields[0].eq_ignore_ascii_case("t");
        let names: Vec<String> = first_fields
            .iter()
            .skip(drop_t as usize)
            .map(|s| s.to_string())
            .collect();
        if names.is_empty() {
            return Err(Error::invalid(format!(
                "line {first_no}: the header names no data column"
            )));
        }
        (Some(names), drop_t, Vec::new(), ncols)
    } else {
        let mut rows = Vec::new();
        push_row(&mut rows, first_no, &first_fields, false)?;
        (None, false, rows, ncols)
    };
    if ncols - drop_t as usize > MAX_DIM {
        return Err(Error::invalid(format!(
            "line {first_no}: {} data columns; scoredyn models at most {MAX_DIM} coordinates",
            ncols - drop_t as usize
        )));
    }
    let dim = ncols - drop_t as usize;
    for (no, line) in lines {
        let fields = fields(line, ncols);
        if fields.len() != ncols {
            let found = line.matches(',').count() + 1;
            return Err(Error::invalid(format!(
                "line {no}: expected {ncols} columns, found {found}"
            )));
        }
        push_row(&mut rows, no, &fields, drop_t)?;
    }
    if rows.is_empty() {
        return Err(Error::invalid("the CSV file has a header but no data rows"));
    }
    let mut data = Dataset::new(dim, rows)?;
    if let Some(names) = names {
        data.names = names;
    }
    Ok(data)
}

/// One line's fields (at most `ncols + 1` of them: one more says the line is too long),
/// trimmed, each without its enclosing double quotes if it has them.
fn fields(line: &str, ncols: usize) -> Vec<&str> {
    line.split(',')
        .take(ncols + 1)
        .map(|f| {
            let f = f.trim();
            f.strip_prefix('"')
                .and_then(|f| f.strip_suffix('"'))
                .map_or(f, str::trim)
        })
        .collect()
}

/// A field as quoted in a message: at most 40 characters of it.
fn shown(f: &str) -> String {
    match f.char_indices().nth(40) {
        Some((cut, _)) => format!("{}… ({} bytes)", &f[..cut], f.len()),
        None => f.to_string(),
    }
}

fn push_row(rows: &mut Vec<f64>, no: usize, fields: &[&str], drop_t: bool) -> Result<(), Error> {
    for (col, f) in fields.iter().enumerate().skip(drop_t as usize) {
        let v: f64 = f.parse().map_err(|_| {
            Error::invalid(format!(
                "line {no}, column {}: '{}' is not a number",
                col + 1,
                shown(f)
            ))
        })?;
        if !v.is_finite() || v.abs() > MAX_ABS {
            return Err(Error::invalid(format!(
                "line {no}, column {}: {} is not a usable finite value",
                col + 1,
                shown(f)
            )));
        }
        rows.push(v);
    }
    Ok(())
}

/// Writes a table with header `t,x0,x1,...` (or without `t` when `t` is `None`).
pub fn write(data: &Dataset, t: Option<&[f64]>) -> String {
    let mut out = String::with_capacity(data.rows.len() * 12);
    if t.is_some() {
        out.push_str("t,");
    }
    out.push_str(&data.names.join(","));
    out.push('\n');
    for i in 0..data.len() {
        if let Some(t) = t {
            write!(out, "{},", t[i]).unwrap();
        }
        for (j, v) in data.row(i).iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            write!(out, "{v}").unwrap();
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_time_column() {
        let data = Dataset::new(2, vec![1.5, -2.0, 3.25, 4e-3]).unwrap();
        let text = write(&data, Some(&[0.0, 0.1]));
        assert!(text.starts_with("t,x0,x1\n"));
        assert_eq!(parse(&text).unwrap(), data);
    }

    #[test]
    fn headerless_files_keep_every_column() {
        let d = parse("1,2,3\n4,5,6\n").unwrap();
        assert_eq!((d.dim, d.len()), (3, 2));
    }

    #[test]
    fn spreadsheet_exports_read_as_written() {
        let plain = parse("x,y\n1,2\n3,4\n").unwrap();
        for text in [
            "\u{feff}x,y\r\n1,2\r\n3,4\r\n",
            "\"x\",\"y\"\n\"1\",\"2\"\n3, \"4\"\n",
        ] {
            assert_eq!(parse(text).unwrap(), plain, "{text:?}");
        }
        // Without a header, a byte-order mark must not turn the first row into one.
        assert_eq!(parse("\u{feff}1,2\n3,4\n").unwrap().len(), 2);
    }

    #[test]
    fn messages_quote_at_most_forty_characters_of_a_field() {
        let long = "z".repeat(1 << 20);
        let err = parse(&format!("x\n{long}\n")).unwrap_err().to_string();
        assert!(err.len() < 200 && err.contains("(1048576 bytes)"), "{err}");
    }

    #[test]
    fn malformed_files_get_located_messages() {
        let cases = [
            ("", "empty"),
            ("t,x0\n", "no data rows"),
            ("x,y\n1,2\n3\n", "line 3: expected 2 columns"),
            (
                "x,y\n1,2\n3,abc\n",
                "line 3, column 2: 'abc' is not a number",
            ),
            ("x,y\n1,NaN\n", "line 2, column 2"),
            ("x,y\n1,1e308\n", "not a usable finite value"),
            ("x;y\n1,5;2,5\n", "line 1: fields are separated by ';'"),
        ];
        for (text, want) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }
}
