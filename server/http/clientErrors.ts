/**
 * Answers what Node's HTTP parser refuses before a request exists: a request line or headers larger
 * than the server takes (414, 431), malformed HTTP (400), a client too slow to send its headers
 * (408). Node's own answer closes the socket while the client is still sending, which the client
 * sees as a connection reset instead of the status; here the rest of what it sends is read and
 * dropped for a moment, so that the answer arrives and the connection ends cleanly.
 */
import { maxHeaderSize as maxHeaderSizeDefault, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../logger.ts';
import { REFUSAL_HEADERS } from './securityHeaders.ts';

/** How long a refused client may go on sending before its connection is cut. */
const LINGER_MS = 2_000;
const REQUEST_LINE = /^[A-Z]{3,10} /;

type Refusal = { status: number; reason: string; code: string; message: string };

function refusalFor(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, maxHeaderSize: number): Refusal | null {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW': {
      // Still inside the request line when the limit was reached: the URL is what is too long. Only the
      // chunk being parsed is known; a client writes a request's head at once, so it starts the chunk.
      const packet = error.rawPacket?.subarray(0, maxHeaderSize + 2).toString('latin1') ?? '';
      if (REQUEST_LINE.test(packet) && !packet.includes('\r\n')) {
        return { status: 414, reason: 'URI Too Long', code: 'URI_TOO_LONG', message: `The request line is longer than ${maxHeaderSize} bytes; send GraphQL documents in a POST body` };
      }
      return { status: 431, reason: 'Request Header Fields Too Large', code: 'HEADERS_TOO_LARGE', message: `The request line and headers are larger than ${maxHeaderSize} bytes` };
    }
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', code: 'REQUEST_TIMEOUT', message: 'The request headers took too long to arrive' };
    case 'ECONNRESET':
    case 'EPIPE':
      // The client is gone: nobody to answer.
      return null;
    default:
      return { status: 400, reason: 'Bad Request', code: 'BAD_HTTP_REQUEST', message: 'The request is not valid HTTP/1.1' };
  }
}

/** The headers of a refusal written straight to the socket. */
const HEAD = Object.entries({ ...REFUSAL_HEADERS, connection: 'close', 'content-type': 'application/json' })
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

export function answerClientErrors(server: Server, logger: Logger): void {
  // CONNECT asks the server to be a proxy, which it is not: Node would close the socket without a word.
  server.on('connect', (_req, socket: Socket) => {
    socket.on('error', () => undefined);
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\n${HEAD}content-length: 0\r\n\r\n`);
  });
  // Node's default; the server does not set its own.
  const maxHeaderSize = maxHeaderSizeDefault;
  /** Sockets already answered: the parser reports every later chunk of the same request as another error. */
  const answered = new WeakSet<Socket>();
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    if (answered.has(socket)) return;
    // An answer is being written on this connection (a pipelined request came broken): no room for another.
    if ((socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) return void socket.destroy();
    const refusal = socket.writable ? refusalFor(error, maxHeaderSize) : null;
    if (!refusal) return void socket.destroy();
    answered.add(socket);
    logger.info({ code: error.code, status: refusal.status }, 'request refused before it was read');
    const body = JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
    socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\n${HEAD}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    // Unread bytes at close make the kernel reset the connection, and the client lose the answer.
    socket.on('data', () => undefined).resume();
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}
