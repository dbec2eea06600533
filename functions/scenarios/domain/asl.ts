/**
 * Amazon States Language shapes the scenario compiler emits (JSONPath), and the `${...}` placeholders
 * CDK's definitionSubstitutions fill on AWS and local mode fills here.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type AslState = { Type: string; [key: string]: Json };
export interface AslDefinition {
  Comment: string;
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: Json;
}

/** `${name}`: a placeholder filled at deploy time (ARNs, table and bus names). */
export const ph = (name: string) => `\${${name}}`;

/** Fills `${Placeholder}`s (what CDK's definitionSubstitutions does on AWS). */
export function substitute(definition: AslDefinition, values: Record<string, string>): AslDefinition {
  const text = JSON.stringify(definition).replace(/\$\{(\w+)\}/g, (m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for placeholder ${m}`);
    return value;
  });
  return JSON.parse(text) as AslDefinition;
}
