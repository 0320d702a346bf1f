import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { PasswordHasher } from '../../src/staff/password';

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

function staffCli(args: string[], password?: string): Promise<Run> {
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
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
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
});
