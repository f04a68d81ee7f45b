import { activityRoutes } from './activities.js';
import { broadcastRoutes } from './broadcasts.js';
import { campaignRoutes } from './campaigns.js';
import { customerRoutes } from './customers.js';
import { exportRoutes } from './exports-jobs.js';
import { messageRoutes } from './messages.js';
import { metricsRoutes } from './metrics.js';
import { newsletterContentRoutes } from './newsletter-contents.js';
import { newsletterRoutes } from './newsletters.js';
import { objectRoutes } from './objects.js';
import { relationshipRoutes } from './relationships.js';
import type { Route } from './router.js';
import { segmentUsageRoutes } from './segment-usage.js';
import { segmentRoutes } from './segments.js';
import { suppressionRoutes } from './suppressions.js';
import { transactionalRoutes } from './transactional.js';
import { workspaceConfigRoutes } from './workspace-config.js';
import { workspaceRoutes } from './workspaces.js';

/** Every API route the simulator serves. */
export function allRoutes(): Route[] {
  return [
    ...workspaceRoutes(),
    ...campaignRoutes(),
    ...newsletterRoutes(),
    ...segmentRoutes(),
    ...messageRoutes(),
    ...activityRoutes(),
    ...customerRoutes(),
    ...newsletterContentRoutes(),
    ...broadcastRoutes(),
    ...transactionalRoutes(),
    ...segmentUsageRoutes(),
    ...workspaceConfigRoutes(),
    ...exportRoutes(),
    ...suppressionRoutes(),
    ...objectRoutes(),
    ...relationshipRoutes(),
    ...metricsRoutes(),
  ];
}
