import { TapError } from '../errors.js';

/**
 * `demo` and `simulate` load the customerio-simulator package, a workspace package of the
 * repository that the published tap and its image do not carry. Its absence is a fact to state
 * with the fix, not a stack trace; any other failure to load it is a bug and stays as it is.
 */
export function simulatorMissing(error: unknown): never {
  if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
    throw new TapError('NOT_INSTALLED', 'The simulator is not installed: demo and simulate need the package customerio-simulator', {
      hint: 'It ships with the tap-customerio repository, not with the published tap or its Docker image: run `npm ci` in a clone of the repository, then `npm run demo`',
      cause: error,
    });
  }
  throw error;
}
