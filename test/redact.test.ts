import { describe, expect, it } from 'vitest';
import { Redactor } from '../src/redact.js';

describe('small helpers', () => {
  it('redacts a secret in every form it could be printed in', () => {
    const redactor = new Redactor(['k3y/with+odd"chars']);
    const text = redactor.text(`a k3y/with+odd"chars b ${encodeURIComponent('k3y/with+odd"chars')} c ${JSON.stringify('k3y/with+odd"chars')}`);
    expect(text).not.toContain('k3y');
  });
});
