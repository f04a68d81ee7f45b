import { loadSpec } from '../spec.js';
import { line } from '../protocol/airbyte.js';
import type { Session } from './session.js';

export async function specCommand(session: Session): Promise<number> {
  const spec = loadSpec();
  await session.output.write(
    line({
      type: 'SPEC',
      spec: {
        documentationUrl: spec.documentationUrl,
        connectionSpecification: spec.connectionSpecification,
        supportsIncremental: true,
        supported_destination_sync_modes: ['overwrite', 'append', 'append_dedup'],
      },
    }),
  );
  await session.output.end();
  return 0;
}
