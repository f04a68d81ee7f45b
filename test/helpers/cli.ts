import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import split2 from 'split2';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'cli.js');

/** A key no test output may ever contain (checked by the secrets suite). */
export const TEST_KEY = 'cio-test-KEY-9b1f47d2e3a8c6';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed line by line; a line that is not JSON fails the parse. */
  messages: Array<Record<string, any>>;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called for every parsed stdout message as it arrives (to kill the tap mid-sync). */
  onMessage?: (message: Record<string, any>, child: ChildProcess) => void;
}

/** Every CLI output of the whole suite lands here, for the final audit that greps it for the key. */
export const OUTPUT_LOG_DIR = join(REPO_ROOT, '.tmp', 'test-outputs');

export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const messages: Array<Record<string, any>> = [];
    let parseError: Error | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stdout.pipe(split2()).on('data', (line: string) => {
      if (line.trim() === '') return;
      try {
        const message = JSON.parse(line) as Record<string, any>;
        messages.push(message);
        options.onMessage?.(message, child);
      } catch (error) {
        parseError ??= new Error(`stdout line is not JSON: ${line.slice(0, 200)}`);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      mkdirSync(OUTPUT_LOG_DIR, { recursive: true });
      appendFileSync(join(OUTPUT_LOG_DIR, `${process.pid}.log`), `${args.join(' ')}\n${stdout}\n${stderr}\n`);
      const result = { code, signal, stdout, stderr, messages };
      if (parseError && args[0] !== 'simulate' && !args.includes('--about') && !args.includes('--help')) {
        Object.assign(result, { parseError });
      }
      resolvePromise(result);
    });
  });
}

/** A fresh temp folder with JSON files written into it; returns their paths. */
export function writeFiles(files: Record<string, unknown>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'tap-cio-test-'));
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    paths[name] = path;
  }
  return paths;
}

export function ofType(messages: Array<Record<string, any>>, type: string): Array<Record<string, any>> {
  return messages.filter((m) => m['type'] === type);
}

export function recordsOf(messages: Array<Record<string, any>>, stream?: string): Array<Record<string, any>> {
  return messages
    .filter((m) => m['type'] === 'RECORD')
    .map((m) => (m['record'] && typeof m['record'] === 'object' && 'data' in m['record'] ? m['record'] : m))
    .filter((r) => stream === undefined || r['stream'] === stream)
    .map((r) => r['data'] ?? r['record']);
}
