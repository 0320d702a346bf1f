/* CLI: staff accounts of the staff console (issue 10). Output is for people; it never shows a password or a hash. */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { loadConfig, loadStaffPassword } from '../config/config';
import { connectServices, type Services } from '../runtime/services';
import type { PasswordProblem } from '../staff/password';
import { parseRoles, type StaffRole } from '../staff/roles';
import type { Actor } from '../staff/staff.accounts';
import { createStaffContext, type StaffContext } from '../staff/staff.context';
import { newTotpSecret, otpauthUri } from '../staff/totp';
import { failCli } from './bootstrap';

const USAGE = `Usage: npm run staff -- <command>
  create-admin <email> [--name <name>]             create an admin account (the first one, or another)
  create <email> --roles <r1,r2> [--name <name>]   create an account; roles: agent, researcher, committee, supervisor, admin
  list                                             list accounts
  disable <email>                                  disable an account and end its sessions
  enable <email>                                   enable a disabled account
  reset <email>                                    set a new password, end its sessions, lift a log-in lock-out
  end-sessions <email>                             end every session of an account
  totp-enable <email>                              turn on two-step verification: shows a secret for an authenticator app, then asks for its code
  totp-disable <email>                             turn two-step verification off (a lost phone)
The password is taken from STAFF_PASSWORD when it is set (scripted set-up), otherwise asked for twice without echo.`;

const CLI: Actor = { staffId: null, via: 'cli', ip: null };

const PROBLEMS: Record<PasswordProblem, string> = {
  'too-short': 'it must have at least 12 characters',
  'too-long': 'it must have at most 200 characters',
  common: 'it is a common password',
  'contains-email': 'it contains the e-mail address',
  repetitive: 'it repeats too few characters',
};

interface Args {
  command: string | undefined;
  email: string | undefined;
  flags: Map<string, string>;
}

function parseArgs(argv: string[]): Args {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg.startsWith('--')) {
      flags.set(arg.slice(2), argv[i + 1] ?? '');
      i += 1;
    } else positional.push(arg);
  }
  return { command: positional[0], email: positional[1], flags };
}

type Handler = (context: StaffContext, args: Args & { email: string }) => Promise<number>;

const COMMANDS: Record<string, Handler> = {
  'create-admin': (context, args) => create(context, args, ['admin']),
  create: async (context, args) => {
    const roles = parseRoles(args.flags.get('roles') ?? '');
    if (!roles) return usage('--roles needs a comma list of agent, researcher, committee, supervisor, admin');
    return create(context, args, roles);
  },
  disable: (context, args) =>
    withAccount(context, args.email, async (id) => {
      const outcome = await context.accounts.disable(id, CLI);
      say(outcome === 'disabled' ? 'Disabled; its sessions have ended.' : 'The last active admin cannot be disabled.');
      return outcome === 'disabled' ? 0 : 1;
    }),
  enable: (context, args) =>
    withAccount(context, args.email, async (id) => {
      await context.accounts.enable(id, CLI);
      say('Enabled.');
      return 0;
    }),
  reset: (context, args) =>
    withAccount(context, args.email, async (id) => {
      const result = await context.accounts.resetPassword(id, await newPassword(), CLI);
      if (!result.ok) return result.reason === 'weak-password' ? refused(result.problems) : 1;
      say('Password changed; its sessions have ended and any log-in lock-out is lifted.');
      return 0;
    }),
  'totp-enable': (context, args) =>
    withAccount(context, args.email, async (id) => {
      const secret = newTotpSecret();
      say('Add this account to an authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP, …):');
      say(`  secret key: ${secret.replace(/(.{4})/g, '$1 ').trim()}`);
      say(`  or this URI (as a QR code): ${otpauthUri('Basirah staff', args.email, secret)}`);
      const result = await context.accounts.enableTotp(id, secret, await askLine('Code the app shows now: '), CLI);
      if (!result.ok) {
        say('That code does not match; nothing was changed. Check the phone\'s clock and run the command again.');
        return 1;
      }
      say('Two-step verification is on: log-in now also asks for the app\'s code. Its other sessions have ended.');
      return 0;
    }),
  'totp-disable': (context, args) =>
    withAccount(context, args.email, async (id) => {
      await context.accounts.disableTotp(id, CLI);
      say('Two-step verification is off for this account.');
      return 0;
    }),
  'end-sessions': (context, args) =>
    withAccount(context, args.email, async (id) => {
      say(`Ended ${await context.accounts.endSessions(id, CLI)} session(s).`);
      return 0;
    }),
};

async function create(context: StaffContext, args: Args & { email: string }, roles: StaffRole[]): Promise<number> {
  const name = args.flags.get('name') || (args.email.split('@')[0] ?? args.email);
  const result = await context.accounts.create({ email: args.email, name, roles, password: await newPassword() }, CLI);
  if (result.ok) {
    say(`Created ${result.account.email} (${result.account.roles.join(', ')}).`);
    return 0;
  }
  if (result.reason === 'weak-password') return refused(result.problems);
  say(result.reason === 'email-taken' ? 'An account with that e-mail address exists already.' : 'That is not an e-mail address.');
  return 1;
}

async function list(context: StaffContext): Promise<number> {
  const accounts = await context.staff.list();
  if (accounts.length === 0) say('No staff accounts. Create the first admin with: npm run staff -- create-admin <email>');
  for (const a of accounts) {
    const lastLogin = a.lastLoginAt ? a.lastLoginAt.toISOString() : 'never';
    say(`${a.email}  ${a.name}  ${a.roles.join(',')}  ${a.disabled ? 'disabled' : 'active'}  ${a.totpEnabled ? '2fa' : 'no-2fa'}  created ${a.createdAt.toISOString()}  last log-in ${lastLogin}`);
  }
  return 0;
}

async function withAccount(context: StaffContext, email: string, act: (id: string) => Promise<number>): Promise<number> {
  const account = await context.staff.findByEmail(email);
  if (!account) {
    say('No account with that e-mail address.');
    return 1;
  }
  return act(account.id);
}

/** STAFF_PASSWORD when set; otherwise asked twice on the terminal without echo. There is never a default. */
async function newPassword(): Promise<string> {
  const fromEnv = loadStaffPassword();
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) throw new Error('set STAFF_PASSWORD, or run the command in a terminal to type the password');
  const first = await askHidden('New password: ');
  if ((await askHidden('Same password again: ')) !== first) throw new Error('the two passwords differ; nothing was changed');
  return first;
}

/** One line typed (or piped in), the prompt on stderr. */
function askLine(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin, terminal: false });
  return new Promise((resolve) => {
    // Resolved before close(): closing emits 'close' at once, which would otherwise answer '' first.
    rl.once('line', (line) => {
      resolve(line);
      rl.close();
    });
    rl.once('close', () => resolve(''));
  });
}

/** Reads a line from the terminal without echoing it: the prompt goes to stderr, the typed characters nowhere. */
function askHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

function refused(problems: PasswordProblem[]): number {
  say(`Password refused: ${problems.map((p) => PROBLEMS[p]).join('; ')}.`);
  return 1;
}

function usage(reason?: string): number {
  process.stdout.write(`${reason ? `${reason}\n` : ''}${USAGE}\n`);
  return 2;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const handler = COMMANDS[args.command ?? ''];
  if (args.command !== 'list' && (!handler || !args.email)) {
    const code = usage();
    process.exitCode = args.command ? code : 0;
    return;
  }
  const config = loadConfig();
  let services: Services | null = null;
  try {
    services = await connectServices(config, (line) => void process.stderr.write(`${line}\n`));
    const context = await createStaffContext(config, services);
    process.exitCode = handler && args.email ? await handler(context, { ...args, email: args.email }) : await list(context);
  } finally {
    await services?.close();
  }
}

main().catch(failCli);
