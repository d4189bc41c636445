//! Spreadsheet source (xlsx, xlsm, xlsb, xls, ods via calamine): format from content, sheet choice, cells to text.

use super::{
    cell, headers, CellError, InputError, InputOptions, Item, Rejected, Row, RowNames, Sniffed,
    Source,
};
use calamine::{
    Cell, Data, DataRef, Dimensions, Ods, Range, Reader, SheetType, Xls, XlsError, Xlsb, XlsbError,
    Xlsx, XlsxError,
};
use std::collections::HashMap;
use std::fmt::Display;
use std::io::Cursor;
use std::panic::AssertUnwindSafe;

type Bytes = Cursor<Vec<u8>>;

/// Merged areas larger than this are not filled in (a whole-column merge would cost a cell each).
const MAX_MERGE_FILL: u64 = 1_000_000;

const NOT_A_WORKBOOK: &str = "is a zip archive without a workbook inside \
    (no xl/workbook.xml, xl/workbook.bin or content.xml)";

pub(crate) struct SheetSource {
    name: String,
    sheet: String,
    range: Range<Data>,
    /// Absolute sheet column of the first header cell.
    first_col: u32,
    headers: Vec<String>,
    /// Absolute (row, col) covered by a merged area → its top-left cell, whose value it shows.
    merged: HashMap<(u32, u32), (u32, u32)>,
    next_row: u32,
}

pub(crate) fn open(
    bytes: Vec<u8>,
    kind: Sniffed,
    path: &str,
    opts: &InputOptions,
) -> Result<Box<dyn Source>, InputError> {
    let is = |name: &[u8]| kind == Sniffed::Zip && contains(&bytes, name);
    let (xlsb, xlsx, ods) = (is(b"xl/workbook.bin"), is(b"xl/workbook.xml"), is(b"content.xml"));
    check_container(&bytes, kind == Sniffed::Ole || (ods && !xlsx && !xlsb), path, opts)?;
    let cur = Cursor::new(bytes);
    // calamine is third-party code parsing hostile bytes: a panic in it becomes an error here.
    let guarded = std::panic::catch_unwind(AssertUnwindSafe(|| {
        if kind == Sniffed::Ole {
            let f = "a legacy Excel workbook (xls)";
            load(Xls::new(cur), f, path, opts, |b, s| {
                b.merge_cells_by_sheet_name(s).unwrap_or_default()
            })
        } else if xlsb {
            let f = "a binary Excel workbook (xlsb)";
            load(Xlsb::new(cur), f, path, opts, |_, _| Vec::new())
        } else if xlsx {
            let f = "an Excel workbook (xlsx)";
            load(Xlsx::new(cur), f, path, opts, |b, s| {
                b.merge_cells_by_sheet_name(s).unwrap_or_default()
            })
        } else if ods {
            let f = "an OpenDocument spreadsheet (ods)";
            load(Ods::new(cur), f, path, opts, |_, _| Vec::new())
        } else {
            Err(InputError::WrongFormat {
                path: path.to_string(),
                expected: "spreadsheet",
                actual: NOT_A_WORKBOOK.into(),
                hint: "Check that this is the exported file, not an archive that contains it.",
            })
        }
    }));
    let loaded = guarded.unwrap_or_else(|_| {
        Err(InputError::Spreadsheet {
            path: path.to_string(),
            format: "a spreadsheet",
            message: "its content is malformed (the spreadsheet parser gave up)".into(),
        })
    });
    let (sheet, range, merges) = loaded?;
    SheetSource::new(path, sheet, range, &merges, opts).map(|s| Box::new(s) as Box<dyn Source>)
}

/// Bounds what opening the workbook can cost before calamine sees it. xls and ods are parsed
/// whole by `new`, so only their file size can be checked first; zip entries are bounded by the
/// sizes the central directory declares, which the zip crate then enforces while unpacking.
fn check_container(
    bytes: &[u8],
    parsed_whole: bool,
    path: &str,
    opts: &InputOptions,
) -> Result<(), InputError> {
    let too_large =
        |what: String, option| InputError::TooLarge { path: path.to_string(), what, option };
    if parsed_whole && bytes.len() as u64 > opts.max_workbook_bytes {
        return Err(too_large(
            format!(
                "the file has {} bytes, more than the {} bytes allowed for xls and ods files",
                bytes.len(),
                opts.max_workbook_bytes
            ),
            "--max-workbook-bytes",
        ));
    }
    // An archive the zip crate cannot list is one calamine cannot open either: it reports that.
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_data(i) else { continue };
        total = total.saturating_add(entry.size());
        if total > opts.max_unzipped_bytes {
            return Err(too_large(
                format!(
                    "its zip entries unpack to more than {} bytes (at '{}')",
                    opts.max_unzipped_bytes,
                    String::from_utf8_lossy(entry.name_raw())
                ),
                "--max-unzipped-bytes",
            ));
        }
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Opens the workbook and picks the sheet: by exact name, by 1-based index, by name ignoring
/// case, or (no `--sheet`) the first worksheet with any data.
fn load<R, E>(
    book: Result<R, E>,
    format: &'static str,
    path: &str,
    opts: &InputOptions,
    merges: impl Fn(&mut R, &str) -> Vec<Dimensions>,
) -> Result<(String, Range<Data>, Vec<Dimensions>), InputError>
where
    R: Reader<Bytes, Error = E> + Bounded<E>,
    E: Display,
{
    let broken =
        |e: E| InputError::Spreadsheet { path: path.to_string(), format, message: e.to_string() };
    let read = |book: &mut R, name: &str| match book.bounded_range(name, opts.max_sheet_cells) {
        Ok(range) => Ok(range),
        Err(Fail::Book(e)) => Err(broken(e)),
        Err(Fail::TooLarge(what)) => Err(InputError::TooLarge {
            path: path.to_string(),
            what: format!("sheet '{name}' {what}"),
            option: "--max-sheet-cells",
        }),
    };
    let mut book = book.map_err(broken)?;
    let names = book.sheet_names();
    let chosen = match &opts.sheet {
        Some(want) => {
            let by_index = want
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|i| (1..=names.len()).contains(i))
                .map(|i| names[i - 1].clone());
            let found =
                names.iter().find(|n| *n == want).cloned().or(by_index).or_else(|| {
                    names.iter().find(|n| n.eq_ignore_ascii_case(want.trim())).cloned()
                });
            match found {
                Some(n) => n,
                None => {
                    return Err(InputError::SheetNotFound {
                        path: path.to_string(),
                        sheet: want.clone(),
                        available: names
                            .iter()
                            .map(|n| format!("'{n}'"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
                }
            }
        }
        None => {
            let worksheets: Vec<String> = book
                .sheets_metadata()
                .iter()
                .filter(|s| s.typ == SheetType::WorkSheet)
                .map(|s| s.name.clone())
                .collect();
            let mut pick = None;
            for name in worksheets {
                let range = read(&mut book, &name)?;
                if range.used_cells().any(|(_, _, c)| !is_blank(c)) {
                    pick = Some((name, range));
                    break;
                }
            }
            let Some((name, range)) = pick else {
                return Err(InputError::EmptySheet {
                    path: path.to_string(),
                    what: "every sheet".into(),
                });
            };
            let m = merges(&mut book, &name);
            return Ok((name, range, m));
        }
    };
    let range = read(&mut book, &chosen)?;
    let m = merges(&mut book, &chosen);
    Ok((chosen, range, m))
}

/// Why a sheet was not read: the workbook's own error, or a limit (described for the message).
enum Fail<E> {
    Book(E),
    TooLarge(String),
}

/// A sheet as a `Range`, refused before the range is allocated when its used area exceeds
/// `max_cells`: a range holds every cell of the rectangle from the first to the last non-empty
/// cell, so two cells at A1 and XFD1048576 would ask for 17 billion of them.
trait Bounded<E>: Sized {
    fn bounded_range(&mut self, name: &str, max_cells: u64) -> Result<Range<Data>, Fail<E>>;
}

/// Collects the non-empty cells as calamine's `worksheet_range` does (same skipping, same
/// `from_sparse`), counting them and their bounding box on the way.
fn collect_bounded<'a, E>(
    max_cells: u64,
    mut next: impl FnMut() -> Result<Option<Cell<DataRef<'a>>>, E>,
) -> Result<Range<Data>, Fail<E>> {
    let mut cells = Vec::new();
    let (mut lo, mut hi) = ((u32::MAX, u32::MAX), (0u32, 0u32));
    while let Some(cell) = next().map_err(Fail::Book)? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        // Repeated positions count too: the list itself must stay bounded.
        if cells.len() as u64 >= max_cells {
            return Err(Fail::TooLarge(format!("has more than {max_cells} cells")));
        }
        let (r, c) = cell.get_position();
        lo = (lo.0.min(r), lo.1.min(c));
        hi = (hi.0.max(r), hi.1.max(c));
        let value = Data::from(cell.get_value().clone());
        cells.push(Cell::new((r, c), value));
    }
    if !cells.is_empty() {
        let area = Dimensions { start: lo, end: hi };
        if area.len() > max_cells {
            return Err(Fail::TooLarge(format!(
                "spans {}{}:{}{} ({} cells), more than the {max_cells} allowed",
                headers::column_letters(lo.1 as usize),
                lo.0 as u64 + 1,
                headers::column_letters(hi.1 as usize),
                hi.0 as u64 + 1,
                area.len()
            )));
        }
    }
    Ok(Range::from_sparse(cells))
}

impl Bounded<XlsxError> for Xlsx<Bytes> {
    fn bounded_range(&mut self, name: &str, max: u64) -> Result<Range<Data>, Fail<XlsxError>> {
        let mut reader = match self.worksheet_cells_reader(name) {
            Ok(reader) => reader,
            // What calamine's worksheet_range does with a chart sheet or similar.
            Err(XlsxError::NotAWorksheet(_)) => return Ok(Range::default()),
            Err(e) => return Err(Fail::Book(e)),
        };
        collect_bounded(max, || reader.next_cell())
    }
}

impl Bounded<XlsbError> for Xlsb<Bytes> {
    fn bounded_range(&mut self, name: &str, max: u64) -> Result<Range<Data>, Fail<XlsbError>> {
        let mut reader = self.worksheet_cells_reader(name).map_err(Fail::Book)?;
        collect_bounded(max, || reader.next_cell())
    }
}

/// xls and ods sheets were built when the workbook was opened (bounded by the file size only);
/// the cell limit still applies so that it means the same for every format.
fn whole<E>(range: Result<Range<Data>, E>, max: u64) -> Result<Range<Data>, Fail<E>> {
    let range = range.map_err(Fail::Book)?;
    match (range.start(), range.end()) {
        (Some(lo), Some(hi)) if (Dimensions { start: lo, end: hi }).len() > max => {
            Err(Fail::TooLarge(format!(
                "spans {} cells, more than the {max} allowed",
                Dimensions { start: lo, end: hi }.len()
            )))
        }
        _ => Ok(range),
    }
}

impl Bounded<XlsError> for Xls<Bytes> {
    fn bounded_range(&mut self, name: &str, max: u64) -> Result<Range<Data>, Fail<XlsError>> {
        whole(self.worksheet_range(name), max)
    }
}

impl Bounded<calamine::OdsError> for Ods<Bytes> {
    fn bounded_range(
        &mut self,
        name: &str,
        max: u64,
    ) -> Result<Range<Data>, Fail<calamine::OdsError>> {
        whole(self.worksheet_range(name), max)
    }
}

fn is_blank(c: &Data) -> bool {
    match c {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// `Sheet1!C17`, quoting sheet names the way Excel does when they are not plain words.
fn address(sheet: &str, col: u32, row: u32) -> String {
    format!("{}!{}{}", quoted(sheet), headers::column_letters(col as usize), row + 1)
}

fn quoted(sheet: &str) -> String {
    if sheet.chars().all(|c| c.is_alphanumeric() || c == '_') {
        sheet.to_string()
    } else {
        format!("'{}'", sheet.replace('\'', "''"))
    }
}

impl SheetSource {
    fn new(
        path: &str,
        sheet: String,
        range: Range<Data>,
        merges: &[Dimensions],
        opts: &InputOptions,
    ) -> Result<Self, InputError> {
        let mut merged = HashMap::new();
        for m in merges.iter().filter(|m| m.len() <= MAX_MERGE_FILL) {
            for r in m.start.0..=m.end.0 {
                for c in m.start.1..=m.end.1 {
                    if (r, c) != m.start {
                        merged.insert((r, c), m.start);
                    }
                }
            }
        }
        let mut src = SheetSource {
            name: path.to_string(),
            sheet,
            range,
            first_col: 0,
            headers: Vec::new(),
            merged,
            next_row: 0,
        };
        let (Some(start), Some(end)) = (src.range.start(), src.range.end()) else {
            return Err(InputError::EmptySheet {
                path: path.to_string(),
                what: format!("sheet '{}'", src.sheet),
            });
        };
        let from = u32::try_from(opts.header_row - 1).unwrap_or(u32::MAX).max(start.0);
        let header_row =
            (from..=end.0).find(|&r| !src.row_is_blank(r)).ok_or_else(|| InputError::NoHeader {
                path: path.to_string(),
                reason: format!(
                    "sheet '{}' has no data at or below row {}",
                    src.sheet, opts.header_row
                ),
            })?;
        let texts: Vec<(u32, String)> = (start.1..=end.1)
            .map(|c| (c, src.text_at(header_row, c).unwrap_or_default()))
            .collect();
        let first = texts.iter().find(|(_, t)| !t.trim().is_empty()).map_or(start.1, |(c, _)| *c);
        src.first_col = first;
        src.headers = headers::clean(
            texts.into_iter().filter(|(c, _)| *c >= first).map(|(_, t)| t).collect(),
            opts.rename_duplicates,
            path,
            &src.position(header_row as u64 + 1),
        )?;
        if src.headers.is_empty() {
            return Err(InputError::NoHeader {
                path: path.to_string(),
                reason: format!(
                    "row {} of sheet '{}' has no column names",
                    header_row + 1,
                    src.sheet
                ),
            });
        }
        src.next_row = header_row + 1;
        Ok(src)
    }

    /// The cell's own value, or the value of the merged area it belongs to.
    fn value(&self, row: u32, col: u32) -> Option<&Data> {
        match self.range.get_value((row, col)) {
            Some(d) if !matches!(d, Data::Empty) => Some(d),
            _ => self.merged.get(&(row, col)).and_then(|origin| self.range.get_value(*origin)),
        }
    }

    fn text_at(&self, row: u32, col: u32) -> Result<String, String> {
        self.value(row, col).map_or(Ok(String::new()), cell::text)
    }

    /// Blank by the cells' own values: a merged area reaching into an empty row does not make it a record.
    fn row_is_blank(&self, row: u32) -> bool {
        let (Some(start), Some(end)) = (self.range.start(), self.range.end()) else {
            return true;
        };
        (start.1..=end.1).all(|c| self.range.get_value((row, c)).is_none_or(is_blank))
    }
}

impl Source for SheetSource {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn describe(&self) -> String {
        format!("{} sheet '{}'", self.name, self.sheet)
    }

    fn row_names(&self) -> RowNames {
        RowNames::sheet_rows(quoted(&self.sheet))
    }

    fn next_item(&mut self) -> Result<Option<Item>, InputError> {
        let (Some(start), Some(end)) = (self.range.start(), self.range.end()) else {
            return Ok(None);
        };
        let width = self.headers.len() as u32;
        let last_col = self.first_col + width - 1;
        while self.next_row <= end.0 {
            let r = self.next_row;
            self.next_row += 1;
            if self.row_is_blank(r) {
                continue;
            }
            let outside = (start.1..=end.1)
                .filter(|c| *c < self.first_col || *c > last_col)
                .find(|&c| self.range.get_value((r, c)).is_some_and(|d| !is_blank(d)));
            let mut fields = Vec::with_capacity(width as usize);
            let mut cell_errors = Vec::new();
            for c in self.first_col..=last_col {
                match self.text_at(r, c) {
                    Ok(t) => fields.push(t),
                    Err(error) => {
                        cell_errors.push(CellError {
                            column: (c - self.first_col) as usize,
                            address: address(&self.sheet, c, r),
                            error,
                        });
                        fields.push(String::new());
                    }
                }
            }
            if let Some(c) = outside {
                return Ok(Some(Item::Rejected(Rejected {
                    line: r as u64 + 1,
                    fields,
                    reason: format!(
                        "has a value in {} outside the header's columns {} to {}",
                        address(&self.sheet, c, r),
                        headers::column_letters(self.first_col as usize),
                        headers::column_letters(last_col as usize)
                    ),
                })));
            }
            return Ok(Some(Item::Row(Row {
                line: r as u64 + 1,
                record: super::Record::from(fields),
                cell_errors,
            })));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_quote_like_excel() {
        assert_eq!(address("Sheet1", 2, 16), "Sheet1!C17");
        assert_eq!(address("HR Data", 0, 0), "'HR Data'!A1");
        assert_eq!(address("O'Brien", 27, 9), "'O''Brien'!AB10");
    }

    #[test]
    fn finds_inner_names() {
        assert!(contains(b"..PK..xl/workbook.xml..", b"xl/workbook.xml"));
        assert!(!contains(b"short", b"xl/workbook.xml"));
    }
}
