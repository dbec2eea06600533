import { parse } from 'csv-parse/sync';

/** A CSV record with the file line it ends on. */
export interface CsvRecord {
  record: string[];
  info: { lines: number };
}

/** A problem of a file or row, at its line. */
export interface CsvProblem {
  line: number;
  field: string;
  message: string;
}

/**
 * The records of an uploaded CSV file (BOM, blank lines and ragged rows tolerated, cells trimmed) and its
 * header's column index, or the file-level problem that stops reading: not CSV, empty, a bad header, more
 * than `maxRows` data rows. The importers' parsers (channels' offline touches, CRM contacts) check the rows.
 */
export function readCsvRecords<I, E extends CsvProblem>(
  text: string,
  maxRows: number,
  headerIndex: (header: string[]) => { index: I; errors: E[] },
): { records: CsvRecord[]; index: I } | { errors: (E | CsvProblem)[] } {
  let records: CsvRecord[];
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as unknown as CsvRecord[];
  } catch (err) {
    const line = typeof (err as { lines?: unknown }).lines === 'number' ? (err as { lines: number }).lines : 1;
    return { errors: [{ line, field: 'file', message: `not valid CSV: ${(err as Error).message}` }] };
  }
  if (records.length === 0) return { errors: [{ line: 1, field: 'file', message: 'empty: expected a header row and at least one row' }] };
  const { index, errors } = headerIndex(records[0]!.record);
  if (errors.length > 0) return { errors };
  if (records.length - 1 > maxRows) {
    return { errors: [{ line: records[maxRows + 1]!.info.lines, field: 'file', message: `more than ${maxRows} rows: split the file` }] };
  }
  return { records, index };
}
