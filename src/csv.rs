//! CSV in and out. Header optional; a leading column named `t` is a time stamp
//! and is dropped for modeling. Errors name the line and column.

use crate::Error;
use crate::dataset::Dataset;
use std::fmt::Write;

/// Largest magnitude accepted in a data file: beyond it squares overflow.
const MAX_ABS: f64 = 1e150;

/// Parses a data table.
pub fn parse(text: &str) -> Result<Dataset, Error> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let Some((first_no, first)) = lines.next() else {
        return Err(Error::invalid("the CSV file is empty"));
    };
    let first_fields: Vec<&str> = first.split(',').map(str::trim).collect();
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
        (Some(names), drop_t, Vec::new(), first_fields.len())
    } else {
        let mut rows = Vec::new();
        push_row(&mut rows, first_no, &first_fields, false)?;
        (None, false, rows, first_fields.len())
    };
    let dim = ncols - drop_t as usize;
    for (no, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != ncols {
            return Err(Error::invalid(format!(
                "line {no}: expected {ncols} columns, found {}",
                fields.len()
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

fn push_row(rows: &mut Vec<f64>, no: usize, fields: &[&str], drop_t: bool) -> Result<(), Error> {
    for (col, f) in fields.iter().enumerate().skip(drop_t as usize) {
        let v: f64 = f.parse().map_err(|_| {
            Error::invalid(format!(
                "line {no}, column {}: '{f}' is not a number",
                col + 1
            ))
        })?;
        if !v.is_finite() || v.abs() > MAX_ABS {
            return Err(Error::invalid(format!(
                "line {no}, column {}: {f} is not a usable finite value",
                col + 1
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
        ];
        for (text, want) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }
}
