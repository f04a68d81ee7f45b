import type { ObjectRelationshipRecord, PersonRelationshipRecord, Simulator } from '../src/index.js';
import { list, walk } from './helpers.js';

/** Every person GET /v1/objects/{type}/{id}/relationships serves, walked with `next`. */
export async function relatedOverHttp(sim: Simulator, typeId: string, objectId: string, query = ''): Promise<ObjectRelationshipRecord[]> {
  const path = `/v1/objects/${typeId}/${encodeURIComponent(objectId)}/relationships${query === '' ? '' : `?${query}`}`;
  return (await walk<ObjectRelationshipRecord>(sim, path, list('cio_relationships'))).records;
}

/** Every object GET /v1/customers/{id}/relationships serves, walked with `next`. */
export async function personOverHttp(sim: Simulator, id: string, query = 'id_type=cio_id'): Promise<PersonRelationshipRecord[]> {
  const path = `/v1/customers/${encodeURIComponent(id)}/relationships${query === '' ? '' : `?${query}`}`;
  return (await walk<PersonRelationshipRecord>(sim, path, list('cio_relationships'))).records;
}
