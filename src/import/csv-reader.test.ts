import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CsvSyntaxError, openCsvSource, readCsv, readCsvFile, type CsvRecord, type ReadCsvOptions } from './csv-reader.js';

async function* chunksOf<T>(chunks: readonly T[]): AsyncGenerator<T> {
  for (const c of chunks) yield c;
}

async function collect(
  source: AsyncIterable<string | Buffer | Uint8Array>,
  options?: ReadCsvOptions,
): Promise<{ records: CsvRecord[]; batches: number[] }> {
  const records: CsvRecord[] = [];
  const batches: number[] = [];
  for await (const batch of readCsv(source, options)) {
    assert.ok(batch.length > 0, 'no empty batches');
    batches.push(batch.length);
    records.push(...batch);
  }
  return { records, batches };
}

async function parse(input: string | readonly (string | Buffer | Uint8Array)[], options?: ReadCsvOptions): Promise<CsvRecord[]> {
  return (await collect(chunksOf(typeof input === 'string' ? [input] : input), options)).records;
}

/** Every record as [line, ...fields], for compact assertions. */
async function rows(input: string | readonly (string | Buffer | Uint8Array)[]): Promise<(number | string)[][]> {
  return (await parse(input)).map((r) => [r.line, ...r.fields]);
}

function bytesOneByOne(text: string): Buffer[] {
  const all = Buffer.from(text, 'utf8');
  return [...all].map((b) => Buffer.from([b]));
}

async function syntaxError(input: string | readonly (string | Buffer)[]): Promise<CsvSyntaxError> {
  try {
    await parse(input);
  } catch (e) {
    assert.ok(e instanceof CsvSyntaxError, `expected CsvSyntaxError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a CsvSyntaxError');
}

describe('readCsv: plain records', () => {
  it('reads a header and rows with LF line ends', async () => {
    assert.deepEqual(await rows('a,b,c\n1,2,3\n4,5,6\n'), [
      [1, 'a', 'b', 'c'],
      [2, '1', '2', '3'],
      [3, '4', '5', '6'],
    ]);
  });

  it('reads CRLF line ends', async () => {
    assert.deepEqual(await rows('a,b\r\n1,2\r\n'), [
      [1, 'a', 'b'],
      [2, '1', '2'],
    ]);
  });

  it('reads a final line without a line end (LF, CRLF and a lone trailing CR)', async () => {
    assert.deepEqual(await rows('a,b\n1,2'), [
      [1, 'a', 'b'],
      [2, '1', '2'],
    ]);
    assert.deepEqual(await rows('a,b\r\n1,2\r'), [
      [1, 'a', 'b'],
      [2, '1', '2'],
    ]);
  });

  it('keeps empty fields and whitespace as they are', async () => {
    assert.deepEqual(await rows(',,\n a , b\n'), [
      [1, '', '', ''],
      [2, ' a ', ' b'],
    ]);
  });

  it('keeps exactly the parsed fields: no padding or truncation to the header', async () => {
    assert.deepEqual(await rows('a,b\n1\n1,2,3\n'), [
      [1, 'a', 'b'],
      [2, '1'],
      [3, '1', '2', '3'],
    ]);
  });

  it('skips entirely empty lines but keeps counting physical lines', async () => {
    assert.deepEqual(await rows('\na,b\n\n\r\n1,2\n\n'), [
      [2, 'a', 'b'],
      [5, '1', '2'],
    ]);
  });

  it('does not skip a line of spaces (it is one field)', async () => {
    assert.deepEqual(await rows('a\n  \n'), [
      [1, 'a'],
      [2, '  '],
    ]);
  });

  it('yields nothing for empty input, blank lines only, or a BOM only', async () => {
    assert.deepEqual(await collect(chunksOf([])), { records: [], batches: [] });
    assert.deepEqual(await collect(chunksOf([''])), { records: [], batches: [] });
    assert.deepEqual(await rows('\n\r\n\n'), []);
    assert.deepEqual(await rows('\uFEFF'), []);
    assert.deepEqual(await rows([Buffer.from([0xef, 0xbb, 0xbf])]), []);
  });

  it('reads a header-only file', async () => {
    assert.deepEqual(await rows('event_id,employee_id\n'), [[1, 'event_id', 'employee_id']]);
    assert.deepEqual(await rows('event_id,employee_id'), [[1, 'event_id', 'employee_id']]);
  });
});

describe('readCsv: quoted fields', () => {
  it('unquotes fields with commas and "" escapes', async () => {
    assert.deepEqual(await rows('"a,b","say ""hi""",c,""\n'), [[1, 'a,b', 'say "hi"', 'c', '']]);
  });

  it('reads quoted fields at the end of input, with or without a trailing comma', async () => {
    assert.deepEqual(await rows('x,"a"'), [[1, 'x', 'a']]);
    assert.deepEqual(await rows('"a",'), [[1, 'a', '']]);
    assert.deepEqual(await rows('"a"\r\n'), [[1, 'a']]);
    assert.deepEqual(await rows('""'), [[1, '']]);
  });

  it('keeps embedded newlines and counts physical lines', async () => {
    const input = 'id,note\n1,"first\nsecond\nthird"\n2,plain\n3,"x\r\ny"\r\n4,"z"\n';
    assert.deepEqual(await rows(input), [
      [1, 'id', 'note'],
      [2, '1', 'first\nsecond\nthird'],
      [5, '2', 'plain'],
      [6, '3', 'x\r\ny'],
      [8, '4', 'z'],
    ]);
  });

  it('keeps a lone CR inside quotes', async () => {
    assert.deepEqual(await rows('"a\rb",c\r\n'), [[1, 'a\rb', 'c']]);
  });

  it('handles a record that spans lines, starting with unquoted fields', async () => {
    assert.deepEqual(await rows('a,b,"c\n\nd",e\nf\n'), [
      [1, 'a', 'b', 'c\n\nd', 'e'],
      [4, 'f'],
    ]);
  });

  it('resumes across any chunk boundary: quotes, "" escapes and CRLF split between chunks', async () => {
    const input = 'h1,h2\r\n"a""b","c\nd"\r\n"e",f\r\n,"g"\r\n';
    const whole = await rows(input);
    assert.deepEqual(whole, [
      [1, 'h1', 'h2'],
      [2, 'a"b', 'c\nd'],
      [4, 'e', 'f'],
      [5, '', 'g'],
    ]);
    for (let i = 0; i <= input.length; i++) {
      for (let j = i; j <= input.length; j += 3) {
        assert.deepEqual(await rows([input.slice(0, i), input.slice(i, j), input.slice(j)]), whole, `split at ${i}, ${j}`);
      }
    }
    assert.deepEqual(await rows([...input]), whole);
  });
});

describe('readCsv: encoding', () => {
  it('strips a UTF-8 BOM from text and from bytes, also when fed byte by byte', async () => {
    const text = '\uFEFFoffice_id,name\r\nSEA1,Seattle\r\n';
    const expected = [
      [1, 'office_id', 'name'],
      [2, 'SEA1', 'Seattle'],
    ];
    assert.deepEqual(await rows(text), expected);
    assert.deepEqual(await rows([Buffer.from(text, 'utf8')]), expected);
    assert.deepEqual(await rows(bytesOneByOne(text)), expected);
  });

  it('keeps a BOM that is not at the start', async () => {
    assert.deepEqual(await rows('a\n\uFEFFb\n'), [
      [1, 'a'],
      [2, '\uFEFFb'],
    ]);
  });

  it('decodes multi-byte characters split across chunks (one byte at a time)', async () => {
    const text = 'name,city\n"Zoë, ""Z""",Zürich\n名前,東京 😀\n"Ωμέγα\n🚀",ok';
    const expected = [
      [1, 'name', 'city'],
      [2, 'Zoë, "Z"', 'Zürich'],
      [3, '名前', '東京 😀'],
      [4, 'Ωμέγα\n🚀', 'ok'],
    ];
    assert.deepEqual(await rows(bytesOneByOne(text)), expected);
    assert.deepEqual(await rows([new Uint8Array(Buffer.from(text, 'utf8'))]), expected);
  });

  it('accepts a mix of text and byte chunks', async () => {
    const bytes = Buffer.from('é,ü\n', 'utf8');
    assert.deepEqual(await rows(['a,b\n', bytes.subarray(0, 1), bytes.subarray(1), 'c,d\n']), [
      [1, 'a', 'b'],
      [2, 'é', 'ü'],
      [3, 'c', 'd'],
    ]);
  });
});

describe('readCsv: errors', () => {
  it('reports an unterminated quoted field at the line where its record starts', async () => {
    const e = await syntaxError('a,b\n1,2\n3,"unclosed\nmore\n');
    assert.equal(e.line, 3);
    assert.equal(e.column, 2);
    assert.equal(e.reason, 'unterminated quoted field');
    assert.match(e.message, /line 3, column 2: unterminated quoted field/);
    const e2 = await syntaxError(['"', 'a']);
    assert.deepEqual([e2.line, e2.column], [1, 1]);
  });

  it('rejects a quote inside an unquoted field, with its field number', async () => {
    const e = await syntaxError('a,b,c\n1,ab"c,3\n');
    assert.deepEqual([e.line, e.column, e.reason], [2, 2, 'quote inside unquoted field']);
    const e2 = await syntaxError('x\n"multi\nline",5 "inches"\n');
    assert.deepEqual([e2.line, e2.column, e2.reason], [2, 2, 'quote inside unquoted field']);
    const e3 = await syntaxError(' "a",b\n');
    assert.deepEqual([e3.line, e3.column], [1, 1]);
  });

  it('rejects characters after a closing quote', async () => {
    const e = await syntaxError('"abc"x\n');
    assert.deepEqual([e.line, e.column, e.reason], [1, 1, 'unexpected character after closing quote: "x"']);
    const e2 = await syntaxError('h\n\n1,"b" ,c\n');
    assert.deepEqual([e2.line, e2.column, e2.reason], [3, 2, 'unexpected character after closing quote: " "']);
    const e3 = await syntaxError('"a"\rb\n');
    assert.deepEqual([e3.line, e3.column], [1, 1]);
  });

  it('stops an unterminated quote from swallowing unbounded input', async () => {
    try {
      await parse(['a,"x', 'y'.repeat(100), 'z'.repeat(100)], { maxFieldLength: 150 });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof CsvSyntaxError);
      assert.deepEqual([e.line, e.column], [1, 2]);
      assert.match(e.reason, /quoted field too long/);
    }
  });
});

describe('readCsv: batches and speed', () => {
  it('yields batches of at most batchSize records, in order', async () => {
    const { records, batches } = await collect(chunksOf(['a\nb\nc\n', 'd\ne\n']), { batchSize: 2 });
    assert.deepEqual(batches, [2, 2, 1]);
    assert.deepEqual(
      records.map((r) => r.fields[0]),
      ['a', 'b', 'c', 'd', 'e'],
    );
  });

  it('uses batches of at most 10,000 by default', async () => {
    const text = Array.from({ length: 25_000 }, (_, i) => `${i},x`).join('\n');
    const { records, batches } = await collect(chunksOf([text]));
    assert.equal(records.length, 25_000);
    assert.ok(batches.every((n) => n <= 10_000));
    assert.equal(records[24_999]!.line, 25_000);
    assert.deepEqual(records[24_999]!.fields, ['24999', 'x']);
  });

  it('stays linear on a long single-column file full of quotes', async () => {
    const text = '"v"\n'.repeat(200_000);
    const started = Date.now();
    const records = await parse([text]);
    assert.equal(records.length, 200_000);
    assert.ok(Date.now() - started < 5_000);
  });
});

describe('readCsv: property', () => {
  const unit = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(',', '"', '\r', '\n', '\r\n', ' ', 'a', 'Z', '0', 'é', '😀', '\uFEFF') },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  );
  const field = fc.string({ unit, maxLength: 8 });
  const table = fc.array(fc.array(fc.record({ value: field, quote: fc.boolean() }), { minLength: 1, maxLength: 6 }), {
    maxLength: 12,
  });

  function serialize(cells: { value: string; quote: boolean }[], first: boolean): string {
    return cells
      .map(({ value, quote }, i) => {
        const must =
          /[",\r\n]/.test(value) || (cells.length === 1 && value === '') || (first && i === 0 && value.startsWith('\uFEFF'));
        return quote || must ? `"${value.replaceAll('"', '""')}"` : value;
      })
      .join(',');
  }

  it('parses back what was serialized, whatever the line ends and chunk splits', async () => {
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.array(fc.boolean(), { maxLength: 12 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom('bytes', 'text'),
        async (tbl, crlf, trailing, cuts, kind) => {
          let text = '';
          let line = 1;
          const expected: (number | string)[][] = [];
          tbl.forEach((cells, r) => {
            const row = serialize(cells, r === 0);
            expected.push([line, ...cells.map((c) => c.value)]);
            const end = r === tbl.length - 1 && !trailing ? '' : crlf[r] ? '\r\n' : '\n';
            text += row + end;
            line += (row.match(/\n/g)?.length ?? 0) + 1;
          });
          const whole: Buffer | string = kind === 'bytes' ? Buffer.from(text, 'utf8') : text;
          const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
          const chunks: (Buffer | string)[] = [];
          let from = 0;
          for (const p of [...points, whole.length]) {
            chunks.push(whole.slice(from, p));
            from = p;
          }
          assert.deepEqual(await rows(chunks), expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('readCsvFile and openCsvSource', () => {
  it('reads a file with a BOM and CRLF, and reports its size and bytes read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubday-csv-'));
    try {
      const path = join(dir, 'offices.csv');
      const content = '\uFEFFoffice_id,name\r\nSEA1,"Seattle, WA"\r\nLON1,London\r\n';
      writeFileSync(path, content);
      const records: CsvRecord[] = [];
      for await (const batch of readCsvFile(path)) records.push(...batch);
      assert.deepEqual(
        records.map((r) => [r.line, ...r.fields]),
        [
          [1, 'office_id', 'name'],
          [2, 'SEA1', 'Seattle, WA'],
          [3, 'LON1', 'London'],
        ],
      );
      const source = openCsvSource(path);
      const size = Buffer.byteLength(content);
      assert.equal(source.size, size);
      assert.equal(source.bytesRead(), 0);
      const viaSource: CsvRecord[] = [];
      for await (const batch of readCsv(source.stream)) viaSource.push(...batch);
      assert.deepEqual(viaSource, records);
      assert.equal(source.bytesRead(), size);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with ENOENT for a missing file', async () => {
    await assert.rejects(
      async () => {
        for await (const _ of readCsvFile('/nonexistent/hubday.csv')) void _;
      },
      { code: 'ENOENT' },
    );
    assert.throws(() => openCsvSource('/nonexistent/hubday.csv'), { code: 'ENOENT' });
  });
});
