import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DeletedEntity } from './data/deletions.js';
import type { PeopleChangeRequest } from './data/people-change-batch.js';
import type { PeopleChangeBatch } from './data/people-changes.js';
import type { ObjectChangeRequest } from './data/object-change-batch.js';
import type { ObjectChangeBatch } from './data/object-changes.js';
import type { DownloadStats, SimulatorStats } from './types.js';

export interface SimulatorProcess {
  url: string;
  stats(): Promise<SimulatorStats>;
  /** What the export download host served, and how many requests carried an Authorization header. */
  downloadStats(): Promise<DownloadStats>;
  resetStats(): Promise<void>;
  /** Simulator.deleteEntities over `POST /__sim/delete`: the number deleted, children included; rejects on a 400. */
  deleteEntities(entities: DeletedEntity[]): Promise<number>;
  /** Simulator.changePeople over `POST /__sim/change-people`: the batch as applied; rejects on a 400. */
  changePeople(request?: PeopleChangeRequest): Promise<PeopleChangeBatch>;
  /** Simulator.changeObjects over `POST /__sim/change-objects`: the batch as applied; rejects on a 400. */
  changeObjects(request?: ObjectChangeRequest): Promise<ObjectChangeBatch>;
  close(): Promise<void>;
}

/**
 * The simulator in a process of its own (bin.ts), as the real API is: the tap's own work then
 * cannot delay the arrivals the simulator's rate limiter counts. `args` are bin.ts's options
 * (those of `tap-customerio simulate`); the port is always 0. Run from the sources (tests), it
 * starts the built dist/bin.js.
 */
export async function spawnSimulator(args: string[] = []): Promise<SimulatorProcess> {
  const bin = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../dist/bin.js' : './bin.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [bin, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`the simulator printed ${line}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    stats: async () => (await (await fetch(`${url}/__sim/stats`)).json()) as SimulatorStats,
    downloadStats: async () => (await (await fetch(`${url}/__sim/downloads`)).json()) as DownloadStats,
    resetStats: async () => {
      await fetch(`${url}/__sim/reset-stats`, { method: 'POST' });
    },
    deleteEntities: async (entities) => {
      const res = await fetch(`${url}/__sim/delete`, { method: 'POST', body: JSON.stringify({ entities }) });
      const body = (await res.json()) as { deleted?: number; errors?: { detail: string }[] };
      if (res.status !== 200) throw new Error(body.errors?.[0]?.detail ?? `POST /__sim/delete answered ${res.status}`);
      return body.deleted ?? 0;
    },
    changePeople: async (request) => {
      const res = await fetch(`${url}/__sim/change-people`, { method: 'POST', body: request === undefined ? '' : JSON.stringify(request) });
      const body = (await res.json()) as PeopleChangeBatch & { errors?: { detail: string }[] };
      if (res.status !== 200) throw new Error(body.errors?.[0]?.detail ?? `POST /__sim/change-people answered ${res.status}`);
      return body;
    },
    changeObjects: async (request) => {
      const res = await fetch(`${url}/__sim/change-objects`, { method: 'POST', body: request === undefined ? '' : JSON.stringify(request) });
      const body = (await res.json()) as ObjectChangeBatch & { errors?: { detail: string }[] };
      if (res.status !== 200) throw new Error(body.errors?.[0]?.detail ?? `POST /__sim/change-objects answered ${res.status}`);
      return body;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
