import type { TapConfig } from '../config.js';

export type RegionName = 'us' | 'eu';
export type RegionHosts = Record<RegionName, string>;

/** Customer.io App API hosts; the region is the only difference between them. */
export const REGION_HOSTS: RegionHosts = {
  us: 'https://api.customer.io',
  eu: 'https://api-eu.customer.io',
};

export interface Candidate {
  label: string; // 'us', 'eu', or 'base_url'
  baseUrl: string;
}

/** Which hosts to try, in order: base_url alone, the configured region, or US then EU. */
export function candidates(config: TapConfig, hosts: RegionHosts = REGION_HOSTS): Candidate[] {
  if (config.base_url) return [{ label: 'base_url', baseUrl: stripVersion(config.base_url) }];
  if (config.region === 'us' || config.region === 'eu') return [{ label: config.region, baseUrl: hosts[config.region] }];
  return [
    { label: 'us', baseUrl: hosts.us },
    { label: 'eu', baseUrl: hosts.eu },
  ];
}

/** Paths carry /v1 themselves; a base_url that ends in /v1 would double it. */
function stripVersion(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}
