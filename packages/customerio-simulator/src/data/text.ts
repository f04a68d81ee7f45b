/** Word lists for readable, deterministic names. Small on purpose: the data is for tests. */

export const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Margaret',
  'Ken',
  'Barbara',
  'Dennis',
  'Frances',
  'Edsger',
  'Radia',
  'Tim',
  'Katherine',
  'John',
  'Hedy',
  'Claude',
  'Sophie',
  'Niklaus',
  'Annie',
  'Guido',
] as const;

export const LAST_NAMES = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
  'Allen',
  'Dijkstra',
  'Perlman',
  'Lee',
  'Johnson',
  'McCarthy',
  'Lamarr',
  'Shannon',
  'Wilson',
  'Wirth',
  'Easley',
  'Rossum',
] as const;

export const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'BR', 'JP', 'IN', 'CA', 'AU', 'ES'] as const;

export const PLANS = ['free', 'starter', 'pro', 'enterprise'] as const;

export const TOPICS = [
  'Welcome',
  'Onboarding',
  'Trial ending',
  'Abandoned cart',
  'Renewal',
  'Win-back',
  'Product tips',
  'Weekly digest',
  'Feature launch',
  'Survey',
  'Birthday',
  'Re-engagement',
  'Upgrade nudge',
  'Invoice reminder',
  'Security notice',
  'Webinar invite',
] as const;

export const SEGMENT_NAMES = [
  'Active users',
  'Trial users',
  'Paying customers',
  'Churn risk',
  'Newsletter readers',
  'Mobile app users',
  'Enterprise accounts',
  'Recently signed up',
  'Inactive 90 days',
  'VIP',
  'Beta testers',
  'EU residents',
] as const;

export const TAGS = ['lifecycle', 'marketing', 'product', 'billing', 'growth', 'retention'] as const;

export const EVENT_NAMES = ['signed_up', 'purchased', 'cart_abandoned', 'trial_started', 'logged_in'] as const;

export const PAGES = ['/pricing', '/docs', '/blog', '/checkout', '/account', '/features'] as const;

export const SCREENS = ['Home', 'Settings', 'Cart', 'Profile', 'Search'] as const;

/**
 * Name k of a collection whose names come from a list of `length`: the list's name on the first
 * round, then with the round number ("Stores", …, "Stores 2", …; `separator` "_" for keys).
 */
export function roundName(name: string, k: number, length: number, separator = ' '): string {
  return k < length ? name : `${name}${separator}${Math.floor(k / length) + 1}`;
}
