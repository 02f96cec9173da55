import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createArrayDataset } from '../array-dataset';
import { DatasetError, type Dataset } from '../dataset';
import type { DatasetRef } from '../../protocol/trainer-protocol';
import { errorMessage, MAX_TEXT_BYTES, readDataFile } from './file-bytes';
import { classLabelsFromStrings } from './labels';

/**
 * CSV/TSV of numbers. The first row is a header when any of its cells is not a number. An optional
 * label column (by name or 0-based index; else a column named label/class/target/y/species) becomes
 * the class labels; every other cell must be a finite number.
 */

export const LABEL_COLUMN_NAMES: readonly string[] = ['label', 'labels', 'class', 'target', 'y', 'species', 'category'];
const MAX_REPORTED_PROBLEMS = 5;

type ParsedRow = { record: string[]; info: { lines: number } };

export function detectDelimiter(file: string, firstLine: string): string {
  if (/\.tsv$/i.test(file)) return '\t';
  if (firstLine.includes(',')) return ',';
  if (firstLine.includes('\t')) return '\t';
  if (firstLine.includes(';')) return ';';
  return ',';
}

function isNumberCell(cell: string): boolean {
  return cell.trim() !== '' && Number.isFinite(Number(cell));
}

/** Parses the text into records with their line numbers; syntax errors (a stray quote) become one DatasetError. */
export function parseDelimited(file: string, text: string): { records: ParsedRow[]; delimiter: string } {
  const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length);
  const delimiter = detectDelimiter(file, firstLine);
  try {
    const records = parse(text, {
      delimiter,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true, // reported below with our own line numbers
      info: true,
    }) as ParsedRow[];
    return { records, delimiter };
  } catch (error) {
    throw new DatasetError(file, `cannot be parsed as ${delimiter === '\t' ? 'TSV' : 'CSV'}: ${errorMessage(error)}`);
  }
}

/**
 * The first row is a header when one of its cells is text over a column of numbers (or when it is the
 * only row and holds text). Text over text is a label column, not a header.
 */
export function headerOf(records: ParsedRow[]): string[] | undefined {
  const first = records[0]?.record;
  const second = records[1]?.record;
  if (!first) return undefined;
  const isText = (cell: string): boolean => cell !== '' && !isNumberCell(cell);
  const looksLikeHeader = second ? first.some((cell, c) => isText(cell) && second[c] !== undefined && isNumberCell(second[c])) : first.some(isText);
  return looksLikeHeader ? first : undefined;
}

function resolveLabelColumn(file: string, labelColumn: string | number | undefined, header: string[] | undefined, width: number): number | undefined {
  if (labelColumn === undefined) {
    const index = header?.findIndex((name) => LABEL_COLUMN_NAMES.includes(name.trim().toLowerCase())) ?? -1;
    return index >= 0 ? index : undefined;
  }
  if (typeof labelColumn === 'number') {
    if (labelColumn >= width) throw new DatasetError(file, `label column ${labelColumn} does not exist: rows have ${width} columns (0..${width - 1})`);
    return labelColumn;
  }
  const index = header ? header.indexOf(labelColumn) : -1;
  if (index < 0) {
    const known = header ? `columns are ${header.map((h) => `"${h}"`).join(', ')}` : 'the file has no header row';
    throw new DatasetError(file, `has no label column named "${labelColumn}" (${known})`);
  }
  return index;
}

export async function readCsvDataset(ref: DatasetRef): Promise<Dataset> {
  const file = ref.path;
  const bytes = await readDataFile(file, MAX_TEXT_BYTES);
  if (bytes.includes(0)) throw new DatasetError(file, 'is binary, not a CSV/TSV text file');
  const { records } = parseDelimited(file, bytes.toString('utf8'));
  const header = headerOf(records);
  const rows = header ? records.slice(1) : records;
  if (rows.length === 0) throw new DatasetError(file, header ? 'has a header but no data rows' : 'holds no rows');
  const width = header?.length ?? rows[0].record.length;
  const columnNames = header ?? Array.from({ length: width }, (_, c) => `column ${c + 1}`);
  const labelIndex = resolveLabelColumn(file, ref.labelColumn, header, width);
  const featureIndices = Array.from({ length: width }, (_, c) => c).filter((c) => c !== labelIndex);
  if (featureIndices.length === 0) throw new DatasetError(file, 'has no feature columns besides the label column');

  const count = Math.min(rows.length, ref.limit ?? rows.length);
  const values = new Float32Array(count * featureIndices.length);
  const labelTexts: string[] = [];
  const problems: string[] = [];
  let problemCount = 0;
  const textColumns = new Set<number>();
  const report = (line: number, column: number, problem: string): void => {
    problemCount++;
    if (problems.length < MAX_REPORTED_PROBLEMS) {
      const name = header ? ` ("${columnNames[column]}")` : '';
      problems.push(`line ${line}, column ${column + 1}${name}: ${problem}`);
    }
  };

  for (let r = 0; r < count; r++) {
    const { record, info } = rows[r];
    if (record.length !== width) {
      problemCount++;
      if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(`line ${info.lines}: has ${record.length} cells, expected ${width}`);
      continue;
    }
    for (let f = 0; f < featureIndices.length; f++) {
      const c = featureIndices[f];
      const cell = record[c];
      if (cell === '') report(info.lines, c, 'missing value');
      else if (!isNumberCell(cell)) {
        textColumns.add(c);
        report(info.lines, c, `${JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell)} is not a number`);
      }
      else values[r * featureIndices.length + f] = Number(cell);
    }
    if (labelIndex !== undefined) {
      const label = record[labelIndex];
      if (label === '') report(info.lines, labelIndex, 'missing label');
      labelTexts.push(label);
    }
  }
  if (problemCount > 0) {
    const more = problemCount > problems.length ? `; and ${problemCount - problems.length} more` : '';
    // Text in just one column is most likely a class column nobody named.
    const [textColumn] = textColumns;
    const hint = textColumns.size === 1 && width > 1 && ref.labelColumn === undefined ? ` (if column ${textColumn + 1} holds class labels, choose it as the label column, index ${textColumn})` : '';
    throw new DatasetError(file, `${problemCount === 1 ? 'has a problem' : `has ${problemCount} problems`}: ${problems.join('; ')}${more}${hint}`);
  }

  const labels = labelIndex !== undefined ? classLabelsFromStrings(file, labelTexts) : undefined;
  const features = featureIndices.map((c) => columnNames[c]);
  return createArrayDataset({
    source: file,
    name: path.basename(file).replace(/\.(csv|tsv)$/i, ''),
    format: 'csv',
    kind: 'tabular',
    data: values,
    count,
    sampleShape: [features.length],
    labels: labels?.values,
    classNames: labels?.classNames,
    columns: features,
  });
}
