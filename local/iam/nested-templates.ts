/**
 * Nested stacks as one template: the parent's resources and every nested stack's, with each reference that
 * crossed a stack boundary written back as the expression it stands for, so statements read as they would
 * in one flat stack (`{ Ref: <parent logical id> }`) and resolve with the parent's resources. Pure.
 */

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface CfnTemplateJson {
  readonly Resources: Record<string, CfnResourceJson>;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
  readonly [key: string]: unknown;
}

/** A nested stack: the logical id of its AWS::CloudFormation::Stack in the parent, and its own template. */
export interface NestedTemplate {
  readonly logicalId: string;
  readonly template: CfnTemplateJson;
}

/** `value` with every `{ Ref }` / `{ Fn::GetAtt }` that `replace` answers for replaced, deeply. */
function rewrite(value: unknown, replace: (node: Record<string, unknown>) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => rewrite(v, replace));
  if (!value || typeof value !== 'object') return value;
  const node = value as Record<string, unknown>;
  const replaced = replace(node);
  if (replaced !== undefined) return replaced;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, rewrite(v, replace)]));
}

/**
 * The parent's and the nested stacks' resources in one template. In the parent, `Fn::GetAtt [<nested>,
 * Outputs.<name>]` becomes the nested output's value; in a nested stack, `{ Ref: <parameter> }` becomes the
 * parent expression its AWS::CloudFormation::Stack passes for it (CDK passes every parent → nested
 * reference as a parameter). Throws if two stacks use the same logical id (CDK derives them from
 * paths, so they never should).
 */
export function flattenNested(parent: CfnTemplateJson, nested: readonly NestedTemplate[]): CfnTemplateJson {
  const outputs = new Map(nested.map((n) => [n.logicalId, n.template.Outputs ?? {}]));
  const fromParent = rewrite(parent.Resources, (node) => {
    const att = node['Fn::GetAtt'];
    if (!Array.isArray(att) || Object.keys(node).length !== 1) return undefined;
    const [id, attribute] = att as [string, string];
    const output = outputs.get(id)?.[String(attribute).replace(/^Outputs\./, '')];
    return String(attribute).startsWith('Outputs.') && output ? output.Value : undefined;
  }) as Record<string, CfnResourceJson>;
  const resources: Record<string, CfnResourceJson> = { ...fromParent };
  for (const n of nested) {
    const passed = (fromParent[n.logicalId]?.Properties?.Parameters ?? {}) as Record<string, unknown>;
    const own = rewrite(n.template.Resources, (node) => {
      const ref = node.Ref;
      return typeof ref === 'string' && Object.keys(node).length === 1 && Object.hasOwn(passed, ref) ? passed[ref] : undefined;
    }) as Record<string, CfnResourceJson>;
    for (const [id, r] of Object.entries(own)) {
      if (id in resources) throw new Error(`logical id ${id} of nested stack ${n.logicalId} is also used elsewhere`);
      resources[id] = r;
    }
  }
  return { ...parent, Resources: resources };
}
