import type { FS } from 'liquidjs';

/**
 * A liquidjs file system that refuses everything, for templates marketers write (mail, landing pages):
 * no include, render or layout tag can read a file of the function's own package. Pure.
 */
export function noFileSystem(what: string): FS {
  const refuse = (file: string): never => {
    throw new Error(`${what} cannot read files (${file})`);
  };
  return {
    exists: async () => false,
    existsSync: () => false,
    readFile: async (file: string) => refuse(file),
    readFileSync: refuse,
    resolve: (_root: string, file: string) => file,
    contains: async () => false,
    containsSync: () => false,
    dirname: () => '',
    sep: '/',
  };
}
