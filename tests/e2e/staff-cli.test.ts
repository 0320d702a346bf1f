import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { PasswordHasher } from '../../src/staff/password';
import { fromBase32, stepAt, totpCode } from '../../src/staff/totp';

/** `npm run staff -- …` as a separate process, against a private database (MONGODB_DB) and Redis prefix. */
const ROOT = join(__dirname, '..', '..');
const dbName = `t_staffcli_${randomBytes(4).toString('hex')}`;
const prefix = `t-staffcli-${randomBytes(3).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'basirah-staffcli-'));
let conn: Connection;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `answer`: a line to type once stdout shows what it waits for (it returns null until then). */
function staffCli(args: string[], password?: string, answer?: (stdout: string) => string | null): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      MONGODB_URI: process.env.MONGODB_URI,
      REDIS_URL: process.env.REDIS_URL,
      MONGODB_DB: dbName,
      QUEUE_PREFIX: prefix,
      DATA_DIR: dataDir,
      ...(password !== undefined ? { STAFF_PASSWORD: password } : {}),
    };
    // stdin is a pipe, not a terminal: without STAFF_PASSWORD the command cannot prompt.
    const child = spawn('npm', ['run', '--silent', 'staff', '--', ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let answered = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = answered || !answer ? null : answer(stdout);
      if (line !== null) {
        answered = true;
        child.stdin.end(`${line}\n`);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (!answer) child.stdin.end();
  });
}

function staffDoc(email: string): Promise<{ roles: string[]; passwordHash: string; disabled: boolean; name: string } | null> {
  return conn.collection('staff').findOne({ email }) as never;
}

beforeAll(async () => {
  conn = await mongoose.createConnection(process.env.MONGODB_URI as string, { dbName }).asPromise();
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

describe('npm run staff (separate process)', () => {
  const admin = 'noura.admin@basirah.example';
  const password = 'Seven lanterns over Dammam';

  it('creates the first admin with the password from STAFF_PASSWORD, hashed with scrypt N=2^17, and prints neither', async () => {
    const run = await staffCli(['create-admin', admin.toUpperCase(), '--name', 'Noura'], password);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(`Created ${admin} (admin)`);
    const doc = await staffDoc(admin);
    expect(doc).toMatchObject({ roles: ['admin'], disabled: false, name: 'Noura' });
    expect(doc?.passwordHash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
    await expect(new PasswordHasher().verify(password, doc?.passwordHash as string)).resolves.toBe(true);
    expect(`${run.stdout}${run.stderr}`).not.toContain(password);
    expect(`${run.stdout}${run.stderr}`).not.toContain('$scrypt$');
    const audit = await conn.collection('staff_audit').find({ action: 'account-created' }).toArray();
    expect(audit).toMatchObject([{ via: 'cli', actorId: null }]);
  });

  it('never falls back to a default password: without STAFF_PASSWORD and without a terminal it refuses', async () => {
    const run = await staffCli(['create-admin', 'second.admin@basirah.example']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/set STAFF_PASSWORD/);
    expect(await staffDoc('second.admin@basirah.example')).toBeNull();
  });

  it('refuses a weak password and a taken address, saying why', async () => {
    const weak = await staffCli(['create-admin', 'weak.admin@basirah.example'], 'qwertyuiop12');
    expect(weak.code).toBe(1);
    expect(weak.stdout).toMatch(/Password refused: it is a common password/);
    const taken = await staffCli(['create-admin', admin], 'Another long phrase here');
    expect(taken.code).toBe(1);
    expect(taken.stdout).toMatch(/exists already/);
  });

  it('creates, lists, resets, ends sessions of and disables accounts, but never the last admin', async () => {
    const agent = 'sara.agent@basirah.example';
    expect((await staffCli(['create', agent, '--roles', 'researcher,agent'], 'Quiet harbour at dawn')).code).toBe(0);
    expect((await staffDoc(agent))?.roles).toEqual(['agent', 'researcher']);
    expect((await staffCli(['create', 'x@basirah.example', '--roles', 'boss'], 'Quiet harbour at dawn')).code).toBe(2);
    const list = await staffCli(['list']);
    expect(list.stdout).toMatch(new RegExp(`${agent}  sara.agent  agent,researcher  active`));
    expect(list.stdout).not.toContain('$scrypt$');
    const reset = await staffCli(['reset', agent], 'A different harbour at dusk');
    expect(reset.stdout).toMatch(/Password changed/);
    await expect(new PasswordHasher().verify('A different harbour at dusk', (await staffDoc(agent))?.passwordHash as string)).resolves.toBe(true);
    expect((await staffCli(['end-sessions', agent])).stdout).toMatch(/Ended 0 session/);
    expect((await staffCli(['disable', agent])).code).toBe(0);
    expect((await staffDoc(agent))?.disabled).toBe(true);
    const lastAdmin = await staffCli(['disable', admin]);
    expect(lastAdmin.code).toBe(1);
    expect(lastAdmin.stdout).toMatch(/last active admin/);
    expect((await staffCli(['disable', 'nobody@basirah.example'])).stdout).toMatch(/No account/);
  });

  it('turns two-step verification on with the code the app shows, refuses a wrong code, and turns it off', async () => {
    const secretOf = (stdout: string): string | null => /secret key: ([A-Z2-7 ]+)\n/.exec(stdout)?.[1]?.replace(/ /g, '') ?? null;
    const wrong = await staffCli(['totp-enable', admin], undefined, (out) => (secretOf(out) ? '000000' : null));
    // (A wrong code that happens to be right has one chance in a million; the assertion would then show it.)
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/does not match; nothing was changed/);
    expect((await conn.collection('staff').findOne({ email: admin }))?.totpSealed ?? null).toBeNull();

    const on = await staffCli(['totp-enable', admin], undefined, (out) => {
      const secret = secretOf(out);
      return secret ? totpCode(fromBase32(secret), stepAt(new Date())) : null;
    });
    expect(on.stdout + on.stderr).toMatch(/Two-step verification is on/);
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/otpauth:\/\/totp\/Basirah%20staff%3Anoura\.admin%40basirah\.example\?secret=[A-Z2-7]{32}&issuer=Basirah\+staff/);
    expect(on.stdout).toMatch(/Two-step verification is on/);
    const doc = await conn.collection('staff').findOne({ email: admin });
    expect(doc?.totpSealed).toEqual(expect.objectContaining({ ct: expect.any(String) }));
    expect(JSON.stringify(doc)).not.toContain(secretOf(on.stdout) as string);
    expect((await staffCli(['list'])).stdout).toMatch(new RegExp(`${admin}  Noura  admin  active  2fa`));

    expect((await staffCli(['totp-disable', admin])).code).toBe(0);
    expect((await conn.collection('staff').findOne({ email: admin }))?.totpSealed).toBeNull();
    expect(await conn.collection('staff_audit').countDocuments({ action: { $in: ['totp-enabled', 'totp-disabled'] }, via: 'cli' })).toBe(2);
  });
});
