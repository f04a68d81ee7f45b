import { TapError } from './errors.js';
import { loadSpec } from './spec.js';

export const ENV_PREFIX = 'TAP_CUSTOMERIO_';

/**
 * Settings from TAP_CUSTOMERIO_<SETTING> variables, the way Meltano SDK taps read `--config ENV`.
 * Values arrive as strings and are converted to the type spec.json declares.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const properties = loadSpec().connectionSpecification.properties;
  const config: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    const variable = `${ENV_PREFIX}${name.toUpperCase()}`;
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    config[name] = convert(raw, property.type, variable);
  }
  return config;
}

function convert(raw: string, type: string, variable: string): unknown {
  switch (type) {
    case 'number':
    case 'integer': {
      const value = Number(raw);
      if (!Number.isFinite(value)) throw new TapError('CONFIG_INVALID', `${variable} must be a number, got "${raw}"`, { hint: `Set ${variable} to a number` });
      return value;
    }
    case 'boolean':
      if (!/^(true|false|1|0)$/i.test(raw))
        throw new TapError('CONFIG_INVALID', `${variable} must be true or false`, { hint: `Set ${variable} to true or false` });
      return /^(true|1)$/i.test(raw);
    case 'object':
    case 'array':
      try {
        return JSON.parse(raw);
      } catch {
        throw new TapError('CONFIG_INVALID', `${variable} must hold JSON`, { hint: `Set ${variable} to a JSON ${type}` });
      }
    default:
      return raw;
  }
}
