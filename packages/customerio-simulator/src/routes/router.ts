import type { World } from '../data/world.js';
import type { Reply } from '../reply.js';

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Raw request body ('' for GET). */
  body: string;
  world: World;
  /** The workspace clock when the request was handled. */
  now: number;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Also the normalised key in stats.byPath: '/v1/campaigns/:id/actions'. */
  pattern: string;
  handle(ctx: RouteContext): Reply;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
  /** False when the path exists but not for this method. */
  methodAllowed: boolean;
}

interface CompiledRoute {
  route: Route;
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.pattern
        .split('/')
        .map((part) => {
          if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(part.slice(1));
          return '([^/]+)';
        })
        .join('/');
      return { route, regex: new RegExp(`^${source}/?$`), names };
    });
  }

  match(method: string, pathname: string): RouteMatch | null {
    let pathOnly: RouteMatch | null = null;
    for (const c of this.compiled) {
      const m = c.regex.exec(pathname);
      if (m === null) continue;
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      if (c.route.method === method) return { route: c.route, params, methodAllowed: true };
      pathOnly ??= { route: c.route, params, methodAllowed: false };
    }
    return pathOnly;
  }
}
