/** Whether DynamoDB can store a value from the internet as it is (profile.ts storedValueBounds). Pure. */
import { storedValueBounds } from './profile.js';

/**
 * True when every number is within DynamoDB's range, nesting stays within storedValueBounds.maxNesting,
 * and no map key is empty or `__proto__` (which the SDK cannot send intact: shared/aws/dynamodb.ts).
 */
export function storableValue(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') {
    const m = Math.abs(value);
    return m === 0 || (m >= storedValueBounds.minMagnitude && m < storedValueBounds.maxMagnitude);
  }
  if (typeof value !== 'object' || depth >= storedValueBounds.maxNesting) return false;
  if (Array.isArray(value)) return value.every((v) => storableValue(v, depth + 1));
  return Object.entries(value).every(([k, v]) => k !== '' && k !== '__proto__' && storableValue(v, depth + 1));
}
