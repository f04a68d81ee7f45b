import { readFileSync } from 'node:fs';
import { TapError, type ErrorCode } from './errors.js';
import { findJsonErrorOffset, lineAndColumn } from './json-position.js';

/** What a JSON input file is for, so errors say which flag to fix. */
export interface JsonFileRole {
  code: ErrorCode;
  what: string; // 'config file', 'catalog file', 'state file'
  flag: string; // '--config'
}

/** Reads and parses a JSON file; every failure names the file, the line and column, and the fix. */
export function readJsonFile(path: string, role: JsonFileRole): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new TapError(role.code, `The ${role.what} ${path} ${reason}`, {
      hint: `Pass an existing JSON file with ${role.flag}`,
      cause: error,
    });
  }
  return parseJsonText(text, path, role);
}

export function parseJsonText(text: string, path: string, role: JsonFileRole): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    throw new TapError(role.code, `The ${role.what} ${path} is empty`, {
      hint: `Write a JSON object into it (see README) and pass it with ${role.flag}`,
    });
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    const detail = (error as Error).message;
    const offset = findJsonErrorOffset(body);
    const { line, column } = lineAndColumn(body, offset < 0 ? body.length : offset);
    throw new TapError(role.code, `The ${role.what} ${path} is not valid JSON at line ${line}, column ${column}: ${shorten(detail)}`, {
      hint: `Fix the JSON syntax at ${path}:${line}:${column}`,
    });
  }
}

function shorten(detail: string): string {
  // V8 quotes the surrounding source, which may hold a secret from the file: keep only the reason.
  const reason = detail.split(/"|\.\.\./)[0] ?? '';
  return reason.replace(/\s+in JSON at position \d+.*$/, '').replace(/[,\s]+$/, '') || 'syntax error';
}
