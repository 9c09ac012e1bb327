// An independent Arrow IPC reader and writer for PulseMQ's interop test
// (tests/interop/test_arrow_interop.py), built on the apache-arrow package
// rather than on anything of ours.
//
//   node check-arrow.mjs read [FILE|-]         read a stream, print it as JSON
//   node check-arrow.mjs write CASE [FILE|-]   write a stream, print what it holds as JSON
//
// The JSON: {"rows": N, "batches": B, "columns": [{"name", "type", "values"}]}.
// Values keep full precision: integers and timestamps (in their own unit)
// as decimal strings, binaries as hex, non-finite floats as strings, nulls
// as null. CASE is one of: all, multi, empty, uint64-big, date, dict.
import { readFileSync, writeFileSync } from 'node:fs';
import * as A from 'apache-arrow';

const UNITS = ['s', 'ms', 'us', 'ns'];

function typeName(type) {
  switch (type.typeId) {
    case A.Type.Int: return `${type.isSigned ? 'int' : 'uint'}${type.bitWidth}`;
    case A.Type.Float: return ['float16', 'float32', 'float64'][type.precision];
    case A.Type.Bool: return 'bool';
    case A.Type.Utf8: return 'utf8';
    case A.Type.LargeUtf8: return 'large_utf8';
    case A.Type.Binary: return 'binary';
    case A.Type.LargeBinary: return 'large_binary';
    case A.Type.Timestamp:
      return `timestamp[${UNITS[type.unit]}${type.timezone ? ', ' + type.timezone : ''}]`;
    case A.Type.Null: return 'null';
    case A.Type.Date: return 'date';
    case A.Type.Dictionary: return 'dictionary';
    default: return String(type);
  }
}

function hex(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function jsonValue(type, chunk, vector, i) {
  switch (type.typeId) {
    case A.Type.Null: return null;
    case A.Type.Int:
    case A.Type.Timestamp:
      // the raw array: Vector.get() turns timestamps into float milliseconds
      return String(chunk.values[chunk.offset + i]);
    case A.Type.Float: {
      const v = vector.get(i);
      return Number.isFinite(v) ? v : String(v);
    }
    case A.Type.Binary:
    case A.Type.LargeBinary: return hex(vector.get(i));
    default: return vector.get(i);
  }
}

function describe(table) {
  const columns = table.schema.fields.map((field, j) => {
    const values = [];
    // through the batches: a table read from a stream without any has no vectors
    for (const chunk of table.batches.flatMap((b) => b.getChildAt(j).data)) {
      const vector = A.makeVector(chunk);
      for (let i = 0; i < chunk.length; i++)
        values.push(vector.isValid(i) ? jsonValue(field.type, chunk, vector, i) : null);
    }
    return { name: field.name, type: typeName(field.type), values };
  });
  return { rows: table.numRows, batches: table.batches.length, columns };
}

// ---- streams to write --------------------------------------------------------

function bitmap(valid) {
  const bits = new Uint8Array(Math.ceil(valid.length / 8) || 1);
  valid.forEach((v, i) => { if (v) bits[i >> 3] |= 1 << (i & 7); });
  return bits;
}

// a column from values with nulls, straight into Arrow buffers
function fixed(type, Array, values) {
  const valid = values.map((v) => v !== null);
  const data = Array.from(values, (v) => (v === null ? (Array === BigInt64Array || Array === BigUint64Array ? 0n : 0) : v));
  return A.makeData({ type, length: values.length, nullCount: valid.filter((v) => !v).length,
    nullBitmap: bitmap(valid), data });
}

function bools(values) {
  const valid = values.map((v) => v !== null);
  return A.makeData({ type: new A.Bool(), length: values.length,
    nullCount: valid.filter((v) => !v).length, nullBitmap: bitmap(valid),
    data: bitmap(values.map((v) => v === true)) });
}

function variable(type, large, values) {
  const valid = values.map((v) => v !== null);
  const parts = values.map((v) => (v === null ? new Uint8Array(0)
    : typeof v === 'string' ? new TextEncoder().encode(v) : Uint8Array.from(v)));
  const offsets = large ? new BigInt64Array(values.length + 1) : new Int32Array(values.length + 1);
  let total = 0;
  parts.forEach((p, i) => { total += p.length; offsets[i + 1] = large ? BigInt(total) : total; });
  const data = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { data.set(p, at); at += p.length; }
  return A.makeData({ type, length: values.length, nullCount: valid.filter((v) => !v).length,
    nullBitmap: bitmap(valid), valueOffsets: offsets, data });
}

// n rows of every type the reader takes, with a null at every third row
function allTypes(n, seed) {
  const rows = Array.from({ length: n }, (_, i) => i + seed);
  const nul = (f) => rows.map((r, i) => (i % 3 === 1 ? null : f(r)));
  const columns = {
    i8: fixed(new A.Int8(), Int8Array, nul((r) => (r % 2 ? -128 : 127))),
    i16: fixed(new A.Int16(), Int16Array, nul((r) => (r % 2 ? -32768 : r))),
    i32: fixed(new A.Int32(), Int32Array, nul((r) => (r % 2 ? -2147483648 : 2147483647 - r))),
    i64: fixed(new A.Int64(), BigInt64Array, nul((r) => (r % 2 ? -(2n ** 63n) : 2n ** 63n - 1n - BigInt(r)))),
    u8: fixed(new A.Uint8(), Uint8Array, nul((r) => 255 - r)),
    u16: fixed(new A.Uint16(), Uint16Array, nul((r) => 65535 - r)),
    u32: fixed(new A.Uint32(), Uint32Array, nul((r) => 4294967295 - r)),
    u64: fixed(new A.Uint64(), BigUint64Array, nul((r) => 2n ** 63n - 1n - BigInt(r))),
    f32: fixed(new A.Float32(), Float32Array, nul((r) => r + 0.5)),
    f64: fixed(new A.Float64(), Float64Array, nul((r) => (r % 4 === 3 ? -Infinity : r / 3))),
    flag: bools(nul((r) => r % 2 === 0)),
    text: variable(new A.Utf8(), false, nul((r) => (r % 2 ? `é${r}` : ''))),
    large_text: variable(new A.LargeUtf8(), true, nul((r) => `长-${r}`)),
    bin: variable(new A.Binary(), false, nul((r) => [0, 255, r & 255])),
    large_bin: variable(new A.LargeBinary(), true, nul((r) => [r & 255])),
    ts_s: fixed(new A.TimestampSecond(), BigInt64Array, nul((r) => 1700000000n + BigInt(r))),
    ts_ms: fixed(new A.TimestampMillisecond(), BigInt64Array, nul((r) => -1700000000123n + BigInt(r))),
    ts_us: fixed(new A.TimestampMicrosecond(), BigInt64Array, nul((r) => 1700000000123456n + BigInt(r))),
    ts_ns: fixed(new A.TimestampNanosecond(), BigInt64Array, nul((r) => 1700000000123456789n + BigInt(r))),
    ts_tz: fixed(new A.TimestampNanosecond('Asia/Shanghai'), BigInt64Array, nul((r) => BigInt(r))),
    nothing: A.makeData({ type: new A.Null(), length: n }),
  };
  return new A.Table(Object.fromEntries(Object.entries(columns).map(([k, d]) => [k, A.makeVector(d)])));
}

function build(name) {
  switch (name) {
    case 'all': return allTypes(7, 0);
    // row counts that are not multiples of 8: bitmaps must be re-aligned
    case 'multi': return allTypes(3, 0).concat(allTypes(5, 3), allTypes(0, 8), allTypes(11, 8));
    case 'empty': return allTypes(0, 0);
    case 'uint64-big':
      return new A.Table({ big: A.makeVector(fixed(new A.Uint64(), BigUint64Array, [1n, 2n ** 63n])) });
    case 'date':
      return new A.Table({ day: A.vectorFromArray([new Date(0), null], new A.DateDay()) });
    case 'dict':
      return new A.Table({ sym: A.vectorFromArray(['a', 'b', 'a'], new A.Dictionary(new A.Utf8(), new A.Int32())) });
    default: throw new Error(`unknown case ${name}`);
  }
}

function main(argv) {
  const [mode, ...rest] = argv;
  if (mode === 'read') {
    const file = rest[0] ?? '-';
    const bytes = readFileSync(file === '-' ? 0 : file);
    process.stdout.write(JSON.stringify(describe(A.tableFromIPC(bytes))) + '\n');
  } else if (mode === 'write' && rest.length >= 1) {
    const table = build(rest[0]);
    const bytes = A.tableToIPC(table, 'stream');
    const file = rest[1] ?? '-';
    if (file === '-') process.stdout.write(bytes);
    else {
      writeFileSync(file, bytes);
      process.stdout.write(JSON.stringify(describe(table)) + '\n');
    }
  } else {
    process.stderr.write('usage: check-arrow.mjs read [FILE|-] | write CASE [FILE|-]\n');
    process.exit(2);
  }
}

main(process.argv.slice(2));
