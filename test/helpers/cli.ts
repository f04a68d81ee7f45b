import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'cli.js');

/** A key no output may ever contain: runCli fails a command that prints it, on stdout or stderr. */
export const TEST_KEY = 'cio-test-KEY-9b1f47d2e3a8c6';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed line by line, for the commands that print JSON lines (empty for the others). */
  messages: Array<Record<string, any>>;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called for every parsed stdout message as it arrives (to kill the tap mid-sync). */
  onMessage?: (message: Record<string, any>, child: ChildProcess) => void;
}

/**
 * What a command prints on stdout: JSON lines (every Airbyte and Singer sync and check, and
 * `preview --format jsonl`), one pretty-printed JSON document (Singer `--discover`,
 * `--about --format json`), or text for people (help, version, `--about`, the preview table, `demo`,
 * `simulate`).
 */
export type StdoutKind = 'json-lines' | 'json' | 'text';

const COMMANDS = new Set(['spec', 'check', 'discover', 'read', 'preview', 'simulate', 'demo']);

/** The value of `--name value` or `--name=value` (the last one given), if any. */
function optionValue(args: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  args.forEach((arg, i) => {
    if (arg === name) value = args[i + 1];
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
  });
  return value;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function stdoutKind(args: readonly string[]): StdoutKind {
  if (args.includes('--help') || args.includes('-h') || args.includes('--version')) return 'text';
  const command = COMMANDS.has(args[0] ?? '') ? args[0] : undefined;
  if (command === 'simulate' || command === 'demo') return 'text';
  if (command === 'preview') return optionValue(args, '--format') === 'jsonl' ? 'json-lines' : 'text';
  if (command === undefined && args.includes('--about')) return optionValue(args, '--format') === 'json' ? 'json' : 'text';
  if (command === undefined && args.includes('--discover')) return 'json';
  return 'json-lines';
}

/**
 * Runs the built CLI. The promise rejects, failing the test that awaits it, when the command
 * printed the test key on either channel, or broke its stdout format: a line that is not a JSON
 * object where JSON lines are due, a document that does not parse where one JSON document is.
 * A last line cut short is allowed only when the process was killed by a signal.
 */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const kind = stdoutKind(args);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const messages: Array<Record<string, any>> = [];
    let failure: string | undefined;
    const fail = (reason: string): void => {
      failure ??= reason;
    };
    const onLine = (line: string): void => {
      if (line.trim() === '') return;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        return fail(`stdout line ${messages.length + 1} is not JSON: ${line.slice(0, 300)}`);
      }
      if (message === null || typeof message !== 'object' || Array.isArray(message))
        return fail(`stdout line ${messages.length + 1} is not a JSON object: ${line.slice(0, 300)}`);
      messages.push(message as Record<string, any>);
      try {
        options.onMessage?.(message as Record<string, any>, child);
      } catch (error) {
        fail(`onMessage threw: ${String(error)}`);
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (kind !== 'json-lines') return;
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() as string;
      for (const line of lines) onLine(line);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (kind === 'json-lines' && pending.trim() !== '') {
        // A process killed mid-write may leave half a line: only then is one that does not parse let go.
        if (signal === null || isJson(pending)) onLine(pending);
      }
      if (kind === 'json' && stdout.trim() !== '' && !isJson(stdout)) fail(`stdout is not one JSON document: ${stdout.slice(0, 300)}`);
      for (const [channel, text] of [
        ['stdout', stdout],
        ['stderr', stderr],
      ] as const) {
        const at = text.indexOf(TEST_KEY);
        if (at >= 0) fail(`${channel} contains the test API key: …${text.slice(Math.max(0, at - 300), at + 50)}`);
      }
      if (failure !== undefined) {
        reject(new Error(`tap-customerio ${args.join(' ')} (exit ${code ?? signal}): ${failure}\nstderr: ${stderr.slice(-1000)}`));
        return;
      }
      resolvePromise({ code, signal, stdout, stderr, messages });
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

/**
 * The data of the RECORD messages of either protocol: a Singer RECORD names its stream at the top
 * and carries the data as `record`; an Airbyte one has both inside `record`. (Data may well have a
 * `data` field of its own, as activities do.)
 */
export function recordsOf(messages: Array<Record<string, any>>, stream?: string): Array<Record<string, any>> {
  return messages
    .filter((m) => m['type'] === 'RECORD')
    .map((m) => ('stream' in m ? { stream: m['stream'], data: m['record'] } : { stream: m['record']?.['stream'], data: m['record']?.['data'] }))
    .filter((r) => stream === undefined || r.stream === stream)
    .map((r) => r.data);
}
