import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { makeNationalId } from '../support/fixtures';

const ROOT = join(__dirname, '..', '..');
const dbName = `t_console_${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'basirah-console-'));

interface Output {
  from: string | null;
  intent: string | null;
  replies: Array<{ text: string; options: string[] }>;
  error?: string;
}

/** Runs `chat --json` as a separate process, feeding lines on stdin; resolves with stdout lines and stderr. */
function runChat(lines: string[]): Promise<{ out: Output[]; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/cli/chat.ts', '--json'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, MONGODB_URI: process.env.MONGODB_URI, REDIS_URL: process.env.REDIS_URL, MONGODB_DB: dbName, DATA_DIR: dataDir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ out: stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Output), stderr, code }));
    child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  });
}

afterAll(async () => {
  const conn = await mongoose.createConnection(process.env.MONGODB_URI as string, { dbName }).asPromise();
  await conn.dropDatabase();
  await conn.close();
});

describe('npm run chat -- --json (machine mode, separate process)', () => {
  const nationalId = makeNationalId(9901);

  it('answers each input line with exactly one output line, keeps senders apart, and survives a restart', async () => {
    const first = await runChat([
      JSON.stringify({ from: 'mother', text: 'السلام عليكم' }),
      'this is not json',
      JSON.stringify({ from: 'worker', text: 'mujhe madad chahiye' }),
      JSON.stringify({ from: 'mother', text: 'ابي اقدم طلب دعم' }),
      JSON.stringify({ from: 'mother', text: 'فاطمة أحمد الزهراني' }),
      JSON.stringify({ from: 'mother', text: nationalId }),
    ]);
    expect(first.code).toBe(0);
    expect(first.out).toHaveLength(6);
    expect(first.out[0]).toMatchObject({ from: 'mother', intent: 'greeting' });
    expect(first.out[0]?.replies[0]?.text.length).toBeGreaterThan(0);
    expect(first.out[1]).toMatchObject({ from: null, intent: null, replies: [] });
    expect(first.out[1]?.error).toMatch(/invalid JSON/);
    expect(first.out[2]?.from).toBe('worker');
    expect(first.out[3]).toMatchObject({ from: 'mother', intent: 'request_new' });
    expect(first.out[4]).toMatchObject({ from: 'mother', intent: null });
    expect(first.out[5]).toMatchObject({ from: 'mother', intent: null });
    // The national ID is never echoed to stderr (logs, progress).
    expect(first.stderr).not.toContain(nationalId);

    const second = await runChat([JSON.stringify({ from: 'mother', text: '0501234567' })]);
    expect(second.out).toHaveLength(1);
    expect(second.out[0]?.intent).toBeNull();
    expect(second.out[0]?.replies.flatMap((r) => r.options).length).toBe(6); // the relation options: state survived the restart
  }, 60_000);
});
