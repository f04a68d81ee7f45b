import type { Writable } from 'node:stream';
import { loadSpec, packageVersion } from '../spec.js';

export type AboutFormat = 'text' | 'json' | 'markdown';

export const CAPABILITIES = ['catalog', 'discover', 'state', 'about', 'test', 'stream-maps'];

export function aboutInfo(): Record<string, unknown> {
  return {
    name: 'tap-customerio',
    description: 'Customer.io App API extractor for Singer, Meltano and Airbyte',
    version: packageVersion(),
    sdk_version: null,
    supported_python_versions: null,
    capabilities: CAPABILITIES,
    settings: loadSpec().connectionSpecification,
  };
}

export function aboutCommand(stdout: Writable, format: AboutFormat): number {
  const info = aboutInfo();
  const settings = info['settings'] as { properties: Record<string, { type: string; description?: string; default?: unknown }>; required: string[] };
  if (format === 'json') {
    stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    return 0;
  }
  const rows = Object.entries(settings.properties).map(([name, p]) => ({
    name,
    required: settings.required.includes(name),
    type: p.type,
    default: p.default === undefined ? '' : JSON.stringify(p.default),
    description: p.description ?? '',
  }));
  if (format === 'markdown') {
    const out = [
      `# ${String(info['name'])}`,
      '',
      String(info['description']),
      '',
      `Version: ${String(info['version'])}`,
      '',
      '## Capabilities',
      '',
      ...CAPABILITIES.map((c) => `* \`${c}\``),
      '',
      '## Settings',
      '',
      '| Setting | Required | Type | Default | Description |',
      '|:--|:--|:--|:--|:--|',
      ...rows.map((r) => `| ${r.name} | ${r.required ? 'True' : 'False'} | ${r.type} | ${r.default} | ${r.description.replace(/\|/g, '\\|')} |`),
      '',
    ];
    stdout.write(`${out.join('\n')}\n`);
    return 0;
  }
  const out = [
    `Name: ${String(info['name'])}`,
    `Description: ${String(info['description'])}`,
    `Version: ${String(info['version'])}`,
    `Capabilities: ${CAPABILITIES.join(', ')}`,
    'Settings:',
    ...rows.map((r) => `  - ${r.name}${r.required ? ' (required)' : ''}: ${r.type}${r.default ? `, default ${r.default}` : ''}. ${r.description}`),
  ];
  stdout.write(`${out.join('\n')}\n`);
  return 0;
}
