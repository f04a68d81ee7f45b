import { hash32 } from '../random.js';
import { DriftField, Entity } from '../tags.js';

/**
 * Type drift (customerio-api.md §7.4, §3, §5.10, §7.12): where the live API, the docs examples
 * and the spec disagree on the JSON type or shape of a field, clients meet both, so the
 * simulator serves both side by side. Each rule below decides one record (or one error answer)
 * from the seed and a key the client can see in what it was served, so a test can predict every
 * variant without asking the simulator.
 *
 * The minority form is served when hash32(seed, Entity.drift, key, DriftField.<field>) % 3 === 0
 * (about one record in three); the workspace id, of which a workspace has only one, takes % 2.
 */
function oneInThree(seed: number, key: number, field: number): boolean {
  return hash32(seed, Entity.drift, key, field) % 3 === 0;
}

/**
 * A campaign or broadcast action `id`: an integer as the spec declares, instead of the string
 * live serves, for one action in three. Key: the action id (unique across campaigns and
 * broadcasts).
 */
export function actionIdAsInteger(seed: number, actionId: number): boolean {
  return oneInThree(seed, actionId, DriftField.actionId);
}

/**
 * `from_id` and `reply_to_id` of a campaign or broadcast action: numeric strings as S3 types them
 * (live), instead of the spec's integers, for one action in three. Both fields of an action take
 * the same form. Key: the action id.
 */
export function actionSendersAsStrings(seed: number, actionId: number): boolean {
  return oneInThree(seed, actionId, DriftField.actionSenders);
}

/** The same for a newsletter variant (GET /v1/newsletters/{id}/contents). Key: the content id. */
export function variantSendersAsStrings(seed: number, contentId: number): boolean {
  return oneInThree(seed, contentId, DriftField.variantSenders);
}

/**
 * A broadcast's deprecated `msg_template_ids`: a list of bare integer ids instead of the
 * `[{type, id}]` refs, for broadcast 4 (#1, so that a small workspace shows both forms) and one
 * in three of the others. Key: the broadcast id.
 */
export function templateIdsBare(seed: number, broadcastId: number): boolean {
  return broadcastId === 4 || oneInThree(seed, broadcastId, DriftField.templateIds);
}

/**
 * The workspace `id`: a numeric string as in the docs example ("13XXXX") instead of the spec's
 * integer, for about half of all seeds (a workspace has one id).
 */
export function workspaceIdAsString(seed: number): boolean {
  return hash32(seed, Entity.drift, 0, DriftField.workspaceId) % 2 === 0;
}

/**
 * The error envelope's `status` (§3): a number as S6 types it, instead of the string of S3's
 * fixtures and the current spec, for one request path in three. Applies to the 400s and 404s
 * routes answer; 401, 403 and 429 keep the documented string ("401", "429"). Key: the pathname
 * as requested, hashed (pathKey).
 */
export function errorStatusAsNumber(seed: number, pathname: string): boolean {
  return oneInThree(seed, pathKey(pathname), DriftField.errorStatus);
}

/**
 * A POST /v1/customers/attributes item wrapped as `{"customer": {...}}` (the docs example)
 * instead of bare (S3, live), for one person in three (§7.12). Key: the person's cio_id read as
 * a hexadecimal number.
 */
export function customerWrapped(seed: number, cioId: string): boolean {
  return oneInThree(seed, parseInt(cioId, 16), DriftField.customerWrap);
}

/** FNV-1a of a string, as an unsigned 32-bit number. */
export function pathKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** `id` in the served form: a number, or its decimal string. */
export function idAs(id: number, asString: boolean): number | string {
  return asString ? String(id) : id;
}

/** A nullable sender reference in the served form. */
export function senderRef(id: number | null, asString: boolean): number | string | null {
  return id === null ? null : idAs(id, asString);
}
