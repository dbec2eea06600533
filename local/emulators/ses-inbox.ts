/**
 * The SES inbox across restarts. aws-ses-v2-local keeps sent mail in one in-memory array (its store
 * module, shared by every server in the process); this copies new mail to a JSON-lines file in the data
 * folder and feeds the file back into that array at start, so the inbox page and `/store` still show
 * mail sent before a restart.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);

/** One mail as aws-ses-v2-local stores it (only the id matters here). */
interface StoredEmail {
  messageId: string;
  [field: string]: unknown;
}

/** Most mails kept across a restart (the newest); older ones are dropped from the file at start. */
export const maxKeptMails = 5_000;
/** How often new mail is copied to the file (and once more at stop). */
export const inboxSaveMs = 1_000;

function sesStore(): { emails: StoredEmail[] } {
  const { getStoreReadonly } = require('aws-ses-v2-local/dist/store.js') as { getStoreReadonly: () => { emails: StoredEmail[] } };
  return getStoreReadonly();
}

function readFile(file: string): StoredEmail[] {
  if (!existsSync(file)) return [];
  const mails: StoredEmail[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const mail = JSON.parse(line) as StoredEmail;
      if (typeof mail?.messageId === 'string') mails.push(mail);
    } catch {
      // A line cut short by a crash: the mails before and after it still count.
    }
  }
  return mails;
}

const lines = (mails: StoredEmail[]) => mails.map((m) => `${JSON.stringify(m)}\n`).join('');

/** Restores the inbox from `file`, then keeps the file up to date until `stop()`. */
export function persistInbox(file: string): { stop(): void } {
  mkdirSync(dirname(file), { recursive: true });
  const store = sesStore();
  const saved = readFile(file).slice(-maxKeptMails);
  const present = new Set(store.emails.map((m) => m.messageId));
  // Saved mail goes before mail already in memory, in the order it was sent.
  store.emails.unshift(...saved.filter((m) => !present.has(m.messageId)));
  writeFileSync(file, lines(store.emails));
  let array = store.emails;
  let written = store.emails.length;

  const save = () => {
    const emails = store.emails;
    if (emails !== array || emails.length < written) {
      // The inbox was cleared (POST /clear-store): the file follows.
      writeFileSync(file, lines(emails));
    } else if (emails.length > written) {
      appendFileSync(file, lines(emails.slice(written)));
    }
    array = emails;
    written = emails.length;
  };
  const timer = setInterval(save, inboxSaveMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      save();
    },
  };
}
