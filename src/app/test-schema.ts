import { loadSchema } from '../engine/schemas.js';
import { keyFields } from '../engine/stream.js';
import { ALL_STREAMS } from '../streams/index.js';
import type { Session } from './session.js';

/** Singer `--test=schema`: the config is valid, and here is every stream's SCHEMA; no API call. */
export async function testSchemaCommand(session: Session, config: readonly string[]): Promise<number> {
  try {
    session.loadConfig(config);
  } catch (error) {
    return session.fail(error);
  }
  for (const def of ALL_STREAMS) {
    await session.output.emit({
      kind: 'schema',
      stream: def.name,
      schema: loadSchema(def),
      keyProperties: keyFields(def),
      bookmarkProperties: def.cursor ? [def.cursor.field] : [],
    });
  }
  await session.output.end();
  return 0;
}
