/** The badge file in columns, parsed on the calling thread or in a worker thread: the same batches, the same errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBadgeFile, type BadgeParseItem, type BadgeParseSetup } from './badge-batches.js';
import { parseBadgeFileInThread } from './badge-parse-thread.js';
import { CsvSyntaxError } from './csv-reader.js';

const setup: BadgeParseSetup = { file: 'b.csv', employeeIds: ['E1', 'E2', 'E3'], officeIds: ['SEA1', 'NYC1'] };

/** The text in chunks of `size` bytes (cut anywhere, even inside a character). */
async function* chunksOf(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** The items as plain data (typed arrays as arrays, only the valid part). */
async function collect(items: AsyncIterable<BadgeParseItem>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of items) {
    if (item.kind === 'header') {
      out.push(item);
      continue;
    }
    const b = item.batch;
    const events: unknown[] = [];
    const ids = b.count === 0 ? [] : b.eventIds.split('\n');
    for (let i = 0; i < b.count; i++) {
      events.push({ employeeId: setup.employeeIds[b.employee[i]!], eventId: ids[i], officeId: setup.officeIds[b.office[i]!], at: b.at[i], direction: [null, 'in', 'out'][b.dir[i]!] });
    }
    out.push({ rows: b.rows, events, problems: b.problems });
  }
  return out;
}

function file(rows: number, note: number): string {
  const lines = ['event_id,employee_id,office_id,timestamp,direction,note'];
  for (let i = 0; i < rows; i++) {
    const emp = ['E1', 'E2', 'E3', 'E9'][i % 4];
    const dir = ['in', 'out', '', 'OUT'][i % 4];
    // Quoted fields with commas, quotes and line ends move the physical line count.
    const extra = i % 7 === 0 ? `"a ""q"", b\nc ${'é'.repeat(note)}"` : 'x'.repeat(note);
    lines.push(`ev${i},${emp},${i % 5 === 0 ? 'NYC1' : 'SEA1'},2026-11-${String(2 + (i % 20)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:15:00Z,${dir},${extra}`);
  }
  return lines.join('\r\n') + '\r\n';
}

test('a worker thread parses a badge file into the same batches, refusals included, whatever the chunks', async () => {
  const text = file(25_000, 3);
  const here = await collect(parseBadgeFile(chunksOf(text, 1 << 20), setup));
  assert.equal(here.length, 4, 'the header and three batches');
  const problems = here.flatMap((x) => (x as { problems?: unknown[] }).problems ?? []);
  assert.equal(problems.length, 6_250, 'every fourth row names an unknown employee');
  assert.deepEqual((problems[0] as { problem: unknown }).problem, { file: 'b.csv', line: 6, column: 2, columnName: 'employee_id', reason: 'unknown employee "E9"' });
  for (const size of [61, 1000, 1 << 16]) {
    assert.deepEqual(await collect(parseBadgeFileInThread(chunksOf(text, size), setup)), here, `chunks of ${size} bytes`);
  }
});

test('a worker thread is fed past its read-ahead when a batch needs many chunks (long lines)', async () => {
  // 10,000 rows of 1 KiB in chunks of 1,000 bytes: one batch needs some 10,000 chunks.
  const text = file(10_500, 1024);
  const here = await collect(parseBadgeFile(chunksOf(text, 1 << 20), setup));
  assert.deepEqual(await collect(parseBadgeFileInThread(chunksOf(text, 1000), setup)), here);
});

test('a worker thread reports syntax errors and a bad header as the calling thread does', async () => {
  const cases = [
    file(12_000, 1) + 'ev,E1,SEA1,"2026-11-02T10:00:00Z,in,x\r\n',
    file(15_000, 1).replace('ev14000,', 'ev"14000,'),
    'event_id,employee_id,timestamp\r\nx,E1,2026-11-02T10:00:00Z\r\n',
    'event_id,employee_id,office_id,timestamp,Event_ID\r\n',
  ];
  for (const text of cases) {
    const error = async (items: AsyncIterable<BadgeParseItem>) => {
      let batches = 0;
      try {
        for await (const item of items) if (item.kind === 'batch') batches++;
      } catch (e) {
        assert.ok(e instanceof CsvSyntaxError, String(e));
        return { batches, line: e.line, column: e.column, reason: e.reason };
      }
      assert.fail('expected a syntax error');
    };
    const here = await error(parseBadgeFile(chunksOf(text, 1 << 16), setup));
    assert.deepEqual(await error(parseBadgeFileInThread(chunksOf(text, 4096), setup)), here);
  }
  assert.deepEqual(await collect(parseBadgeFileInThread(chunksOf('', 10), setup)), [], 'an empty file: nothing, not even a header');
});

test('a consumer that stops early ends the worker thread and closes the source', async () => {
  let closed = false;
  async function* source() {
    try {
      yield* chunksOf(file(50_000, 1), 1 << 16);
    } finally {
      closed = true;
    }
  }
  const items = parseBadgeFileInThread(source(), setup);
  let batches = 0;
  for await (const item of items) if (item.kind === 'batch' && ++batches === 1) break;
  assert.equal(batches, 1);
  assert.equal(closed, true, 'the source was closed before the whole file was read');
});
