/** A real SMTP server for a test (smtp-server), keeping every message it accepts parsed by mailparser. */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { conditionWaiter } from './conditionWaiter.ts';

export type SmtpReceiver = {
  /** smtp://user:password@127.0.0.1:port, as SMTP_URL. */
  url: string;
  messages: ParsedMail[];
  /** The envelope recipients of each message. */
  envelopes: string[][];
  waitFor(condition: (messages: ParsedMail[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
};

export async function startSmtpReceiver(credentials = { user: 'alerts', password: 'smtp-secret-pw' }): Promise<SmtpReceiver> {
  const messages: ParsedMail[] = [];
  const envelopes: string[][] = [];
  const { notify, waitFor } = conditionWaiter(() => `${messages.length} messages received`);
  const server = new SMTPServer({
    // No TLS certificate to offer a test client: plain SMTP with AUTH allowed over it.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.password) return callback(null, { user: auth.username });
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messages.push(parsed);
          envelopes.push(session.envelope.rcptTo.map((r) => r.address));
          notify();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${credentials.user}:${credentials.password}@127.0.0.1:${port}`,
    messages,
    envelopes,
    waitFor: (condition, timeoutMs = 20_000) => waitFor(() => condition(messages), timeoutMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
