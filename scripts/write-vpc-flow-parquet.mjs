#!/usr/bin/env node
// Writes VPC flow logs as Apache Parquet the way AWS delivers them with `file-format=parquet`:
// one column per field, named with `_` for `-` (account_id, log_status), the types AWS documents
// for each field (INT_32, INT_64, STRING), GZIP-compressed pages. Test data only (a dev tool).
//
//   node scripts/write-vpc-flow-parquet.mjs FLOW.log OUT.parquet [--row-group-rows N]
//     the records of a text flow log (its first line names the fields) as Parquet
//   node scripts/write-vpc-flow-parquet.mjs --generate ROWS OUT.parquet [--row-group-rows N]
//     ROWS generated records of the default format, written a row group at a time
//
// A `-` in a numeric field becomes a null; in a text field it is kept as the string `-`, so
// the parser's handling of both is exercised.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';

const INT64 = new Set(['packets', 'bytes', 'start', 'end']);
const INT32 = new Set(['version', 'srcport', 'dstport', 'protocol', 'tcp-flags', 'traffic-path', 'encryption-status']);
const DEFAULT_FIELDS = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
];

function typeOf(field) {
  if (INT64.has(field)) return 'INT64';
  return INT32.has(field) ? 'INT32' : 'STRING';
}

function schemaOf(fields) {
  return [
    { name: 'schema', num_children: fields.length },
    ...fields.map((field) => {
      const name = field.replace(/-/g, '_');
      const type = typeOf(field);
      if (type === 'STRING') return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
      return { name, type, repetition_type: 'OPTIONAL' };
    }),
  ];
}

function columnValue(field, text) {
  const type = typeOf(field);
  if (type === 'STRING') return text;
  if (text === '-') return null;
  return type === 'INT64' ? BigInt(text) : Number(text);
}

/** Columns of rows (arrays of text values in the order of `fields`). */
function columnData(fields, rows) {
  return fields.map((field, i) => ({
    name: field.replace(/-/g, '_'),
    data: rows.map((row) => columnValue(field, row[i])),
  }));
}

function generatedRow(n) {
  const start = 1_700_000_000 + Math.floor(n / 50);
  return [
    '2',
    '123456789012',
    `eni-${(n % 97).toString(16).padStart(17, '0')}`,
    `10.0.${(n >> 8) & 255}.${n & 255}`,
    `172.31.${(n * 7) % 256}.${(n * 13) % 256}`,
    String(1024 + (n % 60000)),
    String([22, 80, 443, 3389][n % 4]),
    '6',
    String(1 + (n % 40)),
    String(40 + ((n * 37) % 100000)),
    String(start),
    String(start + 60),
    n % 5 === 0 ? 'REJECT' : 'ACCEPT',
    'OK',
  ];
}

function main(argv) {
  const groupFlag = argv.indexOf('--row-group-rows');
  const rowGroupRows = groupFlag === -1 ? 100_000 : Number(argv[groupFlag + 1]);
  const args = groupFlag === -1 ? argv : argv.filter((_, i) => i !== groupFlag && i !== groupFlag + 1);
  const generate = args[0] === '--generate';
  const [input, output] = generate ? [args[1], args[2]] : [args[0], args[1]];
  if (!input || !output || !(rowGroupRows > 0)) {
    process.stderr.write(
      'usage: write-vpc-flow-parquet.mjs (FLOW.log | --generate ROWS) OUT.parquet [--row-group-rows N]\n',
    );
    return 64;
  }
  let fields = DEFAULT_FIELDS;
  let rows = [];
  if (!generate) {
    const lines = readFileSync(input, 'utf8').split('\n').filter(Boolean);
    fields = lines[0].split(' ');
    rows = lines.slice(1).map((line) => line.split(' '));
  }
  const writer = new ParquetWriter({
    writer: fileWriter(output),
    schema: schemaOf(fields),
    codec: 'GZIP',
    compressors: { GZIP: (bytes) => gzipSync(bytes) },
  });
  if (generate) {
    for (let first = 0; first < Number(input); first += rowGroupRows) {
      const count = Math.min(rowGroupRows, Number(input) - first);
      const group = Array.from({ length: count }, (_, i) => generatedRow(first + i));
      writer.write({ columnData: columnData(fields, group), rowGroupSize: rowGroupRows });
    }
  } else {
    writer.write({ columnData: columnData(fields, rows), rowGroupSize: rowGroupRows });
  }
  writer.finish();
  return 0;
}

process.exitCode = main(process.argv.slice(2));
