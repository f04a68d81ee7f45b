// Preloaded with --import by the safety-net test: some time into a run, a failure nothing waits
// for, the way a bug would leave one (a rejected promise, or a throw from a timer).
const after = Number(process.env.TAP_TEST_FAULT_AFTER_MS ?? 500);
const kind = process.env.TAP_TEST_FAULT ?? 'rejection';
setTimeout(() => {
  if (kind === 'rejection') void Promise.reject(new Error('injected rejection'));
  else throw new Error('injected exception');
}, after).unref();
