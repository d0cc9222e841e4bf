/**
 * Stands for an object that a beforeAll hook creates later: module-level test code can name it at once
 * (`const db = useTestDatabase()`) and reads the real one's properties when a test runs.
 */
export function startedLater<T extends object>(what: string, current: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_target, key) {
      // Not a promise: awaiting or returning it from an async function must not reach for the real object.
      if (key === 'then') return undefined;
      const value = current();
      if (!value) throw new Error(`the test ${what} is used before its beforeAll hook started it`);
      return Reflect.get(value, key);
    },
  });
}
