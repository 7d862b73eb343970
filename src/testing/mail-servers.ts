/**
 * Test servers for the outbox: a real SMTP server (smtp-server) collecting what it receives, and
 * an HTTP webhook receiver that verifies hubday's signature the way a real receiver would.
 * Both listen on 127.0.0.1 on a free port.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received { from: string; to: string[]; headers: Map<string, string>; subject: string; body: string }

/** Decodes a raw RFC 5322 message enough to read it: unfolded headers, a quoted-printable or base64 text body. */
export function parseMail(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  let body = raw.slice(split + 4);
  const cte = headers.get('content-transfer-encoding')?.toLowerCase();
  if (cte === 'quoted-printable') {
    const bytes: number[] = [];
    const soft = body.replace(/=\r\n/g, '');
    for (let i = 0; i < soft.length; i++) {
      if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
        bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(...Buffer.from(soft[i]!, 'utf8'));
    }
    body = Buffer.from(bytes).toString('utf8');
  } else if (cte === 'base64') {
    body = Buffer.from(body, 'base64').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

export async function startSmtp(): Promise<{ port: number; inbox: Received[]; rejectNext: number; close(): Promise<void> }> {
  const state = { port: 0, inbox: [] as Received[], rejectNext: 0, close: async (): Promise<void> => undefined };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, cb) {
      if (state.rejectNext > 0) {
        state.rejectNext--;
        return cb(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const { headers, body } = parseMail(Buffer.concat(chunks).toString('utf8'));
        const env = session.envelope;
        state.inbox.push({
          from: env.mailFrom ? env.mailFrom.address : '', to: env.rcptTo.map((r) => r.address), headers, subject: headers.get('subject') ?? '', body,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}


/** A webhook receiver; `failNext` answers 503 to that many requests. */
export async function startWebhook(secret: string) {
  const state = {
    port: 0, failNext: 0, received: [] as { body: string; timestamp: string; valid: boolean }[],
    close: async (): Promise<void> => undefined,
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-hubday-timestamp'] ?? '');
      // How a receiver verifies (docs/workflows/manager-digests.md): HMAC-SHA256 of "timestamp.body".
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-hubday-signature'] ?? ''));
      const valid = given.length === expected.length && timingSafeEqual(given, expected);
      state.received.push({ body, timestamp, valid });
      if (state.failNext > 0) {
        state.failNext--;
        res.writeHead(503).end('busy');
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
