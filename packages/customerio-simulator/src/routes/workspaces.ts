import { listReply } from './envelope.js';
import type { Route } from './router.js';

export function workspaceRoutes(): Route[] {
  return [{ method: 'GET', pattern: '/v1/workspaces', handle: ({ world }) => listReply('workspaces', [world.workspace()]) }];
}
