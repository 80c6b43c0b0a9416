import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server in the test (or benchmark) process that accepts every mail and keeps its Message-ID. */
export interface MailSink {
  /** `smtp://127.0.0.1:<port>`, for a notifier's SMTP_URL. */
  url: string;
  /** The Message-ID of every mail accepted, in order of arrival. */
  messageIds: string[];
  /** How many copies of the notification's mail arrived (its Message-ID is the notification's id). */
  copiesOf(notificationId: string): number;
  /** Turns the next `count` mails away with a temporary error (451), as a busy server does. */
  refuseNext(count: number): void;
  close(): Promise<void>;
}

export async function startMailSink(): Promise<MailSink> {
  const messageIds: string[] = [];
  let refusing = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      if (refusing > 0) {
        refusing -= 1;
        stream.resume().on('end', () => done(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 })));
        return;
      }
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 4096) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        messageIds.push(/^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? 'missing');
        done();
      });
    },
  });
  // A notifier killed mid-conversation resets its connection: expected in these tests, not a failure.
  smtp.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET') throw error;
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    messageIds,
    copiesOf: (notificationId) => messageIds.filter((id) => id === `<${notificationId}@notifications.koryu>`).length,
    refuseNext: (count) => void (refusing = count),
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
