/* CLI: staff and operator commands until the staff console exists. Output is for people. */
import { isRequestStatus, parseReference, REQUEST_STATUSES } from '../domain/support-request';
import { liftStatusLocks } from '../engine/flows/status-guard';
import { createMessageLogModels } from '../persistence/message-log.models';
import { MessageLogRepository } from '../persistence/message-log.repository';
import { generateSecrets } from '../security/dev-secrets';
import { failCli, startCli } from './bootstrap';

const USAGE = `Usage: npm run admin -- <command>
  gen-keys                               print fresh production secrets (for .env)
  handoffs                               list open handoffs
  handoff:close <id>                     close a handoff (the bot takes the conversation back)
  inbound:unanswered                     messages the bot did not answer (overtaken, or given up after an outage)
  request:status <reference> <status> [note]
                                         set a request's status (${REQUEST_STATUSES.join(', ')})
  status:unlock <reference>              lift every status look-up lock on a request (after wrong last-4 answers)`;

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'gen-keys') {
    const s = generateSecrets();
    process.stdout.write(
      `DATA_ENCRYPTION_KEYS=${s.encryptionKeys}\nDATA_HMAC_KEY=${s.hmacKey}\nSESSION_SECRET=${s.sessionSecret}\nSTAFF_API_TOKEN=${s.staffApiToken}\n`,
    );
    return;
  }
  if (!command || !['handoffs', 'handoff:close', 'inbound:unanswered', 'request:status', 'status:unlock'].includes(command)) {
    process.stdout.write(`${USAGE}\n`);
    process.exitCode = command ? 2 : 0;
    return;
  }
  const runtime = await startCli();
  try {
    const { handoffs, requests } = runtime.core;
    if (command === 'handoffs') {
      const open = await handoffs.listOpen();
      if (open.length === 0) process.stdout.write('No open handoffs.\n');
      for (const h of open) process.stdout.write(`${h.id}  ${h.openedAt.toISOString()}  ${h.channel}  ${h.language}  ${h.reason}  messages=${h.messageCount}\n`);
    } else if (command === 'inbound:unanswered') {
      const log = new MessageLogRepository(await createMessageLogModels(runtime.services.mongo), runtime.services.cipher);
      const list = await log.unanswered(100);
      if (list.length === 0) process.stdout.write('Every stored message was answered.\n');
      for (const m of list) process.stdout.write(`${m.id}  ${m.storedAt.toISOString()}  ${m.channel}  ${m.status}\n`);
    } else if (command === 'status:unlock') {
      const reference = parseReference(rest[0] ?? '');
      if (!reference) {
        process.stdout.write(`${USAGE}\n`);
        process.exitCode = 2;
        return;
      }
      await liftStatusLocks(runtime.core.ports.attempts, reference);
      process.stdout.write(`Look-ups of ${reference} are open again.\n`);
    } else if (command === 'handoff:close') {
      const ok = rest[0] ? await handoffs.close(rest[0], 'staff-cli', new Date()) : false;
      process.stdout.write(ok ? 'Closed.\n' : 'No open handoff with that id.\n');
      if (!ok) process.exitCode = 1;
    } else {
      const [reference, status, ...note] = rest;
      if (!reference || !isRequestStatus(status)) {
        process.stdout.write(`${USAGE}\n`);
        process.exitCode = 2;
        return;
      }
      const ok = await requests.setStatus(reference, status, note.length > 0 ? note.join(' ') : null, 'staff-cli', new Date());
      process.stdout.write(ok ? `${reference} → ${status}\n` : 'No request with that reference.\n');
      if (!ok) process.exitCode = 1;
    }
  } finally {
    await runtime.services.close();
  }
}

main().catch(failCli);
