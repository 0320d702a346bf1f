/* CLI: staff and operator commands until the staff console exists. Output is for people. */
import { isRequestStatus, parseReference, REQUEST_STATUSES } from '../domain/support-request';
import { liftStatusLocks } from '../engine/flows/status-guard';
import { createMessageLogModels } from '../persistence/message-log.models';
import { MessageLogRepository } from '../persistence/message-log.repository';
import { generateSecrets } from '../security/dev-secrets';
import { cliFollowUps, listScheduled, listTasks, satisfactionReport, UsageError } from './admin-followups';
import { failCli, startCli } from './bootstrap';

const USAGE = `Usage: npm run admin -- <command>
  gen-keys                               print fresh production secrets (for .env)
  handoffs                               list open handoffs
  handoff:close <id>                     close a handoff (the bot takes the conversation back)
  inbound:unanswered                     messages the bot did not answer (overtaken, or given up after an outage)
  request:status <reference> <status> [note]
                                         set a request's status (${REQUEST_STATUSES.join(', ')})
  status:unlock <reference>              lift every status look-up lock on a request (after wrong last-4 answers)
  scheduled [--due-within 48h]           what the bot will send by itself, when, to which case (masked), and why
  report:satisfaction [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]
                                         satisfaction survey results: average, distribution, response rate
  tasks                                  open follow-up tasks for supervisors (low ratings, two-week promise)
  task:done <id>                         mark a task done

  request:status tells the beneficiary (the note too, for rejected and registration_incomplete);
  closing a request or a handoff schedules the satisfaction survey.`;

const COMMANDS = ['handoffs', 'handoff:close', 'inbound:unanswered', 'request:status', 'status:unlock', 'scheduled', 'report:satisfaction', 'tasks', 'task:done'];

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'gen-keys') {
    const s = generateSecrets();
    process.stdout.write(
      `DATA_ENCRYPTION_KEYS=${s.encryptionKeys}\nDATA_HMAC_KEY=${s.hmacKey}\nSESSION_SECRET=${s.sessionSecret}\nSTAFF_API_TOKEN=${s.staffApiToken}\n`,
    );
    return;
  }
  if (!command || !COMMANDS.includes(command)) {
    process.stdout.write(`${USAGE}\n`);
    process.exitCode = command ? 2 : 0;
    return;
  }
  const runtime = await startCli();
  const { followUps, close } = await cliFollowUps(runtime);
  try {
    const { handoffs } = runtime.core;
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
      const facts = ok && rest[0] ? await followUps.handoffs.followUpFacts(rest[0]) : null;
      if (facts) await followUps.planner.handoffClosed(facts);
      process.stdout.write(ok ? 'Closed; the satisfaction survey is scheduled.\n' : 'No open handoff with that id.\n');
      if (!ok) process.exitCode = 1;
    } else if (command === 'scheduled') {
      process.stdout.write(await listScheduled(followUps, runtime.core.ports.clock.now(), rest));
    } else if (command === 'report:satisfaction') {
      process.stdout.write(await satisfactionReport(followUps, rest));
    } else if (command === 'tasks') {
      process.stdout.write(await listTasks(followUps));
    } else if (command === 'task:done') {
      const done = rest[0] ? await followUps.tasks.done(rest[0], 'staff-cli', runtime.core.ports.clock.now()) : false;
      process.stdout.write(done ? 'Done.\n' : 'No open task with that id (see npm run admin -- tasks).\n');
      if (!done) process.exitCode = 1;
    } else {
      const [given, status, ...note] = rest;
      const reference = parseReference(given ?? '');
      if (!reference) throw new UsageError(`"${given ?? ''}" is not a request reference (BSR-<year>-<number>).`);
      if (!isRequestStatus(status)) throw new UsageError(`"${status ?? ''}" is not a status; one of: ${REQUEST_STATUSES.join(', ')}.`);
      const outcome = await followUps.planner.changeRequestStatus(reference, status, note.length > 0 ? note.join(' ') : null, 'staff-cli');
      const said = { changed: `${reference} → ${status} (the beneficiary will be told)`, unchanged: `${reference} is already ${status}; nothing changed, nobody was told.`, not_found: `No request ${reference}.`, conflict: `${reference} changed meanwhile; nothing changed.` };
      process.stdout.write(`${said[outcome]}\n`);
      if (outcome === 'not_found') process.exitCode = 1;
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stdout.write(`${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
  } finally {
    await close();
    await runtime.services.close();
  }
}

main().catch(failCli);
