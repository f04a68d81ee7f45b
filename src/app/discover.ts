import { airbyteCatalog, singerCatalog } from '../engine/catalog.js';
import { line } from '../protocol/airbyte.js';
import { ALL_STREAMS } from '../streams/index.js';
import type { Session } from './session.js';

/** Schemas are fixed per stream, so discovery validates the config but calls no API. */
export async function discoverCommand(session: Session, configPath: string | readonly string[]): Promise<number> {
  try {
    session.loadConfig(configPath);
  } catch (error) {
    return session.fail(error);
  }
  const text =
    session.protocol === 'airbyte'
      ? line({ type: 'CATALOG', catalog: airbyteCatalog(ALL_STREAMS) })
      : `${JSON.stringify(singerCatalog(ALL_STREAMS), null, 2)}\n`;
  await session.output.write(text);
  await session.output.end();
  return 0;
}
