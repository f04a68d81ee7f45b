import { describe, expect, it } from 'vitest';
import { findJsonErrorOffset, lineAndColumn } from '../src/json-position.js';

describe('small helpers', () => {
  it('finds the line and column of a JSON syntax error', () => {
    const text = '{\n  "a": 1,\n  "b": nope\n}';
    const { line, column } = lineAndColumn(text, findJsonErrorOffset(text));
    expect([line, column]).toEqual([3, 9]);
    expect(findJsonErrorOffset('{"a": [1, 2]}')).toBe(-1);
    expect(lineAndColumn('{"a": ', findJsonErrorOffset('{"a": '))).toEqual({ line: 1, column: 7 });
  });
});
