/**
 * One rule for options objects across the packages: `undefined` and `null` both mean "not given",
 * for the object as for each of its values (so a configuration that went through JSON, where
 * undefined becomes null, means the same thing); anything else that is not an object is an error.
 */
export function optionsObject<T extends object>(options: T | null | undefined, who: string): Partial<T> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${who}: options must be an object, got ${JSON.stringify(options)}`);
  }
  return options;
}
