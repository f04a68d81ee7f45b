import { updatedList } from './lists.js';

/** Reusable content and data the workspace keeps: snippets, collections, and its export jobs. */
export const snippets = updatedList('snippets', '/v1/snippets', 'snippets', 'Snippets', [['name']]);
export const collections = updatedList('collections', '/v1/collections', 'collections', 'Collections');
export const exportsStream = updatedList('exports', '/v1/exports', 'exports', 'Exports');
